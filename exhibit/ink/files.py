"""Drawings from files: stroke JSON, 28x28 ``.npy`` arrays and (with pygame) PNG pictures.

A stroke file is JSON with y pointing down::

    {"box": [500, 500], "digits": [{"label": 7, "strokes": [[[120, 80], [380, 82]]]}]}

or a single digit as ``{"box": [...], "strokes": [...]}``. The box is fitted onto the drawing
canvas (uniform scale, centred) so that strokes arrive in canvas pixels, as a finger's do.
"""
from __future__ import annotations

import contextlib
import io
import re
import sys
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from exhibit import limits as L
from exhibit.ink.strokes import fit_box, transform


class DrawingFileError(ValueError):
    """A file that cannot be read as a drawing; the message names the file and the problem."""


@dataclass
class FileDigit:
    """One digit to classify: strokes in canvas pixels, or a raster with ink high in [0, 1]."""

    strokes: list[np.ndarray] | None = None
    raster: np.ndarray | None = None
    label: int | None = None
    error: str | None = None  # why this digit could not be read (the others still are)

    @property
    def ink(self) -> list[np.ndarray] | np.ndarray:
        return self.raster if self.raster is not None else (self.strokes or [])


def _coordinate(v: Any) -> bool:
    return L.is_number(v, L.COORDINATE)


def _bad_value(v: Any) -> str:
    if isinstance(v, L.BadNumber):
        return v.reason()
    if L.is_number(v):
        return f"{L.shown(v)} (coordinates are limited to +-{L.COORDINATE:g})"
    return L.shown(v)


def _points(stroke: Any, where: str) -> np.ndarray:
    """A stroke's points as (n, 2); extra fields per point (time, pressure) are ignored."""
    if not isinstance(stroke, list):
        raise DrawingFileError(f"{where}: a stroke must be a list of [x, y] points")
    if not stroke:
        return np.zeros((0, 2), np.float32)
    for k, p in enumerate(stroke):
        if not isinstance(p, list) or len(p) < 2:
            raise DrawingFileError(f"{where}: every point must be [x, y], "
                                   f"got {L.shown(p)} (point {k})")
        for v in p[:2]:
            if not _coordinate(v):
                raise DrawingFileError(f"{where}: every point must be [x, y] with finite "
                                       f"numbers, got {_bad_value(v)} (point {k})")
    return np.asarray([p[:2] for p in stroke], np.float32)


_DIGIT = re.compile(r"[0-9]")


def _label(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and _DIGIT.fullmatch(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 9:
        raise DrawingFileError(f"{where}: 'label' must be a digit 0-9, got {L.shown(value, 20)}")
    return value


def _count_points(strokes: Any) -> int:
    return sum(len(s) for s in strokes if isinstance(s, list)) if isinstance(strokes, list) else 0


def parse_stroke_json(doc: Any, canvas: Sequence[float], where: str) -> Iterator[FileDigit]:
    """Yield the drawings of a parsed stroke document, strokes fitted onto the canvas.

    The file is refused as a whole (DrawingFileError) when its box is unusable or it is over
    a limit (drawings per file, points per file); a digit that is broken or over the points
    limit gets an error in its place and the others are still read."""
    if not isinstance(doc, dict):
        raise DrawingFileError(f"{where}: expected a JSON object with 'box' and 'digits'")
    box = doc.get("box")
    bad = [v for v in box if not (L.is_number(v, L.COORDINATE) and v >= L.BOX_MIN)] \
        if isinstance(box, list) and len(box) == 2 else [box]
    if bad:
        raise DrawingFileError(f"{where}: 'box' must be [width, height] with finite numbers "
                               f"from {L.BOX_MIN:g} to {L.COORDINATE:g}, got "
                               f"{_bad_value(bad[0])}")
    scale, offset = fit_box([float(v) for v in box], canvas)
    if "digits" in doc:
        digits = doc["digits"]
        if not isinstance(digits, list):
            raise DrawingFileError(f"{where}: 'digits' must be a list")
    elif "strokes" in doc:
        digits = [doc]
    else:
        raise DrawingFileError(f"{where}: expected 'digits' (a list) or 'strokes'")
    if len(digits) > L.DRAWINGS_PER_FILE:
        raise DrawingFileError(f"{where}: {len(digits)} digits is over the limit of "
                               f"{L.DRAWINGS_PER_FILE} per file")
    total = sum(_count_points(d.get("strokes")) for d in digits if isinstance(d, dict))
    if total > L.POINTS_PER_FILE:
        raise DrawingFileError(f"{where}: {total} points is over the limit of "
                               f"{L.POINTS_PER_FILE} per file")
    for i, d in enumerate(digits):
        w = f"{where}: digit {i}"
        try:
            if not isinstance(d, dict) or not isinstance(d.get("strokes"), list):
                raise DrawingFileError(f"{w}: expected an object with 'strokes'")
            label = _label(d.get("label"), w)
            n = _count_points(d["strokes"])
            if n > L.POINTS_PER_DRAWING:
                raise DrawingFileError(f"{w}: {n} points is over the limit of "
                                       f"{L.POINTS_PER_DRAWING} per digit")
            strokes = [_points(s, f"{w}, stroke {j}") for j, s in enumerate(d["strokes"])]
        except DrawingFileError as e:
            # one broken digit must not cost the others: report it in its place
            yield FileDigit(error=str(e))
            continue
        yield FileDigit(strokes=transform(strokes, scale, offset), label=label)


def _read(path: Path, limit: int, what: str) -> bytes:
    try:
        return L.read_regular_file(path, limit, what)
    except L.LimitError as e:
        raise DrawingFileError(str(e)) from None


def read_drawings(path: str | Path, canvas: Sequence[float]) -> Iterator[FileDigit]:
    """Drawings in a file, chosen by its extension: JSON strokes, .npy or PNG. Every file is
    sized (bytes, then its header: pixels, array elements, JSON depth and values, points,
    digits) before it is decoded; anything over a limit raises DrawingFileError naming it."""
    p = Path(path)
    where = str(p)
    suffix = p.suffix.lower()
    if suffix == ".npy":
        yield FileDigit(raster=_as_raster(read_npy(p), where))
    elif suffix == ".png":
        yield FileDigit(raster=read_png(p))
    else:
        data = _read(p, L.STROKE_FILE_BYTES, "file")
        try:
            doc = L.load_json(data, where)
        except L.LimitError as e:
            raise DrawingFileError(f"{e} (expected a stroke file)") from None
        yield from parse_stroke_json(doc, canvas, where)


def read_npy(path: Path) -> np.ndarray:
    """A plain ``.npy`` array, its header checked (dtype, shape, element count, size on disk)
    before the data is read; never unpickles."""
    where = str(path)
    data = _read(path, L.NPY_FILE_BYTES, ".npy file")
    f = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except (ValueError, OSError, EOFError, SyntaxError, TypeError) as e:
        raise DrawingFileError(f"{where}: not a plain .npy array "
                               f"({str(e).splitlines()[0][:100] if str(e) else type(e).__name__})") \
            from None
    if dtype.hasobject or dtype.kind not in "uif" or dtype.subdtype is not None \
            or dtype.names is not None:
        raise DrawingFileError(f"{where}: expected a numeric array, got dtype {dtype.str}")
    n = 1
    for s in shape:
        n *= int(s)
    if len(shape) not in (2, 3) or n > L.IMAGE_PIXELS or any(s > L.IMAGE_SIDE for s in shape):
        raise DrawingFileError(f"{where}: array of shape {tuple(shape)} is over the limit "
                               f"(2-D, at most {L.IMAGE_SIDE} per side and {L.IMAGE_PIXELS} "
                               f"elements)")
    if f.tell() + n * dtype.itemsize > len(data):
        raise DrawingFileError(f"{where}: the .npy file is shorter than its header says "
                               f"(truncated)")
    f.seek(0)
    try:
        return np.load(f, allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise DrawingFileError(f"{where}: not a plain .npy array ({str(e)[:100]})") from None


def _as_raster(arr: np.ndarray, where: str) -> np.ndarray:
    if arr.ndim == 3 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 2 or arr.dtype.kind not in "uif" or min(arr.shape) < 1:
        raise DrawingFileError(f"{where}: expected a 2-D numeric array such as 28x28, "
                               f"got shape {arr.shape} of {arr.dtype}")
    a = arr.astype(np.float32)
    if not np.isfinite(a).all():
        raise DrawingFileError(f"{where}: the array holds NaN or infinite values")
    if a.max() > 1.0:
        a = a / 255.0 if arr.dtype == np.uint8 or a.max() <= 255 else a / a.max()
    return np.clip(a, 0.0, 1.0)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR, or None when the bytes are not a PNG."""
    if len(data) < 24 or data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> samples per pixel
PNG_CHUNKS = 1000  # a picture needs 3 to 10; thousands only slow the decoder down
_KEEP = (b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND")  # all the decoder needs; text, ICC out


def png_raw_bytes(w: int, h: int, depth: int, colour: int, interlace: int) -> int:
    """Bytes of a PNG's filtered scanlines (filter byte per row), from its IHDR alone."""
    bits = _CHANNELS[colour] * depth
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
              (1, 0, 2, 2), (0, 1, 1, 2)] if interlace else [(0, 0, 1, 1)]
    total = 0
    for x0, y0, dx, dy in passes:
        pw, ph = (w - x0 + dx - 1) // dx, (h - y0 + dy - 1) // dy
        if pw > 0 and ph > 0:
            total += ph * (1 + (pw * bits + 7) // 8)
    return total


def bounded_png(data: bytes, where: str) -> bytes:
    """The PNG reduced to the chunks a decoder needs, after checking that its image data
    inflates to exactly what its header says: a small header over a huge zlib stream (a
    decompression bomb), trailing data or thousands of chunks are refused before libpng sees
    them, so decoding costs at most what the pixel count allows."""
    w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    if colour not in _CHANNELS or depth not in (1, 2, 4, 8, 16):
        raise DrawingFileError(f"{where}: not a readable PNG (colour type {colour}, "
                               f"bit depth {depth})")
    raw = png_raw_bytes(w, h, depth, colour, interlace)
    pos, kept, idat, n = 8, [], [], 0
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            break
        n += 1
        if n > PNG_CHUNKS:
            raise DrawingFileError(f"{where}: over {PNG_CHUNKS} PNG chunks (limit {PNG_CHUNKS})")
        if kind == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + length])
        if kind in _KEEP:
            kept.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break
    # even a naive encoder (fixed Huffman codes, 9 bits a byte at worst) stays under this;
    # more is padding (empty deflate blocks) that costs the decoder time and gives no pixels
    body = b"".join(idat)
    if len(body) > raw + raw // 8 + 1024:
        raise DrawingFileError(f"{where}: more image data ({len(body)} bytes compressed) than "
                               f"a {w}x{h} picture can need (refused unread)")
    z = zlib.decompressobj()
    try:
        pixels = len(z.decompress(body, raw + 1))
    except zlib.error as e:
        raise DrawingFileError(f"{where}: not a readable PNG (damaged image data: {e})") \
            from None
    if pixels > raw or z.unconsumed_tail or z.unused_data:
        raise DrawingFileError(f"{where}: more image data than its {w}x{h} header says "
                               f"(refused unread)")
    return data[:8] + b"".join(kept)


def read_png(path: Path) -> np.ndarray:
    """A PNG as a raster with ink high: dark-on-light pictures are inverted, alpha respected.
    The size in its header is checked before any decoder sees the file."""
    import os
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    data = _read(Path(path), L.PNG_FILE_BYTES, "PNG file")
    size = png_size(data)
    if size is None:
        raise DrawingFileError(f"{path}: not a readable PNG (no PNG signature and header)")
    w, h = size
    if w < 1 or h < 1:
        raise DrawingFileError(f"{path}: not a readable PNG (its header says {w}x{h} pixels)")
    if w > L.IMAGE_SIDE or h > L.IMAGE_SIDE or w * h > L.IMAGE_PIXELS:
        raise DrawingFileError(f"{path}: a {w}x{h} picture is over the limit (at most "
                               f"{L.IMAGE_SIDE} per side and {L.IMAGE_PIXELS} pixels)")
    data = bounded_png(data, str(path))
    import pygame

    try:
        with _quiet_stderr() as said:
            surf = pygame.image.load(io.BytesIO(data), "drawing.png")
    except (pygame.error, ValueError, OSError, MemoryError) as e:
        why = " ".join(said()) or str(e)
        raise DrawingFileError(f"{path}: not a readable PNG ({why})") from None
    if surf.get_size() != (w, h):
        raise DrawingFileError(f"{path}: not a readable PNG (decoded size differs from header)")
    rgb = pygame.surfarray.array3d(surf).astype(np.float32).transpose(1, 0, 2) / 255.0
    grey = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    del rgb
    if surf.get_flags() & pygame.SRCALPHA or surf.get_alpha() is not None:
        alpha = pygame.surfarray.array_alpha(surf).T.astype(np.float32) / 255.0
        if alpha.min() < 0.5:  # transparent background: the alpha is the ink
            return alpha
    if _border(grey).mean() > 0.5:
        grey = 1.0 - grey
    return np.where(grey < 0.04, 0.0, grey).astype(np.float32)


@contextlib.contextmanager
def _quiet_stderr():
    """Catch what a C decoder prints on stderr itself (libpng does), so that a broken picture
    is still reported in one line; yields a function returning those lines."""
    import os
    import tempfile

    lines: list[str] = []
    try:
        saved = os.dup(2)
    except OSError:
        yield lambda: lines
        return
    with tempfile.TemporaryFile() as tmp:
        try:
            sys.stderr.flush()
            os.dup2(tmp.fileno(), 2)
            yield lambda: lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            lines.extend(l.strip() for l in tmp.read(2000).decode("utf-8", "replace")
                         .splitlines() if l.strip())


def _border(a: np.ndarray) -> np.ndarray:
    return np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
