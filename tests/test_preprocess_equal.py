"""The fast preprocessing path computes the same pictures as the plain one it replaced.

``reference_preprocess`` is the code as it was before the speed-up, kept verbatim. Every kind of
input the exhibit meets goes through both: the shipped example, attract and benchmark drawings,
MNIST digits redrawn as strokes (live drawing) and as skeleton segments (training), MNIST
rasters, and hostile strokes (NaN points, empty strokes, dots, huge coordinates, a scribble past
MAX_INK and past one rendering chunk). The pictures must agree within float32 rounding.
"""
import numpy as np
import pytest

import reference_preprocess as ref
from support import ROOT
from exhibit import resources
from exhibit.ink import InputSpec, preprocess
from exhibit.ink.files import read_drawings
from exhibit.ink.strokes import Segments
from exhibit.recognize import Recognizer
from exhibit_training.augment import random_affine, skeleton_segments, thin, warp_segments
from exhibit_training.redraw import digit_strokes, place

SPECS = [InputSpec(28, True), InputSpec(28, False), InputSpec(14, True)]
CANVAS = (900.0, 700.0)
TOL = 2e-6  # a few float32 ulps of a value in [0, 1]


def same(new, old, what):
    assert (new is None) == (old is None), what
    if old is not None:
        assert new.dtype == np.float32 and new.shape == old.shape, what
        err = float(np.abs(new.astype(np.float64) - old).max())
        assert err <= TOL, f"{what}: differs by {err}"


def shipped_drawings():
    for path in (resources.EXAMPLES, resources.ATTRACT, resources.BENCH_DIGIT):
        for d in read_drawings(path, CANVAS):
            yield d.strokes


def redrawn_mnist(mnist_test, n, rng):
    x, _ = mnist_test
    for img in x[:n]:
        strokes = digit_strokes(img)
        if strokes:
            yield place(strokes, float(rng.uniform(40, 600)), tuple(rng.uniform(0, 800, 2)),
                        rng, tremor=float(rng.uniform(0, 4)), spacing=float(rng.uniform(1, 12)))


def hostile_strokes(rng):
    walk = lambda n, step=5.0: np.cumsum(rng.normal(0, step, (n, 2)), axis=0).astype(np.float32)
    yield [walk(300)]
    yield [walk(40), walk(1), walk(2), np.zeros((0, 2), np.float32), walk(80)]
    yield [np.array([[10.0, 10.0]])]  # a tap
    yield [np.array([[10.0, 10.0]] * 5)]  # a finger held still: no extent at all
    yield [np.array([[0.0, 5.0], [400.0, 5.0]])]  # a horizontal line: no height
    yield [np.array([[5.0, 0.0], [5.0, 400.0]])]
    yield [[[1, 2], [30, 40], [7, 90]]]  # plain lists of ints
    nan = walk(200)
    nan[::7] = np.nan
    nan[3] = np.inf
    yield [nan, np.full((4, 2), np.nan, np.float32), walk(10)]
    yield [walk(60) * 1e4, walk(60)]  # far-apart strokes, one of them huge
    yield [walk(20000, 40.0)]  # a vandal's scribble: past MAX_INK
    yield [rng.uniform(0, 1000, (3000, 2)).astype(np.float32)]  # long jumps: many pieces
    yield [walk(int(rng.integers(2, 50)), float(rng.uniform(0.1, 30))) for _ in range(12)]


def test_strokes_give_the_same_pictures(mnist_test):
    rng = np.random.default_rng(7)
    drawings = [*shipped_drawings(), *redrawn_mnist(mnist_test, 60, rng), *hostile_strokes(rng)]
    for i, strokes in enumerate(drawings):
        for spec in SPECS:
            w = float(rng.uniform(1.4, 3.2))
            same(preprocess(strokes, spec, stroke_width=w), ref.preprocess(strokes, spec, stroke_width=w),
                 f"drawing {i}, {spec}, width {w}")
        same(preprocess(strokes, SPECS[0], centre=False, frame=CANVAS, brush=20.0),
             ref.preprocess(strokes, SPECS[0], centre=False, frame=CANVAS, brush=20.0), f"uncentred {i}")


def test_training_segments_give_the_same_pictures(mnist_test):
    """The redrawn training data: traced skeletons given as Segments, warped."""
    x, _ = mnist_test
    rng = np.random.default_rng(3)
    for i, sk in enumerate(thin(x[:80] > 90)):
        segs = warp_segments(skeleton_segments(sk), random_affine(rng))
        for spec in SPECS:
            w = float(rng.uniform(1.4, 3.2))
            same(preprocess(Segments(segs), spec, stroke_width=w),
                 ref.preprocess(Segments(segs), spec, stroke_width=w), f"skeleton {i}, {spec}")
    bad = np.array([[0, 0, 5, 5], [np.nan, 1, 2, 3], [5, 5, 9, 1]], np.float32)
    same(preprocess(Segments(bad)), ref.preprocess(Segments(bad)), "segments with NaN")
    assert preprocess(Segments(np.full((2, 4), np.nan))) is None


def test_rasters_give_the_same_pictures(mnist_test):
    x, _ = mnist_test
    for i, img in enumerate(x[:40]):
        a = img.astype(np.float32) / 255
        for r in (a, np.kron(a, np.ones((7, 5), np.float32))):
            for spec in SPECS:
                same(preprocess(r, spec), ref.preprocess(r, spec), f"raster {i}, {spec}")
            same(preprocess(r, centre=False), ref.preprocess(r, centre=False), f"uncentred raster {i}")


@pytest.mark.parametrize("min_points, min_size", [(1, 0.0), (1, 5.0), (12, 0.0), (3, 30.0)])
def test_recognizer_reads_what_it_read_before(explainer, min_points, min_size):
    rng = np.random.default_rng(11)
    rec = Recognizer(explainer, stroke_width=2.4, min_points=min_points, min_size=min_size)
    for i, strokes in enumerate([*shipped_drawings(), *hostile_strokes(rng), [], [np.zeros((0, 2))],
                                 [np.array([[3.0, 3.0], [6.0, 3.0]])]]):
        old = ref.picture(strokes, rec.model.spec, 2.4, min_points, min_size)
        snap = rec.read(strokes)
        same(snap.picture, old, f"drawing {i}")
        if old is not None:
            probs = explainer.net.forward(old.reshape(-1)).probs
            assert np.abs(snap.probs - probs).max() <= 1e-5


def test_examples_are_still_read_right(explainer):
    rec = Recognizer(explainer)
    digits = list(read_drawings(ROOT / "assets/examples/digits.json", CANVAS))
    right = sum(rec.read(d.strokes).digit == d.label for d in digits)
    assert right >= 9
