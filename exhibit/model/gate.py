"""The 'not a digit' gate: a small separate network that looks at the same 28x28 picture the
digit networks read and says how much it looks like a digit at all.

The ten outputs of the digit networks always sum to one, so they cannot say "none of these";
the gate can. It was trained on real digits against drawings that are not digits (letters,
shapes, doodles, scribbles, unfinished digits; see ``exhibit_training/negatives.py``).
A drawing is *unsure* (the exhibit shows '?') when the gate's digit score is below the
threshold stored in its manifest: :func:`Gate.unsure` is the one definition used by the
screen and by ``classify``.

``weights/gate.npz`` (W1, b1, W2, b2, ...; the last layer has one output, a logit) sits beside
``weights/gate.json`` (sizes, threshold, sha256 of the npz, how it was trained); loading checks
the hash before numpy reads a byte and never unpickles.
"""
from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from exhibit.model.weights import (WEIGHTS_DIR, WeightsError, check_sha256, manifest_beside,
                                   sha256_file)

GATE_PATH = WEIGHTS_DIR / "gate.npz"


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


def save(weights: list[np.ndarray], biases: list[np.ndarray], path: Path, threshold: float,
         manifest: dict[str, Any]) -> dict[str, Any]:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for l, (w, b) in enumerate(zip(weights, biases), start=1):
        arrays[f"W{l}"] = np.asarray(w, np.float32)
        arrays[f"b{l}"] = np.asarray(b, np.float32)
    np.savez_compressed(path, **arrays)
    full = dict(manifest)
    full.update({"name": path.stem, "kind": "gate",
                 "sizes": [int(weights[0].shape[0])] + [int(w.shape[1]) for w in weights],
                 "input": {"side": 28, "deskew": True}, "threshold": float(threshold),
                 "sha256": sha256_file(path)})
    path.with_suffix(".json").write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    return full


def load(path: str | Path = GATE_PATH) -> Gate:
    """Load and verify the gate; raises WeightsError with an operator-readable reason."""
    path = Path(path)
    manifest, man_path = manifest_beside(path, "gate weights"), path.with_suffix(".json")
    try:
        sizes = [int(s) for s in manifest["sizes"]]
        threshold = float(manifest["threshold"])
        expected = str(manifest["sha256"])
    except (ValueError, KeyError, TypeError) as e:
        raise WeightsError(f"manifest {man_path} is damaged ({e.__class__.__name__}: {e})") from None
    check_sha256(path, expected)
    if len(sizes) < 2 or sizes[0] != 784 or sizes[-1] != 1 or not 0.0 < threshold < 1.0:
        raise WeightsError(f"{man_path}: a gate needs sizes 784→…→1 and a threshold in (0, 1)")
    try:
        with np.load(path, allow_pickle=False) as z:
            n = len(sizes) - 1
            ws = [z[f"W{l}"].astype(np.float32) for l in range(1, n + 1)]
            bs = [z[f"b{l}"].astype(np.float32) for l in range(1, n + 1)]
    except KeyError as e:
        raise WeightsError(f"{path} lacks an array ({e}) for sizes {sizes}") from None
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as e:
        raise WeightsError(f"{path} cannot be read as plain arrays ({e})") from None
    for l, (w, b) in enumerate(zip(ws, bs)):
        if w.shape != (sizes[l], sizes[l + 1]) or b.shape != (sizes[l + 1],):
            raise WeightsError(f"{path}: layer {l + 1} has {w.shape}/{b.shape}, manifest says {sizes}")
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise WeightsError(f"{path} contains NaN or infinite weights")
    return Gate(ws, bs, threshold, manifest)
