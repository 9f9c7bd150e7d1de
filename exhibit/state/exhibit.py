"""The exhibit's state and its step: everything that decides what the screen shows, and no
drawing (``exhibit.views.screen`` draws it through the read-only ``ScreenState``).

Flow, one way: pygame events -> Input (input.py: events become actions) -> ``apply`` (the
tables in actions.py) -> Drawing -> (once a frame, only when the input changed) Recognizer ->
Snapshot. ``step(dt)`` advances time through the mode's own step (``MODE_STEPS``);
``refresh()`` runs the network if its input changed. Modes change only through the table in
:mod:`exhibit.state.modes`, and each change is logged. The teacher's layers are one frozen
value (:class:`exhibit.state.teacher.Teacher`).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pygame

from exhibit.eventlog import EventLog
from exhibit.layout.viewport import Viewport
from exhibit.state import actions
from exhibit.state.compare import Comparison
from exhibit.state.input import Action, Input
from exhibit.state.samples import SampleDeck, load_samples
from exhibit.state.tally import TallyStore
from exhibit.state.talkback import Talk
from exhibit.state.designing import DesignMode
from exhibit.state.learning import LearnMode
from exhibit.state.modes import Mode, ModeMachine
from exhibit.state.teacher import Teacher
from exhibit.state.waves import Waves
from exhibit.attract.player import AttractPlayer, Scripts, load_scripts
from exhibit.config import Config
from exhibit.ink.drawing import Drawing
from exhibit.model.cnn import CNN
from exhibit.model.store import MODEL_NAMES, LoadedModel, load_model
from exhibit.recognize import Recognizer, Snapshot
from exhibit import strings
from exhibit.layout.cnn import layout_for

STALE_GESTURE = 8.0  # seconds without a word from the finger that owns the stroke
FAILSAFE_SECONDS = 3.0  # the calm screen after a failure, before attract mode
REDUCED_WAVE_INTERVAL = 1.0  # motion.reduced: at most one wave a second
MIN_WAVE_INTERVAL = 0.34  # nothing flashes more than 3 times a second, whatever the config says


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
        self.input = Input()  # events -> actions; its own gesture state only
        self.drawing = Drawing()
        self.modes = ModeMachine(lambda m: self.log.write("mode", mode=m.value))
        self.resume_mode = Mode.IDLE  # where F returns to
        self.now = 0.0  # animation clock: stands still while frozen
        self.since_input = 0.0
        self.since_teacher = 0.0  # while frozen: time without a teacher key
        self.touch_freeze = False  # this freeze came from the touch panel (ends sooner)
        self.panel_idle = 0.0  # seconds the open panel went without a button tapped
        self.clear_at: float | None = None  # when the canvas clears itself
        self.failsafe_until = 0.0
        self.sample: tuple[np.ndarray, int, int] | None = None  # (picture, label, id)
        self.samples = self._optional("samples", load_samples)
        self.deck = SampleDeck(self.samples)
        self.scripts: Scripts | None = self._optional("attract strokes", load_scripts)
        self.player: AttractPlayer | None = None
        self.attract_round = 0
        self.keys = {a: {pygame.key.key_code(n) for n in ns} for a, ns in vars(cfg.keys).items()}
        self.message: tuple[str, float] | None = None  # an operator message, seconds left
        self.lang = cfg.language
        self.centring = True
        self.teacher = Teacher()  # the cards, the step-through, ablation, compare: one value
        self.comparison = Comparison(self.make_recognizer)
        self.quit_progress: float | None = None  # the quit chord held: 0..1 (set by the Runner)
        self._seen: tuple = ()
        self._wave_due: float | None = None
        self._last_wave = -1e9
        for lang in strings.languages():  # a broken table is reported once, here (fonts: shell)
            strings.table(lang)
        for problem in strings.problems():
            self.log.write("error", message=problem[:300])
        self.set_model(cfg.model, log=False)
        self.learn = LearnMode(cfg, self.log)  # watch it learn (key T)
        self.design = DesignMode(cfg, self.log)  # design the network (key D)
        self.tally = TallyStore(cfg.tally.file, cfg.tally.day_starts, self.log.wall())
        self.talk = Talk()  # talk-back: the talk region's question, fool me, teach it

    def close(self) -> None:
        """The exhibit ends (or is replaced): no learning process outlives it."""
        self.learn.close()
        self.design.close()

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

    # the teacher's layers, read one by one (ScreenState); changed only through teach()
    show_help = property(lambda self: self.teacher.help)
    show_explain = property(lambda self: self.teacher.explain)
    show_about = property(lambda self: self.teacher.about)
    panel_open = property(lambda self: self.teacher.panel)
    confirm_left = property(lambda self: self.input.confirm_left)  # panel.confirm shown
    hold_progress = property(lambda self: self.input.hold_progress)  # panel.open held: 0..1
    stage = property(lambda self: self.teacher.stage)
    detail = property(lambda self: self.teacher.detail)
    ablating = property(lambda self: self.teacher.ablating)
    comparing = property(lambda self: self.teacher.comparing)
    pointer = property(lambda self: self.input.pointer)
    compare_shown = property(lambda self: self.comparison.shown)
    talk_view = property(lambda self: self.talk.view(self))  # what the talk region shows
    tally_today = property(lambda self: self.tally.today(self.log.wall()))
    talk_hit = lambda self, x, y: self.talk.hit(self, x, y)  # noqa: E731 - input's hit test

    def teach(self, **changes: object) -> None:
        """A new teacher value with ``changes`` (help=True, detail=None, ...)."""
        self.teacher = replace(self.teacher, **changes)

    def make_recognizer(self, name: str) -> Recognizer:
        return Recognizer(self.models[name], stroke_width=self.cfg.ink.stroke_width,
                          min_points=self.cfg.ink.min_points, min_size=self.cfg.ink.min_size_px,
                          min_confidence=self.cfg.answer.min_confidence)

    def set_model(self, name: str, log: bool = True, rec: Recognizer | None = None) -> None:
        self.model_name = name
        self.recognizer = rec or self.make_recognizer(name)
        net = self.recognizer.model.net
        self.masks = [np.ones(n, np.float32) for n in net.hidden_sizes]  # CNN: maps, units
        self.layout = layout_for(self.cfg, self.size, net, self.recognizer.side)
        self.snapshot = self.recognizer.read_picture(None)
        self.waves = Waves(len(net.sizes), self.cfg.pulses.wave_seconds, self.snapshot)
        self._wave_due = None
        self.teach(detail=None, stage=None)  # a step-through's steps are another network's
        self._seen = ()
        if log:
            self.log.write("model", model=name)

    def install(self, rec: Recognizer) -> None:
        """Read with ``rec`` from now on (live learning's weights; another shape: laid out anew)."""
        if rec.model.net.sizes != self.layout.sizes:  # a visitor's design, as set_model does
            return self.set_model(self.model_name, False, rec)
        self.recognizer, s = rec, self.snapshot
        if s.empty or not self._seen:
            self._seen = ()  # refresh() reads the input again with the new weights
        else:  # the same picture, read by the new weights: no preprocessing again
            self.snapshot = rec.read_picture(s.picture, self.masks)
            self._send_wave()  # the bars follow the learning network, never stale

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
        acts = [None if s.forward is None else s.forward.columns[l]
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
        self.teach(detail=None)
        self.talk.forget(self)  # the next visitor: the taught copy and the answers go
        if had:
            self.log.write("clear")
        if self.mode == Mode.DRAWING:
            self.modes.go(Mode.IDLE)

    def load_sample(self, digit: int) -> None:
        sample = self.deck.next(digit)
        if sample is None:
            return
        self.drawing.clear()
        self.sample = sample
        actions.touch_timer(self, force=True)
        self.refresh()
        self.log_prediction("sample", digit)

    # --- input: events become actions (input.py), applied from the table -------------------
    def handle(self, ev: pygame.event.Event) -> None:
        for action in self.input.handle(ev, self):
            self.apply(action)

    def release_all(self) -> None:
        """A lost finger or focus, a freeze: the gesture ends as if lifted."""
        for action in self.input.release_all(self):
            self.apply(action)

    def apply(self, action: Action) -> None:
        actions.apply(self, action)

    def act(self, action: str) -> None:
        """One teacher action, from a key, a clicker or the touch panel (the same names as
        the ``keys.*`` settings)."""
        actions.act(self, action)

    # --- attract mode, freeze, failsafe, defaults -------------------------------------------
    def start_attract(self) -> None:
        actions.start_attract(self)

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
        self.teacher = self.teacher.closed()

    def recover(self) -> None:
        """After an error: forget the gesture and the teacher layers; a calm screen, then attract."""
        self.input.pointer.reset()
        self.close_teacher_layers()
        self.player = self.sample = self.clear_at = None
        self.drawing.clear()
        self._seen = ()
        self.snapshot = self.recognizer.read_picture(None)
        self.waves.settle(self.snapshot)
        self._wave_due = None
        self.comparison.forget()
        self.talk.forget(self)
        self.failsafe_until = self.now + FAILSAFE_SECONDS
        self.modes.go(Mode.FAILSAFE)

    def stages(self) -> list[tuple[str, int]]:
        return self.recognizer.model.net.stages()

    def reread(self) -> None:  # read the input again at the next refresh (both networks, ...)
        self._seen = ()

    # --- time -------------------------------------------------------------------------------
    def step(self, dt: float) -> None:
        self.since_input += dt
        for action in self.input.step(dt, self):
            self.apply(action)
        actions.panel_step(self, dt)
        if self.message is not None:
            text, left = self.message
            self.message = (text, left - dt) if left > dt else None
        if self.mode == Mode.FROZEN:
            actions.frozen_step(self, dt)
            return  # animation stands still
        self.now += dt
        self.learn.step(self)
        self.design.step(self)  # (idle time counts from the end of a design's training)
        self.talk.step(self)
        if self.input.busy and self.since_input >= STALE_GESTURE:
            # the finger's device vanished mid-stroke (its lift never came): let go of it
            self.release_all()
            self.log.write("gesture_timeout")
        reset_after = self.cfg.attract.reset_seconds
        if reset_after > 0 and self.since_input >= reset_after:
            actions.reset_defaults(self)
        self.MODE_STEPS[self.mode](self, dt)
        if self._wave_due is not None and self.now >= self._wave_due:
            self._wave_due = None
            self._last_wave = self.now
            self.waves.launch(self.snapshot, self.now)
            self.comparison.show_latest()  # the comparison changes with the wave
        self.waves.advance(self.now)

    def _step_failsafe(self, dt: float) -> None:
        if self.now >= self.failsafe_until:
            self.start_attract()

    def _step_attract(self, dt: float) -> None:
        if self.player is None:
            return self._step_idle(dt)
        event = self.player.update(dt, self.drawing)
        if event == "digit_done":
            self.refresh()
            self.log_prediction("attract", self.player.label)
        elif event == "cleared":
            self.drawing.clear()
            self.log.write("clear")

    def _step_idle(self, dt: float) -> None:
        idle_after = self.cfg.attract.idle_seconds
        if (self.mode == Mode.IDLE and idle_after > 0 and self.since_input >= idle_after
                and not self.input.busy and self.scripts is not None):
            self.start_attract()
        if self.clear_at is not None and not self.drawing.active and self.now >= self.clear_at:
            self.clear()

    MODE_STEPS = {Mode.IDLE: _step_idle, Mode.DRAWING: _step_idle, Mode.ATTRACT: _step_attract,
                  Mode.FROZEN: lambda ex, dt: actions.frozen_step(ex, dt), Mode.FAILSAFE: _step_failsafe}

    def settle(self) -> None:
        """Every layer, and the compare view, show the newest reading now (no wave)."""
        self.waves.settle(self.snapshot)
        self.comparison.show_latest()
        self._wave_due = None

    def show_message(self, text: str, seconds: float = 30.0) -> None:
        """An operator message on screen (a config that did not load, ...)."""
        self.message = (text, seconds)

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
            self.comparison.read(ink, self.centring, (c.w, c.h), self.layout.brush)
            if self.snapshot.empty:
                self.comparison.show_latest()
        if self.snapshot.empty:  # nothing to carry: every layer goes dark at once
            self._wave_due = None
            self.waves.settle(self.snapshot)
        else:
            self._send_wave()

    def _send_wave(self) -> None:
        """Carry the newest snapshot to the outputs: now, or when the last wave is far enough
        behind (nothing flashes more than 3 times a second)."""
        interval = max(self.cfg.pulses.wave_interval, MIN_WAVE_INTERVAL)
        if self.cfg.motion.reduced:
            interval = max(interval, REDUCED_WAVE_INTERVAL)
        if self.now - self._last_wave >= interval:
            self._wave_due = self.now
        elif self._wave_due is None:
            self._wave_due = self._last_wave + interval

    # --- the compare view (V) -----------------------------------------------------------------
