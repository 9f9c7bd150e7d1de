"""Driving a headless exhibit as a visitor would, on a fixed clock: fingers through ``handle``,
time through ``step`` (``digit-exhibit shots`` and the talk-back shots use these)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pygame

from exhibit.ink.strokes import fit_box

if TYPE_CHECKING:
    from exhibit.state.exhibit import Exhibit

STEP = 1 / 60  # the fixed clock: seconds per frame
SETTLE = 2.0  # seconds after the last input: every wave has reached the outputs
Strokes = list[np.ndarray]  # each (n, 2) in canvas pixels


class ShotError(Exception):
    """A state could not be reached honestly (no stroke reads as it must)."""


# --- driving the exhibit --------------------------------------------------------------------

def frames(ex: "Exhibit", seconds: float = STEP) -> None:
    for _ in range(max(1, round(seconds / STEP))):
        ex.step(STEP)
        ex.refresh()


def finger(ex: "Exhibit", kind: str, x: float, y: float) -> None:
    t = {"down": pygame.FINGERDOWN, "move": pygame.FINGERMOTION, "up": pygame.FINGERUP}[kind]
    w, h = ex.size
    ex.handle(pygame.event.Event(t, x=x / w, y=y / h, dx=0.0, dy=0.0, finger_id=0, touch_id=1,
                                 pressure=1.0))


def draw(ex: "Exhibit", strokes: Strokes, lift: bool = True) -> None:
    """Each stroke as one finger writes it (canvas pixels), a frame after each point."""
    c = ex.canvas_rect
    for i, st in enumerate(strokes):
        for j, (x, y) in enumerate(st.tolist()):
            finger(ex, "down" if j == 0 else "move", c.x + x, c.y + y)
            frames(ex)
        if lift or i < len(strokes) - 1:
            finger(ex, "up", c.x + st[-1, 0], c.y + st[-1, 1])
            frames(ex)


def tap(ex: "Exhibit", x: float, y: float) -> None:
    finger(ex, "down", x, y)
    frames(ex)
    finger(ex, "up", x, y)
    frames(ex)


def read(ex: "Exhibit", strokes: Strokes):
    """The settled reading of ``strokes`` on a clear canvas."""
    ex.clear()
    draw(ex, strokes)
    frames(ex, SETTLE)
    return ex.snapshot


# --- the strokes: real handwriting, and searched for where a state needs it ----------------

def scripts(ex: "Exhibit", label: int | None = None) -> list[Strokes]:
    """Attract mode's pen trajectories, placed in the canvas as its hand places them."""
    box, digits = ex.scripts
    w, h = ex.canvas_rect.size
    m = 0.12 * min(w, h)
    s, (ox, oy) = fit_box(box, (w - 2 * m, h - 2 * m))
    return [[st * s + np.array([ox + m, oy + m], np.float32) for st in d.strokes]
            for d in digits if label is None or d.label == label]

