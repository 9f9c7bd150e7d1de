"""The one preprocessing path: a drawing (strokes or a raster) -> the picture a network reads.

Everything that feeds a network goes through :func:`preprocess`: live drawing, replay, attract
mode, ``classify``, evaluation and the training data. It follows the MNIST recipe:

1. crop to the ink and scale so that the longest side is 20 px (area averaging for rasters;
   strokes are rendered straight into that 20 px box with a brush whose width is fixed *in the
   box*, so a small digit does not turn into a fat one);
2. paste into 28x28 with the centre of mass at pixel (14, 14), rounded as MNIST did;
3. optionally deskew by image moments (a horizontal shear about the centre of mass);
4. optionally area-average to 14x14 for the compact network.

Pixel values are float32 in [0, 1], 1 = ink. Coordinates: x to the right, y down, pixel (r, c)
covers [c, c+1) x [r, r+1).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from exhibit.ink.raster import render_segments
from exhibit.ink.strokes import Segments, Strokes, bounds, stroke_segments

BOX = 20  # MNIST: the longest side of the ink fits 20 px
SIDE = 28
CENTRE = 14.0
STROKE_WIDTH = 2.4  # brush width in px of the 20 px box: MNIST's strokes are about 2-2.5
MAX_INK = 3000.0  # px of stroke length in the picture; a digit needs under 200, a scribble more


@dataclass(frozen=True)
class InputSpec:
    """What a network expects: side 28 or 14, deskewed or not."""

    side: int = 28
    deskew: bool = True

    def __post_init__(self) -> None:
        if self.side not in (28, 14):
            raise ValueError(f"input side must be 28 or 14, not {self.side}")


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
    img, mass = _paste(box) if centre else (box, None)
    if spec.deskew and centre:
        img = deskew(img, mass)
    if spec.side == 14:
        img = pool2x2(img)
    return img.astype(np.float32, copy=False)


def pool2x2(img: np.ndarray) -> np.ndarray:
    """(..., H, W) -> (..., H/2, W/2) by 2x2 means: 28x28 -> 14x14 for the side-14 networks.
    The one pooling of the project: live reading, training and evaluation all call it."""
    *lead, h, w = img.shape
    return img.reshape(*lead, h // 2, 2, w // 2, 2).mean(axis=(-3, -1))


def strokes_box(strokes: Strokes, stroke_width: float = STROKE_WIDTH) -> np.ndarray | None:
    """Render strokes into their 20 px ink box (longest side 20, the brush's AA fringe included)."""
    segs = stroke_segments(strokes)
    if segs is None:
        return None
    known = strokes.bounds if isinstance(strokes, Segments) else None
    lo, hi = bounds(segs.reshape(-1, 2)) if known is None else known
    extent = hi - lo
    longest = float(max(extent[0], extent[1]))
    w = float(stroke_width)
    # The coverage profile reaches w/2 + 0.5 from the centre line, so the ink spans
    # scale*longest + w + 1 pixels; make that BOX.
    scale = (BOX - 1.0 - w) / longest if longest > 1e-6 else 0.0
    margin = (w + 1.0) / 2.0
    # a new array, then in place; rows of 4 (both ends), as numpy loops slowly over rows of 2
    segs = segs - np.concatenate((lo, lo))
    segs *= scale
    segs += margin
    if len(segs) > 24:
        segs, ink = _decimate(segs)
        # chords are no longer than the segments they replace; half the limit leaves room
        # for float rounding: the exact total is only needed for a scribble
        if ink > MAX_INK / 2:
            segs = _bounded(segs)
    # float32 scalars: the same rounding as the array maths this replaced, without its overhead
    s32 = np.float32(scale)
    h, wd = (min(BOX, math.ceil(e * s32 + 2 * margin - 1e-6)) for e in (extent[1], extent[0]))
    return render_segments(segs, (max(h, 1), max(wd, 1)), w)


def _decimate(segs: np.ndarray, step: float = 0.8) -> tuple[np.ndarray, float]:
    """Merge runs of short consecutive segments into chords about ``step`` px long.

    A fast finger or a high-rate mouse gives many tiny segments; rendering cost grows with
    their number, while chords this short change no pixel visibly. Only segments that
    continue the previous one (a polyline) are merged. ``segs`` is C-contiguous with finite,
    positive coordinates (as :func:`strokes_box` makes them). Returns the chords and the
    segments' total length.
    """
    n = len(segs)
    # A point's (x, y) float32 pair read as one int64: one comparison per segment tells where
    # a polyline starts (equal bits are equal values for these coordinates: no NaN, no -0).
    ends = segs.view(np.int64)  # (S, 2): a and b of each segment
    new = np.not_equal(ends[1:, 0], ends[:-1, 1])  # segment i + 1 does not start at i's end
    length = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])  # (columns: one loop each)
    cum = np.add.accumulate(length)  # (np.cumsum: the same sums, plus a Python wrapper)
    total = float(cum[-1])
    if np.count_nonzero(new):  # several polylines: measure each from its own start
        first = np.concatenate(([True], new))
        cum = cum - (cum - length)[first][np.cumsum(first) - 1]
    bucket = np.floor(cum / step)
    # keep[i] = (a chord starts at segment i, a chord ends at segment i): a segment's end is
    # kept when it is the last of its polyline or enters a new bucket, and the next chord
    # starts at the segment after a kept end
    keep = np.empty((n, 2), bool)
    np.logical_or(new, np.not_equal(bucket[1:], bucket[:-1]), out=keep[:-1, 1])
    keep[-1, 1] = keep[0, 0] = True
    keep[1:, 0] = keep[:-1, 1]
    # the kept points, in order (start, end, start, end, ...), in one boolean gather
    return ends.reshape(-1)[keep.reshape(-1)].view(np.float32).reshape(-1, 4), total


def _bounded(segs: np.ndarray, max_ink: float = MAX_INK) -> np.ndarray:
    """Keep rendering cost bounded whatever is drawn: past ``max_ink`` px of stroke length (a
    vandal's scribble, which fills the picture many times over) only an even share of the
    segments is drawn. Digits never come near the limit, so they are untouched."""
    total = float(np.add.reduce(np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])))
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


_INDEX = np.arange(64)  # pixel indices (int, as np.arange gives them), sliced per box


def paste_by_mass(box: np.ndarray) -> np.ndarray:
    """Paste a box into 28x28 so that its centre of mass lands on pixel (14, 14), as MNIST."""
    return _paste(box)[0]


def _paste(box: np.ndarray) -> tuple[np.ndarray, tuple[float, float, float] | None]:
    """:func:`paste_by_mass`, and the picture's (mass, cy, cx) when the whole box landed on it
    (deskew then need not measure them again)."""
    h, w = box.shape
    m = float(np.add.reduce(box, axis=None))  # ufuncs direct: the methods' wrappers cost more
    if m <= 0:
        cy, cx = (h - 1) / 2, (w - 1) / 2
    else:
        cy = float(np.add.reduce(box, axis=1) @ _INDEX[:h]) / m
        cx = float(np.add.reduce(box, axis=0) @ _INDEX[:w]) / m
    oy, ox = math.floor(CENTRE - cy + 0.5), math.floor(CENTRE - cx + 0.5)
    out = np.zeros((SIDE, SIDE), np.float32)
    y0, x0 = max(oy, 0), max(ox, 0)
    y1, x1 = min(oy + h, SIDE), min(ox + w, SIDE)
    out[y0:y1, x0:x1] = box[y0 - oy:y1 - oy, x0 - ox:x1 - ox]
    whole = m > 0 and (y0, x0, y1, x1) == (oy, ox, oy + h, ox + w)
    return out, ((m, cy + oy, cx + ox) if whole else None)


_COORD = np.arange(SIDE, dtype=np.float32)
_PAD = SIDE + 2  # the shear moves a row by at most |alpha| * 28 <= 28 pixels
_BASE = (np.arange(SIDE)[:, None] * (SIDE + 2 * _PAD) + np.arange(SIDE)[None, :] + _PAD)
_PAIR = np.stack((_BASE, _BASE + 1))  # (2, 28, 28): a pixel's source and its right neighbour


def deskew(img: np.ndarray, mass: tuple[float, float, float] | None = None) -> np.ndarray:
    """Shear rows so that the image's second moment mu11 becomes zero (upright strokes).

    Row y takes its pixels from x + alpha * (y - cy) with linear interpolation, where
    alpha = mu11 / mu02; alpha is capped at +-1 so a near-horizontal scribble stays on the
    picture. Expects a 28x28 picture; ``mass`` is its (mass, cy, cx) if already known.
    """
    rows = np.add.reduce(img, axis=1)
    if mass is None:
        m = float(np.add.reduce(rows))
        if m <= 0:
            return img
        cy, cx = float(rows @ _COORD) / m, None
    else:
        m, cy, cx = mass
    dy = _COORD - cy
    mu02 = float(rows @ (dy * dy)) / m
    if mu02 < 1e-3:
        return img
    if cx is None:
        cx = float(np.add.reduce(img, axis=0) @ _COORD) / m
    mu11 = float(dy @ (img @ (_COORD - cx))) / m
    alpha = max(-1.0, min(1.0, mu11 / mu02))
    if abs(alpha) < 1e-3:
        return img
    shift = alpha * dy
    whole = np.floor(shift)
    frac = (shift - whole)[:, None]
    padded = np.zeros((SIDE, SIDE + 2 * _PAD), img.dtype)  # (np.pad does this many times slower)
    padded[:, _PAD:_PAD + SIDE] = img
    flat = padded.ravel()
    # each pixel's left and right source in one gather
    left, right = flat[_PAIR + whole.astype(np.int64)[:, None]]
    right -= left
    right *= frac
    right += left
    return right.astype(np.float32, copy=False)


def preprocess_many(drawings: Sequence[Strokes | np.ndarray], spec: InputSpec,
                    stroke_width: float = STROKE_WIDTH) -> tuple[np.ndarray, np.ndarray]:
    """Preprocess a batch; returns (inputs (n, side*side), has_ink (n,) bool)."""
    out = np.zeros((len(drawings), spec.side * spec.side), np.float32)
    ok = np.zeros(len(drawings), bool)
    for i, d in enumerate(drawings):
        img = preprocess(d, spec, stroke_width=stroke_width)
        if img is not None:
            out[i] = img.ravel()
            ok[i] = True
    return out, ok
