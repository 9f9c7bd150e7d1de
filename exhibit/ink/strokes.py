"""Strokes: what a finger leaves. A stroke is an (n, 2) float array of points (x, y down)."""
from __future__ import annotations

from typing import Sequence

import numpy as np


class Segments:
    """Ink given directly as line segments (S, 4: ax, ay, bx, by), e.g. a traced skeleton.

    ``bounds`` is the (lo, hi) of :func:`bounds` over its points when the caller already has
    them (the points then are all finite, and nobody checks or measures them again).
    """

    __slots__ = ("array", "bounds")

    def __init__(self, array: np.ndarray,
                 bounds: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.array = np.asarray(array, np.float32).reshape(-1, 4)
        self.bounds = bounds


Strokes = Sequence[np.ndarray] | Segments


def stroke_segments(strokes: Strokes) -> np.ndarray | None:
    """All strokes as line segments (S, 4), a single-point stroke as a dot; None if no points.

    Points are joined by straight segments, so fast finger motion leaves no gaps.
    Non-finite points (a broken touch driver) are dropped.
    """
    if isinstance(strokes, Segments):
        a = strokes.array
        if strokes.bounds is not None or np.logical_and.reduce(np.isfinite(a), axis=None):
            return a if len(a) else None  # the usual case: keep them all
        ok = np.isfinite(a).all(axis=1)
        return a[ok] if ok.any() else None
    return joined_segments([finite_points(s) for s in strokes])


def joined_segments(strokes: Sequence[np.ndarray]) -> np.ndarray | None:
    """:func:`stroke_segments` of strokes that already went through :func:`finite_points`."""
    parts = []
    for p in strokes:
        if len(p) == 0:
            continue
        if len(p) == 1:
            p = np.concatenate((p, p))
        parts.append(np.concatenate((p[:-1], p[1:]), axis=1))  # (n - 1, 4): each point to the next
    if not parts:
        return None
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def finite_points(stroke: np.ndarray | Sequence) -> np.ndarray:
    """A stroke's points as an (n, 2) float32 array without its non-finite points."""
    p = np.asarray(stroke, dtype=np.float32).reshape(-1, 2)
    if np.logical_and.reduce(np.isfinite(p), axis=None):  # the usual case: no copy
        return p
    return p[np.isfinite(p[:, 0]) & np.isfinite(p[:, 1])]


def bounds(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The smallest and the largest (x, y) of (n, 2) points, n > 0.

    Reduced column by column: numpy reduces an (n, 2) array along its first axis several
    times slower than two contiguous rows, and this runs on every stroke.
    """
    xy = points.T.copy()
    return np.minimum.reduce(xy, axis=1), np.maximum.reduce(xy, axis=1)


def transform(strokes: Strokes, scale: float, offset: Sequence[float]) -> list[np.ndarray]:
    """Scale then shift every point: p * scale + offset."""
    off = np.asarray(offset, np.float32)
    return [np.asarray(s, np.float32).reshape(-1, 2) * scale + off for s in strokes]


def fit_box(box: Sequence[float], target: Sequence[float]) -> tuple[float, tuple[float, float]]:
    """Uniform scale and offset that fit a (w, h) box centred onto a (w, h) target."""
    bw, bh = float(box[0]), float(box[1])
    tw, th = float(target[0]), float(target[1])
    if bw <= 0 or bh <= 0:
        raise ValueError(f"box must have a positive width and height, not {list(box)}")
    s = min(tw / bw, th / bh)
    return s, ((tw - bw * s) / 2, (th - bh * s) / 2)
