"""Exact incremental rendering over a session that visits every overlay; the fast line renderer
against its oracle; skeleton thinning and tracing; the config table against the code and the
shipped config.yaml."""
import ast

import numpy as np
import pygame
import pytest

from support import ROOT, assert_exact
from exhibit.eventlog import EventLog
from exhibit.shell.loop import Runner
from exhibit.state.modes import Mode
from exhibit.config import load
from exhibit.config.schema import TABLE, render_yaml
from exhibit.ink.raster import render_segments, render_segments_dense
from exhibit.ink.trace import trace
from exhibit_training.augment import thin

E = pygame.event.Event
SIZE = (1280, 720)


def key(k):
    return [E(pygame.KEYDOWN, key=k, mod=0, unicode="")]


def mouse(kind, x, y):
    t = {"down": pygame.MOUSEBUTTONDOWN, "move": pygame.MOUSEMOTION, "up": pygame.MOUSEBUTTONUP}[kind]
    return [E(t, pos=(float(x), float(y)), button=1, buttons=(1, 0, 0), rel=(0, 0), touch=False)]


def player(r: Runner, t: list, checked: list):
    """frames(n, events, check): n frames at 60 Hz (the events in the first), then, if named,
    a check that the incremental frame equals a full redraw. ``drawn=False`` runs the frames
    without composing them (a long wait: the next frame drawn must then catch up on all of it)."""
    def frames(n, events=(), check=None, drawn=True):
        surface = r.surface
        for i in range(n):
            t[0] += 1 / 60
            r.handle(list(events) if i == 0 else [])
            r.surface = surface if drawn or i == n - 1 else None
            r.advance(2)
        r.surface = surface
        if check:
            assert_exact(r.ex, r.screen, r.surface)
            checked.append(check)
    return frames


SLOW = pytest.mark.slow  # full-session frame equality: one shape every day, the rest in the slow tier


@pytest.mark.usefixtures("display")
@pytest.mark.parametrize("size,sets", [
    (SIZE, []), pytest.param((720, 1280), [], marks=SLOW),
    pytest.param(SIZE, ["answer.style=dial", "layout.mirror=true"], marks=SLOW),
    pytest.param((720, 1280), ["answer.style=dial", "layout.mirror=true"], marks=SLOW)],
    ids=["landscape", "portrait", "dial-mirrored", "dial-mirrored-portrait"])
def test_incremental_frames_equal_a_full_redraw(models, size, sets):
    t = [0.0]
    r = Runner(load(None, ["attract.idle_seconds=30", *sets]), size,
               EventLog(None, clock=lambda: t[0]), clock=lambda: t[0])
    r.surface = pygame.Surface(size)
    checked = []
    frames = player(r, t, checked)

    c = r.ex.canvas_rect
    frames(2, check="idle")
    frames(1, mouse("down", c.x + c.w * 0.3, c.y + c.h * 0.2))
    for k in range(20):  # a 7, stroke by stroke, with pulses in flight
        x = c.x + c.w * (0.3 + 0.02 * k) if k < 10 else c.x + c.w * (0.5 - 0.015 * (k - 10))
        y = c.y + c.h * 0.2 if k < 10 else c.y + c.h * (0.2 + 0.06 * (k - 10))
        frames(1, mouse("move", x, y))
    frames(1, mouse("up", x, y))
    frames(5, check="answer with pulses")
    frames(1, key(pygame.K_e))
    frames(3, check="explain")
    frames(1, key(pygame.K_e))
    frames(1, key(pygame.K_h))
    frames(3, check="help")
    frames(1, key(pygame.K_h))
    frames(1, key(pygame.K_f))
    for _ in range(7):
        frames(1, key(pygame.K_n))
        frames(1, check="step")
    pos = r.ex.layout.pos[1][3]
    frames(1, mouse("down", *pos))
    frames(1, mouse("up", *pos), check="neuron card, frozen")
    frames(1, key(pygame.K_f))
    frames(30, check="unfrozen, pulses moving")
    frames(1, key(pygame.K_a))
    for j in (0, 5):
        frames(1, mouse("down", *r.ex.layout.pos[1][j]))
        frames(1, mouse("up", *r.ex.layout.pos[1][j]))
    frames(3, check="ablation")
    frames(1, key(pygame.K_a))
    frames(1, key(pygame.K_x))
    frames(3, check="centring off")
    frames(1, key(pygame.K_l))
    frames(3, check="language")
    frames(1, key(pygame.K_3))
    frames(3, check="sample")
    frames(1, key(pygame.K_m))
    frames(3, check="model")
    r.ex.show_message("A message for the operator")
    frames(3, check="message")
    frames(1, key(pygame.K_p))
    frames(3, check="teacher panel")
    frames(1, key(pygame.K_p))
    frames(1, key(pygame.K_i))
    frames(3, check="about card")
    frames(1, key(pygame.K_i))
    r.ex.quit_progress = 0.4
    frames(3, check="quit ring")
    r.ex.quit_progress = None
    frames(60 * 38, drawn=False)  # idle until attract mode has drawn for a while
    frames(120, check="attract")
    assert r.ex.mode == Mode.ATTRACT and r.errors == 0
    while not r.ex.inviting:
        frames(1)
    frames(2, check="attract invitation, the hand tapping")
    while r.ex.hand() is None or not r.ex.hand()[2]:
        frames(1)
    frames(2, check="attract hand writing")
    r.ex.recover()
    frames(3, check="failsafe")
    assert len(checked) == 26


@pytest.mark.usefixtures("display")
@pytest.mark.parametrize("size, sets", [
    (SIZE, []), pytest.param((720, 1280), [], marks=SLOW),
    pytest.param(SIZE, ["answer.style=dial", "layout.mirror=true"], marks=SLOW)],
    ids=["landscape", "portrait", "dial+mirror"])
def test_incremental_frames_equal_a_full_redraw_in_the_cnn_and_compare_views(models, size, sets):
    t = [0.0]
    r = Runner(load(None, ["model=cnn", "attract.idle_seconds=0", *sets]), size,
               EventLog(None, clock=lambda: t[0]), clock=lambda: t[0])
    r.surface = pygame.Surface(size)
    checked = []
    frames = player(r, t, checked)

    def draw_seven(at=0.0):
        c = r.ex.canvas_rect
        frames(1, mouse("down", c.x + c.w * 0.3, c.y + c.h * 0.2))
        for k in range(16):
            x = c.x + c.w * (0.3 + 0.03 * k) if k < 8 else c.x + c.w * (0.54 - 0.02 * (k - 8))
            y = c.y + c.h * 0.2 if k < 8 else c.y + c.h * (0.2 + 0.08 * (k - 8))
            frames(1, mouse("move", x, y))
            if k == 15 and at:  # the pen still down, a wave or two later
                frames(30, check=at)
                assert r.ex.drawing.active and not r.ex.compare_shown[1].empty
        frames(1, mouse("up", x, y))

    assert r.ex.is_cnn
    frames(2, check="cnn idle")
    draw_seven()
    frames(5, check="cnn answer, pulses in flight")
    assert r.screen.scene.pulses.in_flight() > 0
    for pos in (r.ex.layout.pos[1][6], r.ex.layout.pos[2][9], r.ex.layout.pos[3][2]):
        frames(1, mouse("down", *pos))
        frames(1, mouse("up", *pos), check="a map's card")
    frames(1, key(pygame.K_e))
    frames(3, check="cnn explain")
    frames(1, key(pygame.K_e))
    frames(1, key(pygame.K_f))
    for _ in range(7):
        frames(1, key(pygame.K_n))
        frames(1, check="cnn step")
    frames(1, key(pygame.K_f))
    frames(30, check="cnn unfrozen")
    frames(1, key(pygame.K_a))
    for l, j in ((1, 3), (2, 5), (3, 1)):  # a conv1 map, a conv2 map, a dense unit off
        frames(1, mouse("down", *r.ex.layout.pos[l][j]))
        frames(1, mouse("up", *r.ex.layout.pos[l][j]))
    frames(3, check="cnn ablation")
    frames(1, key(pygame.K_r))
    frames(1, key(pygame.K_a))
    frames(3, check="cnn restored")
    frames(1, key(pygame.K_v))
    frames(3, check="compare")
    frames(1, key(pygame.K_c))
    draw_seven(at="compare while drawing")
    frames(40, check="compare answer")
    frames(1, key(pygame.K_e))
    frames(2, check="compare explain")
    frames(1, key(pygame.K_v))
    frames(3, check="back from compare")
    frames(1, key(pygame.K_m))
    frames(3, check="explainer after the cnn")
    assert r.errors == 0 and len(checked) == 22


def test_fast_line_renderer_matches_the_dense_oracle():
    rng = np.random.default_rng(0)
    for width in (1.0, 2.4, 5.0):
        segs = rng.uniform(-3, 31, (40, 4)).astype(np.float32)  # some ink past every edge
        segs[:5, 2:] = segs[:5, :2]  # dots
        fast = render_segments(segs, (28, 28), width)
        dense = render_segments_dense(segs, (28, 28), width)
        assert np.abs(fast - dense).max() < 1e-4
    far = np.array([[29, 29, 40, 40], [-50, 3, -40, 3], [100, 100, 101, 101]], np.float32)
    assert np.abs(render_segments(far, (28, 28), 2.0) - render_segments_dense(far, (28, 28), 2.0)).max() < 1e-4


def test_thinning_keeps_one_pixel_lines_and_tracing_covers_them():
    img = np.zeros((1, 28, 28), np.float32)
    img[0, 4:24, 12:16] = 1.0  # a thick vertical bar: a 1
    img[0, 4:8, 6:22] = 1.0  # with a top bar: a T
    skel = thin(img)[0] > 0
    assert skel[9:22, 12:16].sum(axis=1).max() == 1  # the stem is one pixel wide
    assert skel[9:22, 12:16].any(axis=1).all()  # and unbroken
    assert skel[4:8, 6:12].sum() >= 3 and skel[4:8, 16:22].sum() >= 3  # both arms of the bar
    assert skel.sum() < img[0].sum() / 3
    strokes = trace(skel)
    assert 1 <= len(strokes) <= 3
    pts = {(int(y), int(x)) for s in strokes for x, y in np.asarray(s)}
    on = {(int(y), int(x)) for y, x in zip(*np.nonzero(skel))}
    assert on <= pts or len(on - pts) <= 2  # every skeleton pixel is visited


def test_shipped_config_is_the_rendered_defaults():
    assert (ROOT / "config.yaml").read_text(encoding="utf-8") == render_yaml()


def test_settings_are_read_as_typed_sections_only():
    """Code reads ``cfg.ink.stroke_width`` (typed, so "find usages" follows a setting), never a
    string key: no ``cfg["..."]`` and no ``cfg[f"..."]`` anywhere in the runtime."""
    bad = []
    for path in sorted((ROOT / "exhibit").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Subscript):
                base = node.value
                name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                if name == "cfg":
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bad == []


def test_the_typed_sections_are_generated_from_the_table():
    from exhibit_training.make_sections import OUT, render
    assert OUT.read_text(encoding="utf-8") == render(), \
        "the table changed: run python -m exhibit_training.make_sections"


def test_every_table_row_has_a_typed_reader():
    cfg = load(None)
    for key in TABLE:
        node = cfg
        for part in key.split("."):
            node = getattr(node, part)
        assert node == (tuple(cfg.as_dict()[key]) if isinstance(cfg.as_dict()[key], list)
                        else cfg.as_dict()[key]), key
