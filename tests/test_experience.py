"""The visitor's and the teacher's experience, on rendered frames: cause before effect (the
bars follow the wave), the ghost-card sequence, frozen drawings that take neuron taps, and
teacher actions that restart the auto-clear timer."""
import numpy as np
import pygame
import pytest

from exhibit.state.modes import Mode
from support import (arrive, draw_mouse, frame, has_colour, key, make_exhibit as make, press,
                     region_pixels, screen, tap)

E = pygame.event.Event
pytestmark = pytest.mark.usefixtures("display")
SIZE = (1280, 720)
DT = 1 / 120


def bars(surf, ex):
    return region_pixels(surf, ex.layout.rects["bars"])


def column(surf, ex, layer):
    pos, r = ex.layout.pos[layer], ex.layout.radius[layer]
    rect = pygame.Rect(pos[:, 0].min() - r, pos[:, 1].min() - r,
                       pos[:, 0].max() - pos[:, 0].min() + 2 * r, pos[:, 1].max() - pos[:, 1].min() + 2 * r)
    return region_pixels(surf, rect)


def ring_on(surf, ex, digit):
    b = screen(ex).scene.bars
    row = pygame.Rect(b.rect.x, round(b.row_y(digit) - 10), b.rect.w, 20)
    return has_colour(region_pixels(surf, row), ex.cfg["colors.answer"])


def ink_on_canvas(surf, ex):
    px = region_pixels(surf, ex.canvas_rect).astype(int)
    return float((np.abs(px - 255).max(axis=-1) < 10).mean())


def canvas_layer_ink(ex):
    """Ink on the canvas layer as painted (even where a card covers it on screen)."""
    px = pygame.surfarray.array3d(screen(ex).scene.canvas.surface).astype(int)
    return float((np.abs(px - 255).max(axis=-1) < 10).mean())


# --- cause before effect ----------------------------------------------------------------------
def test_bars_and_answer_change_only_when_the_wave_reaches_the_outputs(models):
    ex = make(models)
    surf = pygame.Surface(SIZE)
    draw_mouse(ex, 7)
    arrive(ex)
    frame(ex, surf, 0.1)
    assert ring_on(surf, ex, 7)
    before_bars, before_pic = bars(surf, ex), region_pixels(surf, ex.layout.picture_rect)
    before_hidden = column(surf, ex, 1)
    title_before = region_pixels(surf, ex.layout.rects["title"])
    key(ex, pygame.K_3)  # a new input: the sample 3
    assert ex.snapshot.digit == 3  # the reading itself is immediate (and logged at once)
    assert ex.log.events[-1]["event"] == "prediction" and ex.log.events[-1]["digit"] == 3
    travel = ex.cfg["pulses.wave_seconds"]
    t, first_hidden, first_bars = 0.0, None, None
    frame(ex, surf)
    assert not np.array_equal(region_pixels(surf, ex.layout.picture_rect), before_pic)  # at once
    while t < travel + 0.3:
        frame(ex, surf, 1 / 60)
        t += 1 / 60
        if first_hidden is None and not np.array_equal(column(surf, ex, 1), before_hidden):
            first_hidden = t
        if first_bars is None and not np.array_equal(bars(surf, ex), before_bars):
            first_bars = t
            # the answer ring and the title change in the same frame, not earlier
            assert ring_on(surf, ex, 3) and not ring_on(surf, ex, 7)
            assert not np.array_equal(region_pixels(surf, ex.layout.rects["title"]), title_before)
        if first_bars is None:
            assert ring_on(surf, ex, 7) and not ring_on(surf, ex, 3)
            assert np.array_equal(region_pixels(surf, ex.layout.rects["title"]), title_before)
    assert first_hidden is not None and first_bars is not None
    gap = travel / (len(ex.layout.pos) - 1)
    assert gap - 0.03 <= first_hidden < first_bars  # hidden layer 1 lights one gap in
    assert travel - 0.03 <= first_bars <= travel + 0.05  # the outputs last, about half a second


def test_pulses_arrive_when_their_layer_lights(models):
    """Pulses into the outputs are in flight in the last gap before the bars change."""
    ex = make(models)
    surf = pygame.Surface(SIZE)
    ex.load_sample(5)
    frame(ex, surf, 0.05)
    pulses = screen(ex).scene.pulses
    out_x = ex.layout.pos[-1][0, 0]
    gap = ex.waves.gap
    frame(ex, surf, ex.cfg["pulses.wave_seconds"] - gap / 2 - 0.05)
    assert ex.waves.output.empty  # not arrived yet
    sprites, _ = pulses.placements()
    xs = [pos[0] for _, pos in sprites]
    assert xs and max(xs) > ex.layout.pos[-2][0, 0]  # some are between the last two columns
    assert max(xs) < out_x
    # each pulse has a short trail: fainter, smaller copies behind it, then the head on top
    n = pulses.in_flight()
    assert len(sprites) == n * (1 + len(pulses.TRAIL))
    tail, head = sprites[n * (len(pulses.TRAIL) - 1):n * len(pulses.TRAIL)], sprites[-n:]
    assert all(t[0].get_width() < h[0].get_width() for t, h in zip(tail, head))
    assert sum(t[1][0] + t[0].get_width() / 2 < h[1][0] + h[0].get_width() / 2
               for t, h in zip(tail, head)) > n / 2  # behind: pulses travel to the right
    sizes = {h[0].get_width() for h in head}
    assert len(sizes) > 1  # sized by |weight x activation|, not uniform dots
    frame(ex, surf, gap)
    assert not ex.waves.output.empty and ex.waves.output.digit == 5


def test_reduced_motion_has_no_pulses_but_keeps_the_order(models):
    ex = make(models, "motion.reduced=true")
    surf = pygame.Surface(SIZE)
    ex.load_sample(2)
    frame(ex, surf, 0.2)
    assert screen(ex).scene.pulses.count == 0
    assert ex.waves.output.empty and not ex.waves.shown[1].empty
    frame(ex, surf, 0.4)
    assert ex.waves.output.digit == 2


# --- the ghost card, frozen taps, the clear timer ----------------------------------------------
def test_ghost_card_sequence_gives_a_drawn_predicted_stroke(models):
    """Tap a neuron, wait past auto-clear, draw: the stroke is drawn and read."""
    ex = make(models, "timing.clear_after=2", "attract.idle_seconds=0", "tally.hold_seconds=0")
    surf = pygame.Surface(SIZE)
    draw_mouse(ex, 4)
    tap(ex, ex.layout.pos[1][2])
    assert ex.detail == (1, 2)
    frame(ex, surf)
    assert screen(ex).scene.overlay_rects  # the card is on screen
    frame(ex, surf, 2.5)  # past auto-clear
    assert ex.drawing.empty and ex.detail is None
    # no ghost card left over the canvas: only the empty canvas's prompt
    assert [b.kind for b in screen(ex).scene.overlay_text  # (and talk-back's fool me)
            if not b.kind.startswith("talk")] == ["prompt"]
    assert ink_on_canvas(surf, ex) == 0
    draw_mouse(ex, 7)
    arrive(ex)
    frame(ex, surf)
    assert ink_on_canvas(surf, ex) > 0.02
    last = [e for e in ex.log.events if e["event"] == "prediction"][-1]
    assert last["source"] == "visitor" and last["digit"] == 7
    assert ring_on(surf, ex, 7)


def test_a_tap_that_closes_a_card_still_starts_the_stroke(models):
    ex = make(models)
    ex.load_sample(1)
    tap(ex, ex.layout.pos[1][0])
    assert ex.detail is not None
    c = ex.canvas_rect
    press(ex, c.center)
    assert ex.detail is None and ex.mode == Mode.DRAWING
    assert len(ex.drawing.strokes) == 1


def test_a_frozen_drawing_takes_neuron_taps_and_never_clears(models):
    ex = make(models, "timing.clear_after=1", "attract.idle_seconds=0")
    surf = pygame.Surface(SIZE)
    draw_mouse(ex, 2)
    frame(ex, surf, 0.2)
    key(ex, pygame.K_f)
    assert ex.mode == Mode.FROZEN
    frame(ex, surf)
    canvas = pygame.image.tobytes(screen(ex).scene.canvas.surface, "RGB")
    assert ink_on_canvas(surf, ex) > 0.02
    tap(ex, ex.layout.pos[2][4])
    assert ex.detail == (2, 4)
    frame(ex, surf)
    card = screen(ex).scene.overlay_rects
    assert any(r.colliderect(ex.canvas_rect) for r in card)  # the card is drawn over the canvas
    frame(ex, surf, 3.0)  # three times the auto-clear time
    assert not ex.drawing.empty and ex.detail == (2, 4) and ex.mode == Mode.FROZEN
    assert pygame.image.tobytes(screen(ex).scene.canvas.surface, "RGB") == canvas


@pytest.mark.parametrize("action", ["explain", "help", "neuron tap", "freeze twice"])
def test_teacher_actions_restart_the_clear_timer(models, action):
    ex = make(models, "timing.clear_after=2", "attract.idle_seconds=0")
    surf = pygame.Surface(SIZE)
    draw_mouse(ex, 3)
    frame(ex, surf, 1.5)
    if action == "explain":
        key(ex, pygame.K_e)
    elif action == "help":
        key(ex, pygame.K_h)
    elif action == "neuron tap":
        tap(ex, ex.layout.pos[1][1])
    else:
        key(ex, pygame.K_f)
        key(ex, pygame.K_f)
    frame(ex, surf, 1.5)  # 3 s after the last stroke, 1.5 s after the action
    assert not ex.drawing.empty and canvas_layer_ink(ex) > 0.02
    frame(ex, surf, 0.7)
    assert ex.drawing.empty and canvas_layer_ink(ex) == 0


@pytest.mark.parametrize("interval", [0.35, 0.05])
def test_nothing_flashes_faster_than_three_times_a_second(models, interval):
    """A visitor scribbling without pause: each neuron and the bars change at most 3 times a
    second (the 28x28 preview follows the finger at once; that is the input, not a flash),
    even when a config asks for faster waves."""
    ex = make(models, f"pulses.wave_interval={interval}")
    c = ex.canvas_rect
    press(ex, (c.x + 40, c.centery))
    watched = {"hidden 1": None, "hidden 2": None, "bars": None}
    changes = {k: [] for k in watched}
    for i in range(240):  # 2 s of a finger that never stops
        x = c.x + 40 + (i * 7) % (c.w - 80)
        y = c.centery + 120 * np.sin(i / 9)
        ex.handle(E(pygame.MOUSEMOTION, pos=(float(x), float(y)), buttons=(1, 0, 0), rel=(0, 0),
                    touch=False))
        ex.step(DT)
        ex.refresh()
        comp = screen(ex).scene.composed  # what the readings paint (pulses travel over it)
        now = {"bars": bars(comp, ex).tobytes()}
        for l in (1, 2):  # the reading each hidden column is painted from
            now[f"hidden {l}"] = id(ex.waves.shown[l])
        for k, v in now.items():
            if watched[k] is not None and v != watched[k]:
                changes[k].append(i * DT)
            watched[k] = v
    for k, times in changes.items():
        assert len(times) >= 3, k  # it does follow the finger
        assert np.histogram(times, bins=[0, 1, 2])[0].max() <= 3, (k, times)


# --- the hand that writes -----------------------------------------------------------------------
def skin_near(surf, ex, x, y, reach):
    rect = pygame.Rect(round(x) - reach, round(y) - reach, 2 * reach, 2 * reach).clip(surf.get_rect())
    return has_colour(region_pixels(surf, rect), ex.cfg["colors.text"], tol=12)


def test_attract_mode_shows_a_hand_that_writes_where_the_ink_grows(models):
    ex = make(models, "attract.idle_seconds=1")
    surf = pygame.Surface(SIZE)
    frame(ex, surf, 1.2)
    assert ex.mode == Mode.ATTRACT
    seen, positions = 0, []
    for _ in range(90):
        frame(ex, surf, 1 / 60)
        hand = ex.hand()
        assert hand is not None
        x, y, down = hand
        positions.append((round(x), round(y)))
        if down and not ex.inviting:
            tip = ex.drawing.strokes[-1][-1]  # the newest ink is under the fingertip
            c = ex.canvas_rect
            assert abs(c.x + tip[0] - x) < 2 and abs(c.y + tip[1] - y) < 2
            # the hand is painted there (the canvas around the fingertip is not only ink)
            assert skin_near(surf, ex, x + 30, y + 60, 60)
            seen += 1
    assert seen > 20 and len(set(positions)) > 30  # it moves
    # a visitor's touch takes the canvas back, and the hand goes
    c = ex.canvas_rect
    press(ex, c.center)
    assert ex.hand() is None
    frame(ex, surf)
    assert screen(ex).scene.hand_place is None


def test_attract_writes_real_pen_digits_in_writing_order(models):
    """Digits come from real pen trajectories (credited) and start where people start them."""
    from exhibit.attract.player import load_scripts
    import json
    from support import ROOT
    doc = json.loads((ROOT / "assets" / "attract.json").read_text())
    assert "Alpaydin" in doc["source"] and "CC BY 4.0" in doc["source"]
    assert len({d["writer"] for d in doc["digits"]}) >= 3
    box, scripts = load_scripts()
    starts_high = []
    for s in scripts:
        pts = np.vstack(s.strokes)
        lo, hi = pts.min(0), pts.max(0)
        y0 = (s.strokes[0][0, 1] - lo[1]) / (hi[1] - lo[1])
        starts_high.append(y0 < 0.5)
        if s.label == 9:  # the loop first, never the tail
            assert y0 < 0.4
    assert np.mean(starts_high) >= 0.9


def test_between_digits_the_hand_invites_a_passer_by(models):
    ex = make(models, "attract.idle_seconds=1", "attract.hold=0.5", "attract.invite_seconds=2")
    surf = pygame.Surface(SIZE)
    for _ in range(60 * 20):
        frame(ex, surf, 1 / 60)
        if ex.inviting:
            break
    assert ex.inviting and ex.drawing.empty
    frame(ex, surf)
    inv = screen(ex).scene.overlay_rects
    assert any(r.colliderect(ex.canvas_rect) for r in inv)  # the 'Your turn!' card
    ys, touches = [], []
    for _ in range(90):  # the hand taps slowly: up and down, about once a second
        frame(ex, surf, 1 / 60)
        ys.append(ex.hand()[1])
        touches.append(ex.hand()[2])
    assert max(ys) - min(ys) > 10
    starts = sum(1 for a, b in zip(touches, touches[1:]) if b and not a)
    assert 1 <= starts <= 3  # the touch cue, never faster than 3 times a second
    frame(ex, surf, 2.0)
    assert not ex.inviting and not screen(ex).scene.overlay_rects


def test_neurons_and_rings_are_smoothed(models):
    """Anti-aliased edges: around the answer ring there are shades between ring and panel."""
    ex = make(models)
    surf = pygame.Surface(SIZE)
    ex.load_sample(4)
    frame(ex, surf, 0.8)
    x, y = ex.layout.pos[-1][4]
    r = ex.layout.radius[-1] * 1.5
    box = pygame.Rect(round(x - r - 3), round(y - r - 3), round(2 * r + 6), round(2 * r + 6))
    px = region_pixels(screen(ex).scene.composed, box).reshape(-1, 3).astype(int)
    ring, panel = np.array(pygame.Color(ex.cfg["colors.answer"])[:3]), np.array(pygame.Color(ex.cfg["colors.panel"])[:3])
    t = ((px - panel) @ (ring - panel)) / float((ring - panel) @ (ring - panel))
    off_line = np.abs(px - (panel + np.outer(t, ring - panel))).max(axis=1)
    between = (t > 0.15) & (t < 0.85) & (off_line < 12)
    assert between.sum() >= 20
