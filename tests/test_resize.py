"""Issue 23, finding 4: the segfault in a window-resize storm (views/scene.py's blit into the
display surface). A resize makes SDL free the window's surface and pygame-ce hand out a new
display surface object; the Runner kept drawing into the old one."""
import ctypes
import os
import subprocess
import sys
import warnings

import pygame
import pytest

from support import ROOT
from exhibit.eventlog import EventLog
from exhibit.shell.loop import Runner
from exhibit.shell.window import Window
from exhibit.config import load
from support import SDL

pytestmark = pytest.mark.usefixtures("display")


def resize(w, h):
    SDL.SDL_SetWindowSize.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    SDL.SDL_GetWindowFromID.restype = ctypes.c_void_p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        wid = pygame.Window.from_display_module().id
    SDL.SDL_SetWindowSize(SDL.SDL_GetWindowFromID(wid), w, h)  # as a window manager does


def test_after_a_resize_frames_go_to_the_new_display_surface():
    window = Window((960, 540), fullscreen=False, display=0, vsync=False)
    r = Runner(load(None, []), window.size, EventLog(None))
    r.surface = window.surface
    r.update_viewport()
    r.advance(1)
    old = r.surface
    resize(640, 400)
    r.handle(pygame.event.get())  # the resize arrives: pygame makes a new display surface
    assert pygame.display.get_surface() is not old
    r.advance(1)
    assert r.surface is pygame.display.get_surface()  # not the freed one
    assert r.surface.get_size() == (640, 400)


def test_a_plain_surface_is_kept():
    r = Runner(load(None, []), (640, 360), EventLog(None))
    r.surface = surf = pygame.Surface((640, 360))
    r.advance(1)
    assert r.surface is surf


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_resize_storm_after_key_mashing_does_not_crash(seed):
    """The red team's storm, 15 s per seed under -X dev with faulthandler (see resize_storm.py):
    before the fix each of these seeds segfaulted within seconds."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", PYTHONFAULTHANDLER="1")
    p = subprocess.run([sys.executable, "-X", "dev", str(ROOT / "tests" / "resize_storm.py"),
                        "15", str(seed), "both"], capture_output=True, text=True, timeout=90,
                       env=env, cwd=ROOT)
    assert p.returncode == 0 and "storm ok" in p.stdout, (p.returncode, p.stderr[-2000:])
