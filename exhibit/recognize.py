"""From a drawing to a :class:`Snapshot` of the whole forward pass: the one path that live
drawing, replay, attract mode, ``classify``, evaluation and the benchmarks share."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from exhibit.ink.normalize import STROKE_WIDTH, InputSpec, pool2x2, preprocess
from exhibit.ink.strokes import Segments, Strokes, bounds, finite_points, joined_segments
from exhibit.model.mlp import Forward
from exhibit.model.gate import Gate
from exhibit.model.store import GATE_PATH, load_gate
from exhibit.model.store import LoadedModel


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
    # True exactly when the exhibit shows '?': the 'not a digit' gate doubts that this is a
    # digit at all, or the top probability is under answer.min_confidence (``digit`` stays the
    # top class). Never true for an empty drawing.
    unsure: bool = False
    digit_score: float | None = None  # the gate's score in (0, 1); None without gate or ink

    @property
    def empty(self) -> bool:
        return self.picture is None


_DEFAULT = object()


@lru_cache(maxsize=1)
def default_gate() -> Gate | None:
    """The shipped gate (weights/gate.npz), loaded and verified once; None if not installed."""
    if not GATE_PATH.is_file():
        return None
    return load_gate(GATE_PATH)


class Recognizer:
    """A loaded network plus the preprocessing it was trained with, and the 'not a digit' gate
    (the shipped one unless ``gate`` is given; ``gate=None`` switches it off)."""

    def __init__(self, model: LoadedModel, stroke_width: float = STROKE_WIDTH, min_points: int = 1,
                 min_size: float = 0.0, gate: Gate | None | object = _DEFAULT,
                 min_confidence: float = 0.0) -> None:
        self.model = model
        self.min_confidence = min_confidence  # below it the answer is '?' too
        self.stroke_width = stroke_width
        self.min_points = min_points
        self.min_size = min_size  # a tap is not a digit
        self.gate: Gate | None = default_gate() if gate is _DEFAULT else gate  # type: ignore[assignment]

    @property
    def side(self) -> int:
        return self.model.spec.side

    def picture(self, drawing: Strokes | np.ndarray, centre: bool = True,
                frame: tuple[float, float] | None = None, brush: float = 20.0) -> np.ndarray | None:
        return self.pictures(drawing, centre, frame, brush)[0]

    def pictures(self, drawing: Strokes | np.ndarray, centre: bool = True,
                 frame: tuple[float, float] | None = None, brush: float = 20.0,
                 ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(the network's picture, the 28x28 picture the gate reads; None when not centred).

        A 14x14 picture is the 28x28 one averaged over 2x2 blocks (as :func:`preprocess`
        does), so both come from one pass."""
        if isinstance(drawing, (list, tuple)):
            drawing = [finite_points(s) for s in drawing]
            n = sum(len(p) for p in drawing)
            if n < self.min_points or n == 0:
                return None, None
            segs = joined_segments(drawing)  # once, for the size check and the picture
            box = bounds(segs.reshape(-1, 2))  # every point is a segment's end
            lo, hi = box
            if self.min_size > 0 and max(hi[0] - lo[0], hi[1] - lo[1]) < self.min_size:
                return None, None
            drawing = Segments(segs, box)  # finite and measured: preprocess does neither again
        spec = self.model.spec
        if not centre:
            return preprocess(drawing, spec, stroke_width=self.stroke_width, centre=False,
                              frame=frame, brush=brush), None
        pic28 = preprocess(drawing, InputSpec(28, spec.deskew), stroke_width=self.stroke_width)
        if pic28 is None or spec.side == 28:
            return pic28, pic28
        return pool2x2(pic28), pic28

    def read_picture(self, picture: np.ndarray | None,
                     masks: Sequence[np.ndarray | None] | None = None,
                     gate_picture: np.ndarray | None | object = _DEFAULT) -> Snapshot:
        """Run the network (and the gate, on ``gate_picture``: by default ``picture`` itself
        when it is 28x28) on a preprocessed picture."""
        if picture is None:
            return Snapshot(None, None, None, None, 0.0, self.model.name)
        fwd = self.model.net.forward(picture.reshape(-1), masks)
        probs = fwd.probs
        digit = int(probs.argmax())
        if gate_picture is _DEFAULT:
            gate_picture = picture if picture.size == 784 else None
        unsure, score = bool(probs[digit] < self.min_confidence), None
        if self.gate is not None and gate_picture is not None:
            score = self.gate.score(gate_picture)  # type: ignore[arg-type]
            unsure = unsure or bool(score < self.gate.threshold)
        return Snapshot(picture, fwd, probs, digit, float(probs[digit]), self.model.name,
                        unsure, score)

    def read(self, drawing: Strokes | np.ndarray,
             masks: Sequence[np.ndarray | None] | None = None, centre: bool = True,
             frame: tuple[float, float] | None = None, brush: float = 20.0) -> Snapshot:
        """Preprocess a drawing (strokes or a raster, ink high) and run the network and the
        gate on it. Without centring (a teaching aid) the gate does not judge: never unsure."""
        pic, pic28 = self.pictures(drawing, centre, frame, brush)
        return self.read_picture(pic, masks, pic28)
