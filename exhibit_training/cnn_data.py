"""Training data for the CNN: MNIST (as pictures, warped, and redrawn as strokes) plus real
pen-drawn digits (UCI pendigits, 30 writers), all through the one preprocessing path.

Pen-drawn digits are split by *writer*, never by digit: :data:`VAL_WRITERS` (6 of the 30) are
kept out of training while a recipe is chosen, and accuracy on them is reported per writer.
They are rendered exactly as ``classify`` renders a stroke file (the exhibit's brush width,
no warp); training copies are warped at random (rotation, shear, aspect) and drawn with a
random brush width, fresh every epoch.

Pendigits: Alpaydin, E. & Alimoglu, F. (1998). Pen-Based Recognition of Handwritten Digits.
UCI Machine Learning Repository. DOI 10.24432/C5MG6K. CC BY 4.0.
"""
from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from exhibit.ink.normalize import InputSpec, preprocess
from exhibit_training import augment, trainer

SPEC = InputSpec(28, True)
# six of the thirty writers, drawn once with np.random.default_rng(11).choice(30, 6)
VAL_WRITERS = tuple(f"train-{i + 1:02d}" for i in sorted(np.random.default_rng(11).choice(30, 6,
                                                                                      replace=False)))
PEN_CREDIT = ("Alpaydin, E. & Alimoglu, F. (1998). Pen-Based Recognition of Handwritten Digits. "
              "UCI Machine Learning Repository. DOI 10.24432/C5MG6K. Licence CC BY 4.0.")


@dataclass
class PenDigits:
    strokes: list[list[np.ndarray]]  # per digit, its strokes as (k, 2) float32, y down
    labels: np.ndarray  # (n,) int64
    writers: np.ndarray  # (n,) str

    def subset(self, mask: np.ndarray) -> "PenDigits":
        idx = np.flatnonzero(mask)
        return PenDigits([self.strokes[i] for i in idx], self.labels[idx], self.writers[idx])

    def __len__(self) -> int:
        return len(self.labels)


def load_pendigits(path: str | Path) -> PenDigits:
    """The pen-drawn digits file (gzipped stroke JSON with a writer per digit)."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        doc = json.load(f)
    digits = doc["digits"]
    strokes = [[np.asarray(s, np.float32).reshape(-1, 2)[:, :2] for s in d["strokes"] if len(s)]
               for d in digits]
    return PenDigits(strokes, np.array([int(d["label"]) for d in digits], np.int64),
                     np.array([str(d["writer"]) for d in digits]))


def split_writers(pen: PenDigits, val_writers: tuple[str, ...] = VAL_WRITERS
                  ) -> tuple[PenDigits, PenDigits]:
    """(training writers, validation writers)."""
    held = np.isin(pen.writers, list(val_writers))
    return pen.subset(~held), pen.subset(held)


def render_pen(pen: PenDigits, rng: np.random.Generator | None, stroke_width: float = 2.4,
               width: tuple[float, float] = (1.9, 3.0), rotation: float = 15.0,
               shear: float = 0.3, aspect: float = 0.2, jitter: float = 0.0) -> np.ndarray:
    """Pen digits -> network inputs (n, 784). Without rng: as the exhibit draws them (brush
    ``stroke_width``); with rng: each warped at random first, with a random brush width.

    ``jitter`` (a share of the digit's size) adds a hand's wobble: smooth noise of that size on
    every point and a shift of twice that on each stroke of a multi-stroke digit."""
    out = np.zeros((len(pen), SPEC.side ** 2), np.float32)
    for i, strokes in enumerate(pen.strokes):
        w = stroke_width
        if rng is not None:
            m = augment.random_affine(rng, rot=rotation, shear=shear, aspect=aspect).astype(np.float32)
            pts = np.concatenate(strokes)
            c = pts.mean(axis=0)
            strokes = [(s - c) @ m.T + c for s in strokes]
            if jitter > 0:
                size = float((pts.max(axis=0) - pts.min(axis=0)).max()) * jitter
                strokes = [_wobble(s, size, rng) + (rng.normal(0, 2 * size, 2).astype(np.float32)
                                                    if len(strokes) > 1 else 0.0)
                           for s in strokes]
            w = float(rng.uniform(*width))
        img = preprocess(strokes, SPEC, stroke_width=w)
        if img is not None:
            out[i] = img.ravel()
    return out


def _wobble(stroke: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth random displacement of a stroke's points (a 3-point moving average of noise)."""
    noise = rng.normal(0, sigma, (len(stroke) + 2, 2))
    noise = (noise[:-2] + noise[1:-1] + noise[2:]) / np.sqrt(3.0)
    return (stroke + noise).astype(np.float32)


@dataclass
class MnistPool:
    x: np.ndarray  # (n, 784) uint8: pictures*255, originals + warped + redrawn copies
    y: np.ndarray  # (n,) int64
    x_val: np.ndarray  # (5000, 784) float32, the validation digits as pictures
    y_val: np.ndarray
    x_val_drawn: np.ndarray  # the same, redrawn as strokes
    n_originals: int = 0  # the first n_originals of x are MNIST's digits as they are (no warp)


def build_mnist_pool(mnist_dir: str | Path, seed: int, raster_copies: int = 2,
                     redrawn_copies: int = 3, rotation: float = augment.MAX_ROTATION,
                     log: Callable[[str], None] = print) -> MnistPool:
    """MNIST's first 55,000 training digits as they are, ``raster_copies`` times warped and
    ``redrawn_copies`` times redrawn as strokes: the MLPs' recipe (and cache), with the
    training pictures kept as uint8 to hold a quarter of the memory."""
    d = trainer.build_dataset(mnist_dir, SPEC, seed, raster_copies, redrawn_copies, log, rotation)
    return MnistPool(np.round(d.x * 255).astype(np.uint8), d.y, d.x_val, d.y_val, d.x_val_drawn,
                     len(d.y) // (1 + raster_copies + redrawn_copies))
