"""The 'not a digit' gate: a small separate network that looks at the same 28x28 picture the
digit networks read and says how much it looks like a digit at all.

The ten outputs of the digit networks always sum to one, so they cannot say "none of these";
the gate can. It was trained on real digits against drawings that are not digits (letters,
shapes, doodles, scribbles, unfinished digits; see ``exhibit_training/negatives.py``).
A drawing is *unsure* (the exhibit shows '?') when the gate's digit score is below the
threshold stored in its manifest: :func:`Gate.unsure` is the one definition used by the
screen and by ``classify``.

``weights/gate.npz`` (W1, b1, W2, b2, ...; the last layer has one output, a logit) sits beside
``weights/gate.json`` (sizes, threshold, sha256 of the npz, how it was trained); reading and
writing them is :mod:`exhibit.model.store`'s job, like every network's.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np



@dataclass
class Gate:
    weights: list[np.ndarray]  # (784, h1), (h1, h2), ..., (hk, 1)
    biases: list[np.ndarray]
    threshold: float  # digit score below this: unsure
    manifest: dict[str, Any]

    def score(self, pictures: np.ndarray) -> np.ndarray | float:
        """Digit score in (0, 1) for one 28x28 picture (a float) or a batch (n, 784)."""
        x = np.asarray(pictures, np.float32)
        single = x.ndim == 2 and x.shape == (28, 28) or x.ndim == 1
        a = x.reshape(-1, 784)
        last = len(self.weights) - 1
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            a = a @ w
            a += b
            if l < last:
                np.maximum(a, 0.0, out=a)
        if single:  # the live path: plain floats are quicker than numpy for one value
            return 1.0 / (1.0 + math.exp(-min(30.0, max(-30.0, float(a[0, 0])))))
        return 1.0 / (1.0 + np.exp(-np.clip(a[:, 0], -30.0, 30.0)))

    def unsure(self, picture: np.ndarray | None) -> bool:
        """True exactly when the exhibit shows '?' for this picture (None: nothing drawn)."""
        if picture is None:
            return False
        return bool(self.score(picture) < self.threshold)
