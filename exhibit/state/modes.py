"""The exhibit's modes and the only transitions between them, as one table (after pibooth).

IDLE      nobody touching; the canvas may still hold the last drawing.
DRAWING   a finger (or the mouse button) is down on the canvas.
ATTRACT   nobody came for a while: the hand writes digits by itself.
FROZEN    a teacher stopped time to explain.
FAILSAFE  something failed: a calm screen for a moment, then attract mode (or idle).
"""
from __future__ import annotations

import enum
from typing import Callable


class Mode(enum.Enum):
    IDLE = "idle"
    DRAWING = "drawing"
    ATTRACT = "attract"
    FROZEN = "frozen"
    FAILSAFE = "failsafe"


# from -> where it may go. Every mode can fail; FAILSAFE leaves only by its own exit.
TRANSITIONS: dict[Mode, frozenset[Mode]] = {
    Mode.IDLE: frozenset({Mode.DRAWING, Mode.ATTRACT, Mode.FROZEN, Mode.FAILSAFE}),
    Mode.DRAWING: frozenset({Mode.IDLE, Mode.FROZEN, Mode.FAILSAFE}),
    Mode.ATTRACT: frozenset({Mode.IDLE, Mode.FROZEN, Mode.FAILSAFE}),
    Mode.FROZEN: frozenset({Mode.IDLE, Mode.ATTRACT, Mode.FAILSAFE}),
    Mode.FAILSAFE: frozenset({Mode.ATTRACT, Mode.IDLE}),
}


class IllegalTransition(Exception):
    """A bug: the code asked for a move the table does not allow."""


class ModeMachine:
    """Holds the current mode; ``go`` checks the table and reports each change."""

    def __init__(self, on_change: Callable[[Mode], None], start: Mode = Mode.IDLE) -> None:
        self.mode = start
        self.on_change = on_change

    def go(self, mode: Mode) -> None:
        if mode == self.mode:
            return
        if mode not in TRANSITIONS[self.mode]:
            raise IllegalTransition(f"{self.mode.value} -> {mode.value}")
        self.mode = mode
        self.on_change(mode)
