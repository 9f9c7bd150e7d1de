"""Issue 23, finding 2: a visitor who stumbles on the touch panel cannot freeze the exhibit
for long. Genuine SDL finger events (sdl_touch.py) on the display surface, an injected clock."""
import pygame
import pytest

from exhibit.eventlog import EventLog
from exhibit.shell.loop import STEP, Runner
from exhibit.state.modes import Mode
from exhibit.shell.window import Window
from exhibit.config import load
from exhibit.tools.shots import live_targets
from support import FINGERDOWN, FINGERMOTION, FINGERUP, push

pytestmark = pytest.mark.usefixtures("display")


def make(*sets):
    window = Window(None, fullscreen=True, display=0, vsync=False)
    t = [0.0]
    r = Runner(load(None, list(sets)), window.size, EventLog(None, clock=lambda: t[0]),
               clock=lambda: t[0])
    r.surface = window.surface
    r.update_viewport()
    r.t = t
    return r


def at(r, p):
    ww, wh = pygame.display.get_window_size()
    x, y = r.ex.viewport.to_window(*p)
    return x / ww, y / wh


def run(r, seconds):
    """``seconds`` of frames on the injected clock (each frame steps the state 1/10 s)."""
    n = round(seconds * 10)
    for _ in range(n):
        r.t[0] += 0.1
        r.handle(pygame.event.get())
        r.advance(round(0.1 / STEP))


def finger(r, kind, p):
    push(kind, *at(r, p))


def target(r, name):
    return dict(live_targets(r.ex))[name].center


def open_panel(r):
    pygame.event.clear()
    finger(r, FINGERDOWN, target(r, "panel.open"))
    run(r, r.ex.cfg["operator.hold_seconds"] + 0.2)
    finger(r, FINGERUP, target(r, "panel.open"))
    run(r, 0.1)
    assert not r.ex.panel_open  # the hold alone opens nothing
    p = target(r, "panel.confirm")
    finger(r, FINGERDOWN, p)
    finger(r, FINGERUP, p)
    run(r, 0.1)
    assert r.ex.panel_open


def tap(r, p):
    finger(r, FINGERDOWN, p)
    finger(r, FINGERUP, p)
    run(r, 0.1)


def ink(r):
    """The canvas's lit pixels on the rendered frame."""
    c = r.ex.canvas_rect
    a = pygame.surfarray.array3d(r.surface.subsurface(c)).astype(int)
    return int((a.min(axis=-1) > 200).sum())


def stroke(r):
    c = r.ex.canvas_rect
    path = [(c.x + c.w * f, c.y + c.h * g) for f, g in ((0.3, 0.2), (0.6, 0.5), (0.4, 0.8))]
    finger(r, FINGERDOWN, path[0])
    for p in path[1:]:
        finger(r, FINGERMOTION, p)
        run(r, 0.1)
    finger(r, FINGERUP, path[-1])
    run(r, 0.3)


def test_a_panel_freeze_by_a_visitor_ends_and_a_stroke_100_s_later_leaves_ink():
    r = make("attract.idle_seconds=0")
    open_panel(r)
    tap(r, target(r, "panel.freeze"))
    assert r.ex.mode == Mode.FROZEN
    run(r, 100)  # nobody touches
    assert r.ex.mode != Mode.FROZEN and not r.ex.panel_open
    before = ink(r)
    stroke(r)
    assert ink(r) > before + 50


def test_strokes_on_the_frozen_canvas_do_not_extend_a_panel_freeze():
    r = make("attract.idle_seconds=0")
    open_panel(r)
    tap(r, target(r, "panel.freeze"))
    for _ in range(9):  # a visitor keeps drawing (and tapping outside the panel)
        run(r, 8)
        stroke(r)
    run(r, 20)
    assert r.ex.mode != Mode.FROZEN


def test_a_keys_freeze_keeps_its_600_s():
    r = make("attract.idle_seconds=0")
    r.handle([pygame.event.Event(pygame.KEYDOWN, key=pygame.K_f, mod=0, unicode="f",
                                 scancode=0)])
    run(r, 0.1)
    assert r.ex.mode == Mode.FROZEN
    run(r, 300)
    assert r.ex.mode == Mode.FROZEN
    run(r, 310)
    assert r.ex.mode != Mode.FROZEN


def test_the_confirm_target_times_out():
    r = make("attract.idle_seconds=0")
    pygame.event.clear()
    finger(r, FINGERDOWN, target(r, "panel.open"))
    run(r, 3.2)
    finger(r, FINGERUP, target(r, "panel.open"))
    run(r, 6)
    assert "panel.confirm" not in dict(live_targets(r.ex))
    assert not r.ex.panel_open
