"""Window pixels and finger positions -> the logical pixels the layout is drawn in."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Viewport:
    """How the logical surface (size) sits in the window: uniformly scaled and letterboxed,
    as pygame's SCALED mode shows it."""

    logical: tuple[int, int]
    window: tuple[int, int]

    @property
    def scale(self) -> float:
        return min(self.window[0] / self.logical[0], self.window[1] / self.logical[1])

    @property
    def offset(self) -> tuple[float, float]:
        """Where the scaled surface starts, in whole window pixels as SDL's renderer puts it."""
        s = self.scale
        shown = math.floor(self.logical[0] * s), math.floor(self.logical[1] * s)
        return float((self.window[0] - shown[0]) // 2), float((self.window[1] - shown[1]) // 2)

    def to_window(self, x: float, y: float) -> tuple[float, float]:
        ox, oy = self.offset
        return x * self.scale + ox, y * self.scale + oy

    def from_finger(self, fx: float, fy: float) -> tuple[float, float]:
        """Finger events give 0..1 of the *logical* surface: SDL's renderer already removed the
        letterbox and scaling (SDL_RenderSetLogicalSize, which SCALED uses; measured with
        pygame-ce 2.5.8 / SDL 2.32.10). Without SCALED, logical and window are the same."""
        return fx * self.logical[0], fy * self.logical[1]
