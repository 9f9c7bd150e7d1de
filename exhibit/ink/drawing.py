"""The drawing on the canvas: strokes that grow point by point, with a version that changes
whenever the ink does (so the network runs only when there is something new to read).

Ink is bounded, so a vandal's endless scribble cannot slow the frames down:

* a stroke longer than ``max_stroke_points`` goes on as a new stroke that starts where it left
  off (the same ink, on the canvas and for the network);
* once the drawing passes :data:`START` of ``max_points``, finished strokes are simplified a
  little with every new point (Ramer-Douglas-Peucker on :data:`PIECE` points at a time, so no
  frame pays for it all; at most :data:`TOLERANCES` canvas pixels off the original line:
  invisible under a finger-wide brush and far below one pixel of the network's 20 px box);
  the canvas keeps what it already painted, so nothing on screen changes;
* if that frees no room, the drawing is full and further points are ignored (the stroke ends).
"""
from __future__ import annotations

import math

import numpy as np

MAX_POINTS = 4000  # a drawing; a digit needs a few hundred
MAX_STROKE_POINTS = 1000
TOLERANCES = (0.75, 1.5, 3.0)  # canvas pixels, tried in turn when the drawing is full
START = 0.6  # share of max_points from which finished strokes are simplified, bit by bit
PIECE = 64  # points simplified per new point (about a millisecond)


def simplify(points: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Ramer-Douglas-Peucker: the fewest points whose polyline stays within ``tol`` of the
    original; the first and last points are kept."""
    n = len(points)
    if n < 3:
        return list(points)
    p = np.asarray(points, np.float64)
    keep = np.zeros(n, bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        seg = p[b] - p[a]
        q = p[a + 1:b] - p[a]
        length = math.hypot(seg[0], seg[1])
        if length < 1e-9:
            d = np.hypot(q[:, 0], q[:, 1])
        else:
            d = np.abs(seg[0] * q[:, 1] - seg[1] * q[:, 0]) / length
        i = int(d.argmax())
        if d[i] > tol:
            m = a + 1 + i
            keep[m] = True
            stack.append((a, m))
            stack.append((m, b))
    return [points[i] for i in np.flatnonzero(keep)]


class Drawing:
    """Strokes in canvas pixels. ``version`` increases with every change."""

    def __init__(self, min_step: float = 1.5, max_points: int = MAX_POINTS,
                 max_stroke_points: int = MAX_STROKE_POINTS) -> None:
        self.strokes: list[list[tuple[float, float]]] = []
        self.version = 0
        self.min_step = min_step  # points closer than this to the last one add nothing visible
        self.max_points = max_points  # a runaway scribble is simplified, then stops growing
        self.max_stroke_points = max(2, max_stroke_points)
        self._count = 0
        self._tol: list[float] = []  # per stroke: the tolerance it was simplified with
        self._pos: list[int] = []  # per stroke: how far the current simplification got
        self._scan = [0] * len(TOLERANCES)  # per tolerance: strokes before this one are done
        self._arrays: list[np.ndarray] = []  # finished strokes as arrays (they no longer change)
        self.full = False  # the drawing reached max_points and could not be simplified further
        self.active = False  # a finger or button is down on this drawing

    @property
    def empty(self) -> bool:
        return self._count == 0

    @property
    def point_count(self) -> int:
        return self._count

    def begin(self, x: float, y: float) -> None:
        if not (math.isfinite(x) and math.isfinite(y)) or not self._room():
            return
        self._new_stroke((x, y))
        self.active = True
        self.version += 1

    def extend(self, x: float, y: float) -> bool:
        """Add a point to the current stroke; False when it was too close to count (or the
        drawing is full)."""
        if not self.active or not self.strokes:
            return False
        if not (math.isfinite(x) and math.isfinite(y)):
            return False
        lx, ly = self.strokes[-1][-1]
        if math.hypot(x - lx, y - ly) < self.min_step:
            return False
        if not self._room():
            return False
        if len(self.strokes[-1]) >= self.max_stroke_points:
            # go on as a new stroke from the same point: the same ink, in bounded pieces
            self._new_stroke((lx, ly))
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
        self._tol = []
        self._pos = []
        self._scan = [0] * len(TOLERANCES)
        self._arrays = []
        self._count = 0
        self.full = False
        self.active = False
        self.version += 1

    def arrays(self) -> list[np.ndarray]:
        n = len(self.strokes)
        if n == 0:
            return []
        while len(self._arrays) < n - 1:  # finished strokes are converted once
            self._arrays.append(np.asarray(self.strokes[len(self._arrays)], np.float32))
        return self._arrays[:n - 1] + [np.asarray(self.strokes[-1], np.float32)]

    def _new_stroke(self, first: tuple[float, float]) -> None:
        self.strokes.append([first])
        self._tol.append(0.0)
        self._pos.append(0)
        self._count += 1

    def _room(self) -> bool:
        """True when one more point (and a continuation point) fits, simplifying if needed."""
        if self._count + 2 <= self.max_points:
            if self._count > self.max_points * START:
                self._simplify_piece()  # a little at a time, long before the drawing is full
            return True
        if self.full:
            return False
        while self._count + 2 > self.max_points:
            if not self._simplify_piece():
                self.full = True
                return False
        return True

    def _simplify_piece(self) -> bool:
        """Simplify the next PIECE points of a finished stroke; False when nothing is left.
        The last two strokes are left alone: the canvas may not have painted them yet."""
        done = len(self.strokes) - 2
        for level, tol in enumerate(TOLERANCES):
            i = self._scan[level]
            while i < done and (self._tol[i] >= tol or len(self.strokes[i]) <= 2):
                i += 1
            self._scan[level] = i
            if i >= done:
                continue
            s, j = self.strokes[i], self._pos[i]
            piece = s[j:j + PIECE + 1]
            simple = simplify(piece, tol)
            s[j:j + len(piece)] = simple
            self._count -= len(piece) - len(simple)
            j += len(simple) - 1
            if j >= len(s) - 1:  # this stroke is done at this tolerance
                self._tol[i], self._pos[i] = tol, 0
            else:
                self._pos[i] = j
            del self._arrays[i:]  # its array changed
            self.version += 1
            return True
        return False
