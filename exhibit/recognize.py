"""From a drawing to a :class:`Snapshot` of the whole forward pass: the one path that live
drawing, replay, attract mode, ``classify``, evaluation and the benchmarks share."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from exhibit.ink.normalize import STROKE_WIDTH, preprocess
from exhibit.ink.strokes import Strokes, bounds, finite_points
from exhibit.model.mlp import Forward
from exhibit.model.weights import LoadedModel


@dataclass(frozen=True)
class Snapshot:
    """What views render: the picture the network read and every layer's z and a.

    For an empty drawing ``picture``, ``forward`` and ``probs`` are None and ``digit`` is None.
    """

    picture: np.ndarray | None  # (side, side) float32 in [0, 1]
    forward: Forward | None
    probs: np.ndarray | None  # (10,)
    digit: int | None  # the top class, None when nothing is drawn
    confidence: float  # its probability (0 when empty)
    model: str

    @property
    def empty(self) -> bool:
        return self.picture is None


class Recognizer:
    """A loaded network plus the preprocessing it was trained with."""

    def __init__(self, model: LoadedModel, stroke_width: float = STROKE_WIDTH, min_points: int = 1,
                 min_size: float = 0.0) -> None:
        self.model = model
        self.stroke_width = stroke_width
        self.min_points = min_points
        self.min_size = min_size  # a tap is not a digit

    @property
    def side(self) -> int:
        return self.model.spec.side

    def picture(self, drawing: Strokes | np.ndarray, centre: bool = True,
                frame: tuple[float, float] | None = None, brush: float = 20.0) -> np.ndarray | None:
        if isinstance(drawing, (list, tuple)):
            drawing = [finite_points(s) for s in drawing]
            n = sum(len(p) for p in drawing)
            if n < self.min_points or n == 0:
                return None
            if self.min_size > 0:
                lo, hi = bounds(np.concatenate(drawing))
                if float((hi - lo).max()) < self.min_size:
                    return None
        return preprocess(drawing, self.model.spec, stroke_width=self.stroke_width, centre=centre,
                          frame=frame, brush=brush)

    def read_picture(self, picture: np.ndarray | None,
                     masks: Sequence[np.ndarray | None] | None = None) -> Snapshot:
        if picture is None:
            return Snapshot(None, None, None, None, 0.0, self.model.name)
        fwd = self.model.net.forward(picture.reshape(-1), masks)
        probs = fwd.probs
        digit = int(probs.argmax())
        return Snapshot(picture, fwd, probs, digit, float(probs[digit]), self.model.name)

    def read(self, drawing: Strokes | np.ndarray,
             masks: Sequence[np.ndarray | None] | None = None, centre: bool = True,
             frame: tuple[float, float] | None = None, brush: float = 20.0) -> Snapshot:
        """Preprocess a drawing (strokes or a raster, ink high) and run the network on it."""
        return self.read_picture(self.picture(drawing, centre, frame, brush), masks)
