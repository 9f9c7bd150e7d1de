"""The drawing on the canvas: strokes that grow point by point, with a version that changes
whenever the ink does (so the network runs only when there is something new to read)."""
from __future__ import annotations

import math

import numpy as np


class Drawing:
    """Strokes in canvas pixels. ``version`` increases with every change."""

    def __init__(self, min_step: float = 1.5, max_points: int = 20000) -> None:
        self.strokes: list[list[tuple[float, float]]] = []
        self.version = 0
        self.min_step = min_step  # points closer than this to the last one add nothing visible
        self.max_points = max_points  # a runaway scribble stops growing here
        self._count = 0
        self.active = False  # a finger or button is down on this drawing

    @property
    def empty(self) -> bool:
        return self._count == 0

    @property
    def point_count(self) -> int:
        return self._count

    def begin(self, x: float, y: float) -> None:
        if not (math.isfinite(x) and math.isfinite(y)) or self._count >= self.max_points:
            return
        self.strokes.append([(x, y)])
        self._count += 1
        self.active = True
        self.version += 1

    def extend(self, x: float, y: float) -> bool:
        """Add a point to the current stroke; False when it was too close to count."""
        if not self.active or not self.strokes or self._count >= self.max_points:
            return False
        if not (math.isfinite(x) and math.isfinite(y)):
            return False
        lx, ly = self.strokes[-1][-1]
        if math.hypot(x - lx, y - ly) < self.min_step:
            return False
        self.strokes[-1].append((x, y))
        self._count += 1
        self.version += 1
        return True

    def end(self) -> bool:
        """Lift the pen; True when a stroke was in progress."""
        was = self.active
        self.active = False
        return was

    def clear(self) -> None:
        self.strokes = []
        self._count = 0
        self.active = False
        self.version += 1

    def arrays(self) -> list[np.ndarray]:
        return [np.asarray(s, np.float32) for s in self.strokes]
