"""What the tests share: paths, frames rendered and compared, input pushed in (mouse, keys and
genuine SDL finger events), the command line run in-process. Test modules import from here,
never from one another; fixtures stay in conftest.py.

Finger events go through ``SDL_PushEvent`` in the SDL library that pygame-ce bundles, so SDL's
own event watches (among them the renderer's, which maps touch positions into a SCALED
window's logical surface) run exactly as they do for a real touch panel's events.
"""
from __future__ import annotations

import ctypes
import glob
import json
import os
import time
import warnings
import weakref
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np  # noqa: E402
import pygame  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
E = pygame.event.Event
SIZE = (1280, 720)
DT = 1 / 120
_SCREENS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# --- frames ---------------------------------------------------------------------------------

def ascii_art(img: np.ndarray) -> str:
    return "\n".join("".join(" .:-=+*#%@"[int(v * 9.99)] for v in row) for row in img)


def screen(ex):
    """The views for an Exhibit built by a test (one Screen per exhibit), following its state."""
    from exhibit.views.screen import Screen
    if ex not in _SCREENS:
        _SCREENS[ex] = Screen(ex.cfg)
    s = _SCREENS[ex]
    s.update(ex)
    return s


def show(ex, surf):
    """Read the network if needed and draw the frame onto ``surf``; returns the areas painted."""
    ex.refresh()
    return screen(ex).draw(surf, ex)


def full_redraw(ex, live):
    """A fresh Screen's full redraw of ``ex``'s state (pulses as the live screen has them)."""
    import pygame
    from exhibit.views.screen import Screen
    fresh = Screen(ex.cfg)
    fresh.update(ex)
    fresh.scene.pulses = live.scene.pulses
    full = pygame.Surface(ex.size)
    fresh.draw(full, ex)
    return full


def assert_exact(ex, live, surface):
    """The incrementally drawn ``surface`` equals a full redraw, pixel for pixel."""
    import pygame
    full = full_redraw(ex, live)
    a = pygame.surfarray.array3d(full).astype(int)
    b = pygame.surfarray.array3d(surface).astype(int)
    diff = np.abs(a - b).max(axis=-1)
    assert (diff > 0).sum() == 0, f"{(diff > 0).sum()} px differ, up to {diff.max()} levels"


def sim_runner(*sets, size=(960, 540)):
    """A Runner on a plain surface and a simulated clock (``r.t[0]`` seconds)."""
    import pygame
    from exhibit.eventlog import EventLog
    from exhibit.shell.loop import Runner
    from exhibit.config import load
    t = [0.0]
    r = Runner(load(None, list(sets)), size, EventLog(None, clock=lambda: t[0]), clock=lambda: t[0])
    r.surface = pygame.Surface(size)
    r.t = t
    return r


def sim_frames(r, n, events=(), every=False):
    """n frames at 60 Hz; ``events`` in the first frame (in every frame with ``every``)."""
    for i in range(n):
        r.t[0] += 1 / 60
        r.handle(list(events) if i == 0 or every else [])
        r.advance(2)


# --- an exhibit driven by mouse and keys ------------------------------------------------------

def make_exhibit(models, *sets, size=SIZE, log=None):
    """An Exhibit at ``size`` with ``sets`` config overrides and the session's loaded models."""
    from exhibit.config import load
    from exhibit.eventlog import EventLog
    from exhibit.state.exhibit import Exhibit
    return Exhibit(load(None, list(sets)), size, log or EventLog(None), models=dict(models))


def example(label):
    doc = json.loads((ROOT / "assets/examples/digits.json").read_text())
    return doc["box"], doc["digits"][label]["strokes"]


def draw_mouse(ex, label, frac=0.8):
    """Draw example digit `label` with mouse events over most of the canvas."""
    box, strokes = example(label)
    c = ex.canvas_rect
    s = frac * min(c.w, c.h) / max(box)
    ox, oy = c.centerx - box[0] * s / 2, c.centery - box[1] * s / 2
    for st in strokes:
        pts = [(ox + x * s, oy + y * s) for x, y in st]
        ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=pts[0], button=1, touch=False))
        for p in pts[1:]:
            ex.handle(E(pygame.MOUSEMOTION, pos=p, buttons=(1, 0, 0), rel=(0, 0), touch=False))
            ex.step(1 / 120)
            ex.refresh()
        ex.handle(E(pygame.MOUSEBUTTONUP, pos=pts[-1], button=1, touch=False))


def arrive(ex, seconds=0.6):
    """Let the last wave reach the outputs (the bars and the answer follow it)."""
    for _ in range(int(seconds * 120)):
        ex.step(1 / 120)
        ex.refresh()


def render(ex):
    surf = pygame.Surface(ex.size)
    show(ex, surf)
    return surf


def region_pixels(surf, rect):
    return pygame.surfarray.pixels3d(surf)[rect.x:rect.right, rect.y:rect.bottom].copy()


def has_colour(pixels, hex_, tol=10):
    c = np.array(pygame.Color(hex_)[:3])
    return bool((np.abs(pixels.astype(int) - c).max(axis=-1) <= tol).any())


def frame(ex, surf, seconds=0.0):
    """Advance the exhibit by ``seconds`` (drawing every 1/60 s) and draw one more frame."""
    for _ in range(int(round(seconds * 60))):
        ex.step(DT)
        ex.step(DT)
        show(ex, surf)
    show(ex, surf)
    return surf


def press(ex, pos):
    ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=tuple(map(float, pos)), button=1, touch=False))


def release(ex, pos):
    ex.handle(E(pygame.MOUSEBUTTONUP, pos=tuple(map(float, pos)), button=1, touch=False))
    ex.refresh()


def tap(ex, pos):
    press(ex, pos)
    release(ex, pos)


def key(ex, k):
    ex.handle(E(pygame.KEYDOWN, key=k, mod=0, unicode=""))
    ex.refresh()


# --- the command line, in-process ---------------------------------------------------------------

def run_cli(capsys, *argv):
    from exhibit.cli import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def lines(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


# --- genuine SDL finger events ----------------------------------------------------------------

FINGERDOWN, FINGERUP, FINGERMOTION = 0x700, 0x701, 0x702


class _Finger(ctypes.Structure):
    _fields_ = [("type", ctypes.c_uint32), ("timestamp", ctypes.c_uint32),
                ("touchId", ctypes.c_int64), ("fingerId", ctypes.c_int64),
                ("x", ctypes.c_float), ("y", ctypes.c_float), ("dx", ctypes.c_float),
                ("dy", ctypes.c_float), ("pressure", ctypes.c_float), ("windowID", ctypes.c_uint32)]


class _Event(ctypes.Union):
    _fields_ = [("tfinger", _Finger), ("padding", ctypes.c_uint8 * 56)]


def _sdl() -> ctypes.CDLL:
    here = os.path.dirname(pygame.__file__)
    found = sorted(glob.glob(os.path.join(here, "..", "pygame_ce.libs", "libSDL2-2*")))
    found += sorted(glob.glob(os.path.join(here, "libSDL2-2*")))  # other wheel layouts
    if not found:
        raise RuntimeError("pygame-ce's bundled SDL library was not found")
    lib = ctypes.CDLL(found[0])  # the copy pygame already loaded: same handle, same state
    lib.SDL_PushEvent.argtypes = [ctypes.POINTER(_Event)]
    return lib


SDL = _sdl()


def push(kind: int, fx: float, fy: float, finger: int = 0, touch: int = 7) -> None:
    """A finger event at (fx, fy), 0..1 of the *window*, as a panel's driver reports it."""
    with warnings.catch_warnings():  # only its id is used, not its surface
        warnings.simplefilter("ignore", DeprecationWarning)
        window = pygame.Window.from_display_module()
    ev = _Event()
    ev.tfinger = _Finger(kind, 0, touch, finger, fx, fy, 0.0, 0.0, 1.0, window.id)
    if SDL.SDL_PushEvent(ctypes.byref(ev)) != 1:
        raise RuntimeError("SDL_PushEvent refused the event")


def wait_for(cond, seconds: float) -> bool:
    """Poll ``cond`` until it holds or ``seconds`` pass (a generous time-out against hangs)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()
