"""Training digits for live learning, numpy only (the learning process never imports pygame).

Two sources, in this order:

- the MNIST folder named in the config (``learn.mnist_dir``): the 60,000 training digits, put
  through the one preprocessing path (:func:`exhibit.ink.normalize.preprocess`) a chunk at a
  time while training already runs on the chunks done;
- the compact subset shipped in ``assets/learn/train.npz``: digits already put through that
  same path when the subset was made (:func:`make_subset`), stored as uint8, ready at once.

Held-out digits for the accuracy curve are the bundled MNIST *test* set (never trained on).
"""
from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Iterator

import numpy as np

from exhibit import resources
from exhibit.ink.normalize import InputSpec, preprocess
from exhibit.learn import mnist

SUBSET = resources.ASSETS / "learn" / "train.npz"
SPEC = InputSpec(side=28, deskew=True)  # the explainer's input


class NoTrainingData(Exception):
    """Neither the configured MNIST folder nor the shipped subset is there."""


def source(mnist_dir: str) -> tuple[str, str]:
    """Where live learning takes its digits: ("mnist", DIR) or ("subset", NPZ); raises
    NoTrainingData (with one line for the log) when neither is there."""
    if mnist_dir:
        try:
            mnist.find(mnist_dir, "train_images")
            mnist.find(mnist_dir, "train_labels")
            return "mnist", str(mnist_dir)
        except FileNotFoundError:
            pass
    if SUBSET.is_file():
        return "subset", str(SUBSET)
    where = f"no MNIST training files in learn.mnist_dir '{mnist_dir}'" if mnist_dir else \
        "learn.mnist_dir is not set"
    raise NoTrainingData(f"live learning off: {where} and no training subset at {SUBSET}")


def to_uint8(pictures: np.ndarray) -> np.ndarray:
    return np.round(np.clip(pictures, 0.0, 1.0) * 255).astype(np.uint8)


def prepare(images: np.ndarray) -> np.ndarray:
    """MNIST pictures (n, 28, 28) uint8 -> network inputs (n, 784) uint8 through the one path."""
    out = np.zeros((len(images), 784), np.uint8)
    for i, img in enumerate(images):
        p = preprocess(img.astype(np.float32) / 255.0, SPEC)
        if p is not None:
            out[i] = to_uint8(p).ravel()
    return out


def load_subset(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        x, y = z["images"], z["labels"]
    if x.dtype != np.uint8 or x.ndim != 2 or x.shape[1] != 784 or len(y) != len(x):
        raise ValueError(f"{path}: expected uint8 images (n, 784) and n labels")
    return x, y.astype(np.int64)


def mnist_chunks(directory: str, chunk: int = 200, seed: int = 0
                 ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The MNIST training set in a random order, prepared ``chunk`` digits at a time."""
    x, y = mnist.load_split(directory, "train")
    order = np.random.default_rng(seed).permutation(len(x))
    for i in range(0, len(order), chunk):
        idx = order[i:i + chunk]
        yield prepare(x[idx]), y[idx].astype(np.int64)


def held_out(n: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Bundled MNIST test digits, prepared (n of them in a fixed random choice, or all)."""
    x, y = mnist.load_split(resources.MNIST, "test")
    if n is not None and n < len(x):
        idx = np.sort(np.random.default_rng(seed).choice(len(x), n, replace=False))
        x, y = x[idx], y[idx]
    return prepare(x), y.astype(np.int64)


def pen_digits(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Real pen trajectories (stroke-file format, gzipped) rendered through the one path."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        doc = json.load(f)
    xs, ys = [], []
    for d in doc["digits"]:
        strokes = [np.asarray(s, np.float32).reshape(-1, 2) for s in d["strokes"]]
        p = preprocess(strokes, SPEC)
        if p is not None:
            xs.append(to_uint8(p).ravel())
            ys.append(int(d["label"]))
    return np.array(xs, np.uint8).reshape(-1, 784), np.array(ys, np.int64)


def make_subset(mnist_dir: str, out: str | Path, n: int, pen: str | None = None,
                n_pen: int = 0, seed: int = 1) -> dict:
    """Write the shipped subset: ``n`` class-balanced MNIST training digits (plus ``n_pen`` pen
    digits), prepared through the one path, as uint8, with a manifest beside it."""
    x, y = mnist.load_split(mnist_dir, "train")
    rng = np.random.default_rng(seed)
    idx = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:n // 10] for c in range(10)])
    xs, ys = [prepare(x[idx])], [y[idx].astype(np.int64)]
    if pen and n_pen:
        px, py = pen_digits(pen)
        keep = rng.permutation(len(px))[:n_pen]
        xs.append(px[keep])
        ys.append(py[keep])
    images, labels = np.concatenate(xs), np.concatenate(ys).astype(np.uint8)
    order = rng.permutation(len(images))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, images=images[order], labels=labels[order])
    manifest = {
        "what": "training digits for live learning (key T), already through exhibit.ink.normalize."
                "preprocess for the explainer's input (28x28, deskewed), uint8",
        "mnist_train_digits": int(len(idx)), "pen_digits": int(len(images) - len(idx)),
        "seed": seed, "mnist_checksums": mnist.checksums(mnist_dir),
        "command": f"python -m exhibit.learn.data {mnist_dir} {out} {n}"
                   + (f" --pen {pen} --n-pen {n_pen}" if pen and n_pen else ""),
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
    }
    if pen and n_pen:
        manifest["pen_credit"] = ("Alpaydin, E. & Alimoglu, F. (1998). Pen-Based Recognition of "
                                  "Handwritten Digits. UCI Machine Learning Repository. "
                                  "DOI 10.24432/C5MG6K. CC BY 4.0")
    out.with_suffix(".json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description="make the live-learning training subset")
    p.add_argument("mnist_dir")
    p.add_argument("out")
    p.add_argument("n", type=int)
    p.add_argument("--pen")
    p.add_argument("--n-pen", type=int, default=0)
    a = p.parse_args()
    print(json.dumps(make_subset(a.mnist_dir, a.out, a.n, a.pen, a.n_pen), indent=1))
