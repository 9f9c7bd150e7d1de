"""Nothing covers what it explains, and everything is readable from 3 m.

Every state (idle, drawing, answer, '?', frozen, each step, explain, help, neuron and map
cards, ablation, centring off, an operator message, the compare view) x every string table x
every network (the CNN in its own view) x landscape
and portrait: the text boxes the views report must lie inside the screen and their panel,
overlap no other text and no element they do not label, have lines at least 2.2 % of the
screen's short side (the answer 6 %) and a contrast of at least 4.5:1 (WCAG AA). The grid checks
the boxes; a sample of frames is rendered and the boxes checked against the real pixels.
"""
import numpy as np
import pygame
import pytest

from exhibit.eventlog import EventLog
from exhibit.state.exhibit import Exhibit
from exhibit.state.modes import Mode
from exhibit.config import load
from exhibit.model.store import MODEL_NAMES
from exhibit import strings
from exhibit.views.screen import Screen, title

E = pygame.event.Event
pytestmark = pytest.mark.usefixtures("display")
SIZES = [(1920, 1080), (1080, 1920)]
# text that labels an element may sit on it
LABELS = {"bars": {"bar label", "percentage"}, "dial": {"dial digit", "percentage"},
          "button": {"button"}, "network": {"more"}, "canvas": {"prompt"}}


def luminance(c):
    v = np.array(c[:3], float) / 255
    v = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    return float(v @ [0.2126, 0.7152, 0.0722])


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


def now(ex):
    """Read the input and let every layer show it at once (no waiting for the wave)."""
    ex.refresh()
    ex.settle()


def key(ex, k):
    ex.handle(E(pygame.KEYDOWN, key=k, mod=0, unicode=""))
    now(ex)


def tap(ex, pos, up=True):
    ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=tuple(map(float, pos)), button=1, touch=False))
    if up:
        ex.handle(E(pygame.MOUSEBUTTONUP, pos=tuple(map(float, pos)), button=1, touch=False))
    now(ex)


def unsure_sample(ex):
    """Two sample digits blended: some pair and mix leaves the network unsure ('?')."""
    imgs, labels = ex.samples
    for t in (0.5, 0.4, 0.6, 0.3, 0.7):
        for a in range(10):
            for b in range(a + 1, 10):
                pic = (imgs[labels == a][0] * t + imgs[labels == b][0] * (1 - t)) / 255.0
                ex.sample = (pic.astype(np.float32), -1, 10_000 + a * 10 + b)
                now(ex)
                if not ex.sure():
                    return
    raise AssertionError("no blend of two samples leaves the network unsure")


def states(ex):
    """Walk through every state; yields its name once the exhibit is in it."""
    yield "idle"
    c = ex.canvas_rect
    tap(ex, (c.x + c.w * 0.4, c.y + c.h * 0.3), up=False)
    for k in range(12):
        ex.handle(E(pygame.MOUSEMOTION, pos=(c.x + c.w * 0.4, c.y + c.h * (0.3 + 0.03 * k)),
                    buttons=(1, 0, 0), rel=(0, 0), touch=False))
    now(ex)
    assert ex.mode == Mode.DRAWING
    yield "drawing"
    ex.handle(E(pygame.MOUSEBUTTONUP, pos=(c.x, c.y), button=1, touch=False))
    unsure_sample(ex)
    assert title(ex) == ex.say("unsure")
    yield "?"
    key(ex, pygame.K_8)
    assert ex.sure()
    yield "answer"
    key(ex, pygame.K_x)
    yield "centring off"
    key(ex, pygame.K_x)
    key(ex, pygame.K_e)
    yield "explain"
    key(ex, pygame.K_e)
    key(ex, pygame.K_h)
    yield "help"
    key(ex, pygame.K_h)
    ex.show_message("The config file could not be read: the last good one is in use.")
    yield "message"
    ex.message = None
    key(ex, pygame.K_f)
    yield "frozen"
    for i in range(len(ex.stages())):
        key(ex, pygame.K_n)
        yield f"step {i + 1}"
    key(ex, pygame.K_f)
    for layer in range(1, len(ex.layout.pos) - 1):
        tap(ex, ex.layout.pos[layer][len(ex.layout.pos[layer]) // 2])
        assert ex.detail is not None and ex.detail[0] == layer
        yield f"card layer {layer}"
    if ex.masks:  # the CNN's maps are not switched off
        key(ex, pygame.K_a)
        tap(ex, ex.layout.pos[1][0])
        tap(ex, ex.layout.pos[len(ex.layout.pos) - 2][1])
        assert sum(int((m == 0).sum()) for m in ex.masks) == 2
        yield "ablation"
        key(ex, pygame.K_a)
    key(ex, pygame.K_v)
    assert ex.comparing and len(ex.compare_shown) == 2
    yield "compare"
    key(ex, pygame.K_e)
    yield "compare explain"
    key(ex, pygame.K_e)
    unsure_sample(ex)
    yield "compare ?"
    key(ex, pygame.K_f)
    yield "compare frozen"
    key(ex, pygame.K_f)
    key(ex, pygame.K_v)
    assert not ex.comparing


def check(boxes, elements, size, where):
    """The boxes one frame reports, against every rule; returns nothing, asserts."""
    screen_rect = pygame.Rect((0, 0), size)
    covers = [(i, b.rect) for i, b in enumerate(boxes) if b.kind == "cover"]
    # a text under an opaque card drawn later is hidden on purpose (help, a neuron's card)
    texts = [b for i, b in enumerate(boxes) if b.kind != "cover"
             and not any(j > i and c.contains(b.rect) for j, c in covers)]
    on_card = [any(c.contains(b.rect) for _, c in covers) for b in texts]
    short = min(size)
    for b, carded in zip(texts, on_card):
        w = f"{where}: {b.kind} {b.text!r} at {b.rect}"
        assert screen_rect.contains(b.rect), f"{w} leaves the screen"
        assert b.panel.contains(b.rect), f"{w} leaves its panel {b.panel}"
        assert b.line >= 0.022 * short, f"{w}: lines of {b.line} px"
        if b.kind == "answer":
            assert b.line >= 0.06 * short, f"{w}: the answer's lines are {b.line} px"
        assert contrast(b.fg, b.bg) >= 4.5, f"{w}: contrast {contrast(b.fg, b.bg):.2f}"
        if not carded:
            for r, kind in elements:
                assert not r.colliderect(b.rect) or b.kind in LABELS.get(kind, ()), \
                    f"{w} covers the {kind} at {r}"
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert not a.rect.colliderect(b.rect), \
                f"{where}: {a.kind} {a.text!r} {a.rect} overlaps {b.kind} {b.text!r} {b.rect}"


def walk(models, model, size, langs, sets=()):
    """Every state in each of ``langs``, checked; returns how many frames were checked."""
    seen = 0
    for lang in langs:
        ex = Exhibit(load(None, [f"model={model}", f"language={lang}", *sets]), size,
                     EventLog(None), models=dict(models))
        scr = Screen(ex.cfg)
        for state in states(ex):
            scr.update(ex)
            check(scr.scene.text_boxes, scr.scene.elements(), size,
                  f"{model} {lang} {size} {' '.join(sets)} {state}")
            seen += 1
    return seen


@pytest.mark.slow  # every state x language x network x shape
@pytest.mark.parametrize("size", SIZES, ids=["landscape", "portrait"])
@pytest.mark.parametrize("model", MODEL_NAMES)
def test_no_text_covers_anything_in_any_state_language_and_network(models, model, size):
    langs = strings.languages()
    assert len(langs) >= 2
    assert walk(models, model, size, langs) >= len(langs) * 15


VARIANTS = {"dial": ["answer.style=dial"], "mirror": ["layout.mirror=true"],
            "dial+mirror": ["answer.style=dial", "layout.mirror=true"]}


@pytest.mark.parametrize("size", SIZES, ids=["landscape", "portrait"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_no_text_covers_anything_with_the_dial_or_mirrored(models, variant, size):
    """The same walk with the dial and mirrored: every network, each in one language, so that
    the two sizes of a variant go through all six tables (the whole grid would triple the
    suite's time)."""
    langs = strings.languages()
    nets = MODEL_NAMES
    for j, model in enumerate(nets):
        lang = langs[(SIZES.index(size) * len(nets) + j) % len(langs)]
        assert walk(models, model, size, [lang], VARIANTS[variant]) >= 15


def test_rendered_frames_match_the_reported_boxes(models):
    """A sample of real frames: behind each reported box is its reported background, and its
    text colour is really there."""
    for size, model, lang, sets in (((1920, 1200), "deep", "de", []),
                                    ((3840, 2160), "explainer", "en", []),
                                    ((1080, 1920), "compact14", "de", []),
                                    ((1920, 1200), "explainer", "ja", VARIANTS["dial+mirror"]),
                                    ((3840, 2160), "deep", "fr", VARIANTS["dial"]),
                                    ((1920, 1080), "cnn", "ja", []),
                                    ((1080, 1920), "cnn", "de", VARIANTS["dial+mirror"])):
        ex = Exhibit(load(None, [f"model={model}", f"language={lang}", *sets]), size,
                     EventLog(None), models=dict(models))
        scr = Screen(ex.cfg)
        surf = pygame.Surface(size)
        wanted = {"answer", "explain", "step 3", "card layer 1", "help", "compare"}
        for state in states(ex):
            if state not in wanted:
                continue
            now(ex)
            scr.draw(surf, ex)
            px = pygame.surfarray.pixels3d(surf)
            boxes = scr.scene.text_boxes
            covers = [(i, b.rect) for i, b in enumerate(boxes) if b.kind == "cover"]
            for i, b in enumerate(boxes):
                if b.kind == "cover" or any(j > i and c.colliderect(b.rect) for j, c in covers):
                    continue
                box = px[b.rect.x:b.rect.right, b.rect.y:b.rect.bottom].astype(int)
                area = box.reshape(-1, 3)
                rim = np.concatenate([box[0], box[-1], box[:, 0], box[:, -1]])
                colours, counts = np.unique(rim, axis=0, return_counts=True)
                behind = colours[counts.argmax()]
                w = f"{size} {model} {lang} {state}: {b.kind} {b.text!r}"
                assert np.abs(behind - np.array(b.bg[:3])).max() <= 2, f"{w}: behind it {behind}"
                assert (np.abs(area - np.array(b.fg[:3])).max(axis=1) <= 8).any(), f"{w}: no text"
            check(boxes, scr.scene.elements(), size, f"{model} {lang} {size} {state}")
            del px
