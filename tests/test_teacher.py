"""Attract mode, the state machine and the teacher keys, headless on a simulated clock."""

import numpy as np
import pygame
import pytest

from exhibit.eventlog import EventLog
from exhibit.state.exhibit import Exhibit, Mode
from exhibit.attract.player import load_scripts
from exhibit.config import load
from support import screen, show
from exhibit.views.screen import title
from support import draw_mouse, render

E = pygame.event.Event
pytestmark = pytest.mark.usefixtures("display")
SIZE = (1280, 720)


def make(models, *sets):
    return Exhibit(load(None, list(sets)), SIZE, EventLog(None), models=dict(models))


def run(ex, seconds, surf=None):
    for _ in range(int(seconds * 60)):
        ex.step(1 / 120)
        ex.step(1 / 120)
        ex.refresh()
        if surf is not None:
            show(ex, surf)
        else:
            screen(ex)


def key(ex, k):
    ex.handle(E(pygame.KEYDOWN, key=k, mod=0, unicode=""))
    ex.refresh()


def tap(ex, pos):
    ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=tuple(map(float, pos)), button=1, touch=False))
    ex.handle(E(pygame.MOUSEBUTTONUP, pos=tuple(map(float, pos)), button=1, touch=False))
    ex.refresh()


def events(ex, kind):
    return [e for e in ex.log.events if e["event"] == kind]


def test_attract_scripts_are_real_digits_of_every_class():
    box, scripts = load_scripts()
    assert sorted({s.label for s in scripts}) == list(range(10))
    assert all(len(s.strokes) >= 1 and all(len(st) >= 2 for st in s.strokes) for s in scripts)


def test_attract_mode_draws_real_digits_that_the_network_mostly_reads(models):
    ex = make(models, "attract.idle_seconds=2")
    run(ex, 1.5)
    assert ex.mode == Mode.IDLE
    run(ex, 1.0)
    assert ex.mode == Mode.ATTRACT
    assert ex.log.events[0] == {**ex.log.events[0], "event": "mode", "mode": "attract"}
    run(ex, 60)
    preds = [e for e in events(ex, "prediction") if e["source"] == "attract"]
    assert len(preds) >= 8
    assert len({e["label"] for e in preds}) >= 8  # it cycles through the digits
    right = np.mean([e["digit"] == e["label"] for e in preds])
    assert right >= 0.75


def test_attract_goes_through_the_same_path_as_a_finger(models):
    ex = make(models, "attract.idle_seconds=1")
    run(ex, 2.5)
    assert ex.mode == Mode.ATTRACT and not ex.drawing.empty
    assert not ex.snapshot.empty and ex.snapshot.forward is not None  # a real forward pass
    assert screen(ex).scene.connections_drawn > 0


def test_any_input_ends_attract_mode_and_gives_the_canvas_back(models):
    ex = make(models, "attract.idle_seconds=1")
    run(ex, 3)
    assert ex.mode == Mode.ATTRACT and not ex.drawing.empty
    c = ex.canvas_rect
    ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=(c.centerx, c.centery), button=1, touch=False))
    assert ex.mode == Mode.DRAWING
    assert len(ex.drawing.strokes) == 1 and len(ex.drawing.strokes[0]) == 1  # only the visitor's
    modes = [e["mode"] for e in events(ex, "mode")]
    assert modes[-2:] == ["idle", "drawing"]
    ex = make(models, "attract.idle_seconds=1")
    run(ex, 3)
    key(ex, pygame.K_SPACE)
    assert ex.mode == Mode.IDLE and ex.drawing.empty


def test_freeze_holds_the_screen_still_and_resumes(models):
    ex = make(models)
    surf = pygame.Surface(SIZE)
    draw_mouse(ex, 5)
    run(ex, 0.1, surf)
    key(ex, pygame.K_f)
    assert ex.mode == Mode.FROZEN
    run(ex, 0.5, surf)
    a = pygame.image.tobytes(surf, "RGB")
    run(ex, 1.0, surf)
    c = ex.canvas_rect
    ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=c.center, button=1, touch=False))  # ignored
    run(ex, 0.2, surf)
    assert pygame.image.tobytes(surf, "RGB") == a
    key(ex, pygame.K_f)
    assert ex.mode == Mode.IDLE
    run(ex, 0.5, surf)
    assert pygame.image.tobytes(surf, "RGB") != a  # pulses move again and the badge is gone


def test_step_through_shows_real_numbers(models):
    ex = make(models)
    draw_mouse(ex, 2)
    key(ex, pygame.K_f)
    stages = []
    for _ in range(len(ex.stages())):
        key(ex, pygame.K_RIGHT)
        stages.append(ex.stages()[ex.stage][0])
    assert stages == ["pixels", "sum", "relu", "sum", "relu", "scores", "softmax"]
    assert [e["stage"] for e in events(ex, "step")] == stages


def test_step_through_banner_shows_the_real_numbers(models, monkeypatch):
    """What the banner writes, checked against the maths done here, independently."""
    ex = make(models)
    surf = pygame.Surface(SIZE)
    draw_mouse(ex, 2)
    key(ex, pygame.K_f)
    net = ex.recognizer.model.net
    a = ex.snapshot.picture.reshape(-1).astype(np.float64)
    zs = []
    for w, b in zip(net.weights, net.biases):
        z = a @ w.astype(np.float64) + b
        zs.append(z)
        a = np.maximum(z, 0)
    p = np.exp(zs[-1] - zs[-1].max())
    p /= p.sum()
    texts = []
    for _ in range(7):
        key(ex, pygame.K_RIGHT)
        show(ex, surf)
        shown = [b.text for b in screen(ex).scene.overlay_text if b.kind == "step"]
        assert len(shown) == 1
        texts.append(shown[0])
    inked = int((ex.snapshot.picture > 0.05).sum())
    assert f"{inked} of them hold ink" in texts[0]
    j = int(zs[0].argmax())
    texts = [t.replace("\xa0", " ") for t in texts]  # formulas are joined by no-break spaces
    assert "\n" in texts[1]  # the formula on a line of its own (English)
    assert f"neuron {j + 1}:" in texts[1] and texts[1].endswith(f"= {zs[0][j]:.2f}")
    assert f"{int((zs[0] > 0).sum())} of 25 neurons are active" in texts[2]
    d = int(zs[2].argmax())
    assert f"highest is {d} with z =" in texts[5] and texts[5].endswith(f"= {zs[2][d]:.2f}")
    assert texts[6].endswith(f"= {p.max():.3f} for {int(p.argmax())}")


def test_ablation_changes_the_forward_pass_and_restore(models):
    ex = make(models)
    ex.load_sample(3)
    before = ex.snapshot.probs.copy()
    key(ex, pygame.K_a)
    acts = ex.snapshot.forward.activations[1]
    for j in np.argsort(-acts)[:8]:
        tap(ex, ex.layout.pos[1][j])
    assert (ex.masks[0] == 0).sum() == 8
    assert np.all(ex.snapshot.forward.activations[1][ex.masks[0] == 0] == 0)
    assert not np.allclose(ex.snapshot.probs, before)
    net = ex.recognizer.model.net
    direct = net.forward(ex.snapshot.picture.reshape(-1), ex.masks).probs
    assert np.allclose(direct, ex.snapshot.probs)
    key(ex, pygame.K_r)
    assert np.allclose(ex.snapshot.probs, before)


def test_neuron_detail_opens_on_tap(models):
    ex = make(models)
    ex.load_sample(4)
    tap(ex, ex.layout.pos[1][0])
    assert ex.detail == (1, 0)
    render(ex)
    assert screen(ex).scene.overlay_rects
    tap(ex, (5, 5))
    assert ex.detail is None


def test_models_languages_and_centring(models):
    ex = make(models)
    draw_mouse(ex, 7)
    names = []
    for _ in range(4):
        key(ex, pygame.K_m)
        names.append(ex.model_name)
        assert ex.snapshot.digit == 7
    assert names == ["compact14", "deep", "cnn", "explainer"]
    assert ex.recognizer.side == 28
    key(ex, pygame.K_l)
    run(ex, 0.6)  # the answer shows when the new network's wave reaches its outputs
    assert ex.lang == "de" and title(ex).startswith("Ich erkenne")
    centred = ex.snapshot.picture.copy()
    key(ex, pygame.K_x)
    assert not ex.centring and not np.allclose(ex.snapshot.picture, centred)


def test_help_and_explain_overlays_draw(models):
    ex = make(models)
    base = pygame.image.tobytes(render(ex), "RGB")
    key(ex, pygame.K_h)
    assert pygame.image.tobytes(render(ex), "RGB") != base
    key(ex, pygame.K_h)
    key(ex, pygame.K_e)
    assert screen(ex).scene.overlay_rects
    assert [b.kind for b in screen(ex).scene.overlay_text  # four notes (and talk-back's)
            if not b.kind.startswith("talk")] == ["explain"] * 4


def test_long_idle_returns_to_defaults(models):
    ex = make(models, "attract.idle_seconds=0", "attract.reset_seconds=10")
    key(ex, pygame.K_m)
    key(ex, pygame.K_l)
    key(ex, pygame.K_a)
    assert ex.model_name != "explainer" and ex.lang != "en"
    run(ex, 11)
    assert ex.model_name == "explainer" and ex.lang == "en" and not ex.ablating


def test_stray_keys_do_nothing_harmful(models):
    ex = make(models)
    for k in (pygame.K_ESCAPE, pygame.K_q, pygame.K_F4, pygame.K_TAB, pygame.K_BACKSPACE, 0, 999999):
        key(ex, k)
    render(ex)
    assert ex.mode == Mode.IDLE


def test_language_key_cycles_exactly_the_configured_languages(models):
    ex = make(models)
    seen = [ex.lang]
    for _ in range(6):
        key(ex, pygame.K_l)
        seen.append(ex.lang)
    assert seen == ["en", "de", "ja", "fr", "es", "nl", "en"]
    assert [e["language"] for e in events(ex, "language")] == seen[1:]
    ex = make(models, "languages=[ja, fr]", "language=en")
    seen = []
    for _ in range(4):
        key(ex, pygame.K_l)
        seen.append(ex.lang)
    assert seen == ["ja", "fr", "ja", "fr"]  # from a start outside the list: its first
    ex = make(models, "languages=[es]", "language=es")
    key(ex, pygame.K_l)
    assert ex.lang == "es"
