"""Real pen-drawn digits (UCI pendigits, 30 writers) as training and validation data.

The file is the exhibit's stroke-file format plus a ``writer`` per digit (see the README
beside it). Digits go through the one preprocessing path like a visitor's drawing; for
training, each is also warped at random (rotation, shear, aspect), its points jittered and
drawn with a brush of random width. Splits are always by writer.

Credit (CC BY 4.0): Alpaydin, E. & Alimoglu, F. (1998). Pen-Based Recognition of Handwritten
Digits. UCI Machine Learning Repository. DOI 10.24432/C5MG6K.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from exhibit.ink.normalize import InputSpec, preprocess
from exhibit.training.augment import random_affine

CREDIT = ("Alpaydin, E. & Alimoglu, F. (1998). Pen-Based Recognition of Handwritten Digits. "
          "UCI Machine Learning Repository. DOI 10.24432/C5MG6K. Licence CC BY 4.0.")
# Writers held out to choose recipes (a fixed, arbitrary third of the 30).
VAL_WRITERS = ("train-03", "train-07", "train-10", "train-14", "train-17", "train-21",
               "train-25", "train-28")


@dataclass
class PenDigits:
    strokes: list[list[np.ndarray]]
    labels: np.ndarray
    writers: np.ndarray  # str
    sha256: str

    def subset(self, mask: np.ndarray) -> "PenDigits":
        idx = np.flatnonzero(mask)
        return PenDigits([self.strokes[i] for i in idx], self.labels[idx], self.writers[idx],
                         self.sha256)

    def __len__(self) -> int:
        return len(self.labels)


def load(path: str | Path) -> PenDigits:
    raw = Path(path).read_bytes()
    doc = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    strokes, labels, writers = [], [], []
    for d in doc["digits"]:
        st = [np.asarray(s, np.float32).reshape(-1, 2)[:, :2] for s in d["strokes"] if len(s)]
        if not st:
            continue
        strokes.append(st)
        labels.append(int(d["label"]))
        writers.append(str(d.get("writer", "unknown")))
    return PenDigits(strokes, np.asarray(labels, np.int64), np.asarray(writers),
                     hashlib.sha256(raw).hexdigest())


def split(data: PenDigits, val_writers: Sequence[str] = VAL_WRITERS) -> tuple[PenDigits, PenDigits]:
    """(training writers, validation writers)."""
    val = np.isin(data.writers, list(val_writers))
    return data.subset(~val), data.subset(val)


def jitter(stroke: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """A smooth random wobble of the points (amount in units of the stroke's own scale)."""
    if len(stroke) < 5 or amount <= 0:
        return stroke
    n = len(stroke)
    noise = rng.normal(0.0, amount, (n, 2))
    k = np.ones(5) / 5.0
    noise = np.stack([np.convolve(noise[:, j], k, mode="same") for j in range(2)], axis=1)
    return (stroke + noise).astype(np.float32)


def augment(strokes: list[np.ndarray], rng: np.random.Generator, rotation: float = 15.0,
            shear: float = 0.3, aspect: float = 0.25, wobble: float = 0.015) -> list[np.ndarray]:
    pts = np.concatenate(strokes)
    c = pts.mean(axis=0)
    size = float((pts.max(axis=0) - pts.min(axis=0)).max()) or 1.0
    m = random_affine(rng, rot=rotation, shear=shear, aspect=aspect).astype(np.float32)
    out = []
    for s in strokes:
        s = (s - c) @ m.T + c
        out.append(jitter(s, rng, wobble * size))
    return out


def inputs(data: PenDigits, spec: InputSpec, rng: np.random.Generator | None = None,
           copies: int = 1, width: tuple[float, float] = (1.6, 3.2), rotation: float = 15.0,
           stroke_width: float = 2.4) -> tuple[np.ndarray, np.ndarray]:
    """Preprocessed inputs (n*copies, side^2) and labels. Without rng: as written, one copy,
    drawn with the exhibit's brush (``stroke_width``), i.e. what ``classify`` sees."""
    xs = np.zeros((len(data) * copies, spec.side ** 2), np.float32)
    k = 0
    for c in range(copies):
        for st in data.strokes:
            if rng is None:
                img = preprocess(st, spec, stroke_width=stroke_width)
            else:
                s = st if c == 0 else augment(st, rng, rotation=rotation)
                img = preprocess(s, spec, stroke_width=float(rng.uniform(*width)))
            if img is not None:
                xs[k] = img.ravel()
            k += 1
    return xs, np.tile(data.labels, copies)
