"""The CNN's own view (feature maps, lines and pulses between columns, a map's card with its
kernel) and the compare view (the explainer and the CNN side by side), checked against the
networks themselves."""
import numpy as np
import pygame
import pytest

from support import screen, show
from exhibit.eventlog import EventLog
from exhibit.state.compare import COMPARED
from exhibit.state.exhibit import Exhibit
from exhibit.config import load
from exhibit.recognize import Recognizer
from exhibit.views import cnncard, overlays
from exhibit import strings
from exhibit.views.screen import title

E = pygame.event.Event
SIZE = (1920, 1080)
pytestmark = pytest.mark.usefixtures("display")


def make(models, *sets, size=SIZE):
    return Exhibit(load(None, list(sets)), size, EventLog(None), models=dict(models))


def now(ex):
    ex.refresh()
    ex.settle()


def key(ex, k):
    ex.handle(E(pygame.KEYDOWN, key=k, mod=0, unicode=""))
    now(ex)


def tap(ex, pos):
    ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=tuple(map(float, pos)), button=1, touch=False))
    ex.handle(E(pygame.MOUSEBUTTONUP, pos=tuple(map(float, pos)), button=1, touch=False))
    now(ex)


def test_contributions_add_up_to_each_targets_z(models):
    net = models["cnn"].net
    rng = np.random.default_rng(1)
    x = (rng.random((28, 28)) * (rng.random((28, 28)) > 0.6)).astype(np.float32)
    f = net.forward(x)
    c = net.contributions(f.x, f.p1, f.p2, f.a3)
    assert [m.shape for m in c] == [(1, 16), (16, 32), (32, 128), (128, 10)]
    np.testing.assert_allclose(c[0].sum(0), f.z1.sum((0, 1)) - 576 * net.b1, rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(c[1].sum(0), f.z2.sum((0, 1)) - 64 * net.b2, rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(c[2].sum(0), f.z3 - net.b3, atol=1e-3)
    np.testing.assert_allclose(c[3].sum(0), f.z4 - net.b4, atol=1e-4)


def test_the_cnn_view_shows_its_maps_glowing_and_lines_into_every_column(models):
    ex = make(models, "model=cnn")
    key(ex, pygame.K_4)
    lay, fwd = ex.layout, ex.snapshot.forward
    assert len(lay.tiles[1]) == 16 and len(lay.tiles[2]) == 32
    scr = screen(ex)
    lines = scr.shown_lines(ex, ex.shown())
    assert [ln.layer for ln in lines] == [1, 2, 3, 4] and all(len(ln.strength) for ln in lines)
    surf = pygame.Surface(SIZE)
    show(ex, surf)
    px = pygame.surfarray.array3d(surf).astype(float)
    for l, maps in ((1, fwd.a1), (2, fwd.a2)):
        peak = maps.sum(axis=(0, 1))  # how much each map fired
        bright = lambda j: px[lay.tiles[l][j].x:lay.tiles[l][j].right,  # noqa: E731
                              lay.tiles[l][j].y:lay.tiles[l][j].bottom].mean()
        assert bright(int(peak.argmax())) > bright(int(peak.argmin())) + 5  # the map that fired most glows most


def test_ablation_switches_maps_off_and_the_reading_follows(models):
    ex = make(models, "model=cnn")
    key(ex, pygame.K_4)
    before = ex.snapshot.probs.copy()
    logits = ex.snapshot.forward.z4.copy()
    lay, net = ex.layout, ex.recognizer.model.net
    peak = int(ex.snapshot.forward.a1.sum(axis=(0, 1)).argmax())  # the busiest conv1 map
    key(ex, pygame.K_a)
    tap(ex, lay.pos[1][peak])
    assert ex.masks[0][peak] == 0 and ex.snapshot.forward.a1[..., peak].max() == 0
    want = net.forward(ex.snapshot.picture, ex.masks).probs
    np.testing.assert_allclose(ex.snapshot.probs, want, atol=1e-6)
    assert np.abs(ex.snapshot.forward.z4 - logits).max() > 0.1  # the scores moved
    surf = pygame.Surface(SIZE)
    show(ex, surf)
    tile = lay.tiles[1][peak]
    px = pygame.surfarray.array3d(surf)[tile.x:tile.right, tile.y:tile.bottom].reshape(-1, 3)
    red = np.array(pygame.Color(ex.cfg["colors.negative"])[:3])
    assert (np.abs(px.astype(int) - red).max(axis=1) < 40).mean() > 0.05  # crossed out
    key(ex, pygame.K_r)
    key(ex, pygame.K_a)
    np.testing.assert_allclose(ex.snapshot.probs, before, atol=1e-6)


def test_tapping_a_map_opens_its_card_with_that_maps_kernel(models):
    ex = make(models, "model=cnn")
    net = models["cnn"].net
    key(ex, pygame.K_3)
    lay = ex.layout
    surf = pygame.Surface(SIZE)
    for layer, slot in ((1, 5), (2, 20)):
        tap(ex, lay.pos[layer][slot])
        j = int(ex.shown()[layer][slot])
        assert ex.detail == (layer, j)
        show(ex, surf)
        th = screen(ex).theme
        k_rect, _, _ = cnncard.card_rects(th, lay.canvas.inflate(-th.px(10), -th.px(10)))
        kernel = cnncard.kernel_of(net, layer, j)
        if layer == 1:
            np.testing.assert_array_equal(kernel, net.K1[0, :, :, j])
        else:  # the mosaic holds the 16 slices of this map's kernel
            for c in range(16):
                r, q = divmod(c, 4)
                np.testing.assert_array_equal(kernel[r * 6:r * 6 + 5, q * 6:q * 6 + 5], net.K2[c, :, :, j])
        drawn = pygame.surfarray.array3d(surf)

        def shows(k):
            img = overlays.heatmap(k, th, k_rect.w)
            at = img.get_rect(midtop=k_rect.midtop)
            return np.array_equal(pygame.surfarray.array3d(img), drawn[at.x:at.right, at.y:at.bottom])
        assert shows(kernel)
        assert not shows(cnncard.kernel_of(net, layer, (j + 1) % len(lay.tiles[layer])))
        assert any(b.text == ex.say("map_title", map=j + 1, layer=layer)
                   for b in screen(ex).scene.overlay_text)
    tap(ex, (5, 5))  # a tap elsewhere closes it
    assert ex.detail is None


def blends(ex):
    imgs, labels = ex.samples
    for t in (0.5, 0.4, 0.6, 0.3, 0.7):
        for a in range(10):
            for b in range(10):
                if a != b:
                    yield ((imgs[labels == a][0] * t + imgs[labels == b][0] * (1 - t)) / 255.0
                           ).astype(np.float32)


def test_the_compare_view_shows_each_networks_own_answer_and_bars(models):
    ex = make(models)
    recs = [Recognizer(models[n], min_confidence=ex.cfg["answer.min_confidence"]) for n in COMPARED]
    cases = {}  # a drawing they read as two different digits, and one where just one is unsure
    for pic in blends(ex):
        mlp, cnn = (r.read(pic) for r in recs)
        sure = [ex.sure(mlp), ex.sure(cnn)]
        if all(sure) and mlp.digit != cnn.digit:
            cases.setdefault("disagree", (pic, mlp, cnn))
        elif sum(sure) == 1:
            cases.setdefault("one unsure", (pic, mlp, cnn))
        if len(cases) == 2:
            break
    assert set(cases) == {"disagree", "one unsure"}
    key(ex, pygame.K_v)
    assert ex.comparing and title(ex) == ex.say("draw_prompt")
    for i, (pic, mlp, cnn) in enumerate(cases.values()):
        ex.sample = (pic, -1, 900 + i)
        now(ex)
        scene = screen(ex).scene
        boxes = scene.composed_text
        for half, s in zip(scene.halves, (mlp, cnn)):
            mine = [b for b in boxes if half.contains(b.rect)]
            said = [b.text for b in mine if b.kind == "compare answer"]
            assert said == [strings.answer("en", s.digit) if ex.sure(s) else ex.say("unsure")]
            assert [b.text for b in mine if b.kind == "percentage"] == [f"{p * 100:.0f}%" for p in s.probs]
        assert title(ex) == ex.say("compare_disagree")
        # each half shows the picture its network read: sample each picture cell's centre
        surf = pygame.Surface(SIZE)
        show(ex, surf)
        ink = np.array(pygame.Color(ex.cfg["colors.ink"])[:3], float)
        bg = np.array(pygame.Color(ex.cfg["colors.canvas"])[:3], float)
        for r, s in zip(scene.pic_rects, (mlp, cnn)):
            cell = r.w / 28
            centres = ((np.arange(28) + 0.5) * cell).astype(int)
            shown = pygame.surfarray.array3d(surf)[r.x + centres][:, r.y + centres].astype(float)
            want = bg + (ink - bg) * np.clip(s.picture.T, 0, 1)[:, :, None]
            assert np.abs(shown - want).max() <= 2  # up to rounding
    key(ex, pygame.K_v)
    assert not ex.comparing


def test_the_compare_view_follows_a_drawing_live(models):
    ex = make(models, "model=cnn")
    key(ex, pygame.K_v)
    c = ex.canvas_rect
    ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=(c.x + c.w * 0.3, c.y + c.h * 0.2), button=1, touch=False))
    for k in range(15):  # a 7, the pen still down
        x = c.x + c.w * (0.3 + 0.03 * k) if k < 8 else c.x + c.w * (0.54 - 0.02 * (k - 8))
        y = c.y + c.h * 0.2 if k < 8 else c.y + c.h * (0.2 + 0.08 * (k - 8))
        ex.handle(E(pygame.MOUSEMOTION, pos=(x, y), buttons=(1, 0, 0), rel=(0, 0), touch=False))
        for _ in range(6):
            ex.step(1 / 60)
            ex.refresh()
    assert ex.drawing.active and all(not s.empty for s in ex.compare_shown)
    ink = ex.drawing.arrays()
    want = [Recognizer(models[n], min_confidence=ex.cfg["answer.min_confidence"]).read(
        ink, frame=(c.w, c.h), brush=ex.layout.brush) for n in COMPARED]
    ex.step(1.0)  # the last wave leaves
    for got, w in zip(ex.compare_shown, want):
        np.testing.assert_allclose(got.probs, w.probs, atol=1e-6)
