"""The preprocessing path exactly as it was before it was made faster (commit 47bf547), kept
verbatim as the oracle for tests/test_preprocess_equal.py: the fast path must compute the same
pictures. Only the imports are changed; do not edit the code below."""
from __future__ import annotations

import numpy as np

from exhibit.ink.normalize import InputSpec
from exhibit.ink.strokes import Segments, Strokes


BOX = 20  # MNIST: the longest side of the ink fits 20 px
SIDE = 28
CENTRE = 14.0
STROKE_WIDTH = 2.4  # brush width in px of the 20 px box: MNIST's strokes are about 2-2.5
MAX_INK = 3000.0  # px of stroke length in the picture; a digit needs under 200, a scribble more


MAX_PIECE = 1.2  # segments are cut into pieces at most this long, so each touches a small window
CHUNK = 8192  # pieces rendered at a time (bounds the memory of a very long scribble)


def coverage(d: np.ndarray, width: float) -> np.ndarray:
    """Brush profile: 1 inside, a one-pixel linear ramp at the edge; integrates to ``width``."""
    return np.clip(width / 2 + 0.5 - d, 0.0, 1.0)


def render_segments(segs: np.ndarray, shape: tuple[int, int], width: float) -> np.ndarray:
    """Coverage of round-capped strokes of ``width`` px along ``segs`` (S, 4: ax, ay, bx, by).

    A pixel's value is coverage(d), d the distance from its centre to the nearest segment.
    Each piece of a segment only reaches a small window of pixels, so the cost grows with the
    length of the ink, not with the picture's area times the number of segments.
    """
    h, w = shape
    segs = _subdivide(np.asarray(segs, np.float32), MAX_PIECE)
    reach = width / 2 + 0.5
    k = int(np.ceil(MAX_PIECE + 2 * reach)) + 1  # window side that holds every touched pixel
    pad = k + 1  # windows may start left of / above the picture: draw on a padded one
    pw, ph = w + 2 * pad, h + 2 * pad
    flat = np.zeros(ph * pw, np.float32)  # same dtype: ufunc.at is slow when casting
    off = np.arange(k, dtype=np.int32)
    # in chunks, so that memory stays small however long the ink is (a scribble, a hostile file)
    for c in range(0, len(segs), CHUNK):
        ax, ay, bx, by = (segs[c:c + CHUNK] + pad).T
        # the window's first pixel: the first whose centre (i + 0.5) can be within reach. Ink
        # far outside the picture gets a window moved inside the padding: the pixels it then
        # covers are all invisible (the padding is wider than a window), and still right.
        x0 = np.clip(np.ceil(np.minimum(ax, bx) - (reach + 0.5)), 0, pw - k).astype(np.int32)
        y0 = np.clip(np.ceil(np.minimum(ay, by) - (reach + 0.5)), 0, ph - k).astype(np.int32)
        ix = x0[:, None, None] + off  # (S, 1, k)
        iy = y0[:, None, None] + off[:, None]  # (S, k, 1)
        dx, dy = (bx - ax)[:, None, None], (by - ay)[:, None, None]
        inv = 1.0 / (dx * dx + dy * dy + 1e-12)  # a dot has d = 0, so t = 0 whatever inv is
        apx = ix + (0.5 - ax[:, None, None])
        apy = iy + (0.5 - ay[:, None, None])
        t = np.clip((apx * dx + apy * dy) * inv, 0.0, 1.0)
        ex = apx - t * dx
        ey = apy - t * dy
        cov = coverage(np.sqrt(ex * ex + ey * ey), width).astype(np.float32, copy=False)
        np.maximum.at(flat, (iy * pw + ix).ravel(), cov.ravel())
    return flat.reshape(ph, pw)[pad:pad + h, pad:pad + w].astype(np.float32)


def _subdivide(segs: np.ndarray, max_len: float) -> np.ndarray:
    """Cut segments longer than ``max_len`` into equal pieces."""
    d = segs[:, 2:] - segs[:, :2]
    n = np.maximum(1, np.ceil(np.hypot(d[:, 0], d[:, 1]) / max_len)).astype(np.int64)
    if n.max() == 1:
        return segs
    parent = np.repeat(np.arange(len(segs)), n)
    k = np.arange(len(parent)) - np.repeat(np.cumsum(n) - n, n)
    t0 = (k / n[parent])[:, None].astype(np.float32)
    t1 = ((k + 1) / n[parent])[:, None].astype(np.float32)
    a, dp = segs[parent, :2], d[parent]
    return np.hstack([a + t0 * dp, a + t1 * dp])


def stroke_segments(strokes: Strokes) -> np.ndarray | None:
    """All strokes as line segments (S, 4), a single-point stroke as a dot; None if no points.

    Points are joined by straight segments, so fast finger motion leaves no gaps.
    Non-finite points (a broken touch driver) are dropped.
    """
    if isinstance(strokes, Segments):
        ok = np.isfinite(strokes.array).all(axis=1)
        return strokes.array[ok] if ok.any() else None
    parts = []
    for s in strokes:
        p = np.asarray(s, dtype=np.float32).reshape(-1, 2)
        p = p[np.isfinite(p).all(axis=1)]
        if len(p) == 0:
            continue
        if len(p) == 1:
            p = np.vstack([p, p])
        parts.append(np.hstack([p[:-1], p[1:]]))
    if not parts:
        return None
    return np.vstack(parts)


def preprocess(drawing: Strokes | np.ndarray, spec: InputSpec = InputSpec(), *,
               stroke_width: float = STROKE_WIDTH, centre: bool = True,
               frame: tuple[float, float] | None = None, brush: float = 20.0) -> np.ndarray | None:
    """Turn a drawing into a network input of shape (side, side), or None when it has no ink.

    ``drawing`` is either strokes (a sequence of (n, 2) point arrays in any pixel units) or a
    2-D raster with ink high in [0, 1]. ``stroke_width`` is the brush width in pixels of the
    20 px box. ``centre=False`` skips cropping, scaling and centring (a teaching aid only, to
    show why they matter): the whole canvas (``frame``, w x h, for strokes drawn with a
    ``brush`` px wide) or raster is shrunk to 28x28 as it is.
    """
    if isinstance(drawing, np.ndarray) and drawing.ndim == 2:
        box = raster_box(drawing) if centre else uncentred_raster(drawing)
    elif not centre and frame is not None:
        box = uncentred_strokes(drawing, frame, brush)
    else:
        box = strokes_box(drawing, stroke_width)
    if box is None:
        return None
    img = paste_by_mass(box) if centre else box
    if spec.deskew and centre:
        img = deskew(img)
    if spec.side == 14:
        img = img.reshape(14, 2, 14, 2).mean(axis=(1, 3))
    return img.astype(np.float32, copy=False)


def strokes_box(strokes: Strokes, stroke_width: float = STROKE_WIDTH) -> np.ndarray | None:
    """Render strokes into their 20 px ink box (longest side 20, the brush's AA fringe included)."""
    segs = stroke_segments(strokes)
    if segs is None:
        return None
    pts = segs.reshape(-1, 2)
    lo = pts.min(axis=0)
    extent = pts.max(axis=0) - lo
    longest = float(extent.max())
    w = float(stroke_width)
    # The coverage profile reaches w/2 + 0.5 from the centre line, so the ink spans
    # scale*longest + w + 1 pixels; make that BOX.
    scale = (BOX - 1.0 - w) / longest if longest > 1e-6 else 0.0
    margin = (w + 1.0) / 2.0
    segs = (segs - np.tile(lo, 2)) * scale + margin
    if len(segs) > 24:
        segs = _bounded(_decimate(segs))
    h, wd = np.minimum(BOX, np.ceil(extent[::-1] * scale + 2 * margin - 1e-6)).astype(int)
    return render_segments(segs, (max(h, 1), max(wd, 1)), w)


def _decimate(segs: np.ndarray, step: float = 0.8) -> np.ndarray:
    """Merge runs of short consecutive segments into chords about ``step`` px long.

    A fast finger or a high-rate mouse gives many tiny segments; rendering cost grows with
    their number, while chords this short change no pixel visibly. Only segments that
    continue the previous one (a polyline) are merged.
    """
    a, b = segs[:, :2], segs[:, 2:]
    cont = np.zeros(len(segs), bool)
    cont[1:] = (a[1:] == b[:-1]).all(axis=1)
    length = np.hypot(*(b - a).T)
    run = np.cumsum(~cont)  # polyline id of each segment
    cum = np.cumsum(length)
    start_cum = (cum - length)[~cont][run - 1]  # arc length where each polyline starts
    bucket = np.floor((cum - start_cum) / step).astype(np.int64)
    # keep a segment's end point when it is the last of its polyline or enters a new bucket
    last = np.ones(len(segs), bool)
    last[:-1] = ~cont[1:]
    keep_end = last.copy()
    keep_end[:-1] |= (bucket[1:] != bucket[:-1]) & cont[1:]
    ends = np.flatnonzero(keep_end)
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    # a chord runs from the start of its first segment to the end of its last segment
    return np.hstack([a[starts], b[ends]])


def _bounded(segs: np.ndarray, max_ink: float = MAX_INK) -> np.ndarray:
    """Keep rendering cost bounded whatever is drawn: past ``max_ink`` px of stroke length (a
    vandal's scribble, which fills the picture many times over) only an even share of the
    segments is drawn. Digits never come near the limit, so they are untouched."""
    total = float(np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]).sum())
    if total <= max_ink:
        return segs
    return segs[::int(np.ceil(total / max_ink))]


def raster_box(img: np.ndarray, threshold: float = 0.5 / 255) -> np.ndarray | None:
    """Crop a raster to its ink and area-average it so that the longest side is 20 px."""
    img = np.asarray(img, dtype=np.float32)
    rows = np.flatnonzero((img > threshold).any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero((img > threshold).any(axis=0))
    crop = img[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    s = BOX / max(h, w)
    oh, ow = max(1, round(h * s)), max(1, round(w * s))
    if (oh, ow) == (h, w):
        return np.clip(crop, 0.0, 1.0)
    return np.clip(area_matrix(h, oh) @ crop @ area_matrix(w, ow).T, 0.0, 1.0)


def uncentred_raster(img: np.ndarray) -> np.ndarray | None:
    """The whole raster area-averaged to 28x28, no cropping or centring (for the X toggle)."""
    img = np.asarray(img, dtype=np.float32)
    if not (img > 0.5 / 255).any():
        return None
    h, w = img.shape
    side = max(h, w)
    sq = np.zeros((side, side), np.float32)
    sq[(side - h) // 2:(side - h) // 2 + h, (side - w) // 2:(side - w) // 2 + w] = img
    return np.clip(area_matrix(side, SIDE) @ sq @ area_matrix(side, SIDE).T, 0, 1)


def uncentred_strokes(strokes: Strokes, frame: tuple[float, float], brush: float) -> np.ndarray | None:
    """Strokes on a (w, h) canvas shrunk to 28x28 as they are, brush and all."""
    segs = stroke_segments(strokes)
    if segs is None:
        return None
    fw, fh = frame
    s = SIDE / max(fw, fh)
    off = np.array([(SIDE - fw * s) / 2, (SIDE - fh * s) / 2] * 2, np.float32)
    return render_segments(_bounded(segs * s + off), (SIDE, SIDE), max(0.5, brush * s))


def area_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) weights that average input pixels by their overlap with each output pixel."""
    edges_out = np.arange(n_out + 1) * (n_in / n_out)
    lo = np.maximum(edges_out[:-1, None], np.arange(n_in)[None, :])
    hi = np.minimum(edges_out[1:, None], np.arange(1, n_in + 1)[None, :])
    overlap = np.clip(hi - lo, 0.0, None)
    return (overlap / overlap.sum(axis=1, keepdims=True)).astype(np.float32)


def paste_by_mass(box: np.ndarray) -> np.ndarray:
    """Paste a box into 28x28 so that its centre of mass lands on pixel (14, 14), as MNIST."""
    h, w = box.shape
    m = float(box.sum())
    if m <= 0:
        cy, cx = (h - 1) / 2, (w - 1) / 2
    else:
        cy = float(box.sum(axis=1) @ np.arange(h)) / m
        cx = float(box.sum(axis=0) @ np.arange(w)) / m
    oy, ox = int(np.floor(CENTRE - cy + 0.5)), int(np.floor(CENTRE - cx + 0.5))
    out = np.zeros((SIDE, SIDE), np.float32)
    y0, x0 = max(oy, 0), max(ox, 0)
    y1, x1 = min(oy + h, SIDE), min(ox + w, SIDE)
    out[y0:y1, x0:x1] = box[y0 - oy:y1 - oy, x0 - ox:x1 - ox]
    return out


_COORD = np.arange(SIDE, dtype=np.float32)
_PAD = SIDE + 2  # the shear moves a row by at most |alpha| * 28 <= 28 pixels
_BASE = (np.arange(SIDE)[:, None] * (SIDE + 2 * _PAD) + np.arange(SIDE)[None, :] + _PAD)


def deskew(img: np.ndarray) -> np.ndarray:
    """Shear rows so that the image's second moment mu11 becomes zero (upright strokes).

    Row y takes its pixels from x + alpha * (y - cy) with linear interpolation, where
    alpha = mu11 / mu02; alpha is capped at +-1 so a near-horizontal scribble stays on the
    picture. Expects a 28x28 picture.
    """
    rows = img.sum(axis=1)
    m = float(rows.sum())
    if m <= 0:
        return img
    cy = float(rows @ _COORD) / m
    dy = _COORD - cy
    mu02 = float(rows @ (dy * dy)) / m
    if mu02 < 1e-3:
        return img
    cx = float(img.sum(axis=0) @ _COORD) / m
    mu11 = float(dy @ (img @ (_COORD - cx))) / m
    alpha = max(-1.0, min(1.0, mu11 / mu02))
    if abs(alpha) < 1e-3:
        return img
    shift = alpha * dy
    whole = np.floor(shift)
    frac = (shift - whole)[:, None]
    flat = np.pad(img, ((0, 0), (_PAD, _PAD))).ravel()
    idx = _BASE + whole.astype(np.int64)[:, None]
    left = flat[idx]
    return (left + (flat[idx + 1] - left) * frac).astype(np.float32, copy=False)


def picture(drawing, spec: InputSpec, stroke_width: float, min_points: int, min_size: float,
            centre: bool = True, frame=None, brush: float = 20.0):
    """Recognizer.picture as it was (its tap and point-count filter, then preprocess)."""
    if isinstance(drawing, (list, tuple)):
        pts = [np.asarray(s, np.float32).reshape(-1, 2) for s in drawing]
        pts = [p[np.isfinite(p).all(axis=1)] for p in pts]
        n = sum(len(p) for p in pts)
        if n < min_points or n == 0:
            return None
        if min_size > 0:
            allp = np.concatenate(pts)
            if float((allp.max(axis=0) - allp.min(axis=0)).max()) < min_size:
                return None
    return preprocess(drawing, spec, stroke_width=stroke_width, centre=centre,
                      frame=frame, brush=brush)
