"""Real MNIST digits written again as pen strokes on a canvas.

A digit is thinned, traced into ordered strokes, then placed at a chosen size and position,
resampled like a finger sampled at 60 Hz, optionally with a little hand tremor. This feeds the
bundled examples, the benchmark digit, attract mode and our proxies for visitors' drawings.
"""
from __future__ import annotations

import numpy as np

from exhibit.ink.trace import smooth, trace
from exhibit_training.augment import thin


def digit_strokes(image: np.ndarray) -> list[np.ndarray]:
    """Ordered, smoothed strokes of one MNIST picture (28x28 uint8), in its pixel units."""
    skel = thin((image > 90)[None])[0]
    return [smooth(s) for s in trace(skel)]


def resample(stroke: np.ndarray, spacing: float) -> np.ndarray:
    """Points every ``spacing`` units along the stroke (end point kept)."""
    if len(stroke) < 2:
        return stroke.astype(np.float32)
    d = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(stroke, axis=0).T))])
    if d[-1] <= 0:
        return stroke[:1].astype(np.float32)
    t = np.concatenate([np.arange(0.0, d[-1], spacing), [d[-1]]])
    return np.stack([np.interp(t, d, stroke[:, 0]), np.interp(t, d, stroke[:, 1])], 1).astype(np.float32)


def place(strokes: list[np.ndarray], height: float, centre: tuple[float, float],
          rng: np.random.Generator | None = None, tremor: float = 0.0,
          spacing: float = 8.0) -> list[np.ndarray]:
    """Scale strokes so the digit is ``height`` px tall with its box centred at ``centre``,
    resampled every ``spacing`` px; ``tremor`` adds smooth wobble of that many px."""
    pts = np.vstack(strokes)
    lo, hi = pts.min(0), pts.max(0)
    s = height / max(float(hi[1] - lo[1]), 1e-6)
    mid = (lo + hi) / 2
    out = []
    for st in strokes:
        p = resample((st - mid) * s + np.asarray(centre, np.float32), spacing)
        if tremor > 0 and rng is not None and len(p) >= 5:
            noise = rng.normal(0, tremor, p.shape)
            k = np.ones(5) / 5
            noise = np.stack([np.convolve(noise[:, i], k, mode="same") for i in range(2)], 1)
            p = p + noise.astype(np.float32)
        out.append(p.astype(np.float32))
    return out


def to_json_strokes(strokes: list[np.ndarray], ndigits: int = 1) -> list[list[list[float]]]:
    return [[[round(float(x), ndigits), round(float(y), ndigits)] for x, y in s] for s in strokes]
