"""The prompt, inside the empty canvas: "Draw a digit here" within a dashed outline. It is part
of the overlay (over the canvas), there only while the canvas is empty and waiting; the first
touch starts drawing and takes it away."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from exhibit.state.modes import Mode
from exhibit.views.theme import HEAD, Theme

if TYPE_CHECKING:
    from exhibit.state.screenstate import ScreenState


def shown(ex: "ScreenState") -> bool:
    """Only while a visitor could start: not frozen, not while attract mode writes, not over a
    sample digit or a card that hides the canvas."""
    return (ex.mode == Mode.IDLE and ex.drawing.empty and ex.sample is None
            and not ex.show_help and not ex.panel_open and not ex.show_explain)


def dashed(surface: pygame.Surface, colour: pygame.Color, rect: pygame.Rect, width: int,
           dash: int) -> list[pygame.Rect]:
    """A dashed outline along ``rect``'s four sides; returns per side the area painted."""
    sides = []
    for (x0, y0), (x1, y1) in ((rect.topleft, rect.topright), (rect.topright, rect.bottomright),
                               (rect.bottomright, rect.bottomleft), (rect.bottomleft, rect.topleft)):
        length = max(abs(x1 - x0), abs(y1 - y0))
        if length <= 0 or dash <= 0:  # a degenerate box (a tiny hostile layout): no outline
            continue
        n = max(1, length // (2 * dash))
        painted = []
        for i in range(n + 1):
            a, b = i * 2 * dash / length, min(1.0, (i * 2 * dash + dash) / length)
            if a >= 1:
                break
            painted.append(pygame.draw.line(surface, colour, (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                                            (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b), width))
        if painted:
            sides.append(painted[0].unionall(painted[1:]))
    return sides


def draw(surface: pygame.Surface, th: Theme, canvas: pygame.Rect, text: str) -> list[pygame.Rect]:
    """Paint the prompt into ``canvas``; returns the areas painted (the outline's four sides
    and the text: the middle of the canvas stays clear, so the overlay over it costs little)."""
    box = canvas.inflate(-2 * th.px(28), -2 * th.px(28))
    if box.w <= 0 or box.h <= 0:  # a canvas too small for an outline and a line of text
        return [canvas]
    sides = dashed(surface, th.c["muted"], box, max(2, th.px(3)), th.px(22))
    width = box.w - 2 * th.px(24)
    th.painted, painted = [], th.painted
    try:
        words = th.put(surface, text, HEAD, "muted", "canvas", "prompt", box, width=width,
                       center=box.center)
    finally:
        th.painted, mine = painted, th.painted
    return sides + [words.unionall(mine)]
