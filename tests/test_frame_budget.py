"""Issue 21's frame budgets, in what they rest on: frames repaint only what changed, each pixel
once, and an incremental frame still equals a full redraw. (The budgets themselves are wall
times: ``digit-exhibit bench`` measures them on the kiosk; the machine running the tests is
too busy for a timing assertion.)"""
import numpy as np
import pygame
import pytest

from support import E, assert_exact

from exhibit.config import load
from exhibit.eventlog import EventLog
from exhibit.shell.loop import Runner
from exhibit.tools import bench
from exhibit.views.areas import cover, minus, net_strips, separate

SIZE = (960, 540)
pytestmark = pytest.mark.usefixtures("display")


def coverage(rects, size=(300, 300)):
    m = np.zeros(size, np.int64)
    for r in rects:
        r = pygame.Rect(r).clip(pygame.Rect((0, 0), size))
        m[r.x:r.right, r.y:r.bottom] += 1
    return m


def test_separate_covers_exactly_what_the_rects_cover_each_pixel_once():
    rng = np.random.default_rng(4)
    for _ in range(200):
        rects = [pygame.Rect(*rng.integers(0, 120, 2), *rng.integers(0, 80, 2))
                 for _ in range(int(rng.integers(1, 12)))]
        out = separate(rects)
        assert ((coverage(rects) > 0) == (coverage(out) > 0)).all()
        assert coverage(out).max() <= 1
        assert sum(r.w * r.h for r in out) == int((coverage(rects) > 0).sum())


def test_minus_leaves_what_lies_outside():
    r, o = pygame.Rect(10, 10, 50, 40), pygame.Rect(30, 0, 10, 100)
    parts = minus(r, o)
    assert (coverage(parts) == ((coverage([r]) > 0) & (coverage([o]) == 0))).all()
    assert minus(r, pygame.Rect(100, 100, 5, 5)) == [r]
    assert minus(r, r.inflate(4, 4)) == []


def test_cover_still_covers_every_pulse_box():
    boxes = np.array([[5, 5, 20, 12], [100, 40, 103, 90], [15, 8, 60, 9]])
    cells = cover(boxes, pygame.Rect(0, 0, 200, 150))
    assert (coverage(cells)[coverage([pygame.Rect(a, b, c - a, d - b) for a, b, c, d in boxes]) > 0]
            == 1).all()


def runner(size, *sets):
    t = [0.0]
    r = Runner(load(None, list(sets)), size, EventLog(None, clock=lambda: t[0]), clock=lambda: t[0])
    r.surface = pygame.Surface(size)
    r.t = t
    return r


@pytest.mark.parametrize("size,sets", [((1920, 1080), ()), ((1080, 1920), ()),
                                       ((1920, 1080), ("layout.mirror=true",))])
def test_the_network_strips_tile_its_area_one_column_at_a_time(size, sets):
    r = runner(size, *sets)
    r.advance(1)
    scene = r.screen.scene
    strips = dict(scene._strips)
    assert strips, "the default layouts cut the network into strips"
    rects = [rect for rect, names in scene.parts if names[0] in strips]
    area = rects[0].unionall(rects[1:])
    assert sum(x.w * x.h for x in rects) == area.w * area.h  # a tiling: no gaps, no overlaps
    assert coverage(rects, (4000, 4000)).max() == 1
    lay = scene.layout
    for (kind, l), rect in zip(strips.values(), rects):
        if kind == "C" and l > 0:  # each column's neurons lie wholly in its own strip
            x = lay.pos[l][0, 0]
            assert rect.left + lay.radius[l] < x < rect.right - lay.radius[l]


def test_no_strips_where_the_columns_do_not_stand_apart():
    r = runner((1920, 1080), "answer.style=dial")
    r.advance(1)
    assert r.screen.scene._strips == {}
    lay = r.screen.scene.layout
    assert net_strips(lay, 0.0, pygame.Rect(0, 0, 10, 10), 5.0) is None


def test_a_wave_reaching_one_layer_repaints_only_the_strips_around_it():
    r = runner((1920, 1080))
    r.advance(1)
    scene = r.screen.scene
    picture, layers, lines, title, sure, masks, shown = scene._last
    scene.compose(picture, layers, lines, title, sure, masks, shown)  # everything, once
    scene._pending = []
    from dataclasses import replace
    fresh = list(layers)
    fresh[1] = replace(layers[1])  # a new reading for layer 1 only (the same values)
    scene.compose(picture, fresh, lines, title, sure, masks, shown)
    painted = scene._pending
    assert painted, "layer 1's reading changed: its strips are painted again"
    x1 = scene.layout.pos[1][0, 0]
    x2 = scene.layout.pos[2][0, 0]
    for rect in painted:  # the column-0 strip to column 1's: nothing at or beyond column 2
        assert rect.right < x2, rect
    assert any(rect.left < x1 < rect.right for rect in painted)
    scene._pending = []
    scene.compose(picture, fresh, lines, title, sure, masks, shown)
    assert scene._pending == []  # nothing changed: nothing painted


def frames_equal_full_redraws(r, plan, every):
    for i, actions in enumerate(plan):
        r.t[0] += 1 / 60
        events = []
        for kind, x, y in actions:
            if kind == "key":
                events.append(E(pygame.KEYDOWN, key=pygame.K_c, mod=0, unicode="c"))
            else:
                events.append(E(bench.BUTTONS[kind], pos=(x, y), button=1, touch=False,
                                buttons=(1, 0, 0), rel=(0, 0)))
        r.handle(events)
        before = pygame.surfarray.array3d(r.surface)
        areas = r.advance(2)
        after = pygame.surfarray.array3d(r.surface)
        changed = (before != after).any(-1)
        inside = np.zeros(changed.shape, bool)
        for a in areas:
            a = pygame.Rect(a)
            inside[a.x:a.right, a.y:a.bottom] = True
        assert not (changed & ~inside).any(), f"frame {i}: pixels changed outside the areas returned"
        if i % every == every - 1:
            assert_exact(r.ex, r.screen, r.surface)


@pytest.mark.parametrize("sets", [(), ("answer.style=dial",), ("layout.mirror=true",)])
def test_incremental_frames_equal_full_redraws_while_a_hand_draws(sets):
    """Strokes, readings, waves reaching column after column, the glowing answer, a clear and
    the prompt coming back: every frame changes pixels only inside the areas it returns, and
    every few frames equal a full redraw."""
    r = runner(SIZE, "timing.clear_after=0", *sets)
    plan = bench.script(r.ex.canvas_rect)
    end = next(i for i, a in enumerate(plan) if a and a[0][0] == "key") + 20  # past the clear
    frames_equal_full_redraws(r, plan[:end], every=7)
