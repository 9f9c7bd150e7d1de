"""Input becomes actions: keys (the teacher's and the sample digits) and the pointer (drawing,
buttons, neurons, the touch panel) are read here and turned into :data:`Action` tuples, which
the exhibit applies from its table (``Exhibit.apply``). This module reads the state it is
shown and never writes it; it keeps only its own gesture state (the pointer's owner, a long
press in the operator corner).

Actions are yielded one at a time and each is applied before the next is worked out, so a
later one sees what an earlier one did (a tap that ends attract mode then starts a stroke).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Iterator, Protocol

import pygame

from exhibit.layout import panel
from exhibit.state.modes import Mode
from exhibit.state.pointer import Pointer, PointerTracker

if TYPE_CHECKING:
    import numpy as np

    from exhibit.config import Config
    from exhibit.ink.drawing import Drawing
    from exhibit.layout.regions import Layout
    from exhibit.layout.viewport import Viewport
    from exhibit.state.designing import DesignMode
    from exhibit.state.learning import LearnMode

Action = tuple  # (name, *arguments); the names are the keys of Exhibit.ACTIONS
PRESS_SLOP = 30  # px (at 1080 lines) a long press may wander and still count


HOLD_CUE_SECONDS = 0.4  # a press held this long on panel.open shows its progress ring

class InputView(Protocol):
    """What input reads of the exhibit to decide what a touch means."""
    cfg: "Config"
    mode: Mode
    viewport: "Viewport"
    layout: "Layout"
    drawing: "Drawing"
    learn: "LearnMode"
    design: "DesignMode"
    keys: dict[str, set[int]]
    panel_open: bool
    show_about: bool
    comparing: bool
    detail: tuple[int, int] | None

    def shown(self) -> "list[np.ndarray]": ...
    def talk_hit(self, x: float, y: float) -> str | None: ...


class Input:
    def __init__(self) -> None:
        self.pointer = PointerTracker()
        self.press: list[float] | None = None  # a press in the operator corner: x, y, seconds
        self.confirm_left: float | None = None  # after the hold: seconds panel.confirm waits
        self.hold_seconds = 0.0  # operator.hold_seconds, as of the last step

    @property
    def busy(self) -> bool:
        return self.pointer.busy

    def handle(self, ev: pygame.event.Event, st: InputView) -> Iterator[Action]:
        if ev.type == pygame.KEYDOWN:
            yield ("input",)
            yield from self.key(getattr(ev, "key", 0), st)
            return
        for p in self.pointer.handle(ev, st.viewport):
            yield ("input",)
            if st.mode in (Mode.ATTRACT, Mode.FAILSAFE) and p.kind == "down" and not st.panel_open:
                yield ("stop_attract",)
            yield from self.point(p, st)

    def release_all(self, st: InputView) -> Iterator[Action]:
        """Forget any gesture (device or focus lost, a freeze): the 'up' it implies."""
        for p in self.pointer.reset():
            yield from self.point(p, st)

    def key(self, key: int, st: InputView) -> Iterator[Action]:
        action = next((a for a, codes in st.keys.items() if key in codes), None)
        if action is not None:
            yield ("act", action)
            return
        yield ("touch_timer",)
        if st.mode == Mode.FROZEN:
            return  # nothing else moves while frozen
        if st.mode in (Mode.ATTRACT, Mode.FAILSAFE):
            yield ("stop_attract",)
        if pygame.K_0 <= key <= pygame.K_9:
            yield ("sample", key - pygame.K_0)
        elif pygame.K_KP_1 <= key <= pygame.K_KP_0:
            yield ("sample", (key - pygame.K_KP_1 + 1) % 10)

    def point(self, p: Pointer, st: InputView) -> Iterator[Action]:
        if p.kind == "down" and st.panel_open:  # the panel takes every tap while it is open
            yield ("touch_timer",)
            hit = panel.panel_hit(st.layout, p.x, p.y)
            if st.show_about:  # the credits lie over the panel: a tap closes them first
                yield ("close_about",)
            elif hit == "outside":  # not a panel action: a visitor's tap extends nothing
                yield ("close_panel",)
            elif hit is not None:
                yield ("teacher_touch",)
                yield ("act", hit)
                if hit == "freeze":
                    yield ("panel_freeze",)  # it ends after operator.freeze_idle_seconds
            return
        if p.kind == "down" and self.confirm_left is not None:
            self.confirm_left = None  # the gesture's second step: this tap, or nothing
            if panel.confirm_rect(st.layout).collidepoint(p.x, p.y):
                self.press = None
                yield ("act", "panel")
                yield ("log", "panel")
                return
        if p.kind == "down":
            yield from self._down(p, st)
        elif p.kind == "move" and self.press is not None and math.hypot(
                p.x - self.press[0], p.y - self.press[1]) > st.layout.px(PRESS_SLOP):
            self.press = None  # a slide, not a long press
        elif p.kind == "move" and st.drawing.active:
            # a finger sliding off the canvas keeps drawing along its edge
            c = st.layout.canvas
            yield ("stroke_extend", min(max(p.x, c.x), c.right - 1) - c.x,
                   min(max(p.y, c.y), c.bottom - 1) - c.y)
        elif p.kind == "up" and self.press is not None:
            self.press = None
        elif p.kind == "up" and st.drawing.active:
            yield ("stroke_end",)

    def _down(self, p: Pointer, st: InputView) -> Iterator[Action]:
        yield ("touch_timer",)
        yield ("close_about",)  # a tap closes the credits and still does what it does
        hold = st.cfg.operator.hold_seconds
        self.press = ([p.x, p.y, 0.0] if hold > 0 and panel.corner(st.layout).collidepoint(p.x, p.y)
                      else None)
        target = st.design.hit(st.layout, p.x, p.y) if st.mode != Mode.FROZEN else None
        if target is not None:  # the design card takes every tap on it (it lies over the canvas)
            if target != "card":
                yield ("design_tap", target)
            return
        talk = st.talk_hit(p.x, p.y)  # talk-back's buttons (whatif works while frozen)
        if talk is not None:
            yield ("talk", talk)
            return
        hit = st.layout.hit(p.x, p.y, st.shown())
        if st.comparing and hit is not None and hit[0] == "neuron":
            hit = None  # the compare view shows no neurons
        if st.mode == Mode.FROZEN:
            if hit is not None and hit[0] == "neuron":  # a teacher opens cards on a frozen drawing
                yield ("tap_neuron", *hit[1])
            return  # everything else waits until the teacher unfreezes
        if st.detail is not None:
            yield ("close_detail",)  # a tap anywhere closes the card, and still does what it does
        if st.learn.button_hit(st.layout, p.x, p.y, st.comparing):
            yield ("learn_toggle",)
            return
        if st.design.button_hit(st.layout, p.x, p.y, st.comparing):
            yield ("design_open",)
            return
        if hit is None:
            return
        if hit[0] == "clear":
            yield ("act", "clear")
        elif hit[0] == "sample":
            yield ("sample", hit[1])
        elif hit[0] == "neuron":
            yield ("tap_neuron", *hit[1])
        else:
            c = st.layout.canvas
            yield ("stroke_begin", p.x - c.x, p.y - c.y)

    @property
    def hold_progress(self) -> float | None:
        """How far a hold on ``panel.open`` has come (0..1), once it is clearly a hold (a tap
        shows nothing); None when no such hold is under way."""
        if self.press is None or self.press[2] < HOLD_CUE_SECONDS or self.hold_seconds <= 0:
            return None
        return min(1.0, self.press[2] / self.hold_seconds)

    def step(self, dt: float, st: InputView) -> Iterator[Action]:
        """Time a press held on ``panel.open`` (the operator corner); long enough brings up
        ``panel.confirm``, whose tap within CONFIRM_SECONDS opens the teacher panel (on the
        wall clock: it works while frozen too)."""
        if self.confirm_left is not None:
            self.confirm_left = self.confirm_left - dt if self.confirm_left > dt else None
        if self.press is None:
            return
        self.press[2] += dt
        self.hold_seconds = st.cfg.operator.hold_seconds
        if self.press[2] >= st.cfg.operator.hold_seconds:
            self.press = None
            self.confirm_left = panel.CONFIRM_SECONDS
        yield from ()
