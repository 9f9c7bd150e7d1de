"""Training data for finger-drawn input, built from MNIST training digits.

Two kinds of variation, both applied *before* the one preprocessing path, so that a network
only ever sees normalised inputs:

- raster: a random affine warp (rotation, shear, aspect) of the MNIST picture itself;
- redrawn: the digit thinned to a skeleton and drawn again as line segments with a uniform
  brush of random width after a random affine warp, which is what a finger or stylus leaves.
"""
from __future__ import annotations

import numpy as np

from exhibit.ink.normalize import InputSpec, preprocess
from exhibit.ink.strokes import Segments

MAX_ROTATION = 20.0  # degrees: the largest random rotation of the shipped recipe
_NEIGH = [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)]  # P2..P9


def thin(images: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a batch of binary images (n, h, w) -> skeletons (bool)."""
    img = np.pad(images.astype(np.uint8), ((0, 0), (1, 1), (1, 1)))
    h, w = images.shape[1:]
    while True:
        changed = False
        for step in (0, 1):
            p = [img[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dy, dx in _NEIGH]
            b = sum(x.astype(np.int8) for x in p)
            a = sum(((p[i] == 0) & (p[(i + 1) % 8] == 1)).astype(np.int8) for i in range(8))
            p2, p4, p6, p8 = p[0], p[2], p[4], p[6]
            if step == 0:
                c = ((p2 & p4 & p6) == 0) & ((p4 & p6 & p8) == 0)
            else:
                c = ((p2 & p4 & p8) == 0) & ((p2 & p6 & p8) == 0)
            core = img[:, 1:1 + h, 1:1 + w]
            kill = (core == 1) & (b >= 2) & (b <= 6) & (a == 1) & c
            if kill.any():
                core[kill] = 0
                changed = True
        if not changed:
            return img[:, 1:1 + h, 1:1 + w].astype(bool)


def skeleton_segments(skel: np.ndarray) -> np.ndarray:
    """Join 8-connected skeleton pixels (h, w) into segments (S, 4) in pixel-centre coordinates.

    A diagonal link is skipped where an orthogonal path already joins the two pixels.
    """
    s = skel
    h, w = s.shape
    out = []
    right = s[:, :-1] & s[:, 1:]
    down = s[:-1, :] & s[1:, :]
    dr = s[:-1, :-1] & s[1:, 1:] & ~s[:-1, 1:] & ~s[1:, :-1]
    dl = s[:-1, 1:] & s[1:, :-1] & ~s[:-1, :-1] & ~s[1:, 1:]
    for mask, (oy, ox), (ey, ex) in ((right, (0, 0), (0, 1)), (down, (0, 0), (1, 0)),
                                     (dr, (0, 0), (1, 1)), (dl, (0, 1), (1, -1))):
        r, c = np.nonzero(mask)
        r, c = r + oy, c + ox
        out.append(np.stack([c, r, c + ex, r + ey], axis=1))
    segs = np.concatenate(out).astype(np.float32)
    linked = np.zeros_like(s)
    linked[segs[:, 1].astype(int), segs[:, 0].astype(int)] = True
    linked[segs[:, 3].astype(int), segs[:, 2].astype(int)] = True
    r, c = np.nonzero(s & ~linked)
    dots = np.stack([c, r, c, r], axis=1).astype(np.float32)
    return np.concatenate([segs, dots]) + 0.5


def random_affine(rng: np.random.Generator, rot: float = 12.0, shear: float = 0.25,
                  aspect: float = 0.2) -> np.ndarray:
    """A 2x2 matrix: rotation (degrees), horizontal shear and aspect change, all uniform."""
    t = np.deg2rad(rng.uniform(-rot, rot))
    r = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    sh = np.array([[1.0, rng.uniform(-shear, shear)], [0.0, 1.0]])
    k = np.exp(rng.uniform(-aspect, aspect))
    return r @ sh @ np.diag([k, 1.0 / k])


def warp_segments(segs: np.ndarray, m: np.ndarray) -> np.ndarray:
    pts = segs.reshape(-1, 2)
    c = pts.mean(axis=0)
    return ((pts - c) @ m.T + c).reshape(-1, 4).astype(np.float32)


def warp_raster(img: np.ndarray, m: np.ndarray, out_side: int = 44) -> np.ndarray:
    """Warp a picture (h, w) by matrix m about its centre into out_side^2, bilinear."""
    h, w = img.shape
    inv = np.linalg.inv(m)
    ys, xs = np.mgrid[0:out_side, 0:out_side].astype(np.float32)
    co = (out_side - 1) / 2
    src = np.stack([xs.ravel() - co, ys.ravel() - co]) 
    sx, sy = inv @ src
    sx, sy = sx + (w - 1) / 2, sy + (h - 1) / 2
    x0, y0 = np.floor(sx).astype(int), np.floor(sy).astype(int)
    fx, fy = sx - x0, sy - y0
    pad = np.pad(img.astype(np.float32), 1)

    def at(yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
        return pad[np.clip(yy + 1, 0, h + 1), np.clip(xx + 1, 0, w + 1)]

    v = (at(y0, x0) * (1 - fx) * (1 - fy) + at(y0, x0 + 1) * fx * (1 - fy)
         + at(y0 + 1, x0) * (1 - fx) * fy + at(y0 + 1, x0 + 1) * fx * fy)
    return v.reshape(out_side, out_side)


def style_strokes(segs: np.ndarray, label: int, rng: np.random.Generator) -> list[list[float]]:
    """Handwriting conventions MNIST's (American) writers rarely used, as extra segments for a
    real digit's skeleton: a 7 crossed at mid-height; a 1 with a flag, sometimes with a foot."""
    pts = segs.reshape(-1, 2)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    h = float(hi[1] - lo[1])
    extra: list[list[float]] = []
    if label == 7:
        ym = lo[1] + h * rng.uniform(0.45, 0.6)
        band = pts[np.abs(pts[:, 1] - ym) < 1.0]
        if len(band):
            sx, half = float(band[:, 0].mean()), h * rng.uniform(0.18, 0.3)
            extra.append([sx - half, ym, sx + half, ym + rng.normal(0, 0.5)])
    elif label == 1:
        top = pts[pts[:, 1].argmin()]
        flag = h * rng.uniform(0.2, 0.35)
        extra.append([top[0], top[1], top[0] - 0.8 * flag, top[1] + 0.6 * flag])
        if rng.random() < 0.4:
            bottom = pts[pts[:, 1].argmax()]
            half = h * rng.uniform(0.15, 0.25)
            extra.append([bottom[0] - half, bottom[1], bottom[0] + half, bottom[1]])
    return extra


def add_style(segs: np.ndarray, label: int, rng: np.random.Generator) -> np.ndarray:
    extra = style_strokes(segs, label, rng)
    return np.vstack([segs, np.asarray(extra, np.float32)]) if extra else segs


def redraw_inputs(images: np.ndarray, spec: InputSpec, rng: np.random.Generator,
                  width: tuple[float, float] = (1.4, 3.2), warp: bool = True,
                  labels: np.ndarray | None = None, style_p: float = 0.0,
                  rotation: float = MAX_ROTATION) -> np.ndarray:
    """MNIST pictures (n, 28, 28) uint8 -> skeletons redrawn with a uniform brush, preprocessed.

    With labels and style_p > 0, that share of the 1s and 7s get a flag or a crossbar."""
    skels = thin(images > 90)
    out = np.zeros((len(images), spec.side ** 2), np.float32)
    for i, sk in enumerate(skels):
        segs = skeleton_segments(sk)
        if labels is not None and labels[i] in (1, 7) and rng.random() < style_p:
            segs = add_style(segs, int(labels[i]), rng)
        if warp:
            segs = warp_segments(segs, random_affine(rng, rot=rotation))
        img = preprocess(Segments(segs), spec, stroke_width=float(rng.uniform(*width)))
        if img is not None:
            out[i] = img.ravel()
    return out


def raster_inputs(images: np.ndarray, spec: InputSpec, rng: np.random.Generator | None,
                  rotation: float = MAX_ROTATION) -> np.ndarray:
    """MNIST pictures -> preprocessed, warped at random first when rng is given."""
    out = np.zeros((len(images), spec.side ** 2), np.float32)
    for i, im in enumerate(images):
        x = im.astype(np.float32) / 255.0
        if rng is not None:
            x = warp_raster(x, random_affine(rng, rot=rotation))
        img = preprocess(x, spec)
        if img is not None:
            out[i] = img.ravel()
    return out
