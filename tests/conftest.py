import os
import sys
import weakref
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def mnist_test():
    from exhibit.learn.mnist import load_split
    return load_split(ROOT / "assets" / "mnist", "test")


@pytest.fixture
def display():
    """pygame's display and fonts, headless (the dummy video driver); initialised again for
    each test, since a test that runs the exhibit in-process quits the display at its end."""
    import pygame
    pygame.display.init()
    pygame.font.init()
    yield


@pytest.fixture(scope="session")
def models():
    """All three shipped networks, loaded once."""
    from exhibit.model.store import MODEL_NAMES, load_model
    return {n: load_model(n) for n in MODEL_NAMES}


@pytest.fixture(scope="session")
def explainer():
    from exhibit.model.store import load_model
    return load_model("explainer")


def ascii_art(img: np.ndarray) -> str:
    return "\n".join("".join(" .:-=+*#%@"[int(v * 9.99)] for v in row) for row in img)


_SCREENS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


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
