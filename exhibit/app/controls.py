"""How input changes the exhibit's state: keys (the teacher's and the sample digits) and the
pointer (drawing, buttons, neurons). A mixin of :class:`exhibit.app.exhibit.Exhibit`, kept
apart so that what input does and what time does can each be read on their own.
"""
from __future__ import annotations

import pygame

from exhibit.app.modes import Mode
from exhibit.app.pointer import Pointer
from exhibit.model.weights import MODEL_NAMES

TEACHER_KEYS = ("freeze", "help", "explain", "step")  # these keep a frozen screen frozen longer


class Controls:
    # --- input ------------------------------------------------------------------------------
    def handle(self, ev: pygame.event.Event) -> None:
        if ev.type == pygame.KEYDOWN:
            self.since_input = 0.0
            self.on_key(getattr(ev, "key", 0))
            return
        for p in self.pointer.handle(ev, self.viewport):
            self.since_input = 0.0
            if self.mode in (Mode.ATTRACT, Mode.FAILSAFE) and p.kind == "down":
                self.stop_attract()
            self.on_pointer(p)

    def is_key(self, key: int, action: str) -> bool:
        return key in self.keys[action]

    def on_key(self, key: int) -> None:
        if any(self.is_key(key, a) for a in TEACHER_KEYS):
            self.since_teacher = 0.0
        self._touch_timer()
        if self.is_key(key, "freeze"):
            self.toggle_freeze()
        elif self.is_key(key, "help"):
            self.show_help = not self.show_help
        elif self.is_key(key, "explain"):
            self.show_explain = not self.show_explain
        elif self.mode == Mode.FROZEN:
            if self.is_key(key, "step"):
                self.next_stage()
            # nothing else moves while frozen
        else:
            self._action_key(key)

    def _action_key(self, key: int) -> None:
        if self.mode in (Mode.ATTRACT, Mode.FAILSAFE):
            self.stop_attract()
        if self.is_key(key, "clear"):
            self.clear()
        elif self.is_key(key, "learn"):
            self.learn.toggle(self)
        elif self.is_key(key, "model"):
            self.set_model(MODEL_NAMES[(MODEL_NAMES.index(self.model_name) + 1) % len(MODEL_NAMES)])
        elif self.is_key(key, "centring"):
            self.centring = not self.centring
            self.log.write("centring", on=self.centring)
        elif self.is_key(key, "ablation"):
            self.ablating = not self.ablating
            self.detail = None
        elif self.is_key(key, "restore"):
            for m in self.masks:
                m[:] = 1
        elif self.is_key(key, "language"):
            langs = self.cfg["languages"]  # the configured cycle
            self.lang = langs[(langs.index(self.lang) + 1) % len(langs)] if self.lang in langs else langs[0]
            self.detail = None
            self.log.write("language", language=self.lang)
        elif pygame.K_0 <= key <= pygame.K_9:
            self.load_sample(key - pygame.K_0)
        elif pygame.K_KP_1 <= key <= pygame.K_KP_0:
            self.load_sample((key - pygame.K_KP_1 + 1) % 10)

    def on_pointer(self, p: Pointer) -> None:
        c = self.canvas_rect
        if p.kind == "down":
            self._touch_timer()
            hit = self.layout.hit(p.x, p.y, self.shown())
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
        elif p.kind == "move" and self.drawing.active:
            # a finger sliding off the canvas keeps drawing along its edge
            x = min(max(p.x, c.x), c.right - 1) - c.x
            y = min(max(p.y, c.y), c.bottom - 1) - c.y
            self.drawing.extend(x, y)
        elif p.kind == "up" and self.drawing.end():
            self._touch_timer(force=True)
            if self.mode == Mode.DRAWING:
                self.modes.go(Mode.IDLE)
            self.refresh()  # the last points are in: read them before reporting
            self.log_prediction("visitor", None)

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
        elif not self.ablating:
            self.detail = (layer, neuron)

