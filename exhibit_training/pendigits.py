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
from exhibit_training import styles as styles_
from exhibit_training.augment import random_affine

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


def bend(points: np.ndarray, rng: np.random.Generator, amount: float, size: float,
         waves: int = 3) -> np.ndarray:
    """Points moved by one smooth random displacement field over the whole digit: a sum of
    ``waves`` plane waves of 0.5-1.5 cycles per digit size, ``amount`` (a share of the size) their
    typical displacement. Unlike an affine warp it changes proportions locally (a loop's size,
    where strokes meet), which is how one writer's digit differs from another's."""
    ang = rng.uniform(0.0, np.pi, waves)
    freq = rng.uniform(0.5, 1.5, waves)[:, None] * np.stack([np.cos(ang), np.sin(ang)], 1) / size
    phase = rng.uniform(0.0, 2 * np.pi, waves)
    amp = rng.normal(0.0, amount * size / np.sqrt(waves), (waves, 2))
    waves_at = np.sin(2 * np.pi * points @ freq.T + phase)  # (n, waves)
    return (points + waves_at @ amp).astype(np.float32)


def augment(strokes: list[np.ndarray], rng: np.random.Generator, rotation: float = 15.0,
            shear: float = 0.3, aspect: float = 0.25, wobble: float = 0.015,
            elastic: float = 0.0) -> list[np.ndarray]:
    pts = np.concatenate(strokes)
    c = pts.mean(axis=0)
    size = float((pts.max(axis=0) - pts.min(axis=0)).max()) or 1.0
    m = random_affine(rng, rot=rotation, shear=shear, aspect=aspect).astype(np.float32)
    if elastic > 0:  # one field for all strokes of the digit, so that they still meet
        parts = np.cumsum([len(s) for s in strokes])[:-1]
        strokes = np.split(bend(pts - c, rng, elastic, size) + c, parts)
    out = []
    for s in strokes:
        s = (s - c) @ m.T + c
        out.append(jitter(s, rng, wobble * size))
    return out


def inputs(data: PenDigits, spec: InputSpec, rng: np.random.Generator | None = None,
           copies: int = 1, width: tuple[float, float] = (1.6, 3.2), rotation: float = 15.0,
           stroke_width: float = 2.4, elastic: float = 0.0,
           styles: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Preprocessed inputs (n*copies, side^2) and labels. Without rng: as written, one copy,
    drawn with the exhibit's brush (``stroke_width``), i.e. what ``classify`` sees. With
    ``styles``, that share of the warped copies of 1s, 4s, 7s and 9s are first redrawn in one
    of their continental styles (:mod:`exhibit_training.styles`)."""
    xs = np.zeros((len(data) * copies, spec.side ** 2), np.float32)
    k = 0
    for c in range(copies):
        for i, st in enumerate(data.strokes):
            if rng is None:
                img = preprocess(st, spec, stroke_width=stroke_width)
            else:
                s = st
                if c and styles > 0 and int(data.labels[i]) in styles_.LABELS \
                        and rng.random() < styles:
                    s = styles_.random_style(st, int(data.labels[i]), rng) or st
                s = s if c == 0 else augment(s, rng, rotation=rotation, elastic=elastic)
                img = preprocess(s, spec, stroke_width=float(rng.uniform(*width)))
            if img is not None:
                xs[k] = img.ravel()
            k += 1
    return xs, np.tile(data.labels, copies)


def cached_inputs(data: PenDigits, spec: InputSpec, seed: int, copies: int,
                  rotation: float, elastic: float = 0.0,
                  styles: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """:func:`inputs` with warped copies, cached outside the repository (keyed by the file's
    checksum, the writers and the recipe)."""
    from exhibit_training.trainer import cache_dir

    recipe = (data.sha256, sorted(set(data.writers.tolist())), len(data), spec, seed, copies,
              rotation, 1)
    if elastic:  # keeps the keys (and caches) of the recipes without it
        recipe += (("elastic", elastic),)
    if styles:
        recipe += (("styles", styles),)
    key = hashlib.sha256(repr(recipe).encode()).hexdigest()[:16]
    path = cache_dir() / f"pen-{key}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            return z["x"], z["y"]
    x, y = inputs(data, spec, np.random.default_rng(seed), copies=copies, rotation=rotation,
                  elastic=elastic, styles=styles)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, x=x, y=y)
    tmp.replace(path)
    return x, y


def framed(strokes: list[np.ndarray], box: float = 500.0, share: float = 0.6) -> list[np.ndarray]:
    """The digit scaled so that its longest side is ``share`` of the box, centred."""
    pts = np.concatenate(strokes)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    s = share * box / max(float((hi - lo).max()), 1e-6)
    c = (lo + hi) / 2
    return [((p - c) * s + box / 2).astype(np.float32) for p in strokes]


def report(net, spec: InputSpec, data: PenDigits, stroke_width: float = 2.4) -> dict:
    """Accuracy overall, per digit and per writer (worst and mean) on these digits as written."""
    x, y = inputs(data, spec, stroke_width=stroke_width)
    return summary(net.predict(x).argmax(axis=1) == y, y, data.writers)


def summary(ok: np.ndarray, y: np.ndarray, writers: np.ndarray) -> dict:
    """Figures for right/wrong ``ok`` per digit: overall, per digit and per writer."""
    per_writer = {str(w): float(ok[writers == w].mean()) for w in np.unique(writers)}
    worst = min(per_writer, key=per_writer.get)
    return {"accuracy": round(float(ok.mean()), 4), "n": int(len(y)),
            "errors": int((~ok).sum()), "writers": len(per_writer),
            "writer_mean": round(float(np.mean(list(per_writer.values()))), 4),
            "writer_worst": round(per_writer[worst], 4), "worst_writer": worst,
            "per_digit": {int(k): round(float(ok[y == k].mean()), 4) for k in range(10)
                          if (y == k).any()},
            "per_writer": {w: round(a, 4) for w, a in per_writer.items()}}


def main(argv: list[str] | None = None) -> None:
    """python -m exhibit_training.pendigits FILE [--writers val|train|all] [--weights NPZ ...]
    [--export DIR]: writer-split figures for networks, or the chosen writers' digits written as
    stroke files (natural.json as written, framed.json scaled to 60 % and centred) to replay
    through ``digit-exhibit classify``."""
    import argparse
    import sys

    from exhibit.model import store as wio

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("file")
    ap.add_argument("--writers", default="val", help="val, train, all or W1,W2,...")
    ap.add_argument("--weights", nargs="*", default=[])
    ap.add_argument("--export", metavar="DIR")
    args = ap.parse_args(argv)
    data = load(args.file)
    if args.writers in ("val", "train"):
        data = split(data)[1 if args.writers == "val" else 0]
    elif args.writers != "all":
        data = data.subset(np.isin(data.writers, args.writers.split(",")))
    for w in args.weights:
        lm = wio.load(w)
        print(json.dumps({"weights": w, **report(lm.net, lm.spec, data)}))
    if args.export:
        out = Path(args.export)
        out.mkdir(parents=True, exist_ok=True)
        for name, f in (("natural", lambda s: s), ("framed", framed)):
            digits = [{"label": int(l), "writer": str(w),
                       "strokes": [np.round(p, 2).tolist() for p in f(st)]}
                      for st, l, w in zip(data.strokes, data.labels, data.writers)]
            (out / f"{name}.json").write_text(json.dumps({"box": [500, 500], "digits": digits}))
        print(f"wrote {out}/natural.json and framed.json ({len(data)} digits)", file=sys.stderr)


if __name__ == "__main__":
    main()
