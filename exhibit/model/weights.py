"""Weights on disk: ``NAME.npz`` (W1, b1, W2, b2, ...) beside ``NAME.json`` (the manifest).

The manifest records the architecture, how the input is prepared, the sha256 of the npz, the
MNIST test accuracy, the exact training command and the MNIST file checksums. Loading checks
the hash before numpy reads a byte, and never unpickles.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from exhibit import resources
from exhibit.ink.normalize import InputSpec
from exhibit.model.mlp import MLP

WEIGHTS_DIR = resources.WEIGHTS
MODEL_NAMES = ("explainer", "compact14", "deep", "cnn")


class WeightsError(Exception):
    """Weights that cannot be used; the message says why, for an operator."""


@dataclass
class LoadedModel:
    name: str
    net: MLP
    spec: InputSpec
    manifest: dict[str, Any]


def sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def check_sha256(path: Path, expected: str) -> None:
    """Refuse a weights file that is not the one its manifest names (damaged or replaced)."""
    actual = sha256_file(path)
    if actual != expected:
        raise WeightsError(f"{path} does not match its manifest (sha256 {actual[:12]}…, "
                           f"expected {expected[:12]}…): the file is damaged or was replaced")


def save(net: MLP, path: Path, spec: InputSpec, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write NAME.npz (float32) and NAME.json; returns the manifest written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for l, (w, b) in enumerate(zip(net.weights, net.biases), start=1):
        arrays[f"W{l}"] = w.astype(np.float32)
        arrays[f"b{l}"] = b.astype(np.float32)
    np.savez_compressed(path, **arrays)
    full = dict(manifest)
    full.update({
        "name": path.stem,
        "architecture": "→".join(str(s) for s in net.sizes),
        "sizes": net.sizes,
        "activation": "relu",
        "output": "softmax",
        "input": {"side": spec.side, "deskew": spec.deskew},
        "sha256": sha256_file(path),
    })
    path.with_suffix(".json").write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    return full


def resolve(name: str | None = None, weights: str | Path | None = None) -> Path:
    """The npz for --model NAME or --weights PATH."""
    if weights is not None:
        return Path(weights)
    name = name or "explainer"
    if name not in MODEL_NAMES:
        raise WeightsError(f"unknown model '{name}': expected one of {', '.join(MODEL_NAMES)}")
    return WEIGHTS_DIR / f"{name}.npz"


def read_manifest(man_path: Path) -> dict[str, Any]:
    """The manifest JSON: a regular file within the limits of :mod:`exhibit.limits` (a FIFO,
    device or directory, deep nesting or a huge number is refused in one line)."""
    from exhibit import limits

    try:
        manifest = limits.load_json(limits.read_regular_file(
            man_path, limits.MANIFEST_BYTES, "manifest"), f"manifest {man_path}", max_depth=8)
    except limits.LimitError as e:
        raise WeightsError(str(e)) from None
    if not isinstance(manifest, dict):
        raise WeightsError(f"manifest {man_path} is damaged (not a JSON object)")
    return manifest


def manifest_beside(path: Path, what: str = "weights") -> dict:
    """The manifest beside a weights file (same name, .json), read within limits; raises
    WeightsError when either file is missing."""
    man_path = path.with_suffix(".json")
    if not path.is_file():
        raise WeightsError(f"{what} not found: {path}")
    if not man_path.exists():  # a FIFO or device is refused by read_manifest, by name
        raise WeightsError(f"manifest not found beside the {what}: {man_path}")
    return read_manifest(man_path)


def load(path: str | Path) -> LoadedModel:
    """Load and verify weights; raises WeightsError with an operator-readable reason."""
    path = Path(path)
    manifest, man_path = manifest_beside(path), path.with_suffix(".json")
    if manifest.get("kind") == "cnn":
        from exhibit.model import cnn  # a convolutional network (exhibit/model/cnn.py)
        return cnn.load_checked(path, manifest)
    try:
        sizes = [int(s) for s in manifest["sizes"]]
        spec = InputSpec(side=int(manifest["input"]["side"]),
                         deskew=bool(manifest["input"]["deskew"]))
        expected = str(manifest["sha256"])
    except (ValueError, KeyError, TypeError, OverflowError) as e:
        raise WeightsError(f"manifest {man_path} is damaged ({e.__class__.__name__}: {e})") from None
    check_sha256(path, expected)
    try:
        with np.load(path, allow_pickle=False) as z:
            n = len(sizes) - 1
            missing = [k for l in range(1, n + 1) for k in (f"W{l}", f"b{l}") if k not in z.files]
            if missing:
                raise WeightsError(f"{path} lacks arrays {missing} for architecture {sizes}")
            ws = [z[f"W{l}"].astype(np.float32) for l in range(1, n + 1)]
            bs = [z[f"b{l}"].astype(np.float32) for l in range(1, n + 1)]
    except WeightsError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, MemoryError) as e:
        raise WeightsError(f"{path} cannot be read as plain arrays ({e})") from None
    try:
        net = MLP(ws, bs)
    except ValueError as e:
        raise WeightsError(f"{path}: {e}") from None
    if net.sizes != sizes or sizes[0] != spec.side ** 2 or sizes[-1] != 10:
        raise WeightsError(f"{path} holds a {net.sizes} network; its manifest says {sizes} "
                           f"with {spec.side}x{spec.side} input and 10 outputs")
    if not all(np.isfinite(a).all() for a in ws + bs):
        raise WeightsError(f"{path} contains NaN or infinite weights")
    return LoadedModel(path.stem, net, spec, manifest)


def load_model(name: str | None = None, weights: str | Path | None = None) -> LoadedModel:
    return load(resolve(name, weights))
