"""The exhibit's state and its step: everything that decides what the screen shows, and no
drawing (``exhibit.views.screen`` draws it).

Flow, one way: pygame events -> PointerTracker -> Drawing -> (once a frame, only when the
input changed) Recognizer -> Snapshot. ``handle`` takes events and changes state, ``step(dt)``
advances time, ``refresh()`` runs the network if its input changed. Modes change only through
the table in :mod:`exhibit.app.modes`, and each change is logged.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pygame

from exhibit.app.eventlog import EventLog
from exhibit.app.geometry import Viewport
from exhibit.app.modes import Mode, ModeMachine
from exhibit.app.pointer import Pointer, PointerTracker
from exhibit.attract.player import AttractPlayer, Scripts, load_scripts
from exhibit.config import Config
from exhibit.ink.drawing import Drawing
from exhibit.model.weights import MODEL_NAMES, LoadedModel, load_model
from exhibit.recognize import Recognizer, Snapshot
from exhibit.views import strings
from exhibit.views.layout import Layout

STALE_GESTURE = 8.0  # seconds without a word from the finger that owns the stroke
FAILSAFE_SECONDS = 3.0  # the calm screen after a failure, before attract mode
SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples.npz"


def load_samples(path: Path = SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """Real MNIST test digits (uint8 (n, 28, 28), labels) that the default network reads right."""
    with np.load(path, allow_pickle=False) as z:
        return z["images"], z["labels"]


class Exhibit:
    def __init__(self, cfg: Config, size: tuple[int, int], log: EventLog | None = None,
                 models: dict[str, LoadedModel] | None = None) -> None:
        self.cfg = cfg
        self.size = size
        self.log = log or EventLog(None)
        self.models = models if models is not None else {}
        for name in MODEL_NAMES:  # all now: no stall on M, and memory stays flat afterwards
            if name not in self.models:
                self.models[name] = load_model(name)
        self.viewport = Viewport(size, size)  # window pixels -> logical pixels; set_window
        self.pointer = PointerTracker()
        self.drawing = Drawing()
        self.modes = ModeMachine(lambda m: self.log.write("mode", mode=m.value))
        self.resume_mode = Mode.IDLE  # where F returns to
        self.now = 0.0  # animation clock: stands still while frozen
        self.since_input = 0.0
        self.since_teacher = 0.0  # while frozen: time without a teacher key
        self.clear_at: float | None = None  # when the canvas clears itself
        self.failsafe_until = 0.0
        self.sample: tuple[np.ndarray, int, int] | None = None  # (picture, label, id)
        self.samples = self._optional("samples", load_samples)
        self.scripts: Scripts | None = self._optional("attract strokes", load_scripts)
        self._sample_cursor = {d: 0 for d in range(10)}
        self._sample_seq = 0
        self.player: AttractPlayer | None = None
        self._attract_round = 0
        self.keys = {name.split(".")[1]: {pygame.key.key_code(n) for n in v}
                     for name, v in cfg.as_dict().items() if name.startswith("keys.")}
        self.message: tuple[str, float] | None = None  # an operator message, seconds left
        # teacher state
        self.lang = cfg["language"]
        self.centring = True
        self.stage: int | None = None  # step-through position while frozen
        self.show_help = False
        self.show_explain = False
        self.ablating = False
        self.detail: tuple[int, int] | None = None  # (layer, neuron) whose card is open
        # the network's reading, and the waves that carry it across the screen
        self._seen: tuple = ()
        self.wave_id = 0
        self.wave_snapshot: Snapshot | None = None
        self._wave_due: float | None = None
        self._last_wave = -1e9
        self.set_model(cfg["model"], log=False)

    def _optional(self, what: str, load):
        """A missing or broken asset costs its feature, not the exhibit."""
        try:
            return load()
        except Exception as e:  # noqa: BLE001 - any failure here only disables a feature
            self.log.write("error", message=f"{what} unavailable: {type(e).__name__}: {e}"[:300])
            return None

    # --- set-up -----------------------------------------------------------------------------
    @property
    def mode(self) -> Mode:
        return self.modes.mode

    def set_model(self, name: str, log: bool = True) -> None:
        self.model_name = name
        self.recognizer = Recognizer(self.models[name], stroke_width=self.cfg["ink.stroke_width"],
                                     min_points=self.cfg["ink.min_points"],
                                     min_size=self.cfg["ink.min_size_px"])
        net = self.recognizer.model.net
        self.masks = [np.ones(n, np.float32) for n in net.hidden_sizes]
        self.layout = Layout(self.cfg, self.size, net.sizes, self.recognizer.side)
        self.snapshot = self.recognizer.read_picture(None)
        self.detail = None
        self._seen = ()
        if log:
            self.log.write("model", model=name)

    def set_window(self, window: tuple[int, int]) -> None:
        """Where the logical surface sits in the window (for mouse and finger mapping)."""
        if window[0] > 0 and window[1] > 0:  # minimised: keep the last mapping
            self.viewport = Viewport(self.size, window)

    @property
    def canvas_rect(self) -> pygame.Rect:
        return self.layout.canvas

    def say(self, key: str, **kw: object) -> str:
        return strings.text(self.lang, key, **kw)

    def sure(self, s: Snapshot | None = None) -> bool:
        """Whether the screen names a digit (else "?")."""
        s = self.snapshot if s is None else s
        return s.digit is not None and s.confidence >= self.cfg["answer.min_confidence"]

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
        teacher = {"freeze", "help", "explain", "step"}
        if any(self.is_key(key, a) for a in teacher):
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
            langs = strings.languages()
            self.lang = langs[(langs.index(self.lang) + 1) % len(langs)] if self.lang in langs else "en"
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
            hit = self.layout.hit(p.x, p.y)
            if self.mode == Mode.FROZEN:
                if hit is not None and hit[0] == "neuron":  # a teacher opens cards on a frozen drawing
                    self.tap_neuron(*hit[1])
                return  # everything else waits until the teacher unfreezes
            if self.detail is not None:
                self.detail = None  # a tap anywhere closes the card, and still does what it does
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

    def log_prediction(self, source: str, label: int | None) -> None:
        s = self.snapshot
        self.log.write("prediction", digit=s.digit if self.sure(s) else None,
                       confidence=round(s.confidence, 4), source=source, label=label)

    def clear(self) -> None:
        had = not self.drawing.empty or self.sample is not None
        self.drawing.clear()
        self.sample = None
        self.clear_at = None
        self.detail = None
        if had:
            self.log.write("clear")
        if self.mode == Mode.DRAWING:
            self.modes.go(Mode.IDLE)

    def load_sample(self, digit: int) -> None:
        if self.samples is None:
            return
        idx = np.flatnonzero(self.samples[1] == digit)
        if len(idx) == 0:
            return
        i = int(idx[self._sample_cursor[digit] % len(idx)])
        self._sample_cursor[digit] += 1
        self.drawing.clear()
        self._sample_seq += 1
        self.sample = (self.samples[0][i].astype(np.float32) / 255.0, digit, self._sample_seq)
        self._touch_timer(force=True)
        self.refresh()
        self.log_prediction("sample", digit)

    # --- attract mode, freeze, failsafe, defaults -------------------------------------------
    def start_attract(self) -> None:
        self.clear()
        self.close_teacher_layers()
        if self.scripts is None:
            self.modes.go(Mode.IDLE)
            return
        self._attract_round += 1
        self.player = AttractPlayer(self.scripts, self.canvas_rect.size,
                                    speed=self.cfg["attract.speed"] * self.layout.scale,
                                    hold=self.cfg["attract.hold"], seed=self._attract_round)
        self.modes.go(Mode.ATTRACT)

    def stop_attract(self) -> None:
        self.player = None
        self.drawing.clear()
        self.clear_at = None
        self.modes.go(Mode.IDLE)

    def close_teacher_layers(self) -> None:
        self.stage = None
        self.show_help = self.show_explain = False
        self.detail = None

    def recover(self) -> None:
        """After an error: forget the gesture and the teacher layers; a calm screen, then attract."""
        self.pointer.reset()
        self.close_teacher_layers()
        self.player = None
        self.drawing.clear()
        self.sample = None
        self.clear_at = None
        self._seen = ()
        self.snapshot = self.recognizer.read_picture(None)
        self.failsafe_until = self.now + FAILSAFE_SECONDS
        self.modes.go(Mode.FAILSAFE)

    def toggle_freeze(self) -> None:
        if self.mode == Mode.FROZEN:
            self.stage = None
            self.modes.go(self.resume_mode)
            return
        if self.mode == Mode.FAILSAFE:
            return
        for p in self.pointer.reset():  # a stroke in progress ends here
            self.on_pointer(p)
        self.resume_mode = Mode.ATTRACT if self.mode == Mode.ATTRACT else Mode.IDLE
        self.stage = None
        self.since_teacher = 0.0
        self.modes.go(Mode.FROZEN)

    def stages(self) -> list[tuple[str, int]]:
        n_hidden = len(self.masks)
        out = [("pixels", 0)]
        for l in range(1, n_hidden + 1):
            out += [("sum", l), ("relu", l)]
        return out + [("scores", n_hidden + 1), ("softmax", n_hidden + 1)]

    def next_stage(self) -> None:
        self.stage = 0 if self.stage is None else (self.stage + 1) % len(self.stages())
        self.log.write("step", stage=self.stages()[self.stage][0])

    def reset_defaults(self) -> None:
        """After a long idle time: what a visitor may have changed goes back to the defaults."""
        changed = (self.model_name != self.cfg["model"] or self.lang != self.cfg["language"]
                   or not self.centring or self.ablating or any((m == 0).any() for m in self.masks))
        if not changed:
            return
        self.lang = self.cfg["language"]
        self.centring = True
        self.ablating = False
        self.close_teacher_layers()
        self.set_model(self.cfg["model"], log=False)
        self.log.write("reset")

    # --- time -------------------------------------------------------------------------------
    def step(self, dt: float) -> None:
        self.since_input += dt
        if self.message is not None:
            text, left = self.message
            self.message = (text, left - dt) if left > dt else None
        if self.mode == Mode.FROZEN:
            self.since_teacher += dt
            limit = self.cfg["timing.freeze_timeout"]
            if limit > 0 and self.since_teacher >= limit:
                self.stage = None
                self.log.write("freeze_timeout")
                self.modes.go(Mode.IDLE)
            return  # animation stands still
        self.now += dt
        if self.pointer.busy and self.since_input >= STALE_GESTURE:
            # the finger's device vanished mid-stroke (its lift never came): let go of it
            for p in self.pointer.reset():
                self.on_pointer(p)
            self.log.write("gesture_timeout")
        reset_after = self.cfg["attract.reset_seconds"]
        if reset_after > 0 and self.since_input >= reset_after:
            self.reset_defaults()
        if self.mode == Mode.FAILSAFE:
            if self.now >= self.failsafe_until:
                self.start_attract()
        elif self.mode == Mode.ATTRACT and self.player is not None:
            self._attract_step(dt)
        else:
            idle_after = self.cfg["attract.idle_seconds"]
            if (self.mode == Mode.IDLE and idle_after > 0 and self.since_input >= idle_after
                    and not self.pointer.busy and self.scripts is not None):
                self.start_attract()
            if self.clear_at is not None and not self.drawing.active and self.now >= self.clear_at:
                self.clear()
        if self._wave_due is not None and self.now >= self._wave_due:
            self._wave_due = None
            self._last_wave = self.now
            self.wave_id += 1
            self.wave_snapshot = self.snapshot

    def show_message(self, text: str, seconds: float = 30.0) -> None:
        """An operator message on screen (a config that did not load, ...)."""
        self.message = (text, seconds)

    def _attract_step(self, dt: float) -> None:
        event = self.player.update(dt, self.drawing)
        if event == "digit_done":
            self.refresh()
            self.log_prediction("attract", self.player.label)
        elif event == "cleared":
            self.drawing.clear()
            self.log.write("clear")

    def refresh(self) -> None:
        """Run the network if its input changed since the last snapshot (at most once a frame)."""
        key = (self.drawing.version, None if self.sample is None else self.sample[2],
               self.centring, tuple(m.tobytes() for m in self.masks))
        if key == self._seen:
            return
        self._seen = key
        ink = self.sample[0] if self.sample is not None else self.drawing.arrays()
        c = self.canvas_rect
        self.snapshot = self.recognizer.read(ink, self.masks, centre=self.centring,
                                             frame=(c.w, c.h), brush=self.layout.brush)
        interval = self.cfg["pulses.wave_interval"]
        if self.snapshot.empty:
            self._wave_due = None
        elif self.now - self._last_wave >= interval:
            self._wave_due = self.now
        elif self._wave_due is None:
            self._wave_due = self._last_wave + interval
