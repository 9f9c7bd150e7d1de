"""SIGTERM and SIGINT end the exhibit, SIGHUP asks it to reload its config, SIGUSR1 to save a
screenshot (exhibit-ctl screenshot). Handlers only set flags; the loop acts on them.

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
        self.screenshot = False
        self.polling = False

    def _quit(self, *_: object) -> None:
        self.quit = True
        if not self.polling:
            raise Terminated()

    def _reload(self, *_: object) -> None:
        self.reload = True

    def _screenshot(self, *_: object) -> None:
        self.screenshot = True


_installed: Signals | None = None
_early_reload = False


def _early_hup(*_: object) -> None:
    global _early_reload
    _early_reload = True  # handed to the loop by install(): a reload before READY waits


def _early_stop(signum: int, _frame: object) -> None:
    # nothing is open yet: one line and out, without unwinding half-done imports
    os.write(2, f"digit-exhibit: stopped by {signal.Signals(signum).name} while starting\n"
             .encode())
    os._exit(0 if signum == signal.SIGTERM else 130)


def early() -> None:
    """The entry point's very first step, before numpy and pygame are imported (0.1 s and
    more): a SIGHUP then no longer kills the process (exit 129) but is kept for the loop, and
    SIGINT or SIGTERM stop it in one line instead of a traceback."""
    signal.signal(signal.SIGTERM, _early_stop)
    signal.signal(signal.SIGINT, _early_stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _early_hup)
    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)  # a screenshot asked for while starting


def default() -> None:
    """The usual dispositions back, for the commands that are not the exhibit."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, signal.SIG_DFL)


def install() -> Signals:
    """The process's signal flags (installed once; later calls return the same flags)."""
    global _installed
    if _installed is None:
        _installed = Signals()
        _installed.reload = _early_reload
        os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"
        signal.signal(signal.SIGTERM, _installed._quit)
        signal.signal(signal.SIGINT, _installed._quit)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, _installed._reload)
        if hasattr(signal, "SIGUSR1"):
            signal.signal(signal.SIGUSR1, _installed._screenshot)
    return _installed
