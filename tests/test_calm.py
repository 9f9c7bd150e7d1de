"""The screen's calm and honesty (issue 21): four accents with one meaning each, formulas kept
whole, the corner hold's cue, the learning network's bars never stale, a hand's speed profile,
subset columns that say what they show."""
import numpy as np
import pygame
import pytest

from exhibit.attract.player import hand_profile, stroke_seconds
from exhibit.layout import panel
from exhibit.model.store import load_model
from exhibit.recognize import Recognizer
from exhibit.views.theme import ACCENTS
from support import arrive, draw_mouse, key, make_exhibit, screen, show

pytestmark = pytest.mark.usefixtures("display")


@pytest.fixture(scope="module")
def cfg():
    from exhibit.config import load
    return load(None)


def near(px: np.ndarray, hex_: str, tol: int = 12) -> np.ndarray:
    return np.abs(px.astype(int) - np.array(pygame.Color(hex_)[:3])).max(axis=-1) <= tol


def test_four_accents_each_with_one_meaning(models, cfg):
    """The teacher's overlay (highlight, step note, PAUSED) uses the answer colour for what it
    selects, never the activation colour, which only neurons show."""
    assert set(ACCENTS) == {"positive", "negative", "neuron", "answer"}
    ex = make_exhibit(models, size=(1920, 1080))
    draw_mouse(ex, 7)
    arrive(ex)
    key(ex, pygame.K_f)
    for _ in range(2):
        key(ex, pygame.K_n)
    surf = pygame.Surface(ex.size)
    show(ex, surf)
    overlay = screen(ex).scene.overlay
    rgb = pygame.surfarray.array3d(overlay)
    alpha = pygame.surfarray.array_alpha(overlay) > 200
    assert (near(rgb, cfg.colors.answer) & alpha).sum() > 500  # the selection is there
    assert (near(rgb, cfg.colors.neuron) & alpha).sum() == 0
    ex.close()


def test_a_formula_is_never_split_inside_a_term(models):
    ex = make_exhibit(models, "language=fr", size=(1080, 1920))
    draw_mouse(ex, 7)
    arrive(ex)
    key(ex, pygame.K_f)
    key(ex, pygame.K_n)
    key(ex, pygame.K_n)  # step 2: the weighted sums, with the real numbers
    surf = pygame.Surface(ex.size)
    show(ex, surf)
    scene = screen(ex).scene
    (box,) = [b for b in scene.overlay_text if b.kind == "step"]
    lines = scene.theme.wrap(box.text, 26, box.rect.w + 1)
    assert any("z\u00a0=\u00a0w·a\u00a0+\u00a0b" in ln for ln in lines), lines
    assert not any(ln.rstrip().endswith(("+", "(", "·")) for ln in lines), lines
    ex.close()


def test_a_corner_hold_shows_its_progress_and_a_tap_shows_nothing(models, cfg):
    ex = make_exhibit(models, size=(1920, 1080))
    corner = panel.corner(ex.layout)
    surf = pygame.Surface(ex.size)

    def hold(seconds):
        ex.handle(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=corner.center, button=1, touch=False))
        for _ in range(int(seconds * 60)):
            ex.step(1 / 60)
        show(ex, surf)
        return pygame.surfarray.array3d(surf)[corner.x:corner.right, corner.y:corner.bottom]

    quiet = hold(0.2)  # a tap's length: no cue
    assert ex.hold_progress is None
    assert not near(quiet, cfg.colors.text, 30).any()
    ex.handle(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=corner.center, button=1, touch=False))
    held = hold(cfg.operator.hold_seconds / 2)
    assert 0.4 < ex.hold_progress < 0.6
    assert near(held, cfg.colors.text, 30).sum() > 50  # the ring fills in the text colour
    ex.close()


def test_the_teacher_panel_offers_watch_it_learn():
    assert "learn" in panel.PANEL_ACTIONS


def test_a_learning_network_moves_the_bars(models):
    """Live learning installs new weights: the bars follow (they stayed stale)."""
    ex = make_exhibit(models, size=(1920, 1080))
    ex.load_sample(3)
    ex.refresh()
    arrive(ex)
    before = ex.waves.output.probs.copy()
    r = ex.recognizer
    m = load_model("explainer")
    rng = np.random.default_rng(0)
    for w in m.net.weights:
        w += rng.normal(0, 0.2, w.shape).astype(w.dtype)
    ex.install(Recognizer(m, stroke_width=r.stroke_width, min_points=r.min_points,
                          min_size=r.min_size, gate=r.gate, min_confidence=r.min_confidence))
    arrive(ex)
    after = ex.waves.output.probs
    assert not np.allclose(after, before)
    np.testing.assert_allclose(after, ex.snapshot.probs)
    ex.close()


def test_the_hand_writes_slowly_at_the_ends_of_a_stroke():
    t = np.linspace(0, 1, 201)
    s = np.array([hand_profile(x) for x in t])
    assert s[0] == 0 and s[-1] == 1 and np.all(np.diff(s) >= 0)
    v = np.diff(s)
    assert v[:10].mean() < 0.1 * v.max() and v[-10:].mean() < 0.1 * v.max()
    assert abs(np.argmax(v) - 100) <= 2  # fastest in the middle
    assert stroke_seconds(520, 650) == pytest.approx(1.0)  # a mean of 0.8 x the speed


def test_a_subset_column_says_how_many_it_shows(models):
    ex = make_exhibit(models, "model=deep", size=(1920, 1080))
    surf = pygame.Surface(ex.size)
    show(ex, surf)
    texts = [b.text for b in screen(ex).scene.text_boxes]
    shown = len(ex.layout.pos[1])
    assert f"{shown} of 512" in texts, texts
    assert not any(t.startswith("+") for t in texts)
    ex.close()

