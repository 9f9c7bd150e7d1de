"""Issue 23, finding 4: a window-resize storm after key mashing, run in a child process under
``python -X dev`` with faulthandler on, so that a crash in SDL or pygame prints where it was.

``python tests/resize_storm.py SECONDS SEED [wm|mode|both]``: the exhibit runs in a real window; each frame
may resize the window (SDL_SetWindowSize through ctypes, as a window manager does, or
``pygame.display.set_mode`` with another size, as a display-mode change does) and presses
random keys. Exit 0 and the line ``storm ok FRAMES RESIZES`` when it survived."""
from __future__ import annotations

import ctypes
import faulthandler
import random
import sys
import time
import warnings

faulthandler.enable()


def main(seconds: float, seed: int, how: str = "both") -> int:
    import pygame

    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    from support import SDL
    from exhibit.eventlog import EventLog
    from exhibit.shell.loop import Runner
    from exhibit.shell.window import Window
    from exhibit.config import load

    pygame.display.init()
    pygame.font.init()
    window = Window((960, 540), fullscreen=False, display=0, vsync=False)
    runner = Runner(load(None, ["attract.idle_seconds=1"]), window.size, EventLog(None))
    runner.surface = window.surface
    runner.update_viewport()
    SDL.SDL_SetWindowSize.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    SDL.SDL_GetWindowFromID.restype = ctypes.c_void_p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        wid = pygame.Window.from_display_module().id
    handle = SDL.SDL_GetWindowFromID(wid)
    rng = random.Random(seed)
    keys = [pygame.K_m, pygame.K_v, pygame.K_f, pygame.K_e, pygame.K_h, pygame.K_a, pygame.K_l,
            pygame.K_i, pygame.K_p, pygame.K_x, pygame.K_RIGHT, pygame.K_LEFT, pygame.K_c,
            pygame.K_r, pygame.K_1, pygame.K_7, pygame.K_SPACE, pygame.K_ESCAPE, pygame.K_q]
    frames = resizes = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for _ in range(rng.randrange(4)):
            k = rng.choice(keys)
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="",
                                                 scancode=0))
            pygame.event.post(pygame.event.Event(pygame.KEYUP, key=k, mod=0, unicode="",
                                                 scancode=0))
        if rng.random() < 0.5:
            w, h = rng.randrange(320, 1600), rng.randrange(240, 1000)
            if how == "wm" or how == "both" and rng.random() < 0.5:
                SDL.SDL_SetWindowSize(handle, w, h)  # the window manager's way
            else:
                pygame.display.set_mode((w, h))  # a mode change: a new display surface
            resizes += 1
        runner.handle(pygame.event.get())
        areas = runner.advance(2)
        if areas:
            window.present(areas)
        frames += 1
    runner.ex.close()
    failures = len(runner.failures)
    print(f"storm ok {frames} {resizes} failures {failures}")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]), int(sys.argv[2]), *sys.argv[3:4]))
