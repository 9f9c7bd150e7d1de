"""The window and the fixed-timestep loop.

Input and simulation advance in fixed steps from an accumulator (so pulses move the same on 30,
60 and 120 Hz panels); rendering happens once per frame; catch-up is capped so that a stall
does not snowball. vsync where the display has it, a capped clock where not.
"""
from __future__ import annotations

import gc
import os
import time

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402

from exhibit.app.eventlog import EventLog  # noqa: E402
from exhibit.app.exhibit import Exhibit  # noqa: E402
from exhibit.app.geometry import Viewport  # noqa: E402
from exhibit.config import Config  # noqa: E402

STEP = 1 / 120
MAX_STEPS = 8
QUIT_HOLD = 2.0  # seconds Ctrl+Shift+Q must be held


def open_window(size: tuple[int, int], fullscreen: bool, display: int, vsync: bool
                ) -> tuple[pygame.Surface, bool]:
    """(screen, has_vsync). SCALED keeps the layout's logical size on any display."""
    flags = pygame.SCALED | (pygame.FULLSCREEN if fullscreen else 0)
    n = pygame.display.get_num_displays() if pygame.display.get_init() else 1
    display = display if display < max(1, n) else 0
    if vsync:
        try:
            return pygame.display.set_mode(size, flags, display=display, vsync=1), True
        except pygame.error:
            pass  # no vsync here: fall back to a capped clock
    return pygame.display.set_mode(size, flags, display=display), False


def quit_chord_held() -> bool:
    keys = pygame.key.get_pressed()
    mods = pygame.key.get_mods()
    return bool(keys[pygame.K_q] and mods & pygame.KMOD_CTRL and mods & pygame.KMOD_SHIFT)


def run(cfg: Config, size: tuple[int, int], fullscreen: bool, display: int,
        event_log: str | None, max_seconds: float | None) -> int:
    t_start = time.monotonic()
    pygame.display.init()
    pygame.font.init()
    screen, vsync = open_window(size, fullscreen, display, cfg["window.vsync"])
    pygame.display.set_caption("Digit Exhibit")
    if fullscreen:
        pygame.mouse.set_visible(False)
    log = EventLog(event_log)
    ex = Exhibit(cfg, size, log)
    ex.viewport = Viewport(size, pygame.display.get_window_size())
    ex.pointer.viewport = ex.viewport
    c = ex.canvas_rect
    (x0, y0), (x1, y1) = ex.viewport.to_window(c.x, c.y), ex.viewport.to_window(c.right, c.bottom)
    log.write("start", size=list(size), window=list(pygame.display.get_window_size()),
              canvas=[round(x0), round(y0), round(x1 - x0), round(y1 - y0)], model=ex.model_name)
    clock = pygame.time.Clock()
    gc.freeze()  # start-up objects never need collecting: shorter collector pauses
    acc = 0.0
    chord_since: float | None = None
    cap = 0 if vsync else cfg["window.fps"]
    first = True
    try:
        while True:
            dt = clock.tick(cap) / 1000.0
            acc += min(dt, 0.25)
            for ev in pygame.event.get():
                if ev.type == pygame.QUIT:
                    if not fullscreen:  # a development window closes; a kiosk needs the chord
                        return 0
                    continue
                if ev.type in (pygame.WINDOWSIZECHANGED, pygame.WINDOWRESIZED):
                    ex.viewport = Viewport(size, pygame.display.get_window_size())
                    ex.pointer.viewport = ex.viewport
                    ex.scene.invalidate()
                    continue
                if ev.type in (pygame.WINDOWEXPOSED, pygame.WINDOWRESTORED, pygame.VIDEOEXPOSE):
                    ex.scene.invalidate()
                    continue
                if ev.type == pygame.WINDOWFOCUSLOST:
                    for p in ex.pointer.reset():
                        ex.on_pointer(p)
                    continue
                ex.handle(ev)
            if quit_chord_held():
                chord_since = chord_since if chord_since is not None else time.monotonic()
                if time.monotonic() - chord_since >= QUIT_HOLD:
                    return 0
            else:
                chord_since = None
            steps = 0
            while acc >= STEP and steps < MAX_STEPS:
                ex.step(STEP)
                acc -= STEP
                steps += 1
            if steps == MAX_STEPS:
                acc = 0.0
            ex.frame()
            ex.draw(screen)
            pygame.display.flip()
            if first:
                first = False
                log.write("first_frame", seconds=round(time.monotonic() - t_start, 3))
            if max_seconds is not None and time.monotonic() - t_start >= max_seconds:
                return 0
    finally:
        log.write("stop")
        log.close()
        pygame.display.quit()
