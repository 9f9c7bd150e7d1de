"""The exhibit headless: real frames rendered and inspected, synthesized mouse and finger input."""
import json
import math

import numpy as np
import pygame
import pytest

from support import arrive, draw_mouse, example, has_colour, region_pixels, render, screen, show
from exhibit.state.exhibit import Exhibit, Mode
from exhibit.eventlog import EventLog
from exhibit.layout.viewport import Viewport
from exhibit.state.pointer import PointerTracker
from exhibit.config import load

E = pygame.event.Event
pytestmark = pytest.mark.usefixtures("display")
SIZE = (1280, 720)


def make(models, *sets, size=SIZE, log=None):
    cfg = load(None, list(sets))
    return Exhibit(cfg, size, log or EventLog(None), models=dict(models))


# --- input mapping ------------------------------------------------------------------------
def test_viewport_letterbox_mapping():
    vp = Viewport((1920, 1080), (1920, 1200))  # a 16:10 panel shows 16:9 with bars of 60 px
    assert vp.scale == 1.0 and vp.offset == (0.0, 60.0)
    assert vp.to_window(0, 0) == (0.0, 60.0)
    # SDL's renderer has already mapped finger positions into the logical surface
    assert vp.from_finger(0.5, 0.5) == (960.0, 540.0)
    assert vp.from_finger(0.0, 0.05) == (0.0, 54.0)
    vp = Viewport((1080, 1920), (1920, 1080))  # portrait layout on a landscape panel
    x, y = vp.from_finger(0.5, 0.0)
    assert math.isclose(x, 540) and math.isclose(y, 0)


def finger(kind, fx, fy, fid=0):
    t = {"down": pygame.FINGERDOWN, "move": pygame.FINGERMOTION, "up": pygame.FINGERUP}[kind]
    return E(t, x=fx, y=fy, dx=0.0, dy=0.0, finger_id=fid, touch_id=1, pressure=1.0)


def test_touch_is_handled_once_and_first_finger_owns_the_stroke():
    pt, vp = PointerTracker(), Viewport((1000, 1000), (1000, 1000))
    out = pt.handle(finger("down", 0.1, 0.1), vp)
    out += pt.handle(E(pygame.MOUSEBUTTONDOWN, pos=(100, 100), button=1, touch=True), vp)
    assert [(p.kind, p.x, p.y) for p in out] == [("down", 100.0, 100.0)]
    assert pt.handle(finger("down", 0.8, 0.8, fid=1), vp) == []  # a second finger does not scribble
    assert pt.handle(finger("move", 0.9, 0.9, fid=1), vp) == []
    assert [p.kind for p in pt.handle(finger("move", 0.2, 0.2), vp)] == ["move"]
    assert pt.handle(E(pygame.MOUSEMOTION, pos=(300, 300), buttons=(1, 0, 0), rel=(0, 0), touch=True), vp) == []
    assert pt.handle(finger("up", 0.8, 0.8, fid=1), vp) == []
    assert [p.kind for p in pt.handle(finger("up", 0.2, 0.2), vp)] == ["up"]
    assert not pt.busy


def test_panels_without_finger_motion_still_draw():
    pt, vp = PointerTracker(), Viewport((1000, 1000), (1000, 1000))
    pt.handle(finger("down", 0.1, 0.1), vp)
    out = pt.handle(E(pygame.MOUSEMOTION, pos=(300, 300), buttons=(1, 0, 0), rel=(0, 0), touch=True), vp)
    assert [(p.kind, p.x) for p in out] == [("move", 300.0)]


def test_broken_coordinates_are_ignored():
    pt, vp = PointerTracker(), Viewport((1000, 1000), (1000, 1000))
    assert pt.handle(finger("down", float("nan"), 0.5), vp) == []
    assert pt.handle(finger("down", 1e30, 0.5), vp) == []
    assert pt.handle(E(pygame.MOUSEBUTTONDOWN, pos=(float("inf"), 3), button=1, touch=False), vp) == []
    assert pt.handle(E(pygame.MOUSEBUTTONDOWN, pos=(3, 3), button=3, touch=False), vp) == []


def test_finger_drawing_lands_on_the_canvas_whatever_the_window(models):
    ex = make(models)
    ex.set_window((1280, 800))  # 40 px bars above and below, already removed by SDL
    c = ex.canvas_rect
    fx = lambda x: x / SIZE[0]  # noqa: E731
    fy = lambda y: y / SIZE[1]  # noqa: E731
    ex.handle(finger("down", fx(c.centerx), fy(c.y + 50)))
    ex.handle(finger("move", fx(c.centerx), fy(c.bottom - 50)))
    ex.handle(finger("up", fx(c.centerx), fy(c.bottom - 50)))
    (x0, y0), (x1, y1) = ex.drawing.strokes[0]
    assert abs(x0 - c.w / 2) < 1 and abs(y0 - 50) < 1 and abs(y1 - (c.h - 50)) < 1
    assert ex.log.events[-1]["event"] == "prediction" and ex.log.events[-1]["digit"] == 1


# --- what the screen shows ----------------------------------------------------------------
def test_empty_canvas_shows_no_prediction(models):
    ex = make(models)
    surf = render(ex)
    assert ex.snapshot.empty and ex.snapshot.digit is None
    bars = region_pixels(surf, ex.layout.rects["bars"])
    assert not has_colour(bars, ex.cfg["colors.answer"])  # no green bar, no ring
    title = region_pixels(surf, ex.layout.rects["title"])
    assert has_colour(title, ex.cfg["colors.text"])  # "Draw a digit" is written


@pytest.mark.parametrize("label", [0, 3, 7])
def test_drawn_digit_is_read_and_shown(models, label):
    ex = make(models)
    draw_mouse(ex, label)
    arrive(ex)
    surf = render(ex)
    assert ex.snapshot.digit == label
    preds = [e for e in ex.log.events if e["event"] == "prediction"]
    assert preds[-1]["digit"] == label and preds[-1]["source"] == "visitor"
    canvas = region_pixels(surf, ex.canvas_rect)
    assert (np.abs(canvas.astype(int) - 255).max(axis=-1) < 10).mean() > 0.02  # white ink
    pic = ex.layout.picture_rect
    assert region_pixels(surf, pic).max() > 200  # the 28x28 shows ink
    bars = screen(ex).scene.bars
    row = pygame.Rect(bars.rect.x, round(bars.row_y(label) - 10), bars.rect.w, 20)
    assert has_colour(region_pixels(surf, row), ex.cfg["colors.answer"])
    assert screen(ex).scene.connections_drawn >= 100


def test_probabilities_resettle_during_the_stroke(models):
    ex = make(models)
    box, strokes = example(7)
    c = ex.canvas_rect
    s = 0.8 * min(c.w, c.h) / max(box)
    pts = [(c.x + 40 + x * s, c.y + 40 + y * s) for x, y in strokes[0]]
    ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=pts[0], button=1, touch=False))
    seen = []
    for p in pts[1:]:
        ex.handle(E(pygame.MOUSEMOTION, pos=p, buttons=(1, 0, 0), rel=(0, 0), touch=False))
        ex.refresh()
        seen.append(ex.snapshot.digit)
    assert ex.mode == Mode.DRAWING
    assert len(set(seen)) >= 2 and seen[-1] == 7  # it changed its mind while the 7 was drawn


def test_clear_button_key_and_timeout(models):
    ex = make(models, "timing.clear_after=2", "tally.hold_seconds=0")  # no talk-back hold
    draw_mouse(ex, 4)
    ex.handle(E(pygame.KEYDOWN, key=pygame.K_c, mod=0, unicode="c"))
    assert ex.drawing.empty and ex.log.events[-1]["event"] == "clear"
    draw_mouse(ex, 4)
    b = ex.layout.clear_button
    ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=b.center, button=1, touch=False))
    ex.handle(E(pygame.MOUSEBUTTONUP, pos=b.center, button=1, touch=False))
    assert ex.drawing.empty
    draw_mouse(ex, 4)
    for _ in range(int(1.9 * 120)):
        ex.step(1 / 120)
    assert not ex.drawing.empty
    for _ in range(30):
        ex.step(1 / 120)
    assert ex.drawing.empty
    surf = render(ex)
    assert ex.snapshot.empty
    assert not has_colour(region_pixels(surf, ex.layout.rects["bars"]), ex.cfg["colors.answer"])


def test_sample_buttons_load_real_digits(models):
    ex = make(models)
    for d in (2, 5, 9):
        r = ex.layout.sample_buttons[d]
        ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=r.center, button=1, touch=False))
        ex.handle(E(pygame.MOUSEBUTTONUP, pos=r.center, button=1, touch=False))
        surf = render(ex)
        assert ex.snapshot.digit == d
        assert ex.log.events[-1] | {"t": 0, "time": ""} == {"t": 0, "time": "", "event": "prediction", "digit": d,
                                                 "confidence": ex.log.events[-1]["confidence"],
                                                 "source": "sample", "label": d}
        assert region_pixels(surf, ex.canvas_rect).max() > 200


def test_colours_and_layout_come_from_config(models):
    ex = make(models, "colors.background=#ff00ff", "colors.canvas=#203040",
              "layout.landscape.canvas=[0.5, 0.5, 0.45, 0.45]",
              "layout.landscape.network=[0.02, 0.12, 0.4, 0.8]",
              "layout.landscape.preview=[0.05, 0.0, 0.1, 0.2]")
    surf = render(ex)
    assert tuple(surf.get_at((1, 1)))[:3] == (255, 0, 255)
    c = ex.canvas_rect
    assert (c.x, c.y) == (640, 360)
    assert tuple(surf.get_at((c.x + 5, c.y + 5)))[:3] == (0x20, 0x30, 0x40)
    net = ex.layout.rects["network"]
    assert net.x < 100


def test_portrait_layout_puts_what_visitors_touch_within_reach(models):
    ex = make(models, size=(720, 1280))
    r = ex.layout.rects
    assert r["canvas"].w > r["canvas"].h * 0.9
    assert r["network"].bottom < r["canvas"].y and r["bars"].bottom < r["canvas"].y
    assert r["buttons"].y > r["canvas"].bottom and r["buttons"].bottom <= 1280
    high = make(models, "layout.portrait.split=0.6", size=(720, 1280)).layout.rects
    assert high["canvas"].y > r["canvas"].y and high["network"].h > r["network"].h
    draw_mouse(ex, 2)
    render(ex)
    assert ex.snapshot.digit == 2


def test_pulses_flow_after_a_stroke_and_die_out(models):
    ex = make(models)
    screen(ex)
    draw_mouse(ex, 6)
    ex.refresh()
    for _ in range(12):
        ex.step(1 / 120)
        screen(ex)
    surf = pygame.Surface(SIZE)
    show(ex, surf)
    assert screen(ex).scene.pulses.in_flight() >= 60
    for _ in range(120 * 5):
        ex.step(1 / 120)
        screen(ex)
    assert screen(ex).scene.pulses.in_flight() == 0


def test_lines_use_real_weight_times_activation(models):
    ex = make(models)
    draw_mouse(ex, 3)
    ex.refresh()
    net = ex.recognizer.model.net
    acts = ex.snapshot.forward.activations
    lines = screen(ex).scene.wiring.select(acts, 8, 200)
    lay = ex.layout
    for ln in lines:
        l = ln.layer - 1
        contrib = acts[l].reshape(-1)[:, None] * net.weights[l]
        assert np.isclose(np.abs(ln.value).max(), np.abs(contrib).max())
        assert 0 < len(ln.value) <= 200
        # every drawn line is among its target's 8 strongest |w*a|, and carries that value
        dst = [int(np.argmin(np.hypot(*(lay.pos[l + 1] - q).T))) for q in ln.dst]
        for v, j in zip(ln.value, dst):
            eighth = np.sort(np.abs(contrib[:, j]))[-8]
            assert abs(v) >= eighth - 1e-6
            assert np.isclose(v, contrib[:, j][np.argmin(np.abs(contrib[:, j] - v))])


def test_event_log_file(models, tmp_path):
    path = tmp_path / "events.jsonl"
    log = EventLog(path)
    ex = make(models, log=log)
    draw_mouse(ex, 7)
    ex.clear()
    log.close()
    rows = [json.loads(l) for l in path.read_text().splitlines()]
    kinds = [r["event"] for r in rows]
    assert kinds == ["mode", "mode", "prediction", "clear"]
    assert all(isinstance(r["t"], float) for r in rows)
    assert rows[2]["digit"] == 7 and rows[2]["source"] == "visitor" and rows[2]["label"] is None
    assert "strokes" not in path.read_text()


def test_a_tap_is_not_a_digit(models):
    ex = make(models)
    c = ex.canvas_rect
    ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=c.center, button=1, touch=False))
    ex.handle(E(pygame.MOUSEMOTION, pos=(c.centerx + 3, c.centery + 2), buttons=(1, 0, 0), rel=(0, 0), touch=False))
    ex.handle(E(pygame.MOUSEBUTTONUP, pos=(c.centerx + 3, c.centery + 2), button=1, touch=False))
    surf = render(ex)
    assert ex.snapshot.empty
    assert ex.log.events[-1]["event"] == "prediction" and ex.log.events[-1]["digit"] is None
    assert not has_colour(region_pixels(surf, ex.layout.rects["bars"]), ex.cfg["colors.answer"])


def test_background_wiring_follows_config(models):
    few = screen(make(models, "network.background_lines=10")).scene.wiring.background
    many = screen(make(models, "network.background_lines=300")).scene.wiring.background
    assert [len(s) for s, _ in few] == [10, 10, 10]
    assert [len(s) for s, _ in many] == [300, 300, 250]  # 25x10 outputs hold only 250 pairs
