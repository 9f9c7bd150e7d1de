"""Anti-aliased rendering of thick line segments into a small float raster (numpy only)."""
from __future__ import annotations

import numpy as np


def render_segments(segs: np.ndarray, shape: tuple[int, int], width: float) -> np.ndarray:
    """Coverage of round-capped strokes of ``width`` px along ``segs`` (S, 4: ax, ay, bx, by).

    A pixel's value is clip(width/2 + 0.5 - d, 0, 1), d the distance from its centre to the
    nearest segment: a one-pixel linear ramp that integrates to the brush width, which is
    what area averaging a crisp brush gives for strokes wider than a pixel.
    """
    h, w = shape
    segs = np.asarray(segs, np.float32)
    ax, ay = segs[:, 0], segs[:, 1]
    dx, dy = segs[:, 2] - ax, segs[:, 3] - ay
    len2 = dx * dx + dy * dy
    inv = np.divide(1.0, len2, out=np.zeros_like(len2), where=len2 > 1e-12)
    apx = (np.arange(w, dtype=np.float32) + 0.5)[:, None] - ax  # (w, S)
    apy = (np.arange(h, dtype=np.float32) + 0.5)[:, None] - ay  # (h, S)
    # t = clip(ap . d / |d|^2, 0, 1), the nearest point's position along each segment
    t = np.add((apy * (dy * inv))[:, None, :], (apx * (dx * inv))[None, :, :])
    np.clip(t, 0.0, 1.0, out=t)
    ex = apx[None, :, :] - t * dx
    t *= dy
    np.subtract(apy[:, None, :], t, out=t)  # t now holds ey
    ex *= ex
    t *= t
    ex += t
    d = np.sqrt(ex.min(axis=2))
    return np.clip(width / 2 + 0.5 - d, 0.0, 1.0)
