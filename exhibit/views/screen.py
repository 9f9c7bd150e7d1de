"""The screen as a whole: reads an Exhibit's state and draws it; never changes that state.

``update(ex)`` follows the state (a new layout, model or language rebuilds the scene; a new
snapshot recomposes; a new wave launches pulses; pulses move on the exhibit's clock, so they
stand still while it is frozen), and ``draw(surface, ex)`` paints the frame and returns the
areas it changed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from exhibit.state.modes import Mode
from exhibit.config import Config
from exhibit.recognize import Snapshot
from exhibit.model.cnn import CNN
from exhibit.views import answer, compare, design, teacher
from exhibit import strings
from exhibit.views.cnnview import CNNScene
from exhibit.views.network import Lines
from exhibit.views.scene import Scene
from exhibit.views.theme import Theme

if TYPE_CHECKING:
    from exhibit.state.screenstate import ScreenState


def title(ex: "ScreenState") -> str:
    if ex.mode == Mode.FAILSAFE:
        return ex.say("failsafe")
    if ex.mode == Mode.ATTRACT and (ex.inviting or ex.waves.output.empty):
        return ex.say("invite")
    if ex.mode == Mode.FROZEN:
        return ex.say("frozen_title")  # drawing does nothing now: say so, and why
    if ex.comparing:
        return compare.title(ex)
    out = ex.waves.output  # the answer changes when the wave reaches the outputs
    if out.empty:
        return ex.say("title")  # the prompt itself lives inside the empty canvas
    return strings.answer(ex.lang, out.digit) if ex.sure(out) else ex.say("unsure")


class Screen:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.scene: Scene | None = None
        self.theme: Theme | None = None
        self._built: tuple = ()
        self._target: pygame.Surface | None = None
        self.ink: list | None = None  # an ink recorder for the next build (tools/shots.py)

    def _build(self, ex: "ScreenState") -> None:
        lay = ex.layout
        self.theme = Theme(self.cfg, lay.scale, ex.lang)
        self.theme.ink = self.ink
        net = ex.recognizer.model.net
        kind = (compare.CompareScene if ex.comparing else CNNScene if isinstance(net, CNN)
                else Scene)
        self.scene = kind(self.cfg, lay, self.theme, net, ex.recognizer.side, ex.say)
        self._over = ()  # a new scene has no overlay yet
        self._look: tuple = ()
        self._picture: Snapshot | None = None  # the reading the 28x28 picture shows
        self._over: tuple = ()
        self._wave = 0  # waves already in flight get their pulses too
        self._now = ex.now
        self._lines: dict[tuple, tuple[Snapshot, list[Lines]]] = {}
        self._learn: tuple | None = None
        self._answer: answer.Look | None = None  # what the answer region shows

    def lines(self, snap: Snapshot, subset: list | None = None) -> list[Lines]:
        """The strong connections for a snapshot, per layer, among the neurons in view
        (chosen once per snapshot and view; a few snapshots are on screen while waves travel)."""
        key = (id(snap), None if subset is None else b"|".join(a.tobytes() for a in subset))
        hit = self._lines.get(key)
        if hit is None or hit[0] is not snap:
            lines = [] if snap.empty else self.scene.wiring.select(
                snap.forward.activations, self.cfg.network.lines_per_neuron,
                self.cfg.network.max_lines_per_layer, subset)
            if len(self._lines) >= 8:
                self._lines.pop(next(iter(self._lines)))
            hit = self._lines[key] = (snap, lines)
        return hit[1]

    def shown_lines(self, ex: "ScreenState", subset: list) -> list[Lines]:
        """The strong connections into each layer, from the reading that layer shows."""
        out = []
        for l, snap in enumerate(ex.waves.shown[1:], start=1):
            per_layer = self.lines(snap, subset)
            if per_layer:
                out.append(per_layer[l - 1])
        return out

    def update(self, ex: "ScreenState") -> None:
        key = (id(ex), id(ex.layout), ex.lang, ex.comparing)
        if key != self._built:
            self._built = key
            self._build(ex)
        scene = self.scene
        net = ex.recognizer.model.net  # live learning swaps weights without a new layout
        if not ex.comparing and scene.wiring.net is not net and scene.follow(net):
            self._look = ()  # the composed layer starts again from the new static layer
            self._answer = None
        scene.pulses.update(max(0.0, ex.now - self._now))
        self._now = ex.now
        if ex.comparing:
            self._update_compare(ex)
        else:
            self._update_network(ex)
            look = answer.look(ex)
            if look != self._answer:
                self._answer = look
                scene.compose_answer(look)
        scene.hand_place = scene.hand.place(ex)
        over = teacher.overlay_key(ex)
        if over != self._over:
            self._over = over
            scene.set_overlay(lambda surf: teacher.draw(surf, self.theme, scene, ex))

    def _update_compare(self, ex: "ScreenState") -> None:
        look = (tuple(id(s) for s in ex.compare_shown), title(ex))
        if look != self._look:
            self._look = look
            compare.compose(self.scene, ex, look[1])

    def _update_network(self, ex: "ScreenState") -> None:
        scene = self.scene
        waves = ex.waves
        subset = None
        for w in waves.in_flight:
            if w.id > self._wave and not self.cfg.motion.reduced:
                # pulses leave the picture when the wave did, and reach each column exactly
                # when the state hands that layer the wave's reading
                subset = subset or ex.shown()
                scene.pulses.wave(self.lines(w.snapshot, subset), waves.gap,
                                  start=scene.pulses.now + (w.t0 - ex.now))
        self._wave = waves.last_id
        shown = waves.shown
        look = (tuple(id(s) for s in shown), title(ex), ex.sure(waves.output),
                tuple(m.tobytes() for m in ex.masks), ex.detail)
        composed = look != self._look
        if composed:
            self._look = look
            subset = subset or ex.shown()
            scene.compose(ex.snapshot, shown, self.shown_lines(ex, subset), look[1], look[2],
                          ex.masks, subset)
        elif ex.snapshot is not self._picture:
            scene.compose_picture(ex.snapshot)  # the preview changes at once, the rest waits
            box = design.box_rect(ex)
            composed = box is not None and box.colliderect(scene.pic_area)  # the curve again
        self._picture = ex.snapshot
        learn = design.box_key(ex)  # watch it learn's curve, or a design's training box
        if (composed or learn != self._learn) and (learn is not None or self._learn is not None):
            self._learn = learn
            box = design.box_rect(ex)
            if box is not None:
                scene.repaint(box, lambda surf: design.draw_box(surf, self.theme, ex.layout, ex))

    def draw(self, surface: pygame.Surface, ex: "ScreenState") -> list[pygame.Rect]:
        """Paint this frame onto ``surface`` (which holds the previous one, if it is the same
        surface as last time); returns the areas changed."""
        self.update(ex)
        if surface is not self._target:
            self._target = surface  # a new surface holds no previous frame to build on
            self.scene.invalidate()
        sample = None if ex.sample is None else ex.sample[0]
        sid = None if ex.sample is None else ex.sample[2]
        return self.scene.draw(surface, ex.drawing, sample, sid)

    def invalidate(self) -> None:
        if self.scene is not None:
            self.scene.invalidate()
