"""The one preprocessing path, checked against MNIST itself."""
import numpy as np
import pytest

from support import ascii_art
from exhibit.ink import InputSpec, preprocess
from exhibit.ink.normalize import deskew, paste_by_mass, raster_box, strokes_box
from exhibit_training.redraw import digit_strokes, place

PLAIN = InputSpec(28, deskew=False)


def com(img):
    ys, xs = np.mgrid[0:img.shape[0], 0:img.shape[1]]
    return (img * ys).sum() / img.sum(), (img * xs).sum() / img.sum()


def test_mnist_scaled_up_comes_back_the_same(mnist_test):
    """An MNIST digit blown up 10x (a 280 px drawing) must come back pixel for pixel."""
    x, _ = mnist_test
    exact = 0
    for img in x[:300]:
        a = img.astype(np.float32) / 255
        big = np.kron(a, np.ones((10, 10), np.float32))
        back = preprocess(big, PLAIN)
        if np.abs(back - a).max() < 1e-5:
            exact += 1
        else:  # the only allowed difference is MNIST's own rounding of the centre of mass
            shifted = [np.roll(back, (dy, dx), (0, 1)) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
            assert min(np.abs(s - a).max() for s in shifted) < 1e-5, ascii_art(back)
    assert exact >= 295


def test_mnist_scaled_up_smoothly_stays_close(mnist_test):
    """Upscaled with interpolation (as a drawing would be), then read back: nearly the same."""
    x, _ = mnist_test
    errs = []
    for img in x[:100]:
        a = img.astype(np.float32) / 255
        idx = np.clip((np.arange(196) + 0.5) / 7 - 0.5, 0, 27)
        i0 = np.floor(idx).astype(int)
        i1 = np.minimum(i0 + 1, 27)
        f = idx - i0
        rows = a[i0] * (1 - f)[:, None] + a[i1] * f[:, None]
        big = rows[:, i0] * (1 - f) + rows[:, i1] * f
        errs.append(np.abs(preprocess(big, PLAIN) - a).mean())
    assert np.mean(errs) < 0.05  # the interpolated fringe widens the crop a little


def test_mnist_digits_are_already_normalised(mnist_test):
    x, _ = mnist_test
    for img in x[:50]:
        a = img.astype(np.float32) / 255
        out = preprocess(a, PLAIN)
        cy, cx = com(out)
        assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5


def test_empty_input_is_not_a_digit():
    assert preprocess(np.zeros((100, 100), np.float32)) is None
    assert preprocess([]) is None
    assert preprocess([np.zeros((0, 2))]) is None
    assert preprocess([np.array([[np.nan, np.nan]])]) is None


@pytest.mark.parametrize("spec", [InputSpec(28, False), InputSpec(28, True), InputSpec(14, True)])
def test_strokes_fill_a_20px_box_centred_by_mass(spec, mnist_test):
    x, _ = mnist_test
    strokes = place(digit_strokes(x[0]), 400, (500, 500))
    box = strokes_box(strokes, 2.4)
    assert max(box.shape) == 20
    out = preprocess(strokes, spec, stroke_width=2.4)
    assert out.shape == (spec.side, spec.side)
    assert 0.0 <= out.min() and out.max() <= 1.0
    if spec.side == 28:
        cy, cx = com(out)
        assert abs(cy - 14) <= 0.6 and abs(cx - 14) <= 0.6


def test_size_and_position_do_not_change_the_picture(mnist_test):
    """The brush is fixed in the 20 px box: a small digit in a corner reads as a big one."""
    x, _ = mnist_test
    for img in x[:20]:
        st = digit_strokes(img)
        big = preprocess(place(st, 700, (450, 450), spacing=8), InputSpec())
        small = preprocess(place(st, 90, (120, 800), spacing=2), InputSpec())
        # up to MNIST's rounding of the centre of mass to a whole pixel
        assert min(np.abs(np.roll(big, (dy, dx), (0, 1)) - small).mean()
                   for dy in (-1, 0, 1) for dx in (-1, 0, 1)) < 0.005


def test_stroke_width_is_like_mnist(mnist_test):
    """Redrawn digits carry about as much ink as the MNIST originals (width calibration)."""
    x, _ = mnist_test
    ratio = []
    for img in x[:200]:
        drawn = preprocess(place(digit_strokes(img), 400, (500, 500)), PLAIN, stroke_width=2.4)
        ratio.append(drawn.sum() / (img.sum() / 255))
    assert 0.8 < np.median(ratio) < 1.25


def test_interpolates_between_distant_points():
    """Two far-apart samples of a fast stroke still make one solid line."""
    out = preprocess([np.array([[100, 100], [100, 900]], np.float32)], PLAIN)
    col = out[:, out.sum(axis=0).argmax()]
    inked = np.flatnonzero(col > 0.5)
    assert len(inked) >= 18 and np.all(np.diff(inked) == 1)


def test_deskew_makes_a_slanted_stroke_upright():
    slanted = [np.array([[300, 100], [100, 700]], np.float32)]
    raw = paste_by_mass(strokes_box(slanted, 2.4))
    upright = deskew(raw)
    cols_raw = (raw > 0.5).any(axis=0).sum()
    cols_up = (upright > 0.5).any(axis=0).sum()
    assert cols_up < cols_raw / 2
    assert abs(upright.sum() - raw.sum()) / raw.sum() < 0.05


def test_raster_box_crops_and_scales_longest_side():
    img = np.zeros((300, 300), np.float32)
    img[50:250, 100:150] = 1.0
    box = raster_box(img)
    assert box.shape == (20, 5)
