"""How input changes the exhibit's state: keys (the teacher's and the sample digits) and the
pointer (drawing, buttons, neurons). A mixin of :class:`exhibit.app.exhibit.Exhibit`, kept
apart so that what input does and what time does can each be read on their own.
"""
from __future__ import annotations

import math

import pygame

from exhibit.app.modes import Mode
from exhibit.app.pointer import Pointer
from exhibit.model.weights import MODEL_NAMES
from exhibit.views import operator

# these keep a frozen screen frozen longer
TEACHER_ACTIONS = ("freeze", "help", "explain", "step", "step_back", "about", "panel", "close")
PRESS_SLOP = 30  # px (at 1080 lines) a long press may wander and still count


class Controls:
    # --- input ------------------------------------------------------------------------------
    def handle(self, ev: pygame.event.Event) -> None:
        if ev.type == pygame.KEYDOWN:
            self.since_input = 0.0
            self.on_key(getattr(ev, "key", 0))
            return
        for p in self.pointer.handle(ev, self.viewport):
            self.since_input = 0.0
            if (self.mode in (Mode.ATTRACT, Mode.FAILSAFE) and p.kind == "down"
                    and not self.panel_open):
                self.stop_attract()
            self.on_pointer(p)

    def is_key(self, key: int, action: str) -> bool:
        return key in self.keys[action]

    def on_key(self, key: int) -> None:
        action = next((a for a, codes in self.keys.items() if key in codes), None)
        if action is not None:
            self.act(action)
            return
        self._touch_timer()
        if self.mode == Mode.FROZEN:
            return  # nothing else moves while frozen
        if self.mode in (Mode.ATTRACT, Mode.FAILSAFE):
            self.stop_attract()
        if pygame.K_0 <= key <= pygame.K_9:
            self.load_sample(key - pygame.K_0)
        elif pygame.K_KP_1 <= key <= pygame.K_KP_0:
            self.load_sample((key - pygame.K_KP_1 + 1) % 10)

    def act(self, action: str) -> None:
        """One teacher action, from a key, a clicker or the touch panel (the same names as
        the ``keys.*`` settings)."""
        if action in TEACHER_ACTIONS:
            self.since_teacher = 0.0
        self._touch_timer()
        if action == "freeze":
            self.toggle_freeze()
        elif action == "help":
            self.show_help = not self.show_help
        elif action == "explain":
            self.show_explain = not self.show_explain
        elif action == "about":
            self.show_about = not self.show_about
        elif action in ("panel", "close"):
            self.panel_open = action == "panel" and not self.panel_open
        elif action in ("step", "step_back"):
            if self.mode != Mode.FROZEN:  # a clicker's first press freezes, then steps
                self.toggle_freeze()
            if self.mode == Mode.FROZEN:
                self.next_stage(1 if action == "step" else -1)
        elif self.mode == Mode.FROZEN:
            return  # nothing else moves while frozen
        else:
            self._action(action)

    def _action(self, action: str) -> None:
        if self.mode in (Mode.ATTRACT, Mode.FAILSAFE):
            self.stop_attract()
        if action == "clear":
            self.clear()
        elif action == "learn":
            if self.comparing:  # learning shows in the network view
                self.toggle_compare()
            self.learn.toggle(self)
        elif action == "model":
            self.set_model(MODEL_NAMES[(MODEL_NAMES.index(self.model_name) + 1) % len(MODEL_NAMES)])
        elif action == "compare":
            self.toggle_compare()
        elif action == "centring":
            self.centring = not self.centring
            self.log.write("centring", on=self.centring)
        elif action == "ablation" and self.masks:
            self.ablating = not self.ablating
            self.detail = None
        elif action == "restore":
            for m in self.masks:
                m[:] = 1
        elif action == "language":
            langs = self.cfg["languages"]  # the configured cycle
            self.lang = langs[(langs.index(self.lang) + 1) % len(langs)] if self.lang in langs else langs[0]
            self.detail = None
            self.log.write("language", language=self.lang)

    def on_pointer(self, p: Pointer) -> None:
        c = self.canvas_rect
        if p.kind == "down" and self.panel_open:  # the panel takes every tap while it is open
            self._touch_timer()
            hit = operator.panel_hit(self.layout, p.x, p.y)
            if self.show_about:  # the credits lie over the panel: a tap closes them first
                self.show_about = False
            elif hit == "outside":  # not a panel action: a visitor's tap extends nothing
                self.panel_open = False
            elif hit is not None:
                self.since_teacher = self.panel_idle = 0.0
                self.act(hit)
                if hit == "freeze" and self.mode == Mode.FROZEN:
                    self.touch_freeze = True  # ends after operator.freeze_idle_seconds
            return
        if p.kind == "down" and self.confirm_left is not None:
            self.confirm_left = None  # the second step of the gesture: this tap, or nothing
            if operator.confirm_rect(self.layout).collidepoint(p.x, p.y):
                self.press = None
                self.act("panel")
                self.log.write("panel")
                return
        if p.kind == "down":
            self._touch_timer()
            self.show_about = False  # a tap closes the credits and still does what it does
            hold = self.cfg["operator.hold_seconds"]
            self.press = ([p.x, p.y, 0.0] if hold > 0 and operator.corner(self.layout).collidepoint(p.x, p.y)
                          else None)
            hit = self.layout.hit(p.x, p.y, self.shown())
            if self.comparing and hit is not None and hit[0] == "neuron":
                hit = None  # the compare view shows no neurons
            if self.mode == Mode.FROZEN:
                if hit is not None and hit[0] == "neuron":  # a teacher opens cards on a frozen drawing
                    self.tap_neuron(*hit[1])
                return  # everything else waits until the teacher unfreezes
            if self.detail is not None:
                self.detail = None  # a tap anywhere closes the card, and still does what it does
            if self.learn.hit(self, p.x, p.y):
                return
            if hit is None:
                return
            if hit[0] == "clear":
                self.clear()
            elif hit[0] == "sample":
                self.load_sample(hit[1])
            elif hit[0] == "neuron":
                self.tap_neuron(*hit[1])
            else:
                if self.sample is not None:
                    self.sample = None
                    self.drawing.clear()
                self.drawing.begin(p.x - c.x, p.y - c.y)
                self.clear_at = None
                self.modes.go(Mode.DRAWING)
        elif p.kind == "move" and self.press is not None and math.hypot(
                p.x - self.press[0], p.y - self.press[1]) > self.layout.px(PRESS_SLOP):
            self.press = None  # a slide, not a long press
        elif p.kind == "move" and self.drawing.active:
            # a finger sliding off the canvas keeps drawing along its edge
            x = min(max(p.x, c.x), c.right - 1) - c.x
            y = min(max(p.y, c.y), c.bottom - 1) - c.y
            self.drawing.extend(x, y)
        elif p.kind == "up" and self.press is not None:
            self.press = None
        elif p.kind == "up" and self.drawing.end():
            self._touch_timer(force=True)
            if self.mode == Mode.DRAWING:
                self.modes.go(Mode.IDLE)
            self.refresh()  # the last points are in: read them before reporting
            self.log_prediction("visitor", None)

    def hold_press(self, dt: float) -> None:
        """Time a press held in the operator corner; long enough brings up the confirm target,
        whose tap opens the teacher panel (on the wall clock: it works while frozen too). An
        open panel nobody uses closes after operator.freeze_idle_seconds."""
        if self.confirm_left is not None:
            self.confirm_left = self.confirm_left - dt if self.confirm_left > dt else None
        if self.panel_open:
            self.panel_idle += dt
            idle = self.cfg["operator.freeze_idle_seconds"]
            if idle > 0 and self.panel_idle >= idle:
                self.panel_open = False
        else:
            self.panel_idle = 0.0
        if self.press is None:
            return
        self.press[2] += dt
        if self.press[2] >= self.cfg["operator.hold_seconds"]:
            self.press = None  # the hold is done: now a tap on panel.confirm opens the panel
            self.confirm_left = operator.CONFIRM_SECONDS

    def _touch_timer(self, force: bool = False) -> None:
        """Any touch or key restarts the auto-clear countdown of what is on the canvas."""
        after = self.cfg["timing.clear_after"]
        if after > 0 and (force or self.clear_at is not None):
            self.clear_at = self.now + after

    def tap_neuron(self, layer: int, neuron: int) -> None:
        if self.ablating and layer <= len(self.masks):
            m = self.masks[layer - 1]
            m[neuron] = 0.0 if m[neuron] > 0 else 1.0
            self.log.write("ablation", layer=layer, neuron=neuron, on=bool(m[neuron]))
        elif not self.ablating and layer < len(self.layout.sizes) - 1:
            self.detail = (layer, neuron)  # hidden units and maps: an output's numbers are its bar

