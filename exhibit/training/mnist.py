"""Reading MNIST's IDX files (gzipped or not)."""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


class IdxError(ValueError):
    """A file that is not a well-formed IDX file of unsigned bytes."""


def parse_idx(data: bytes, name: str = "data") -> np.ndarray:
    """Parse IDX bytes: magic 0x0000 08 NDIM (unsigned bytes), big-endian dimensions, then data."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise IdxError(f"{name}: not an IDX file (bad magic number)")
    if data[2] != 0x08:
        raise IdxError(f"{name}: IDX type 0x{data[2]:02x} is not unsigned bytes")
    ndim = data[3]
    if ndim < 1 or len(data) < 4 + 4 * ndim:
        raise IdxError(f"{name}: truncated header")
    dims = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    n = int(np.prod(dims))
    body = data[4 + 4 * ndim:]
    if len(body) != n:
        raise IdxError(f"{name}: header says {dims} ({n} bytes) but {len(body)} bytes follow")
    return np.frombuffer(body, dtype=np.uint8).reshape(dims)


def _read(path: Path) -> bytes:
    with open(path, "rb") as f:
        head = f.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        return f.read()


def find(directory: str | Path, key: str) -> Path:
    d = Path(directory)
    base = FILES[key]
    for cand in (d / base, d / f"{base}.gz", d / base.replace("-idx", ".idx")):
        if cand.is_file():
            return cand
    raise FileNotFoundError(f"{base}(.gz) not found in {d}")


def load_split(directory: str | Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (n, 28, 28), labels uint8 (n,)) for split 'train' or 'test'."""
    xp, yp = find(directory, f"{split}_images"), find(directory, f"{split}_labels")
    x = parse_idx(_read(xp), xp.name)
    y = parse_idx(_read(yp), yp.name)
    if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
        raise IdxError(f"{xp.name} {x.shape} and {yp.name} {y.shape} do not pair up")
    return x, y


def checksums(directory: str | Path) -> dict[str, str]:
    """md5 of each uncompressed file (what MNIST's own README lists)."""
    out = {}
    for key, base in FILES.items():
        p = find(directory, key)
        out[base] = hashlib.md5(_read(p)).hexdigest()
    return out
