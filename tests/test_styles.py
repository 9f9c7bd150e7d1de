"""Continental styles made on real pen digits (exhibit_training/styles.py) keep their digit's
shape: the crossed 7's bar crosses its stem, the 1's flag leaves the top of its stem down to
the left, the open-top 4's two strokes do not meet at the top, the one-stroke 4 is one stroke
that crosses itself, the straight 9's stem is straight and hangs from its loop. And the writer
folds deal every writer into exactly one fold."""
import numpy as np
import pytest

from exhibit.ink.normalize import InputSpec, preprocess
from exhibit_training import folds, pendigits, styles

from support import ROOT

PEN = ROOT / "tests" / "data" / "pen-4-writers.json.gz"
PEN_FULL = ROOT.parent / "shared" / "data" / "pendigits" / "pen-30-writers.json.gz"


@pytest.fixture(scope="module", params=["4 writers", "30 writers"])
def pen(request):
    """The few writers committed with the tests, and (when ../shared is there) a sample of 150
    digits per label from all 30."""
    if request.param == "4 writers":
        return pendigits.load(PEN)
    if not PEN_FULL.is_file():
        pytest.skip("the 30-writer pendigits file (../shared/data/pendigits) is not beside "
                    "this checkout")
    full = pendigits.load(PEN_FULL)
    rng = np.random.default_rng(0)
    keep = np.zeros(len(full), bool)
    for d in range(10):
        keep[rng.permutation(np.flatnonzero(full.labels == d))[:150]] = True
    return full.subset(keep)


def of(pen, label):
    return [pen.strokes[i] for i in np.flatnonzero(pen.labels == label)]


def segs(strokes):
    return [(a, b) for s in strokes for a, b in zip(s[:-1].astype(float), s[1:].astype(float))]


def cross(p, q, r, s):
    """Do segments pq and rs intersect?"""
    def orient(a, b, c):
        return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))
    return (orient(p, q, r) != orient(p, q, s)) and (orient(r, s, p) != orient(r, s, q))


def crosses(stroke, ink):
    return any(cross(a, b, c, d) for a, b in segs([stroke]) for c, d in segs(ink))


def size(strokes):
    pts = np.concatenate(strokes)
    return pts.max(0) - pts.min(0)


def test_crossed_7_bar_crosses_the_stem_and_is_nearly_level(pen):
    rng = np.random.default_rng(0)
    sevens = of(pen, 7)
    assert len(sevens) >= 8
    made = 0
    for st in sevens:
        out = styles.crossed_7(st, rng)
        if out is None:
            continue
        made += 1
        assert len(out) == len(st) + 1
        bar = out[-1]
        w, h = size(st)
        assert crosses(bar, st)  # across the writer's own stem
        dx, dy = bar[-1] - bar[0]
        assert dx > 0 and abs(dy) <= 0.3 * dx  # left to right, within ~17 degrees of level
        assert dx >= 0.15 * h
        mid_y = bar[:, 1].mean()
        top = np.concatenate(st)[:, 1].min()
        assert top + 0.25 * h < mid_y < top + 0.75 * h  # at mid-height, not on the top bar
    assert made >= 0.95 * len(sevens)


def test_flagged_1_flag_leaves_the_top_down_to_the_left_and_the_foot_crosses_the_bottom(pen):
    rng = np.random.default_rng(1)
    ones = of(pen, 1)
    flags = feet = 0
    for st in ones:
        out = styles.flagged_1(st, rng, foot=0.5)
        assert out is not None and len(out) > len(st)
        w, h = size(st)
        pts = np.concatenate(st)
        top, bottom = pts[pts[:, 1].argmin()], pts[pts[:, 1].argmax()]
        if w / h < styles.FLAGGED:  # a plain stem: it gets a flag, written first
            flags += 1
            flag = out[0]
            assert np.allclose(flag[-1], top, atol=1e-3)  # ends at the stem's top
            d = flag[0] - top
            assert d[0] < 0 and d[1] > 0  # starts down and to the left
            assert 0.25 * h <= np.hypot(*d) <= 0.55 * h  # long, as continental writers do
        if len(out) - len(st) == 2 or w / h >= styles.FLAGGED:
            feet += 1
            foot = out[-1]
            assert foot[:, 0].min() < bottom[0] < foot[:, 0].max()  # across the stem's foot
            assert abs(foot[:, 1].mean() - bottom[1]) < 0.1 * h
    assert flags >= 0.1 * len(ones) and feet >= 0.1 * len(ones)


def test_open_top_4_tops_stay_apart_and_the_bar_crosses_the_stem(pen):
    rng = np.random.default_rng(2)
    for st in of(pen, 4):
        arm, stem = styles.open_top_4(st, rng)
        w, h = size(st)
        assert crosses(arm, [stem])  # the bar goes through the stem
        assert np.hypot(*(arm[0] - stem[0])) >= 0.25 * max(w, 0.45 * h)  # open at the top
        assert stem[-1, 1] - stem[0, 1] >= 0.8 * h  # the stem runs the digit's height
        lo = np.concatenate(st).min(0)
        hi = np.concatenate(st).max(0)
        both = np.concatenate([arm, stem])
        assert (both.min(0) >= lo - 0.2 * h).all() and (both.max(0) <= hi + 0.2 * h + [h, 0]).all()


def test_one_stroke_4_goes_down_along_the_bar_up_and_down_the_stem_in_one_stroke(pen):
    for k, st in enumerate(of(pen, 4)):
        w, h = size(st)
        w = max(w, 0.45 * h)
        arm, foot, bar_end, stem_top, stem_foot = styles.one_stroke_4_corners(
            st, np.random.default_rng(k))
        assert foot[1] - arm[1] >= 0.3 * h  # down the arm
        assert bar_end[0] - foot[0] >= 0.4 * w and abs(bar_end[1] - foot[1]) < 0.1 * h  # along
        assert bar_end[1] - stem_top[1] >= 0.3 * h  # up the stem, above the bar
        assert stem_foot[1] - stem_top[1] >= 0.8 * h  # and all the way down
        assert stem_top[0] - arm[0] >= 0.15 * w  # the stem stands right of the arm's top
        # the way down meets the bar: it passes its height before the bar's end
        t = (bar_end[1] - stem_top[1]) / (stem_foot[1] - stem_top[1])
        x_at_bar = stem_top[0] + t * (stem_foot[0] - stem_top[0])
        assert foot[0] < x_at_bar < bar_end[0] + 0.05 * w
        (s,) = styles.one_stroke_4(st, np.random.default_rng(k))  # the same corners, rounded
        corners = np.array([arm, foot, bar_end, stem_top, stem_foot])
        near = min(np.hypot(*(s - c).T).min() for c in corners[[0, -1]])
        assert near < 1e-3  # it starts at the arm's top and ends at the stem's foot
        dist = [np.hypot(*(s - c).T).min() for c in corners[1:-1]]
        assert max(dist) < 0.3 * h  # corners cut, not lost


def test_straight_9_keeps_the_loop_and_hangs_a_straight_stem_from_it(pen):
    rng = np.random.default_rng(4)
    nines = of(pen, 9)
    made = 0
    for st in nines:
        out = styles.straight_9(st, rng)
        if out is None:
            continue
        made += 1
        stem, loop = out[-1], out[:-1]
        h = size(st)[1]
        a, b = stem[0].astype(float), stem[-1].astype(float)
        u = (b - a) / np.hypot(*(b - a))
        off = np.abs((stem - a) @ np.array([-u[1], u[0]]))
        assert off.max() < 0.01 * h  # straight
        assert b[1] - a[1] >= 0.3 * h and abs(u[0]) < 0.45  # down, near vertical
        assert min(np.hypot(*(p - a)) for p in np.concatenate(loop)) < 1e-3  # from the loop
        loop_pts = np.concatenate(loop)
        ys = np.linspace(loop_pts[:, 1].min(), loop_pts[:, 1].max(), 12)[1:-1]
        assert max(len(styles.crossings(loop, y)) for y in ys) >= 2  # a loop is still there
    assert made >= 0.85 * len(nines)


def test_every_style_goes_through_the_one_preprocessing_path_and_is_reproducible(pen):
    for name, (label, _) in styles.STYLES.items():
        st = of(pen, label)[0]
        a = styles.apply(st, name, np.random.default_rng(5))
        b = styles.apply(st, name, np.random.default_rng(5))
        assert all(np.array_equal(p, q) for p, q in zip(a, b))
        img = preprocess(a, InputSpec(28, True))
        assert img is not None and img.sum() > preprocess(st, InputSpec(28, True)).sum() * 0.5


def test_styled_copies_replace_only_warped_copies_of_styled_labels(pen):
    sub = pen.subset(np.isin(pen.labels, [0, 7]))
    plain, y = pendigits.inputs(sub, InputSpec(28, True), np.random.default_rng(6), copies=3)
    sty, y2 = pendigits.inputs(sub, InputSpec(28, True), np.random.default_rng(6), copies=3,
                               styles=1.0)
    assert np.array_equal(y, y2)
    n = len(sub)
    assert np.array_equal(plain[:n], sty[:n])  # the first copy stays as written
    sevens = np.flatnonzero(np.tile(sub.labels, 3)[n:] == 7) + n
    # the crossed copies carry more ink than the same sevens uncrossed would on average
    assert sty[sevens].sum() > plain[sevens].sum()


def test_writer_folds_deal_each_writer_into_one_fold():
    writers = [f"train-{i:02d}" for i in range(1, 31)]
    f = folds.plan(writers * 3, k=5)
    assert [len(x) for x in f] == [6] * 5
    assert sorted(w for x in f for w in x) == writers
    assert f == folds.plan(list(reversed(writers)), k=5)  # fixed, whatever the order given
    with pytest.raises(ValueError):
        folds.plan(writers, k=1)
