"""Reading MNIST's IDX files (gzipped or not)."""
from __future__ import annotations

import gzip
import hashlib
import zlib
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


IDX_BYTES = 64 * 1024 * 1024  # the largest MNIST file (training images) is 47 MB
_CHUNK = 1 << 20


def parse_idx(data: bytes, name: str = "data") -> np.ndarray:
    """Parse IDX bytes: magic 0x0000 08 NDIM (unsigned bytes), big-endian dimensions, then data."""
    dims = _dims(data, name)
    body = data[4 + 4 * len(dims):]
    n = int(np.prod(dims))
    if len(body) != n:
        raise IdxError(f"{name}: header says {dims} ({n} bytes) but {len(body)} bytes follow")
    return np.frombuffer(body, dtype=np.uint8).reshape(dims)


def _dims(head: bytes, name: str) -> tuple[int, ...]:
    if len(head) < 4 or head[0] != 0 or head[1] != 0:
        raise IdxError(f"{name}: not an IDX file (bad magic number)")
    if head[2] != 0x08:
        raise IdxError(f"{name}: IDX type 0x{head[2]:02x} is not unsigned bytes")
    ndim = head[3]
    if ndim < 1 or len(head) < 4 + 4 * ndim:
        raise IdxError(f"{name}: truncated header")
    return tuple(int.from_bytes(head[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))


def _read(path: Path) -> bytes:
    """The (uncompressed) bytes of an IDX file, read in chunks up to what its header says:
    a gzip bomb, a truncated or damaged file is refused in one line (IdxError) and never
    inflates further than the header's size (at most IDX_BYTES)."""
    name = path.name
    try:
        with open(path, "rb") as raw:
            gz = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            f = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
            head = f.read(4)
            if len(head) == 4 and head[:3] in (b"\0\0\x08",):
                head += f.read(4 * head[3])
            dims = _dims(head, name)
            n = int(np.prod(dims, dtype=object))
            if n > IDX_BYTES:
                raise IdxError(f"{name}: header says {dims} ({n} bytes), over the limit of "
                               f"{IDX_BYTES} bytes")
            parts, got = [head], 0
            while got < n:
                part = f.read(min(_CHUNK, n - got))
                if not part:
                    break
                parts.append(part)
                got += len(part)
            if got < n:
                raise IdxError(f"{name}: truncated (header says {dims}, {n} bytes; "
                               f"{got} follow)")
            if f.read(1):
                raise IdxError(f"{name}: more data than its header says ({dims}, {n} bytes)")
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        what = "truncated" if isinstance(e, EOFError) else "damaged"
        raise IdxError(f"{name}: {what} gzip file ({str(e)[:80] or type(e).__name__})") \
            from None
    except OSError as e:
        raise IdxError(f"{name}: cannot read ({e.strerror or e})") from None
    return b"".join(parts)


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
    if x.shape[1:] != (28, 28):
        raise IdxError(f"{xp.name}: images are {x.shape[1]}x{x.shape[2]}, expected 28x28 "
                       f"(MNIST)")
    return x, y


def checksums(directory: str | Path) -> dict[str, str]:
    """md5 of each uncompressed file (what MNIST's own README lists)."""
    out = {}
    for key, base in FILES.items():
        p = find(directory, key)
        out[base] = hashlib.md5(_read(p)).hexdigest()
    return out
