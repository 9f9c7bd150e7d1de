"""Where things are: regions from config fractions, and window pixels -> logical pixels."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


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
        s = self.scale
        return ((self.window[0] - self.logical[0] * s) / 2, (self.window[1] - self.logical[1] * s) / 2)

    def from_window(self, x: float, y: float) -> tuple[float, float]:
        ox, oy = self.offset
        s = self.scale
        return (x - ox) / s, (y - oy) / s

    def to_window(self, x: float, y: float) -> tuple[float, float]:
        ox, oy = self.offset
        return x * self.scale + ox, y * self.scale + oy

    def from_finger(self, fx: float, fy: float) -> tuple[float, float]:
        """Finger events give 0..1 of the *window*; convert to logical pixels."""
        return self.from_window(fx * self.window[0], fy * self.window[1])


def region(fractions: Sequence[float], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """[x, y, w, h] fractions of the screen -> an integer pixel rect."""
    x, y, w, h = fractions
    W, H = size
    return round(x * W), round(y * H), max(1, round(w * W)), max(1, round(h * H))


def orientation(cfg, size: tuple[int, int]) -> str:
    o = cfg["layout.orientation"]
    if o == "auto":
        return "portrait" if size[1] > size[0] else "landscape"
    return o


def regions(cfg, size: tuple[int, int]) -> dict[str, tuple[int, int, int, int]]:
    """Every region's pixel rect for a screen of ``size``, from the config's layout."""
    from exhibit.config.schema import REGIONS

    o = orientation(cfg, size)
    return {name: region(cfg[f"layout.{o}.{name}"], size) for name in REGIONS}
