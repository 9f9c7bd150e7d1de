"""The hand that writes in attract mode: a pointing hand whose fingertip is where the attract
player's pen is, and the "Your turn!" invitation between two digits. Drawn from state only.

The hand is painted once per size at three times its size and smoothed down (anti-aliased
edges without per-frame cost); the scene blits it like a pulse, above the canvas.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from exhibit.views import overlays
from exhibit.views.theme import HEAD, Theme

if TYPE_CHECKING:
    from exhibit.state.screenstate import ScreenState

SS = 3  # supersampling factor


def _capsule(s: pygame.Surface, col, a: tuple[float, float], b: tuple[float, float], r: float) -> None:
    pygame.draw.line(s, col, a, b, max(1, round(2 * r)))
    pygame.draw.circle(s, col, a, r)
    pygame.draw.circle(s, col, b, r)


def hand_sprite(theme: Theme, size: int, down: bool) -> tuple[pygame.Surface, tuple[int, int]]:
    """A pointing hand ``size`` px tall; returns it and its fingertip's offset in it."""
    S = size * SS
    surf = pygame.Surface((S, S), pygame.SRCALPHA)
    skin = theme.c["text"]
    edge = theme.c["background"]
    tip = (0.20 * S, 0.07 * S)

    def shape(col, grow: float) -> None:
        g = grow * S
        _capsule(surf, col, tip, (0.30 * S, 0.52 * S), 0.075 * S + g)  # the index finger
        for i, (x, y) in enumerate(((0.43, 0.47), (0.56, 0.51), (0.68, 0.57))):  # folded fingers
            _capsule(surf, col, (x * S, y * S), ((x + 0.03) * S, (y + 0.12) * S), (0.07 - 0.005 * i) * S + g)
        _capsule(surf, col, (0.16 * S, 0.62 * S), (0.30 * S, 0.75 * S), 0.07 * S + g)  # the thumb
        pygame.draw.ellipse(surf, col, pygame.Rect(0.22 * S - g, 0.50 * S - g, 0.52 * S + 2 * g,
                                                   0.46 * S + 2 * g))  # the palm

    shape((*edge[:3], 230), 0.03)
    shape((*skin[:3], 240), 0.0)
    if down:  # the fingertip presses: a soft contact ring in the ink's colour
        pygame.draw.circle(surf, (*theme.c["answer"][:3], 255), tip, 0.075 * S, width=max(2, S // 45))
    small = pygame.transform.smoothscale(surf, (size, size))
    return small, (round(tip[0] / SS), round(tip[1] / SS))


class HandView:
    """Where the hand is this frame, from the exhibit's attract player."""

    def __init__(self, theme: Theme, size: int) -> None:
        self.sprites = {d: hand_sprite(theme, size, d) for d in (False, True)}

    def place(self, ex: "ScreenState") -> tuple[pygame.Surface, tuple[int, int]] | None:
        hand = ex.hand()
        if hand is None:
            return None
        x, y, down = hand
        sprite, (tx, ty) = self.sprites[down]
        return sprite, (round(x) - tx, round(y) - ty)


def invitation(surface: pygame.Surface, theme: Theme, canvas: pygame.Rect, text: str) -> pygame.Rect:
    """The card between two attract digits: an invitation to touch."""
    pad = theme.px(20)
    w = min(canvas.w - theme.px(40), theme.px(560))
    lines = theme.wrap(text, HEAD, w - 2 * pad)
    rect = pygame.Rect(0, 0, w, theme.font(HEAD).get_linesize() * len(lines) + 2 * pad)
    rect.midtop = (canvas.centerx, canvas.y + round(canvas.h * 0.12))
    overlays.card(surface, theme, rect)
    theme.put(surface, text, HEAD, "text", "background", "invitation", rect, width=w - 2 * pad,
              center=rect.center)
    return rect

