"""SIGTERM and SIGINT end the exhibit, SIGHUP asks it to reload its config.

Installed first thing in ``run`` and ``soak`` (before the config, the weights and the display),
so that no signal is lost or fatal during start-up. SDL's own handlers, which would turn SIGTERM
into a quit event that a kiosk ignores, are switched off.
"""
from __future__ import annotations

import os
import signal


class Terminated(BaseException):
    """SIGTERM or SIGINT before the frame loop runs: start-up stops where it is."""


class Signals:
    """Flags the loop polls once a frame. Until ``polling`` is set, a stop signal raises
    :class:`Terminated` instead, so that a slow start-up (weights, fonts, the display) does not
    keep a stopping process alive."""

    def __init__(self) -> None:
        self.quit = False
        self.reload = False
        self.polling = False

    def _quit(self, *_: object) -> None:
        self.quit = True
        if not self.polling:
            raise Terminated()

    def _reload(self, *_: object) -> None:
        self.reload = True


_installed: Signals | None = None


def install() -> Signals:
    """The process's signal flags (installed once; later calls return the same flags)."""
    global _installed
    if _installed is None:
        _installed = Signals()
        os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"
        signal.signal(signal.SIGTERM, _installed._quit)
        signal.signal(signal.SIGINT, _installed._quit)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, _installed._reload)
    return _installed
