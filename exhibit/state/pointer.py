"""One pointer from many devices: finger events, or mouse events that did not come from a touch.

Touch screens send each contact twice (a FINGER event and a synthesized MOUSE event with
``event.touch``); we take the finger and drop the copy. The first finger down owns the gesture;
other fingers do nothing until it lifts. Some panels send no FINGERMOTION: then the
touch-synthesized mouse motion stands in for it. Output is a list of ``Pointer`` actions in
logical pixels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

from exhibit.layout.viewport import Viewport

LIMIT = 1e6  # coordinates beyond this are a broken driver, not a finger


@dataclass(frozen=True)
class Pointer:
    kind: str  # "down", "move" or "up"
    x: float
    y: float


class PointerTracker:
    def __init__(self) -> None:
        self.owner: tuple[int, int] | None = None  # (touch_id, finger_id) of the owning finger
        self.finger_moved = False  # the owner sent FINGERMOTION in this gesture
        self.mouse_down = False
        self.last = (0.0, 0.0)

    @property
    def busy(self) -> bool:
        return self.owner is not None or self.mouse_down

    def reset(self) -> list[Pointer]:
        """Forget any gesture (device lost, focus lost); returns the 'up' it implies."""
        out = [Pointer("up", *self.last)] if self.busy else []
        self.owner = None
        self.mouse_down = False
        return out

    def _ok(self, x: float, y: float) -> bool:
        return math.isfinite(x) and math.isfinite(y) and abs(x) < LIMIT and abs(y) < LIMIT

    def handle(self, ev: pygame.event.Event, viewport: Viewport) -> list[Pointer]:
        t = ev.type
        if t in (pygame.FINGERDOWN, pygame.FINGERMOTION, pygame.FINGERUP):
            fx, fy = getattr(ev, "x", math.nan), getattr(ev, "y", math.nan)
            if not self._ok(fx, fy):
                return []
            x, y = viewport.from_finger(fx, fy)
            key = (getattr(ev, "touch_id", 0), getattr(ev, "finger_id", 0))
            if t == pygame.FINGERDOWN:
                if self.busy:
                    return []
                self.owner, self.finger_moved = key, False
                self.last = (x, y)
                return [Pointer("down", x, y)]
            if key != self.owner:
                return []
            self.last = (x, y)
            if t == pygame.FINGERMOTION:
                self.finger_moved = True
                return [Pointer("move", x, y)]
            self.owner = None
            return [Pointer("up", x, y)]
        if t in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEMOTION, pygame.MOUSEBUTTONUP):
            pos = getattr(ev, "pos", None)
            if not pos or len(pos) != 2 or not self._ok(*pos):
                return []
            x, y = float(pos[0]), float(pos[1])
            if getattr(ev, "touch", False):
                # a finger's copy: only useful as motion on panels that send no FINGERMOTION
                if t == pygame.MOUSEMOTION and self.owner is not None and not self.finger_moved:
                    self.last = (x, y)
                    return [Pointer("move", x, y)]
                return []
            if t == pygame.MOUSEBUTTONDOWN:
                if getattr(ev, "button", 1) != 1 or self.busy:
                    return []
                self.mouse_down = True
                self.last = (x, y)
                return [Pointer("down", x, y)]
            if not self.mouse_down:
                return []
            self.last = (x, y)
            if t == pygame.MOUSEMOTION:
                return [Pointer("move", x, y)]
            if getattr(ev, "button", 1) != 1:
                return []
            self.mouse_down = False
            return [Pointer("up", x, y)]
        return []
