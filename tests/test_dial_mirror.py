"""The dial (answer.style: dial) and the mirrored layout (layout.mirror), on real frames: the
dial shows the winner brightest once the wave reaches it, and mirrored, the canvas is on the
right and a mouse stroke draws into it, the buttons follow and the network flows leftwards."""
import numpy as np
import pygame
import pytest

from support import sim_frames, sim_runner
from exhibit.views.dial import contrast

E = pygame.event.Event
pytestmark = pytest.mark.usefixtures("display")


def mouse(kind, x, y):
    t = {"down": pygame.MOUSEBUTTONDOWN, "move": pygame.MOUSEMOTION, "up": pygame.MOUSEBUTTONUP}[kind]
    return [E(t, pos=(float(x), float(y)), button=1, buttons=(1, 0, 0), rel=(0, 0), touch=False)]


def key(k):
    return [E(pygame.KEYDOWN, key=k, mod=0, unicode="")]


def disc_colours(r):
    """Per digit of the dial, the mean colour of its disc beside the digit (left, right, above
    and below its glyph, inside its outline)."""
    d = r.ex.layout.dial
    px = pygame.surfarray.array3d(r.surface).astype(float)
    out = []
    for x, y in d.pos:
        pts = [(x - 0.72 * d.digit_r, y), (x + 0.72 * d.digit_r, y), (x, y - 0.8 * d.digit_r),
               (x, y + 0.8 * d.digit_r)]
        out.append(np.mean([px[round(a), round(b)] for a, b in pts], axis=0))
    return np.array(out)


def luminance(rgb):
    return rgb @ np.array([0.2126, 0.7152, 0.0722])


@pytest.mark.parametrize("size,sets", [((1920, 1080), ()), ((1080, 1920), ("layout.mirror=true",)),
                                       ((3840, 2160), ())], ids=["landscape", "portrait-mirrored", "4k"])
def test_the_dial_shows_the_winner_brightest_when_the_wave_arrives(size, sets):
    r = sim_runner("answer.style=dial", *sets, size=size)
    ex = r.ex
    sim_frames(r, 2)
    empty = disc_colours(r)
    sim_frames(r, 1, key(pygame.K_3))  # a real MNIST 3: its wave leaves now
    assert ex.sure() and ex.snapshot.digit == 3
    sim_frames(r, 3)  # the wave has not reached the outputs: the dial has not changed
    assert np.abs(disc_colours(r) - empty).max() <= 1
    sim_frames(r, round(ex.cfg["pulses.wave_seconds"] * 60) + 3)
    lum = luminance(disc_colours(r))
    others = np.delete(lum, 3)
    assert lum[3] > others.max() + 60, (lum[3], others)
    neuron = np.array(r.screen.theme.c["neuron"][:3], float)
    assert np.abs(disc_colours(r)[3] - neuron).max() <= 12  # full brightness
    # the digit on the bright disc is dark, readable
    boxes = [b for b in r.screen.scene.text_boxes if b.kind == "dial digit"]
    assert [b.text for b in boxes] == [str(d) for d in range(10)]
    assert all(contrast(b.fg, b.bg) >= 4.5 for b in boxes)


def test_the_pulses_end_at_the_dials_digits():
    r = sim_runner("answer.style=dial", size=(1920, 1080))
    lay = r.ex.layout
    assert np.allclose(lay.pos[-1], lay.dial.pos)
    assert lay.dial.rect.colliderect(lay.rects["bars"]) and lay.rects["bars"].contains(lay.dial.rect)
    sim_frames(r, 1, key(pygame.K_7))
    lines = r.screen.lines(r.ex.snapshot)[-1]
    ends = {tuple(np.round(p, 3)) for p in lines.dst.tolist()}
    assert ends and ends <= {tuple(np.round(p, 3)) for p in lay.dial.pos.tolist()}
    # a tap on a dial digit is a tap on that output neuron (as on one beside the bars)
    x, y = lay.dial.pos[7]
    assert lay.hit(x, y) == ("neuron", (len(lay.pos) - 1, 7))
    sim_frames(r, 40)
    sim_frames(r, 1, mouse("down", x, y))
    sim_frames(r, 2, mouse("up", x, y))
    # an output has no card (its numbers are on the dial), and a tap on it breaks nothing
    assert r.ex.detail is None and r.errors == 0


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
def test_mirrored_the_canvas_is_on_the_right_and_a_mouse_stroke_draws_into_it(size):
    plain = sim_runner(size=size).ex.layout
    r = sim_runner("layout.mirror=true", size=size)
    ex, lay = r.ex, r.ex.layout
    W = size[0]
    for name, rect in plain.rects.items():  # every region mirrored left-right
        assert lay.rects[name] == pygame.Rect(W - rect.right, rect.y, rect.w, rect.h), name
    assert lay.clear_button.x > max(b.right for b in lay.sample_buttons)  # Clear on the outside
    xs = [b.x for b in lay.sample_buttons[:5]]
    assert xs == sorted(xs)  # the samples still read 0-9 from left to right
    first, last = lay.pos[1][0, 0], lay.pos[-1][0, 0]
    assert lay.picture_rect.x > first > last  # the network flows leftwards
    if size[0] > size[1]:
        assert lay.canvas.x > W / 2 and lay.rects["bars"].right < W / 2
    c = lay.canvas
    path = [(c.x + c.w * 0.3, c.y + c.h * 0.2), (c.x + c.w * 0.7, c.y + c.h * 0.2),
            (c.x + c.w * 0.45, c.y + c.h * 0.8)]
    sim_frames(r, 1, mouse("down", *path[0]))
    for p in path[1:]:
        for k in range(1, 9):  # the stroke in small moves, as a mouse reports it
            prev = path[path.index(p) - 1]
            sim_frames(r, 1, mouse("move", prev[0] + (p[0] - prev[0]) * k / 8,
                                   prev[1] + (p[1] - prev[1]) * k / 8))
    sim_frames(r, 1, mouse("up", *path[-1]))
    sim_frames(r, 40)
    assert len(ex.drawing.strokes) == 1
    stroke = np.asarray(ex.drawing.strokes[0])
    assert np.abs(stroke[0] - (np.array(path[0]) - c.topleft)).max() <= 1
    assert np.abs(stroke[-1] - (np.array(path[-1]) - c.topleft)).max() <= 1
    px = pygame.surfarray.array3d(r.surface)
    ink = np.array(r.screen.theme.c["ink"][:3])
    for a, b in zip(path, path[1:]):  # the ink is on screen along the stroke
        for t in (0.25, 0.5, 0.75):
            x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
            assert (px[round(x), round(y)] == ink).all(), (x, y)
    assert ex.snapshot.digit is not None
    # the mirrored buttons answer where they are drawn
    sim_frames(r, 1, mouse("down", *lay.sample_buttons[4].center))
    sim_frames(r, 1, mouse("up", *lay.sample_buttons[4].center))
    assert ex.sample is not None and ex.sample[1] == 4
    sim_frames(r, 1, mouse("down", *lay.clear_button.center))
    sim_frames(r, 1, mouse("up", *lay.clear_button.center))
    assert ex.sample is None and ex.drawing.empty


def test_mirrored_lines_leave_the_picture_on_its_left():
    r = sim_runner("layout.mirror=true", size=(1920, 1080))
    sim_frames(r, 1, key(pygame.K_2))
    first = r.screen.lines(r.ex.snapshot)[0]
    pic = r.ex.layout.picture_rect
    assert len(first.src) and (first.src[:, 0] <= pic.x - 7).all()
    assert (first.dst[:, 0] < first.src[:, 0]).all()
