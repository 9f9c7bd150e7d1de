"""The sample digits (keys 0-9 and the sample buttons): real MNIST test digits that the default
network reads right, each button stepping through its digit's pictures in turn."""
from __future__ import annotations

import numpy as np

from exhibit import resources


def load_samples(path=resources.SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (n, 28, 28), labels (n,))."""
    with np.load(path, allow_pickle=False) as z:
        return z["images"], z["labels"]


class SampleDeck:
    """Which picture each digit's button shows next; each one shown gets a new id, so that the
    same picture shown twice still counts as new input."""

    def __init__(self, samples: tuple[np.ndarray, np.ndarray] | None) -> None:
        self.samples = samples
        self._cursor = {d: 0 for d in range(10)}
        self._seq = 0

    def next(self, digit: int) -> tuple[np.ndarray, int, int] | None:
        """(picture float32 (28, 28) in [0, 1], label, id), or None without samples."""
        if self.samples is None:
            return None
        idx = np.flatnonzero(self.samples[1] == digit)
        if len(idx) == 0:
            return None
        i = int(idx[self._cursor[digit] % len(idx)])
        self._cursor[digit] += 1
        self._seq += 1
        return self.samples[0][i].astype(np.float32) / 255.0, digit, self._seq
