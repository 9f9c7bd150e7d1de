"""What trains a network, shared by live learning (run time) and the offline training package:
Adam, SGD with momentum, and accuracy. numpy only.

Both optimisers update their parameter arrays in place. ``lr`` is an attribute, so that a
schedule changes it between steps. Every ``FLUSH_EVERY`` steps values near the bottom of the
float range are zeroed: moments of inputs that rarely see ink decay towards denormal numbers,
which make every operation on them many times slower.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np

FLUSH_EVERY = 64
TINY = 1e-30


class Predicts(Protocol):
    def predict(self, x: np.ndarray) -> np.ndarray: ...


def flush_tiny(arrays: list[np.ndarray]) -> None:
    """Zero every value with |value| < TINY, in place."""
    for a in arrays:
        a[np.abs(a) < TINY] = 0.0


class Adam:
    """Adam (Kingma & Ba, 2015) over ``params``, a list of arrays.

    moments: the dtype of the first and second moments m and v (float64 offline, where long
    runs let float32 moments decay into denormals; float32 for live learning's one buffer)."""

    def __init__(self, params: list[np.ndarray], lr: float, b1: float = 0.9, b2: float = 0.999,
                 eps: float = 1e-8, moments: type = np.float64) -> None:
        self.params, self.lr, self.b1, self.b2, self.eps = params, lr, b1, b2, eps
        self.m = [np.zeros(p.shape, moments) for p in params]
        self.v = [np.zeros(p.shape, moments) for p in params]
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> None:
        """One update: m ← b1·m + (1−b1)·g, v ← b2·v + (1−b2)·g², p ← p − lr·m̂/(√v̂ + eps)."""
        self.t += 1
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            p -= (self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)).astype(p.dtype, copy=False)
        if self.t % FLUSH_EVERY == 0:
            flush_tiny(self.params + self.m + self.v)


class SGD:
    """Stochastic gradient descent with momentum: vel ← μ·vel − lr·g, p ← p + vel."""

    def __init__(self, params: list[np.ndarray], lr: float, momentum: float = 0.9) -> None:
        self.params, self.lr, self.momentum = params, lr, momentum
        self.vel = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> None:
        self.t += 1
        for p, g, v in zip(self.params, grads, self.vel):
            v *= self.momentum
            v -= self.lr * g
            p += v.astype(p.dtype, copy=False)
        if self.t % FLUSH_EVERY == 0:
            flush_tiny(self.params + self.vel)


def predict_labels(net: Predicts, x: np.ndarray, batch: int = 2048) -> np.ndarray:
    """(n,) most likely class of each input in ``x`` (n, ...): float inputs in [0, 1], or uint8
    pixels 0..255, which are scaled here chunk by chunk (live learning keeps its digits as bytes)."""
    out = []
    for i in range(0, len(x), batch):
        chunk = x[i:i + batch]
        if chunk.dtype == np.uint8:
            chunk = chunk.astype(np.float32) * (1 / 255.0)
        out.append(net.predict(chunk).argmax(axis=1))
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def accuracy(net: Predicts, x: np.ndarray, y: np.ndarray, batch: int = 2048) -> float:
    """Share of ``x`` that ``net`` reads as ``y`` (0.0 for no inputs)."""
    return float((predict_labels(net, x, batch) == y).sum()) / max(1, len(x))
