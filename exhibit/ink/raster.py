"""Anti-aliased rendering of thick line segments into a small float raster (numpy only)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

MAX_PIECE = 1.2  # segments are cut into pieces at most this long, so each touches a small window
CHUNK = 8192  # pieces rendered at a time (bounds the memory of a very long scribble)


def coverage(d: np.ndarray, width: float) -> np.ndarray:
    """Brush profile: 1 inside, a one-pixel linear ramp at the edge; integrates to ``width``."""
    return np.minimum(np.maximum(width / 2 + 0.5 - d, 0.0), 1.0)  # a clip, without its overhead


def render_segments(segs: np.ndarray, shape: tuple[int, int], width: float) -> np.ndarray:
    """Coverage of round-capped strokes of ``width`` px along ``segs`` (S, 4: ax, ay, bx, by).

    A pixel's value is coverage(d), d the distance from its centre to the nearest segment.
    Each piece of a segment only reaches a small window of pixels, so the cost grows with the
    length of the ink, not with the picture's area times the number of segments.
    """
    h, w = shape
    segs = _subdivide(np.asarray(segs, np.float32), MAX_PIECE)
    reach = width / 2 + 0.5
    # window side that holds every touched pixel: the centres within reach of a piece span
    # less than MAX_PIECE + 2 * reach (the hair more covers float rounding of the coordinates)
    k = int(np.ceil(MAX_PIECE + 2 * reach + 1e-3))
    # windows may start left of / above the picture: draw on a padded one, wider than a window.
    # The coordinates are shifted by pad in float32, so its value decides their last bit:
    # it is the one the shipped pictures and networks were made with.
    pad = int(np.ceil(MAX_PIECE + 2 * reach)) + 2
    pw, ph = w + 2 * pad, h + 2 * pad
    flat = np.zeros(ph * pw, np.float32)  # same dtype: ufunc.at is slow when casting
    off, window, last_start = _window(k, pw, ph)
    # in chunks, so that memory stays small however long the ink is (a scribble, a hostile file)
    for c in range(0, len(segs), CHUNK):
        p = segs[c:c + CHUNK] + pad
        a, b = p[:, :2], p[:, 2:]  # x and y side by side: (S, 2) each
        # the window's first pixel: the first whose centre (i + 0.5) can be within reach. Ink
        # far outside the picture gets a window moved inside the padding: the pixels it then
        # covers are all invisible (the padding is wider than a window), and still right.
        first = np.ceil(np.minimum(a, b) - (reach + 0.5))
        first = np.minimum(np.maximum(first, 0, out=first), last_start, out=first).astype(np.int32)
        d = b - a
        inv = 1.0 / (np.add.reduce(d * d, axis=1) + 1e-12)  # a dot has d = 0: t = 0 whatever inv is
        # pixel centre minus a, along x and y for each pixel column and row of the window: (S, 2, k)
        ap = (first[:, :, None] + off) + (0.5 - a)[:, :, None]
        apx, apy = ap[:, 0, None, :], ap[:, 1, :, None]  # (S, 1, k) and (S, k, 1)
        apd = ap * d[:, :, None]
        t = apd[:, 0, None, :] + apd[:, 1, :, None]  # (S, k, k): where each pixel projects to
        t *= inv[:, None, None]
        np.minimum(np.maximum(t, 0.0, out=t), 1.0, out=t)
        dx, dy = d[:, 0, None, None], d[:, 1, None, None]
        ex = apx - t * dx
        ey = apy - t * dy
        ex *= ex
        ey *= ey
        ex += ey
        cov = coverage(np.sqrt(ex, out=ex), width).astype(np.float32, copy=False)
        starts = first[:, 1] * pw + first[:, 0]
        np.maximum.at(flat, (starts[:, None] + window).ravel(), cov.ravel())
    return flat.reshape(ph, pw)[pad:pad + h, pad:pad + w].astype(np.float32)


@lru_cache(maxsize=1024)
def _window(k: int, pw: int, ph: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The offsets 0..k-1 of a k x k window's columns and rows, and of its pixels in a padded
    picture pw wide, from its first pixel; the last (x, y) a window may start at in a pw x ph
    picture (the same few for every drawing: made once)."""
    off = np.arange(k, dtype=np.int32)
    window = (off[:, None] * pw + off).ravel()
    last_start = np.array([pw - k, ph - k], np.float32)
    off.flags.writeable = window.flags.writeable = last_start.flags.writeable = False
    return off, window, last_start


def _subdivide(segs: np.ndarray, max_len: float) -> np.ndarray:
    """Cut segments longer than ``max_len`` into equal pieces."""
    d = segs[:, 2:] - segs[:, :2]
    pieces = np.hypot(d[:, 0], d[:, 1]) / max_len
    if np.maximum.reduce(pieces) <= 1.0:  # the usual case: nothing to cut
        return segs
    n = np.maximum(1, np.ceil(pieces)).astype(np.int64)
    parent = np.repeat(np.arange(len(segs)), n)
    k = np.arange(len(parent)) - np.repeat(np.cumsum(n) - n, n)
    t0 = (k / n[parent])[:, None].astype(np.float32)
    t1 = ((k + 1) / n[parent])[:, None].astype(np.float32)
    a, dp = segs[parent, :2], d[parent]
    return np.concatenate((a + t0 * dp, a + t1 * dp), axis=1)


def render_segments_dense(segs: np.ndarray, shape: tuple[int, int], width: float) -> np.ndarray:
    """The same picture computed the plain way (every pixel against every segment): the
    oracle for the fast renderer's tests."""
    h, w = shape
    segs = np.asarray(segs, np.float64)
    ax, ay = segs[:, 0], segs[:, 1]
    dx, dy = segs[:, 2] - ax, segs[:, 3] - ay
    len2 = dx * dx + dy * dy
    inv = np.divide(1.0, len2, out=np.zeros_like(len2), where=len2 > 1e-12)
    py = (np.arange(h) + 0.5)[:, None, None]
    px = (np.arange(w) + 0.5)[None, :, None]
    t = np.clip(((px - ax) * dx + (py - ay) * dy) * inv, 0.0, 1.0)
    d = np.hypot(px - ax - t * dx, py - ay - t * dy).min(axis=2)
    return coverage(d, width).astype(np.float32)
