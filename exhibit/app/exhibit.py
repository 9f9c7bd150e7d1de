"""The exhibit's state and its step: everything that decides what the screen shows, and no
drawing (``exhibit.views.screen`` draws it).

Flow, one way: pygame events -> PointerTracker -> Drawing -> (once a frame, only when the
input changed) Recognizer -> Snapshot. ``handle`` takes events and changes state, ``step(dt)``
advances time, ``refresh()`` runs the network if its input changed. Modes change only through
the table in :mod:`exhibit.app.modes`, and each change is logged.

Longer than 300 lines on purpose: this is the one object that holds the screen's state; what
input does (controls.py) and how readings travel (waves.py) are already kept apart.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pygame

from exhibit import resources
from exhibit.app.eventlog import EventLog
from exhibit.app.geometry import Viewport
from exhibit.app.controls import Controls
from exhibit.app.learning import LearnMode
from exhibit.app.modes import Mode, ModeMachine
from exhibit.app.pointer import PointerTracker
from exhibit.app.waves import Waves
from exhibit.attract.player import AttractPlayer, Scripts, load_scripts
from exhibit.config import Config
from exhibit.ink.drawing import Drawing
from exhibit.model.cnn import CNN, columns
from exhibit.model.weights import MODEL_NAMES, LoadedModel, load_model
from exhibit.recognize import Recognizer, Snapshot
from exhibit.views import strings, theme
from exhibit.views.cnnlayout import layout_for

STALE_GESTURE = 8.0  # seconds without a word from the finger that owns the stroke
FAILSAFE_SECONDS = 3.0  # the calm screen after a failure, before attract mode
SAMPLES = resources.SAMPLES
COMPARED = ("explainer", "cnn")  # the two networks the compare view (V) sets side by side
REDUCED_WAVE_INTERVAL = 1.0  # motion.reduced: at most one wave a second
MIN_WAVE_INTERVAL = 0.34  # nothing flashes more than 3 times a second, whatever the config says


def load_samples(path: Path = SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """Real MNIST test digits (uint8 (n, 28, 28), labels) that the default network reads right."""
    with np.load(path, allow_pickle=False) as z:
        return z["images"], z["labels"]


class Exhibit(Controls):
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
        self.detail: tuple[int, int] | None = None  # (layer, neuron or map) whose card is open
        self.comparing = False  # the compare view: the explainer and the CNN side by side
        self.compare_shown: tuple[Snapshot, ...] = ()  # their readings on screen
        self._compare_latest: tuple[Snapshot, ...] = ()  # ... and the newest, for the next wave
        self._compare_recs: dict[str, Recognizer] = {}
        self.show_about = False
        self.panel_open = False  # the touch teacher panel
        self.press: list[float] | None = None  # a press in the operator corner: x, y, seconds
        self.confirm_left: float | None = None  # after the hold: seconds panel.confirm waits
        self.panel_idle = 0.0  # seconds the open panel went without an action
        self.touch_freeze = False  # this freeze came from the touch panel (ends sooner)
        self.quit_progress: float | None = None  # the quit chord held: 0..1 (set by the Runner)
        # the network's reading, and the waves that carry it across the screen
        self._seen: tuple = ()
        self._wave_due: float | None = None
        self._last_wave = -1e9
        for lang in strings.languages():  # a broken table or font is reported once, here
            strings.table(lang)
        for problem in strings.problems() + theme.font_problems():
            self.log.write("error", message=problem[:300])
        self.set_model(cfg["model"], log=False)
        self.learn = LearnMode(cfg, self.log)  # watch it learn (key T)

    def close(self) -> None:
        """The exhibit ends (or is replaced): no learning process outlives it."""
        self.learn.close()

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

    def make_recognizer(self, name: str) -> Recognizer:
        return Recognizer(self.models[name], stroke_width=self.cfg["ink.stroke_width"],
                          min_points=self.cfg["ink.min_points"], min_size=self.cfg["ink.min_size_px"],
                          min_confidence=self.cfg["answer.min_confidence"])

    def set_model(self, name: str, log: bool = True) -> None:
        self.model_name = name
        self.recognizer = self.make_recognizer(name)
        net = self.recognizer.model.net
        self.masks = [np.ones(n, np.float32) for n in net.hidden_sizes]  # CNN: maps, units
        self.layout = layout_for(self.cfg, self.size, net, self.recognizer.side)
        self.snapshot = self.recognizer.read_picture(None)
        self.waves = Waves(len(net.sizes), self.cfg["pulses.wave_seconds"], self.snapshot)
        self._wave_due = None
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

    def shown(self) -> list[np.ndarray]:
        """Per layer, which neuron each slot of the network view holds (wide layers show their
        most active neurons for the reading each layer shows); switched-off and opened neurons
        stay in view."""
        acts = [None if s.forward is None else columns(s.forward)[l]
                for l, s in enumerate(self.waves.shown)]
        return self.layout.subset(None if any(a is None for a in acts) else acts, self.pinned())

    def pinned(self) -> list[list[int]]:
        """Per layer, the neurons a subset view must keep: switched off, and the opened one."""
        pinned = [[]] + [np.flatnonzero(m == 0).tolist() for m in self.masks]
        pinned += [[] for _ in range(len(self.layout.sizes) - len(pinned))]  # the outputs
        if self.detail is not None:
            pinned[self.detail[0]] = [self.detail[1]] + pinned[self.detail[0]]
        return pinned

    @property
    def is_cnn(self) -> bool:
        return isinstance(self.recognizer.model.net, CNN)

    def say(self, key: str, **kw: object) -> str:
        return strings.text(self.lang, key, **kw)

    def sure(self, s: Snapshot | None = None) -> bool:
        """Whether the screen names a digit (else "?")."""
        s = self.snapshot if s is None else s
        return s.digit is not None and not s.unsure

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
                                    hold=self.cfg["attract.hold"], seed=self._attract_round,
                                    invite=self.cfg["attract.invite_seconds"])
        self.modes.go(Mode.ATTRACT)

    def hand(self) -> tuple[float, float, bool] | None:
        """Attract mode's fingertip in screen pixels and whether it touches, else None."""
        if self.player is None or self.mode not in (Mode.ATTRACT, Mode.FROZEN):
            return None
        c = self.canvas_rect
        x, y = self.player.pen.tolist()
        return c.x + x, c.y + y, self.player.pen_down or (self.player.inviting and self.player.tapping)

    @property
    def inviting(self) -> bool:
        """Between two attract digits: 'Your turn!'."""
        return self.player is not None and self.mode == Mode.ATTRACT and self.player.inviting

    def stop_attract(self) -> None:
        self.player = None
        self.drawing.clear()
        self.clear_at = None
        self.modes.go(Mode.IDLE)

    def close_teacher_layers(self) -> None:
        self.stage = None
        self.show_help = self.show_explain = self.show_about = self.panel_open = False
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
        self.waves.settle(self.snapshot)
        self._wave_due = None
        self.compare_shown = self._compare_latest = ()
        self.failsafe_until = self.now + FAILSAFE_SECONDS
        self.modes.go(Mode.FAILSAFE)

    def targets(self) -> list[tuple[str, pygame.Rect]]:
        """The operator's touch targets live now, by name (views.operator.targets)."""
        from exhibit.views import operator
        return operator.targets(self)

    def toggle_freeze(self) -> None:
        self.touch_freeze = False  # a key's freeze (the panel's sets it again after this)
        if self.mode == Mode.FROZEN:
            self.stage = None
            self.modes.go(self.resume_mode)
            return
        if self.mode == Mode.FAILSAFE:
            return
        for p in self.pointer.reset():  # a stroke in progress ends here
            self.on_pointer(p)
        self.resume_mode = Mode.ATTRACT if self.mode == Mode.ATTRACT else Mode.IDLE
        self.refresh()
        self.settle()  # a frozen screen shows the numbers the teacher explains
        self.stage = None
        self.since_teacher = 0.0
        self.modes.go(Mode.FROZEN)

    def stages(self) -> list[tuple[str, int]]:
        if self.is_cnn:  # each conv layer is one step: its filters, then ReLU
            return [("pixels", 0), ("conv", 1), ("conv", 2), ("sum", 3), ("relu", 3),
                    ("scores", 4), ("softmax", 4)]
        n_hidden = len(self.masks)
        out = [("pixels", 0)]
        for l in range(1, n_hidden + 1):
            out += [("sum", l), ("relu", l)]
        return out + [("scores", n_hidden + 1), ("softmax", n_hidden + 1)]

    def next_stage(self, delta: int = 1) -> None:
        n = len(self.stages())
        self.stage = (0 if delta > 0 else n - 1) if self.stage is None else (self.stage + delta) % n
        self.log.write("step", stage=self.stages()[self.stage][0])

    def reset_defaults(self) -> None:
        """After a long idle time: what a visitor may have changed goes back to the defaults."""
        changed = (self.model_name != self.cfg["model"] or self.lang != self.cfg["language"]
                   or not self.centring or self.ablating or any((m == 0).any() for m in self.masks)
                   or self.comparing)
        if not changed:
            return
        self.comparing = False
        self.lang = self.cfg["language"]
        self.centring = True
        self.ablating = False
        self.close_teacher_layers()
        self.set_model(self.cfg["model"], log=False)
        self.log.write("reset")

    # --- time -------------------------------------------------------------------------------
    def step(self, dt: float) -> None:
        self.since_input += dt
        self.hold_press(dt)
        if self.message is not None:
            text, left = self.message
            self.message = (text, left - dt) if left > dt else None
        if self.mode == Mode.FROZEN:
            self.since_teacher += dt
            # a touch panel's freeze: a visitor may have made it, so it ends sooner
            limit = self.cfg["operator.freeze_idle_seconds" if self.touch_freeze
                             else "timing.freeze_timeout"]
            if limit > 0 and self.since_teacher >= limit:
                self.stage = None
                self.touch_freeze = self.panel_open = False
                self.log.write("freeze_timeout")
                self.modes.go(Mode.IDLE)
            return  # animation stands still
        self.now += dt
        self.learn.step(self)
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
            self.waves.launch(self.snapshot, self.now)
            self.compare_shown = self._compare_latest  # the comparison changes with the wave
        self.waves.advance(self.now)

    def settle(self) -> None:
        """Every layer, and the compare view, show the newest reading now (no wave)."""
        self.waves.settle(self.snapshot)
        self.compare_shown = self._compare_latest
        self._wave_due = None

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
        if self.comparing:
            self._compare_latest = self.read_compared(ink)
            if self.snapshot.empty:
                self.compare_shown = self._compare_latest
        interval = max(self.cfg["pulses.wave_interval"], MIN_WAVE_INTERVAL)
        if self.cfg["motion.reduced"]:
            interval = max(interval, REDUCED_WAVE_INTERVAL)
        if self.snapshot.empty:  # nothing to carry: every layer goes dark at once
            self._wave_due = None
            self.waves.settle(self.snapshot)
        elif self.now - self._last_wave >= interval:
            self._wave_due = self.now
        elif self._wave_due is None:
            self._wave_due = self._last_wave + interval

    # --- the compare view (V) -----------------------------------------------------------------
    def read_compared(self, ink) -> tuple[Snapshot, ...]:
        """The shipped explainer's and CNN's readings of the same input (no ablation), from one
        preprocessing: both read the same 28x28 picture."""
        recs = [self._compare_recs.get(n) or self._compare_recs.setdefault(n, self.make_recognizer(n))
                for n in COMPARED]
        c = self.canvas_rect
        pic, pic28 = recs[0].pictures(ink, self.centring, (c.w, c.h), self.layout.brush)
        return tuple(r.read_picture(pic, None, pic28) for r in recs)

    def toggle_compare(self) -> None:
        if self.learn.active:
            self.learn.toggle(self)  # the compare view shows the shipped networks
        self.comparing = not self.comparing
        self.detail = None
        self.stage = None
        self._seen = ()  # read the input again, with both networks
        self.refresh()
        self.compare_shown = self._compare_latest
        self.log.write("compare", on=self.comparing)
