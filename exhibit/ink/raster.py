"""Anti-aliased rendering of thick line segments into a small float raster (numpy only)."""
from __future__ import annotations

import math
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
    segs = np.asarray(segs, np.float32)
    reach = width / 2 + 0.5
    # window side that holds every touched pixel: the centres within reach of a piece span
    # less than MAX_PIECE + 2 * reach (the hair more covers float rounding of the coordinates)
    k = math.ceil(MAX_PIECE + 2 * reach + 1e-3)
    # windows may start left of / above the picture: draw on a padded one, wider than a window.
    # The coordinates are shifted by pad in float32, so its value decides their last bit:
    # it is the one the shipped pictures and networks were made with.
    pad = math.ceil(MAX_PIECE + 2 * reach) + 2
    pw, ph = w + 2 * pad, h + 2 * pad
    grid, window, last_start, step = _window(k, pw, ph)
    # Coordinates as rows (4, S): ax, ay, bx, by. numpy loops slowly over many short rows,
    # so every step below runs over whole rows of S segments or of S * k * k window pixels.
    p = _shifted(segs, pad)
    d, len2 = _deltas(p)
    # (squared lengths of the shifted coordinates: _subdivide's own test up to float rounding)
    if np.maximum.reduce(len2) > np.float32(MAX_PIECE * MAX_PIECE):
        p = _shifted(_subdivide(segs, MAX_PIECE), pad)  # (the usual case has nothing to cut)
        d, len2 = _deltas(p)
    inv = 1.0 / (len2 + 1e-12)  # a dot has d = 0: t = 0 whatever inv is
    # each pixel's squared distance to the nearest piece: coverage falls with distance, so the
    # nearest piece gives the largest coverage, and coverage is then worked out once per pixel
    # of the picture rather than once per pixel of every window. Distances are capped at reach,
    # where coverage is 0 (sqrt(reach * reach) is exactly reach): no clamp at 0 needed.
    flat = np.empty(ph * pw)
    flat.fill(reach * reach)
    # the windows in chunks, so that memory stays small however long the ink is (a scribble,
    # a hostile file)
    for c in range(0, p.shape[1], CHUNK):
        a, b = p[:2, c:c + CHUNK], p[2:, c:c + CHUNK]  # (2, S): x and y
        # the window's first pixel: the first whose centre (i + 0.5) can be within reach. Ink
        # far outside the picture gets a window moved inside the padding: the pixels it then
        # covers are all invisible (the padding is wider than a window), and still right.
        first = np.ceil(np.minimum(a, b) - (reach + 0.5))
        np.minimum(np.maximum(first, 0, out=first), last_start, out=first)
        # The window's pixels: (2, k * k, S), x and y through each step together, in float64
        # (as the sum of the int offsets and float32 coordinates gave it), every operand made
        # so before it meets the big arrays: numpy casts slowly as it broadcasts.
        dc = d[:, None, c:c + CHUNK].astype(np.float64)
        # pixel centre minus a (exact: whole offsets plus a float32 value)
        ap = (first.astype(np.float64) + (0.5 - a))[:, None, :] + grid
        apd = ap * dc
        t = apd[0] + apd[1]  # (k * k, S): where each pixel projects to
        t *= inv[c:c + CHUNK].astype(np.float64)
        np.minimum(np.maximum(t, 0.0, out=t), 1.0, out=t)
        e = t * dc
        np.subtract(ap, e, out=e)  # the pixel centre minus its nearest point of the piece
        e *= e
        starts = step @ first.astype(np.int32)  # first y * pw + first x
        np.minimum.at(flat, (window + starts).ravel(), (e[0] + e[1]).ravel())
    cov = np.subtract(reach, np.sqrt(flat.reshape(ph, pw)[pad:pad + h, pad:pad + w]))
    return np.minimum(cov, 1.0, out=cov).astype(np.float32)  # coverage(d), d <= reach


@lru_cache(maxsize=1024)
def _window(k: int, pw: int, ph: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For a k x k window, flattened row by row: the column and row offset of each of its
    pixels (2, k * k) and their offsets in a padded picture pw wide, from its first pixel;
    the last (x, y) a window may start at in a pw x ph picture; a pixel (x, y)'s offset is
    step @ (x, y). All shaped to broadcast against (2, S) coordinates and (k * k, S)
    pixels. The same few for every drawing: made once."""
    row, col = np.divmod(np.arange(k * k, dtype=np.int32)[:, None], k)
    grid = np.stack((col, row)).astype(np.float64)
    window = row * pw + col
    last_start = np.array([[pw - k], [ph - k]], np.float32)
    step = np.array([1, pw], np.int32)
    for a in (grid, window, last_start, step):
        a.flags.writeable = False
    return grid, window, last_start, step


def _shifted(segs: np.ndarray, pad: int) -> np.ndarray:
    """Segments (S, 4) moved by pad along x and y, as rows (4, S) (float32)."""
    p = np.empty((4, len(segs)), np.float32)
    return np.add(segs.T, pad, out=p)


def _deltas(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each segment's (dx, dy) (2, S) and squared length (S,), from rows (4, S) (float32)."""
    d = p[2:] - p[:2]
    dd = d * d
    return d, dd[0] + dd[1]


def _subdivide(segs: np.ndarray, max_len: float) -> np.ndarray:
    """Cut segments longer than ``max_len`` into equal pieces."""
    d = segs[:, 2:] - segs[:, :2]
    pieces = np.hypot(d[:, 0], d[:, 1]) / max_len
    if np.maximum.reduce(pieces) <= 1.0:
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
