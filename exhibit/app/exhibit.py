"""The exhibit's state and behaviour, independent of the window and the clock.

Flow, one way: pygame events -> PointerTracker -> Drawing -> (once per frame, only when the ink
changed) Recognizer -> Snapshot -> Scene. ``handle`` takes events, ``step(dt)`` advances time
in fixed steps, ``frame()`` runs the network if needed, ``draw(surface)`` renders.

States (``Mode``): IDLE (nobody touching; the canvas may still hold the last drawing), DRAWING
(a finger is down), ATTRACT (the invisible hand writes), FROZEN (a teacher stopped time) and
FAILSAFE (after an error, on the way back to attract mode). Transitions happen only through
``set_mode``, which logs them.
"""
from __future__ import annotations

import enum
from pathlib import Path

import numpy as np
import pygame

from exhibit.app.eventlog import EventLog
from exhibit.app.geometry import Viewport, regions
from exhibit.app.pointer import Pointer, PointerTracker
from exhibit.attract.player import AttractPlayer
from exhibit.config import Config
from exhibit.config.schema import MODELS
from exhibit.ink.drawing import Drawing
from exhibit.model.weights import LoadedModel, load_model
from exhibit.recognize import Recognizer, Snapshot
from exhibit.views import overlays, strings
from exhibit.views.network import Wiring
from exhibit.views.scene import Scene
from exhibit.views.theme import Theme

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples.npz"
STALE_GESTURE = 8.0  # seconds without a word from the finger that owns the stroke


class Mode(enum.Enum):
    IDLE = "idle"
    DRAWING = "drawing"
    ATTRACT = "attract"
    FROZEN = "frozen"
    FAILSAFE = "failsafe"


def load_samples(path: Path = SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """Real MNIST test digits (uint8 (n, 28, 28), labels) that the default network reads right."""
    with np.load(path, allow_pickle=False) as z:
        return z["images"], z["labels"]


def key_codes(names: list[str]) -> set[int]:
    return {pygame.key.key_code(n) for n in names}


class Exhibit:
    def __init__(self, cfg: Config, size: tuple[int, int], log: EventLog | None = None,
                 models: dict[str, LoadedModel] | None = None) -> None:
        self.cfg = cfg
        self.size = size
        self.log = log or EventLog(None)
        self.models = models if models is not None else {}
        self.model_name = cfg["model"]
        self.lang = cfg["language"]
        self.centring = True
        self.viewport = Viewport(size, size)
        self.pointer = PointerTracker(self.viewport)
        self.drawing = Drawing()
        self.mode = Mode.IDLE
        self.resume_mode = Mode.IDLE  # where F returns to
        self.now = 0.0
        self.since_input = 0.0
        self.stroke_ended_at: float | None = None
        self.sample: tuple[np.ndarray, int, int] | None = None  # (picture, label, id)
        self.samples = load_samples()
        self._sample_cursor = {d: 0 for d in range(10)}
        self._sample_seq = 0
        self.player: AttractPlayer | None = None
        self._attract_round = 0
        self.keys = {name.split(".")[1]: key_codes(v) for name, v in cfg.as_dict().items()
                     if name.startswith("keys.")}
        # teacher state
        self.stage: int | None = None  # step-through position while frozen
        self.show_help = False
        self.show_explain = False
        self.ablating = False
        self.detail: tuple[int, int] | None = None  # (layer, neuron) shown in detail
        self._seen: tuple = ()
        self._dirty = True
        self._wave_due: float | None = None
        self._last_wave = -1e9
        for name in MODELS:  # all three now: no stall on M, and memory stays flat afterwards
            if name not in self.models:
                self.models[name] = load_model(name)
        self.set_model(self.model_name, log=False)

    # --- set-up -----------------------------------------------------------------------------
    def set_model(self, name: str, log: bool = True) -> None:
        if name not in self.models:
            self.models[name] = load_model(name)
        if not self.drawable(name):  # no CNN view yet: the MLP view shows the first MLP
            name = next(m for m in MODELS if self.drawable(m))
        self.model_name = name
        self.recognizer = Recognizer(self.models[name], stroke_width=self.cfg["ink.stroke_width"],
                                     min_points=self.cfg["ink.min_points"],
                                     min_size=self.cfg["ink.min_size_px"])
        self.masks = [np.ones(n, np.float32) for n in self.recognizer.model.net.hidden_sizes]
        self.snapshot = self.recognizer.read_picture(None)
        self.detail = None
        self._seen = ()
        self.build()
        if log:
            self.log.write("model", model=name)

    def drawable(self, name: str) -> bool:
        """Whether the network view can draw this model (MLPs only until the CNN view lands)."""
        if name not in self.models:
            self.models[name] = load_model(name)
        return hasattr(self.models[name].net, "weights")

    def say(self, key: str, **kw: object) -> str:
        return strings.text(self.lang, key, **kw)

    def build(self) -> None:
        """(Re)build the views for the current size, model and language."""
        self.theme = Theme(self.cfg, min(self.size))  # sized for the short side
        net, side = self.recognizer.model.net, self.recognizer.side
        self.scene = Scene(self.cfg, self.size, regions(self.cfg, self.size), self.theme,
                           lambda pv, nw, bars: Wiring(net, side, pv, nw, bars,
                                                       self.theme.px(self.cfg["sizes.neuron_px"]),
                                                       self.cfg["network.background_lines"]),
                           self.say)
        self._dirty = True

    @property
    def canvas_rect(self) -> pygame.Rect:
        return self.scene.rects["canvas"]

    def set_mode(self, mode: Mode) -> None:
        if mode != self.mode:
            self.mode = mode
            self.log.write("mode", mode=mode.value)
            self._dirty = True

    # --- input ------------------------------------------------------------------------------
    def handle(self, ev: pygame.event.Event) -> None:
        if ev.type == pygame.KEYDOWN:
            self.since_input = 0.0
            self.on_key(getattr(ev, "key", 0))
            return
        for p in self.pointer.handle(ev):
            self.since_input = 0.0
            if self.mode == Mode.FROZEN:
                continue  # time stands still: touches wait until the teacher unfreezes
            if self.mode in (Mode.ATTRACT, Mode.FAILSAFE) and p.kind == "down":
                self.stop_attract()
            self.on_pointer(p)

    def is_key(self, key: int, action: str) -> bool:
        return key in self.keys[action]

    def on_key(self, key: int) -> None:
        if self.is_key(key, "freeze"):
            self.toggle_freeze()
            return
        if self.is_key(key, "help"):
            self.show_help = not self.show_help
            self._dirty = True
            return
        if self.is_key(key, "explain"):
            self.show_explain = not self.show_explain
            self._dirty = True
            return
        if self.mode == Mode.FROZEN:
            if self.is_key(key, "step"):
                self.next_stage()
            return  # nothing else moves while frozen
        if self.mode in (Mode.ATTRACT, Mode.FAILSAFE):
            self.stop_attract()
        if self.is_key(key, "clear"):
            self.clear()
        elif self.is_key(key, "model"):
            shown = [m for m in MODELS if self.drawable(m)]  # M skips the CNN (no view yet)
            self.set_model(shown[(shown.index(self.model_name) + 1) % len(shown)])
        elif self.is_key(key, "centring"):
            self.centring = not self.centring
            self.log.write("centring", on=self.centring)
            self._seen = ()
        elif self.is_key(key, "ablation"):
            self.ablating = not self.ablating
            self.detail = None
            self._dirty = True
        elif self.is_key(key, "restore"):
            for m in self.masks:
                m[:] = 1
            self._seen = ()
        elif self.is_key(key, "language"):
            langs = strings.languages()
            self.lang = langs[(langs.index(self.lang) + 1) % len(langs)]
            self.build()
        elif pygame.K_0 <= key <= pygame.K_9:
            self.load_sample(key - pygame.K_0)
        elif pygame.K_KP_1 <= key <= pygame.K_KP_0:
            self.load_sample((key - pygame.K_KP_1 + 1) % 10)

    def on_pointer(self, p: Pointer) -> None:
        c = self.canvas_rect
        if p.kind == "down":
            if self.detail is not None:
                self.detail = None  # a tap anywhere closes the neuron's card
                self._dirty = True
                return
            hit = self.scene.buttons.hit(p.x, p.y)
            if hit is not None:
                if hit[0] == "clear":
                    self.clear()
                else:
                    self.load_sample(hit[1])
                return
            neuron = self.scene.wiring.hit(p.x, p.y)
            if neuron is not None:
                self.tap_neuron(*neuron)
                return
            if c.collidepoint(p.x, p.y):
                if self.sample is not None:
                    self.sample = None
                    self.drawing.clear()
                self.drawing.begin(p.x - c.x, p.y - c.y)
                self.stroke_ended_at = None
                self.set_mode(Mode.DRAWING)
        elif p.kind == "move" and self.drawing.active:
            # a finger sliding off the canvas keeps drawing along its edge
            x = min(max(p.x, c.x), c.right - 1) - c.x
            y = min(max(p.y, c.y), c.bottom - 1) - c.y
            self.drawing.extend(x, y)
        elif p.kind == "up" and self.drawing.end():
            self.stroke_ended_at = self.now
            self.set_mode(Mode.IDLE)
            self.frame()  # the last points are in: read them before reporting
            self.log_prediction("visitor", None)

    def tap_neuron(self, layer: int, neuron: int) -> None:
        if layer >= len(self.masks) + 1:
            return  # outputs: nothing to switch off
        if self.ablating:
            m = self.masks[layer - 1]
            m[neuron] = 0.0 if m[neuron] > 0 else 1.0
            self.log.write("ablation", layer=layer, neuron=neuron, on=bool(m[neuron]))
            self._seen = ()
        else:
            self.detail = (layer, neuron)
            self._dirty = True

    def log_prediction(self, source: str, label: int | None) -> None:
        s = self.snapshot
        self.log.write("prediction", digit=s.digit if self.sure(s) else None,
                       confidence=round(s.confidence, 4), source=source, label=label)

    def clear(self) -> None:
        had = not self.drawing.empty or self.sample is not None
        self.drawing.clear()
        self.sample = None
        self.stroke_ended_at = None
        if had:
            self.log.write("clear")
        if self.mode == Mode.DRAWING:
            self.set_mode(Mode.IDLE)

    def load_sample(self, digit: int) -> None:
        idx = np.flatnonzero(self.samples[1] == digit)
        if len(idx) == 0:
            return
        i = int(idx[self._sample_cursor[digit] % len(idx)])
        self._sample_cursor[digit] += 1
        self.drawing.clear()
        self._sample_seq += 1
        self.sample = (self.samples[0][i].astype(np.float32) / 255.0, digit, self._sample_seq)
        self.stroke_ended_at = self.now
        self.frame()
        self.log_prediction("sample", digit)

    # --- attract mode, freeze, defaults -------------------------------------------------------
    def start_attract(self) -> None:
        self.clear()
        self._attract_round += 1
        self.player = AttractPlayer(self.canvas_rect.size, speed=self.cfg["attract.speed"] *
                                    self.theme.scale, hold=self.cfg["attract.hold"],
                                    seed=self._attract_round)
        self.set_mode(Mode.ATTRACT)

    def stop_attract(self) -> None:
        self.player = None
        self.drawing.clear()
        self.stroke_ended_at = None
        self.set_mode(Mode.IDLE)

    def recover(self) -> None:
        """After an error: forget the gesture and the teacher layers, fall back to attract mode."""
        self.pointer.reset()
        self.stage = None
        self.show_help = self.show_explain = False
        self.detail = None
        self.player = None
        self.drawing.clear()
        self.sample = None
        self.stroke_ended_at = None
        self._seen = ()
        self.set_mode(Mode.FAILSAFE)
        self.build()
        self.start_attract()

    def toggle_freeze(self) -> None:
        if self.mode == Mode.FROZEN:
            self.stage = None
            self.set_mode(self.resume_mode)
            return
        for p in self.pointer.reset():  # a stroke in progress ends here
            self.on_pointer(p)
        self.resume_mode = self.mode if self.mode != Mode.DRAWING else Mode.IDLE
        self.stage = None
        self.set_mode(Mode.FROZEN)

    def stages(self) -> list[tuple[str, int]]:
        n_hidden = len(self.masks)
        out = [("pixels", 0)]
        for l in range(1, n_hidden + 1):
            out += [("sum", l), ("relu", l)]
        return out + [("scores", n_hidden + 1), ("softmax", n_hidden + 1)]

    def next_stage(self) -> None:
        self.stage = 0 if self.stage is None else (self.stage + 1) % len(self.stages())
        self.log.write("step", stage=self.stages()[self.stage][0])
        self._dirty = True

    def reset_defaults(self) -> None:
        """After a long idle time: what a visitor may have changed goes back to the defaults."""
        changed = (self.model_name != self.cfg["model"] or self.lang != self.cfg["language"]
                   or not self.centring or self.ablating or any((m == 0).any() for m in self.masks))
        if not changed:
            return
        self.lang = self.cfg["language"]
        self.centring = True
        self.ablating = False
        self.detail = None
        self.show_help = self.show_explain = False
        self.set_model(self.cfg["model"], log=False)
        self.log.write("reset")

    # --- time -------------------------------------------------------------------------------
    def step(self, dt: float) -> None:
        if self.mode == Mode.FROZEN:
            return  # input and animation stand still
        self.now += dt
        self.since_input += dt
        self.scene.pulses.update(dt)
        if self.pointer.busy and self.since_input >= STALE_GESTURE:
            # the finger's device vanished mid-stroke (its lift never came): let go of it
            for p in self.pointer.reset():
                self.on_pointer(p)
            self.log.write("gesture_timeout")
        reset_after = self.cfg["attract.reset_seconds"]
        if reset_after > 0 and self.since_input >= reset_after:
            self.reset_defaults()
        if self.mode in (Mode.ATTRACT, Mode.FAILSAFE) and self.player is not None:
            self._attract_step(dt)
        else:
            idle_after = self.cfg["attract.idle_seconds"]
            if (self.mode in (Mode.IDLE, Mode.FAILSAFE) and idle_after > 0
                    and self.since_input >= idle_after and not self.pointer.busy):
                self.start_attract()
            after = self.cfg["timing.clear_after"]
            if (after > 0 and self.stroke_ended_at is not None and not self.drawing.active
                    and self.now - self.stroke_ended_at >= after):
                self.clear()
        if self._wave_due is not None and self.now >= self._wave_due:
            self._launch_wave()

    def _attract_step(self, dt: float) -> None:
        event = self.player.update(dt, self.drawing)
        if event == "digit_done":
            self.frame()
            self.log_prediction("attract", self.player.label)
        elif event == "cleared":
            self.drawing.clear()
            self.log.write("clear")
        if self.mode == Mode.FAILSAFE:
            self.set_mode(Mode.ATTRACT)

    def sure(self, s: Snapshot) -> bool:
        return s.digit is not None and s.confidence >= self.cfg["answer.min_confidence"]

    def frame(self) -> None:
        """Run the network if its input changed since the last snapshot (at most once a frame)."""
        key = (self.drawing.version, None if self.sample is None else self.sample[2],
               self.centring, tuple(m.tobytes() for m in self.masks))
        if key != self._seen:
            self._seen = key
            if self.sample is not None:
                ink = self.sample[0]
            else:
                ink = self.drawing.arrays()
            c = self.canvas_rect
            self.snapshot = self.recognizer.read(ink, self.masks, centre=self.centring,
                                                 frame=(c.w, c.h), brush=self.scene.canvas.brush)
            self._dirty = True
            interval = self.cfg["pulses.wave_interval"]
            if self.snapshot.empty:
                self._wave_due = None
            elif self.now - self._last_wave >= interval:
                self._wave_due = self.now
            elif self._wave_due is None:
                self._wave_due = self._last_wave + interval
        if self._dirty:
            self._compose()

    def _title(self) -> str:
        s = self.snapshot
        if self.mode == Mode.ATTRACT:
            return self.say("invite")
        if s.empty:
            return self.say("draw_prompt")
        return self.say("answer", digit=s.digit) if self.sure(s) else self.say("unsure")

    def _compose(self) -> None:
        s = self.snapshot
        if s.empty:
            lines = []
        else:
            lines = self.scene.wiring.select(s.forward.activations,
                                             self.cfg["network.lines_per_neuron"],
                                             self.cfg["network.max_lines_per_layer"])
        self.scene.compose(s, lines, self._title(), self.sure(s), self.masks)
        self._overlays()
        self._dirty = False

    def _overlays(self) -> None:
        """Teacher layers over everything; drawn once per change, so a frozen screen stays still."""
        th, r, sc = self.theme, self.scene.rects, self.scene
        surf = sc.begin_overlay()
        if self.mode == Mode.FROZEN and self.stage is not None:
            self._draw_stage(surf)
        if self.mode == Mode.FROZEN:
            sc.add_overlay(overlays.badge(surf, th, self.say("paused"),
                                          (r["bars"].centerx, r["title"].bottom - th.px(40))))
        if not self.centring:
            sc.add_overlay(overlays.badge(surf, th, self.say("centring_off"),
                                          (r["preview"].centerx, r["preview"].bottom + th.px(8)),
                                          colour="negative"))
        if self.ablating:
            off = int(sum((m == 0).sum() for m in self.masks))
            sc.add_overlay(overlays.badge(surf, th, self.say("ablation_on", off=off),
                                          (r["network"].centerx, r["network"].y + th.px(44)),
                                          colour="positive"))
        if self.show_explain:
            sc.add_overlay(overlays.captions(surf, th, [
                (r["canvas"], self.say("explain_canvas")),
                (r["preview"], self.say("explain_preview")),
                (r["network"], self.say("explain_network")),
                (r["bars"], self.say("explain_bars")),
            ]))
        if self.detail is not None and self.snapshot.forward is not None:
            self._draw_detail(surf)
        if self.show_help:
            lines = self.say("help_keys", model=self.model_name,
                             centring=self.say("on" if self.centring else "off")).split("|")
            sc.add_overlay(overlays.help_card(surf, th, self.say("help_title"), lines))

    def _draw_stage(self, surf: pygame.Surface) -> None:
        th, w, s = self.theme, self.scene.wiring, self.snapshot
        kind, layer = self.stages()[self.stage]
        k = self.stage + 1
        banner_rect = self.scene.rects["title"]
        add = self.scene.add_overlay
        if s.empty:
            add(overlays.banner(surf, th, self.say("step_empty"), banner_rect))
            return
        fwd, net = s.forward, self.recognizer.model.net
        if kind == "pixels":
            add(overlays.highlight(surf, th, w.picture_rect.inflate(th.px(16), th.px(16))))
            pic = fwd.activations[0]
            text = self.say("step_pixels", n=pic.size, inked=int((pic > 0.05).sum()))
        else:
            col = w.pos[layer]
            pad = w.radius[layer] * 2
            area = pygame.Rect(col[:, 0].min() - pad, col[:, 1].min() - pad,
                               col[:, 0].max() - col[:, 0].min() + 2 * pad,
                               col[:, 1].max() - col[:, 1].min() + 2 * pad)
            add(overlays.highlight(surf, th, area))
            z = fwd.zs[layer - 1].reshape(-1)
            a_prev = fwd.activations[layer - 1].reshape(-1)
            if kind in ("sum", "scores"):
                j = int(z.argmax())
                wa = float(a_prev @ net.weights[layer - 1][:, j])
                b = float(net.biases[layer - 1][j])
                x, y = col[j]
                add(pygame.draw.circle(surf, th.c["neuron"], (x, y), w.radius[layer] * 1.8,
                                       width=max(3, th.px(4))))
                formula = f"{wa:.2f} + ({b:.2f}) = {wa + b:.2f}"
                if kind == "sum":
                    text = self.say("step_sum", k=k, layer=layer, neuron=j + 1, z=formula)
                else:
                    text = self.say("step_scores", k=k, digit=j, z=formula)
            elif kind == "relu":
                a = fwd.activations[layer].reshape(-1)
                text = self.say("step_relu", k=k, layer=layer, active=int((a > 0).sum()), total=a.size)
            else:
                add(overlays.highlight(surf, th, self.scene.rects["bars"]))
                p = fwd.probs.reshape(-1)
                text = self.say("step_softmax", k=k, p=f"{p.max():.3f}", digit=int(p.argmax()))
        add(overlays.banner(surf, th, text, banner_rect))

    def _draw_detail(self, surf: pygame.Surface) -> None:
        layer, j = self.detail
        net, fwd = self.recognizer.model.net, self.snapshot.forward
        w_in = net.weights[layer - 1][:, j]
        a_prev = fwd.activations[layer - 1].reshape(-1)
        z = float(fwd.zs[layer - 1].reshape(-1)[j])
        a = float(fwd.activations[layer].reshape(-1)[j])
        self.scene.add_overlay(overlays.neuron_card(surf, self.theme, self.canvas_rect.inflate(-self.theme.px(10), 0),
                             self.say("neuron_title", neuron=j + 1, layer=layer), w_in, w_in * a_prev,
                             (self.say("neuron_weights"), self.say("neuron_product")),
                             self.say("neuron_values", z=f"{z:.2f}", a=f"{a:.2f}")))

    def _launch_wave(self) -> None:
        self._wave_due = None
        self._last_wave = self.now
        if self.scene.lines:
            self.scene.pulses.wave(self.scene.lines, 1.0 / self.cfg["pulses.speed"])

    def draw(self, surface: pygame.Surface) -> int:
        sample = None if self.sample is None else self.sample[0]
        sid = None if self.sample is None else self.sample[2]
        if surface is not getattr(self, "_target", None):
            self._target = surface  # a new surface holds no previous frame to build on
            self.scene.invalidate()
        return self.scene.draw(surface, self.drawing, sample, sid)
