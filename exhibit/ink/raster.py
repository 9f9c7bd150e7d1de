"""Anti-aliased rendering of thick line segments into a small float raster (numpy only)."""
from __future__ import annotations

from functools import lru_cache

import math

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
    k = math.ceil(MAX_PIECE + 2 * reach + 1e-3)
    # windows may start left of / above the picture: draw on a padded one, wider than a window.
    # The coordinates are shifted by pad in float32, so its value decides their last bit:
    # it is the one the shipped pictures and networks were made with.
    pad = math.ceil(MAX_PIECE + 2 * reach) + 2
    pw, ph = w + 2 * pad, h + 2 * pad
    grid, window, last_start = _window(k, pw, ph)
    # each pixel's squared distance to the nearest piece: coverage falls with distance, so the
    # nearest piece gives the largest coverage, and coverage is then worked out once per pixel
    # of the picture rather than once per pixel of every window. Distances are capped at reach,
    # where coverage is 0 (sqrt(reach * reach) is exactly reach): no clamp at 0 needed.
    flat = np.empty(ph * pw)
    flat.fill(reach * reach)
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
        dd = d * d
        inv = 1.0 / (dd[:, 0] + dd[:, 1] + 1e-12)  # a dot has d = 0: t = 0 whatever inv is
        # Window pixels flattened (S, 2, k * k): x and y go through each step together, and
        # every step is one loop over whole rows (numpy is slow over many rows of k).
        # pixel centre minus a: (S, 2, k * k)
        ap = (first[:, :, None] + grid) + (0.5 - a)[:, :, None]
        d3 = d[:, :, None]
        apd = ap * d3
        t = apd[:, 0] + apd[:, 1]  # (S, k * k): where each pixel projects to
        t *= inv[:, None]
        np.minimum(np.maximum(t, 0.0, out=t), 1.0, out=t)
        e = t[:, None] * d3
        np.subtract(ap, e, out=e)  # the pixel centre minus its nearest point of the piece
        e *= e
        starts = first[:, 1] * pw + first[:, 0]
        np.minimum.at(flat, (starts[:, None] + window).ravel(), (e[:, 0] + e[:, 1]).ravel())
    cov = np.subtract(reach, np.sqrt(flat.reshape(ph, pw)[pad:pad + h, pad:pad + w]))
    return np.minimum(cov, 1.0, out=cov).astype(np.float32)  # coverage(d), d <= reach


@lru_cache(maxsize=1024)
def _window(k: int, pw: int, ph: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a k x k window, flattened row by row: the column and row offset of each of its
    pixels (2, k * k) and their offsets in a padded picture pw wide, from its first pixel;
    the last (x, y) a window may start at in a pw x ph picture. The same few for every
    drawing: made once."""
    row, col = np.divmod(np.arange(k * k, dtype=np.int32), k)
    grid = np.stack((col, row))
    window = row * pw + col
    last_start = np.array([pw - k, ph - k], np.float32)
    for a in (grid, window, last_start):
        a.flags.writeable = False
    return grid, window, last_start


def _subdivide(segs: np.ndarray, max_len: float) -> np.ndarray:
    """Cut segments longer than ``max_len`` into equal pieces."""
    d = segs[:, 2:] - segs[:, :2]
    length = np.hypot(d[:, 0], d[:, 1])
    # the usual case: nothing to cut (the same test as length / max_len <= 1 in float32)
    if np.maximum.reduce(length) <= np.float32(max_len):
        return segs
    pieces = length / max_len
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
