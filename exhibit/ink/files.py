"""Drawings from files: stroke JSON, 28x28 ``.npy`` arrays and (with pygame) PNG pictures.

A stroke file is JSON with y pointing down::

    {"box": [500, 500], "digits": [{"label": 7, "strokes": [[[120, 80], [380, 82]]]}]}

or a single digit as ``{"box": [...], "strokes": [...]}``. The box is fitted onto the drawing
canvas (uniform scale, centred) so that strokes arrive in canvas pixels, as a finger's do.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from exhibit.ink.strokes import fit_box, transform


class DrawingFileError(ValueError):
    """A file that cannot be read as a drawing; the message names the file and the problem."""


@dataclass
class Drawing:
    """One digit to classify: strokes in canvas pixels, or a raster with ink high in [0, 1]."""

    strokes: list[np.ndarray] | None = None
    raster: np.ndarray | None = None
    label: int | None = None
    error: str | None = None  # why this digit could not be read (the others still are)

    @property
    def ink(self) -> list[np.ndarray] | np.ndarray:
        return self.raster if self.raster is not None else (self.strokes or [])


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _points(stroke: Any, where: str) -> np.ndarray:
    """A stroke's points as (n, 2); extra fields per point (time, pressure) are ignored."""
    if not isinstance(stroke, list):
        raise DrawingFileError(f"{where}: a stroke must be a list of [x, y] points")
    if not stroke:
        return np.zeros((0, 2), np.float32)
    for p in stroke:
        if not isinstance(p, list) or len(p) < 2 or not (_is_number(p[0]) and _is_number(p[1])):
            raise DrawingFileError(f"{where}: every point must be [x, y] with finite numbers, "
                                   f"got {json.dumps(p)[:40]}")
    return np.asarray([p[:2] for p in stroke], np.float32)


def _label(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 9:
        raise DrawingFileError(f"{where}: 'label' must be a digit 0-9, got {json.dumps(value)[:20]}")
    return value


def parse_stroke_json(doc: Any, canvas: Sequence[float], where: str) -> Iterator[Drawing]:
    """Yield the drawings of a parsed stroke document, strokes fitted onto the canvas."""
    if not isinstance(doc, dict):
        raise DrawingFileError(f"{where}: expected a JSON object with 'box' and 'digits'")
    box = doc.get("box")
    if (not isinstance(box, list) or len(box) != 2 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in box)):
        raise DrawingFileError(f"{where}: 'box' must be [width, height] with positive numbers")
    scale, offset = fit_box(box, canvas)
    if "digits" in doc:
        digits = doc["digits"]
        if not isinstance(digits, list):
            raise DrawingFileError(f"{where}: 'digits' must be a list")
    elif "strokes" in doc:
        digits = [doc]
    else:
        raise DrawingFileError(f"{where}: expected 'digits' (a list) or 'strokes'")
    for i, d in enumerate(digits):
        w = f"{where}: digit {i}"
        try:
            if not isinstance(d, dict) or not isinstance(d.get("strokes"), list):
                raise DrawingFileError(f"{w}: expected an object with 'strokes'")
            label = _label(d.get("label"), w)
            strokes = [_points(s, f"{w}, stroke {j}") for j, s in enumerate(d["strokes"])]
        except DrawingFileError as e:
            # one broken digit must not cost the others: report it in its place
            yield Drawing(error=str(e))
            continue
        yield Drawing(strokes=transform(strokes, scale, offset), label=label)


def read_drawings(path: str | Path, canvas: Sequence[float]) -> Iterator[Drawing]:
    """Drawings in a file, chosen by its content/extension: JSON strokes, .npy or PNG."""
    p = Path(path)
    where = str(p)
    if not p.is_file():
        raise DrawingFileError(f"{where}: file not found")
    suffix = p.suffix.lower()
    if suffix == ".npy":
        try:
            arr = np.load(p, allow_pickle=False)
        except (ValueError, OSError) as e:
            raise DrawingFileError(f"{where}: not a plain .npy array ({e})") from None
        yield Drawing(raster=_as_raster(arr, where))
    elif suffix == ".png":
        yield Drawing(raster=read_png(p))
    else:
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise DrawingFileError(f"{where}: not a stroke file (JSON): {e}") from None
        yield from parse_stroke_json(doc, canvas, where)


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


def read_png(path: Path) -> np.ndarray:
    """A PNG as a raster with ink high: dark-on-light pictures are inverted, alpha respected."""
    import os
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    try:
        surf = pygame.image.load(str(path))
    except (pygame.error, FileNotFoundError) as e:
        raise DrawingFileError(f"{path}: not a readable PNG ({e})") from None
    rgb = pygame.surfarray.array3d(surf).astype(np.float32).transpose(1, 0, 2) / 255.0
    grey = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    if surf.get_flags() & pygame.SRCALPHA or surf.get_alpha() is not None:
        alpha = pygame.surfarray.array_alpha(surf).T.astype(np.float32) / 255.0
        if alpha.min() < 0.5:  # transparent background: the alpha is the ink
            return alpha
    if _border(grey).mean() > 0.5:
        grey = 1.0 - grey
    return np.where(grey < 0.04, 0.0, grey).astype(np.float32)


def _border(a: np.ndarray) -> np.ndarray:
    return np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
