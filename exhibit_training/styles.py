"""Continental handwriting styles, synthesised on real pen digits in the stroke domain.

Visitors from Germany, France, Spain and the Netherlands cross their 7s and give their 1s a
long flag; many people write an open-top or a one-stroke 4, and a 9 with a straight stem.
Each style is made from a real digit's strokes, as the stroke people really add or draw
instead, with a random length, angle and position, so that it then goes through the one
preprocessing path like any drawing:

- ``crossed-7``: a bar across the 7's stem at 35-65 % of its height (the writer's own 7 kept);
- ``flagged-1``: a long flag down-left from the top of the 1's stem, and in some a foot (a bar
  across the bottom of the stem); a 1 that already has a flag gets only the foot;
- ``open-top-4``: the 4 drawn again in the box of the writer's 4 as an L (down, then along the
  bar) and a separate stem, whose tops do not meet;
- ``one-stroke-4``: the 4 drawn without lifting the pen (down, along the bar, up the stem and
  all the way down again), corners rounded as in fast writing: the "ς"-like 4;
- ``straight-9``: the 9's loop kept, its tail replaced by a straight stem.

Coordinates: x to the right, y down, any units (the pen file's 500x500 box).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

Strokes = list[np.ndarray]


def _f32(a) -> np.ndarray:
    return np.asarray(a, np.float32).reshape(-1, 2)


def line(p0, p1, n: int = 12) -> np.ndarray:
    """n points from p0 to p1."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    return _f32((1 - t) * np.asarray(p0, np.float64) + t * np.asarray(p1, np.float64))


def polyline(points, step: float) -> np.ndarray:
    """The corners ``points`` joined by straight runs of points about ``step`` apart."""
    pts = np.asarray(points, np.float64)
    out = [pts[:1]]
    for a, b in zip(pts[:-1], pts[1:]):
        n = max(2, int(np.ceil(np.hypot(*(b - a)) / max(step, 1e-6))) + 1)
        out.append(line(a, b, n)[1:])
    return _f32(np.concatenate(out))


def chaikin(points: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Corner cutting: a polyline with rounded corners (end points kept)."""
    p = np.asarray(points, np.float64)
    for _ in range(rounds):
        q = 0.75 * p[:-1] + 0.25 * p[1:]
        r = 0.25 * p[:-1] + 0.75 * p[1:]
        p = np.concatenate([p[:1], np.stack([q, r], 1).reshape(-1, 2), p[-1:]])
    return _f32(p)


def box(strokes: Strokes) -> tuple[np.ndarray, np.ndarray]:
    pts = np.concatenate(strokes)
    return pts.min(axis=0).astype(np.float64), pts.max(axis=0).astype(np.float64)


def crossings(strokes: Strokes, y: float) -> np.ndarray:
    """x of every point where the ink's polylines cross the horizontal line at height y."""
    xs = []
    for s in strokes:
        if len(s) < 2:
            continue
        a, b = s[:-1].astype(np.float64), s[1:].astype(np.float64)
        hit = (a[:, 1] - y) * (b[:, 1] - y) <= 0
        hit &= a[:, 1] != b[:, 1]
        t = (y - a[hit, 1]) / (b[hit, 1] - a[hit, 1])
        xs.append(a[hit, 0] + t * (b[hit, 0] - a[hit, 0]))
    return np.sort(np.concatenate(xs)) if xs else np.zeros(0)


def _step(strokes: Strokes, size: float) -> float:
    """The writer's typical distance between successive points (the tablet's sampling)."""
    d = [np.hypot(*np.diff(s, axis=0).T) for s in strokes if len(s) > 1]
    d = np.concatenate(d) if d else np.zeros(0)
    d = d[d > 0]
    return float(np.clip(np.median(d) if len(d) else size / 20, size / 60, size / 8))


def _rot(v: np.ndarray, deg: float) -> np.ndarray:
    t = np.deg2rad(deg)
    return np.array([v[0] * np.cos(t) - v[1] * np.sin(t), v[0] * np.sin(t) + v[1] * np.cos(t)])


def crossed_7(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """The 7 with a bar across its stem (drawn last, left to right, rising a little)."""
    lo, hi = box(strokes)
    w, h = hi - lo
    if h <= 0:
        return None
    step = _step(strokes, h)
    ink = [sg for sg in _segments(strokes)]
    for _ in range(6):  # a height where the bar goes through the stem
        ym = lo[1] + h * rng.uniform(0.35, 0.65)
        xs = crossings(strokes, ym)
        if not len(xs):
            continue
        stem = float(np.median(xs))
        length = max(w, 0.45 * h) * rng.uniform(0.45, 0.8)
        centre = stem + length * rng.uniform(-0.2, 0.2)
        slope = np.tan(np.deg2rad(rng.uniform(-4.0, 14.0)))  # rising to the right (y is down)
        half = length / 2
        p0 = np.array([centre - half, ym + half * slope])
        p1 = np.array([centre + half, ym - half * slope])
        if any(_cross(p0, p1, a, b) for a, b in ink):
            return [*strokes, polyline([p0, p1], step)]
    return None


def _segments(strokes: Strokes) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(a, b) for s in strokes for a, b in zip(s[:-1].astype(np.float64),
                                                     s[1:].astype(np.float64))]


def _cross(p, q, r, s) -> bool:
    """Do segments pq and rs properly intersect?"""
    def orient(a, b, c):
        return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))
    return bool(orient(p, q, r) != orient(p, q, s) and orient(r, s, p) != orient(r, s, q))


def _stem_ends(strokes: Strokes) -> tuple[np.ndarray, np.ndarray]:
    pts = np.concatenate(strokes).astype(np.float64)
    return pts[pts[:, 1].argmin()], pts[pts[:, 1].argmax()]


FLAGGED = 0.45  # a 1 at least this wide for its height already has a long flag


def flagged_1(strokes: Strokes, rng: np.random.Generator, foot: float = 0.4) -> Strokes | None:
    """The 1 with a long flag from the stem's top (and, with probability ``foot``, a foot)."""
    lo, hi = box(strokes)
    w, h = hi - lo
    if h <= 0:
        return None
    top, bottom = _stem_ends(strokes)
    step = _step(strokes, h)
    out = list(strokes)
    has_flag = w / h >= FLAGGED
    if not has_flag:
        u = (bottom - top) / max(np.hypot(*(bottom - top)), 1e-9)
        d = _rot(u, rng.uniform(30.0, 55.0))  # down and to the left of the stem
        if d[0] > 0:
            d = _rot(u, -rng.uniform(30.0, 55.0))
        start = top + d * h * rng.uniform(0.3, 0.5)
        out.insert(0, polyline([start, top], step))  # written first, up to the top
    if has_flag or rng.random() < foot:
        half = h * rng.uniform(0.12, 0.25)
        tilt = half * np.tan(np.deg2rad(rng.uniform(-6.0, 6.0)))
        c = bottom[0] + half * rng.uniform(-0.25, 0.25)
        out.append(polyline([(c - half, bottom[1] + tilt), (c + half, bottom[1] - tilt)], step))
    return out if len(out) > len(strokes) else None


def _four_frame(strokes: Strokes, rng: np.random.Generator):
    lo, hi = box(strokes)
    w, h = hi - lo
    w = max(w, 0.45 * h)  # a thin 4 (a writer's narrow hand) still gets a readable bar
    ybar = lo[1] + h * rng.uniform(0.5, 0.7)
    xs = lo[0] + w * rng.uniform(0.55, 0.75)
    return lo, hi, w, h, ybar, xs, _step(strokes, h)


def open_top_4(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """The 4 as an L (down, then right along the bar past the stem) and a separate stem whose
    top stays apart from the L's: drawn in the box of the writer's 4."""
    lo, hi, w, h, ybar, xs, step = _four_frame(strokes, rng)
    if h <= 0:
        return None
    arm_top = (lo[0] + w * rng.uniform(0.0, 0.25), lo[1] + h * rng.uniform(0.0, 0.12))
    corner = (lo[0] + w * rng.uniform(-0.05, 0.08), ybar + h * rng.uniform(-0.03, 0.03))
    bar_end = (lo[0] + w * rng.uniform(0.9, 1.05), ybar + h * rng.uniform(-0.06, 0.02))
    slant = max(h * rng.uniform(-0.1, 0.06), arm_top[0] + 0.3 * w - xs)  # the top stays open
    stem_top = (xs + slant, lo[1] + h * rng.uniform(0.0, 0.15))
    stem_bottom = (xs - slant * 0.3, hi[1])
    return [polyline([arm_top, corner, bar_end], step), polyline([stem_top, stem_bottom], step)]


def one_stroke_4_corners(strokes: Strokes, rng: np.random.Generator) -> np.ndarray | None:
    """The corners of a one-stroke 4 in the box of the writer's 4: the arm's top, the arm's
    foot (the bar's start), the bar's end, the stem's top, the stem's foot."""
    lo, hi, w, h, ybar, xs, _ = _four_frame(strokes, rng)
    if h <= 0:
        return None
    loop = w * rng.uniform(0.0, 0.12)  # the gap between the way up and the way down
    return np.array([(lo[0] + w * rng.uniform(0.05, 0.35), lo[1] + h * rng.uniform(0.0, 0.12)),
                     (lo[0] + w * rng.uniform(-0.05, 0.08), ybar),
                     (xs + loop / 2 + w * rng.uniform(0.05, 0.25),
                      ybar + h * rng.uniform(-0.05, 0.03)),
                     (xs + loop / 2, lo[1] + h * rng.uniform(-0.05, 0.12)),
                     (xs - loop / 2 + h * rng.uniform(-0.08, 0.04), hi[1])])


def one_stroke_4(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """The 4 without lifting the pen: down the arm, along the bar, up the stem, and all the way
    down it again a little beside the way up; corners rounded (0-2 rounds of corner cutting),
    as written fast."""
    corners = one_stroke_4_corners(strokes, rng)
    if corners is None:
        return None
    step = _step(strokes, float(np.ptp(corners[:, 1])))
    return [polyline(chaikin(corners, rounds=int(rng.integers(0, 3))), step)]


def straight_9(strokes: Strokes, rng: np.random.Generator) -> Strokes | None:
    """The 9's loop kept (the ink above the loop's bottom), its tail replaced by a straight
    stem down from the loop's right side to the foot of the digit."""
    lo, hi = box(strokes)
    w, h = hi - lo
    if h <= 0 or w <= 0:
        return None
    levels = lo[1] + h * np.linspace(0.05, 0.8, 31)
    two = [y for y in levels if len(crossings(strokes, y)) >= 2]
    if not two:
        return None
    cut = max(two) + 0.04 * h
    if cut - lo[1] < 0.25 * h:
        return None
    kept: Strokes = []
    for s in strokes:
        above = s[:, 1] <= cut
        # runs of consecutive points above the cut
        edges = np.flatnonzero(np.diff(np.r_[0, above.astype(np.int8), 0]))
        for a, b in zip(edges[0::2], edges[1::2]):
            run = s[a:b]
            if b - a >= 2 and np.ptp(run, axis=0).max() >= 0.1 * h:  # no stray bits
                kept.append(run)
    if not kept:
        return None
    pts = np.concatenate(kept).astype(np.float64)
    band = pts[(pts[:, 1] > lo[1] + 0.15 * h) & (pts[:, 1] < cut)]
    if not len(band):
        return None
    start = band[band[:, 0].argmax()]  # the loop's right side
    end = (start[0] + h * rng.uniform(-0.12, 0.05), hi[1] + h * rng.uniform(-0.02, 0.1))
    return [*kept, polyline([start, end], _step(strokes, h))]


STYLES: dict[str, tuple[int, Callable[[Strokes, np.random.Generator], Strokes | None]]] = {
    "crossed-7": (7, crossed_7),
    "flagged-1": (1, flagged_1),
    "open-top-4": (4, open_top_4),
    "one-stroke-4": (4, one_stroke_4),
    "straight-9": (9, straight_9),
}
LABELS = frozenset(lab for lab, _ in STYLES.values())


def styles_for(label: int) -> list[str]:
    return [name for name, (lab, _) in STYLES.items() if lab == label]


def apply(strokes: Strokes, name: str, rng: np.random.Generator) -> Strokes | None:
    """The digit in style ``name``, or None where the style cannot be made from it."""
    return STYLES[name][1]([_f32(s) for s in strokes], rng)


def random_style(strokes: Strokes, label: int, rng: np.random.Generator) -> Strokes | None:
    """One of the label's styles at random (None for labels without styles)."""
    names = styles_for(label)
    if not names:
        return None
    return apply(strokes, names[int(rng.integers(len(names)))], rng)

