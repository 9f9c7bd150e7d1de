"""Every network's disk I/O, the one place that reads and writes weights: the MLPs, the CNN and
the gate. ``NAME.npz`` (W1, b1, W2, b2, ...) sits beside ``NAME.json`` (the manifest).

The manifest records the architecture, how the input is prepared, the sha256 of the npz, the
MNIST test accuracy, the exact training command and the MNIST file checksums. Loading checks
the hash before numpy reads a byte, and never unpickles.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from exhibit import resources
from exhibit.ink.normalize import InputSpec
from exhibit.model import cnn
from exhibit.model.cnn import CNN
from exhibit.model.gate import Gate
from exhibit.model.mlp import MLP
from exhibit.model.network import Network

WEIGHTS_DIR = resources.WEIGHTS
MODEL_NAMES = ("explainer", "compact14", "deep", "cnn")
GATE_PATH = WEIGHTS_DIR / "gate.npz"


class WeightsError(Exception):
    """Weights that cannot be used; the message says why, for an operator."""


@dataclass
class LoadedModel:
    name: str
    net: Network  # an MLP or a CNN
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
        "activation": net.activation,
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


WEIGHT_ELEMENTS = 16 * 1024 * 1024  # all arrays of one network; deep has 0.5 M
WEIGHT_MAGNITUDE = 1000.0  # trained weights stay under 10; beyond this a forward pass overflows


def layer_sizes(manifest: dict[str, Any], man_path: Path) -> list[int]:
    """The manifest's layer sizes, bounded before anything is allocated from them."""
    sizes = [int(s) for s in manifest["sizes"]]
    if not 2 <= len(sizes) <= 16 or not all(1 <= s <= 65536 for s in sizes):
        raise WeightsError(f"manifest {man_path} is damaged (sizes {sizes[:20]}: 2 to 16 "
                           f"layers of 1 to 65536)")
    return sizes


def read_arrays(path: Path, shapes: dict[str, tuple[int, ...]],
                arch: str = "architecture") -> dict[str, np.ndarray]:
    """The named float arrays of an npz, each one's dtype and shape checked against
    ``shapes`` from the npy header inside the zip before its data is read (a small npz can
    inflate to gigabytes), then checked finite and of a plausible size. Raises WeightsError."""
    if sum(int(np.prod(s)) for s in shapes.values()) > WEIGHT_ELEMENTS:
        raise WeightsError(f"{path}: its manifest asks for over {WEIGHT_ELEMENTS} weights")
    out = {}
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            missing = [k for k in shapes if f"{k}.npy" not in names]
            if missing:
                raise WeightsError(f"{path} lacks arrays {missing} for its architecture")
            for k, shape in shapes.items():
                with z.open(f"{k}.npy") as f:
                    version = np.lib.format.read_magic(f)
                    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) \
                        else np.lib.format.read_array_header_2_0
                    got, fortran, dtype = read_header(f)
                    if dtype.kind != "f" or dtype.names is not None or dtype.subdtype:
                        raise WeightsError(f"{path}: array {k} is {dtype.str}, not plain arrays "
                                           f"of floats")
                    if tuple(got) != tuple(shape):
                        raise WeightsError(f"{path}: array {k} has shape {tuple(got)} in its "
                                           f"header, but the manifest says its {arch} needs "
                                           f"{tuple(shape)}")
                    data = f.read(int(np.prod(shape)) * dtype.itemsize + 1)
                if len(data) != int(np.prod(shape)) * dtype.itemsize:
                    raise WeightsError(f"{path}: array {k} is not the size its header says")
                a = np.frombuffer(data, dtype).reshape(shape, order="F" if fortran else "C")
                with np.errstate(over="ignore", invalid="ignore"):
                    a = a.astype(np.float32)
                if not np.isfinite(a).all():
                    raise WeightsError(f"{path} contains NaN or infinite weights (array {k})")
                if a.size and float(np.abs(a).max()) > WEIGHT_MAGNITUDE:
                    raise WeightsError(f"{path}: array {k} holds weights up to "
                                       f"{float(np.abs(a).max()):.3g} (limit "
                                       f"{WEIGHT_MAGNITUDE:g}; trained networks stay far "
                                       f"below)")
                out[k] = np.ascontiguousarray(a)
    except WeightsError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, MemoryError, SyntaxError,
            TypeError, NotImplementedError, zlib.error) as e:
        raise WeightsError(f"{path} cannot be read as plain arrays "
                           f"({str(e).splitlines()[0][:100] if str(e) else type(e).__name__})") \
            from None
    return out


def load(path: str | Path) -> LoadedModel:
    """Load and verify weights; raises WeightsError with an operator-readable reason."""
    path = Path(path)
    manifest, man_path = manifest_beside(path), path.with_suffix(".json")
    if manifest.get("kind") == "cnn":
        return _load_cnn(path, manifest)
    try:
        sizes = layer_sizes(manifest, man_path)
        spec = InputSpec(side=int(manifest["input"]["side"]),
                         deskew=bool(manifest["input"]["deskew"]))
        expected = str(manifest["sha256"])
        activation = str(manifest.get("activation", "relu"))  # every shipped network: relu
    except (ValueError, KeyError, TypeError, OverflowError) as e:
        raise WeightsError(f"manifest {man_path} is damaged ({e.__class__.__name__}: {e})") from None
    check_sha256(path, expected)
    n = len(sizes) - 1
    shapes = {}
    for l in range(1, n + 1):
        shapes[f"W{l}"] = (sizes[l - 1], sizes[l])
        shapes[f"b{l}"] = (sizes[l],)
    arrays = read_arrays(path, shapes)
    ws = [arrays[f"W{l}"] for l in range(1, n + 1)]
    bs = [arrays[f"b{l}"] for l in range(1, n + 1)]
    try:
        net = MLP(ws, bs, activation)
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


# --- the CNN: NAME.npz (K1, b1, ..., W4, b4) beside NAME.json, as for the MLPs ---------------

def save_cnn(net: CNN, path: str | Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write NAME.npz (float32) and its manifest NAME.json; returns the manifest written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **{k: getattr(net, k).astype(np.float32) for k in cnn.PARAMS})
    full = dict(manifest)
    c1, c2, h = net.channels
    full.update({
        "name": path.stem,
        "kind": "cnn",
        "architecture": net.architecture,
        "channels": [c1, c2, h],
        "sizes": net.sizes,
        "activation": "relu",
        "pooling": "max 2x2",
        "output": "softmax",
        "input": {"side": cnn.SIDE, "deskew": True},
        "sha256": sha256_file(path),
    })
    path.with_suffix(".json").write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    return full


def _load_cnn(path: Path, manifest: dict[str, Any]):
    """A CNN from NAME.npz whose manifest says ``"kind": "cnn"``; the npz must match the
    manifest's sha256 before numpy reads it. Raises WeightsError with the reason."""
    man_path = path.with_suffix(".json")
    try:
        channels = [int(c) for c in manifest["channels"]]
        spec = InputSpec(side=int(manifest["input"]["side"]),
                         deskew=bool(manifest["input"]["deskew"]))
        expected = str(manifest["sha256"])
    except (ValueError, KeyError, TypeError) as e:
        raise WeightsError(f"manifest {man_path} is damaged ({e.__class__.__name__}: {e})") from None
    check_sha256(path, expected)
    if len(channels) != 3 or not all(1 <= c <= 1024 for c in channels):
        raise WeightsError(f"manifest {man_path} is damaged (channels {channels[:10]}: three "
                           f"of 1 to 1024)")
    c1, c2, h = channels
    arrays = read_arrays(path, dict(zip(cnn.PARAMS, [
        (1, cnn.KSIZE, cnn.KSIZE, c1), (c1,), (c1, cnn.KSIZE, cnn.KSIZE, c2), (c2,), (c2 * 16, h), (h,),
        (h, 10), (10,)])), arch=f"channels {channels}")
    try:
        net = CNN(**arrays)
    except ValueError as e:
        raise WeightsError(f"{path}: {e}") from None
    if list(net.channels) != channels or spec.side != cnn.SIDE:
        raise WeightsError(f"{path} holds a CNN with channels {list(net.channels)}; its manifest "
                           f"says {channels} with {spec.side}x{spec.side} input")
    if not all(np.isfinite(a).all() for a in net.params):
        raise WeightsError(f"{path} contains NaN or infinite weights")
    return LoadedModel(path.stem, net, spec, manifest)


# --- the gate ----------------------------------------------------------------------------------

def save_gate(weights: list[np.ndarray], biases: list[np.ndarray], path: Path, threshold: float,
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


def load_gate(path: str | Path | None = None) -> Gate:
    """Load and verify the gate; raises WeightsError with an operator-readable reason."""
    path = Path(path or GATE_PATH)
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
