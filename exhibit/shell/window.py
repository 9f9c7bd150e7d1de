"""The window: opening it at the right size, the cheapest way to present a frame, and honest
figures about the frames presented."""
from __future__ import annotations

import os

import numpy as np
import pygame


# Video drivers whose windows have a framebuffer of their own that SDL can update per
# rectangle. Wayland and KMSDRM have none: there SDL presents through a GPU texture, and
# turning that off leaves no way at all ("Window framebuffer support not available").
OWN_FRAMEBUFFER = ("x11", "windows")


def prefer_dirty_rects() -> None:
    """After ``pygame.display.init()``, before the first ``set_mode``: where the video driver
    has its own framebuffer (X11: shared memory), present through it, per changed rectangle,
    not through SDL's default of a renderer texture, which uploads and presents the whole
    window for every change (measured under Xvfb: one 16x16 rect cost 11.7 ms at 1920x1080
    and 40.5 ms at 3840x2160 that way, 0.04 ms this way). Elsewhere (cage's Wayland) SDL's
    texture is the only way to the screen. An operator's own SDL_FRAMEBUFFER_ACCELERATION
    wins. (SDL reads the hint when the window's surface is first made, not at init.)"""
    if pygame.display.get_driver() in OWN_FRAMEBUFFER:
        os.environ.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "0")


class NoScreen(Exception):
    """No display to show the exhibit on (SDL fell back to an invisible driver)."""


class Window:
    """The display surface and the cheapest way to get a frame onto the screen.

    Native (the layout drawn at the window's own size): only the changed areas are copied, with
    ``display.update(areas)``. Scaled (a fixed layout size on a display of another size): SDL's
    SCALED renderer uploads the whole surface on every present, so a frame with changes costs a
    full copy; used only when the config fixes a size that differs from the display. See
    ``bench --present`` for the figures behind this choice.
    """

    def __init__(self, size: tuple[int, int] | None, fullscreen: bool, display: int,
                 vsync: bool, scaled: bool | None = None, present: str = "changed") -> None:
        self.whole = whole_frames(present)
        n = pygame.display.get_num_displays()
        display = display if display < max(1, n) else 0
        desktop = pygame.display.get_desktop_sizes()[display]
        if size is None:  # auto: the display's own size, or a comfortable development window
            size = desktop if fullscreen else fit_window(desktop)
        if scaled is None:
            scaled = fullscreen and tuple(size) != tuple(desktop)
        self.scaled = scaled
        flags = (pygame.SCALED if scaled else 0) | (pygame.FULLSCREEN if fullscreen else 0)
        self.vsync = False
        surface = None
        if vsync and scaled:  # SDL offers vsync only through its renderer
            try:
                surface = pygame.display.set_mode(size, flags, display=display, vsync=1)
                self.vsync = True
            except pygame.error:
                pass  # no vsync here: the capped clock paces frames
        self.surface = surface or pygame.display.set_mode(size, flags, display=display)
        self.size = self.surface.get_size()

    def present(self, areas: list[pygame.Rect]) -> None:
        if not areas:
            return
        if self.scaled or self.whole:
            pygame.display.flip()
        else:
            pygame.display.update(areas)


def whole_frames(present: str, env: dict | None = None) -> bool:
    """``window.present``: whether every painted frame presents the whole window. auto: yes
    under a Wayland compositor (WAYLAND_DISPLAY, which cage gives the exhibit, Xwayland or
    not): under cage's headless backend, changed-area presents left about 7 % of the
    compositor's frame black while animating; whole presents matched the exhibit's own frame
    exactly (kiosk/README.md, "What was tried where")."""
    env = os.environ if env is None else env
    return present == "whole" or (present == "auto" and bool(env.get("WAYLAND_DISPLAY")))


def fit_window(desktop: tuple[int, int]) -> tuple[int, int]:
    """A development window: 1280x720 (or 720x1280 on an upright display) if it fits."""
    w, h = (1280, 720) if desktop[0] >= desktop[1] else (720, 1280)
    s = min(1.0, 0.9 * desktop[0] / w, 0.9 * desktop[1] / h)
    return max(320, round(w * s)), max(320, round(h * s))


def check_screen() -> None:
    """Refuse an invisible display: SDL falls back to the offscreen or dummy driver when
    there is no screen, unless someone asked for it (the tests, the benchmarks)."""
    driver = pygame.display.get_driver()
    if driver in ("offscreen", "dummy") and os.environ.get("SDL_VIDEODRIVER", "") != driver:
        raise NoScreen(f"no screen to show the exhibit on (SDL video driver '{driver}'); "
                       "is the kiosk session (cage) or $DISPLAY / $WAYLAND_DISPLAY there?")


class FrameStats:
    """Whole-frame times (compose + present) of painted frames, in 0.05 ms bins up to 500 ms:
    percentiles for a run of any length in fixed memory."""

    BIN = 0.05

    MOVING_GAP = 0.1  # s: painted frames closer than this belong to one run of animation

    def __init__(self) -> None:
        self.counts = np.zeros(10001, np.int64)
        self.frames = 0
        self.max = 0.0
        self._last: float | None = None
        self.moving_frames = 0  # painted frames that follow another one closely
        self.moving_seconds = 0.0

    def add(self, ms: float, now: float) -> None:
        """A painted frame that took ``ms``, finished at ``now`` (seconds, monotonic)."""
        self.counts[min(int(ms / self.BIN), len(self.counts) - 1)] += 1
        self.frames += 1
        self.max = max(self.max, ms)
        if self._last is not None and now - self._last < self.MOVING_GAP:
            self.moving_frames += 1
            self.moving_seconds += now - self._last
        self._last = now

    @property
    def moving_fps(self) -> float:
        """Frames per second while something moves on screen (idle time left out)."""
        return self.moving_frames / self.moving_seconds if self.moving_seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.frames:
            return 0.0
        i = int(np.searchsorted(np.cumsum(self.counts), q / 100 * self.frames))
        return round((i + 1) * self.BIN, 2)

    def summary(self) -> dict:
        return {"p50": self.percentile(50), "p95": self.percentile(95),
                "p99": self.percentile(99), "max": round(self.max, 2)}
