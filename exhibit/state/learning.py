"""Watch it learn (key T, or the visitors' button with ``learn.offer``): the explainer network
starts from random weights and trains in its own process while the exhibit keeps drawing.

The exhibit holds one :class:`LearnMode`. ``toggle`` starts and stops; ``step`` (once a step,
never waiting) puts the newest weights in as a new Recognizer (a new model object per
snapshot, so a Snapshot never mixes weights), keeps a digit on an empty canvas so the
network's reading can be watched, logs accuracy now and then, and turns the feature off if
the learning process dies. Stopping returns to the shipped network (the very same object).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from exhibit.layout.learnbox import button_rect
from exhibit.state.modes import Mode
from exhibit.learn import data
from exhibit.learn.session import Learner, initial_model
from exhibit.learn.worker import HIDDEN, check_design
from exhibit.recognize import Recognizer

if TYPE_CHECKING:
    import numpy as np

    from exhibit.config import Config
    from exhibit.ink.drawing import Drawing
    from exhibit.layout.regions import Layout
    from exhibit.model.store import LoadedModel
    from exhibit.state.pointer import PointerTracker


class Host(Protocol):
    """What live learning needs of the exhibit: a few reads, and three actions."""
    cfg: "Config"
    model_name: str
    recognizer: Recognizer
    mode: Mode
    now: float
    since_input: float
    drawing: "Drawing"
    sample: object | None
    samples: "tuple[np.ndarray, np.ndarray] | None"
    pointer: "PointerTracker"
    comparing: bool
    layout: "Layout"

    def set_model(self, name: str, log: bool = True) -> None: ...
    def install(self, rec: Recognizer) -> None: ...
    def load_sample(self, digit: int) -> None: ...

LOG_EVERY = 10.0  # seconds between accuracy lines in the event log
SAMPLE_PAUSE = 0.6  # an empty canvas gets the next sample digit after this many seconds


class LearnMode:
    def __init__(self, cfg, log) -> None:
        self.cfg = cfg
        self.log = log
        self.learner: Learner | None = None
        self.recognizer: Recognizer | None = None  # the one we put in (a model change ends learning)
        self.return_to: str | None = None
        self.off_reason: str | None = None
        self._logged_at = 0.0
        self._empty_since: float | None = None
        self._digit = 0
        # What the panel shows, copied from the learner once a step: its reader thread changes
        # the learner's figures at any time, and one frame must show one state.
        self.curve: tuple[tuple[float, float], ...] = ()
        self.seen = 0
        self.n_held_out = 0
        try:
            self.source = data.source(cfg.learn.mnist_dir)
        except data.NoTrainingData as e:
            self.source = None
            self.turn_off(str(e))

    @property
    def available(self) -> bool:
        return self.source is not None and self.off_reason is None

    @property
    def active(self) -> bool:
        return self.learner is not None

    def turn_off(self, reason: str) -> None:
        """The feature is off for the rest of this exhibit's life; one logged line says why."""
        if self.off_reason is None:
            self.off_reason = reason
            self.log.write("learn", state="off", message=reason[:300])

    def toggle(self, ex: Host) -> None:
        if self.active:
            self.stop(ex, "key")
        else:
            self.start(ex)

    def start(self, ex: Host, design: dict | None = None) -> None:
        """Start learning ``design`` ({"hidden": [...], "activation", "rate", "max_seconds"}, each
        optional; None: the explainer's shape, relu, the good rate, no end). A design the
        learning process refuses raises ValueError and changes nothing."""
        if not self.available or self.active:
            return
        d = dict(design or {})
        hidden, activation = list(d.get("hidden", HIDDEN)), d.get("activation", "relu")
        check_design(hidden, activation, d.get("rate", "good"))  # ValueError: nothing began
        self.return_to = ex.model_name
        ex.set_model("explainer", log=False)  # the layout for its shape
        base = ex.recognizer
        try:
            self.learner = Learner(self.source, base.model.spec, options=d)
        except Exception as e:  # noqa: BLE001 - no learning, but the exhibit goes on
            ex.set_model(self.return_to, log=False)
            self.turn_off(f"live learning off: cannot start the learning process: "
                          f"{type(e).__name__}: {e}")
            return
        self._install(ex, initial_model(base.model.spec, hidden=hidden, activation=activation))
        self.curve, self.seen, self.n_held_out = (), 0, 0
        self._logged_at = 0.0
        self._empty_since = None
        self.log.write("learn", state="start", source=self.source[0], pid=self.learner.pid)

    def stop(self, ex: "Host | None", reason: str) -> None:
        learner, self.learner = self.learner, None
        if learner is None:
            return
        learner.stop()
        last = learner.curve[-1][1] if learner.curve else None
        self.log.write("learn", state="stop", reason=reason, accuracy=last,
                       seconds=round(learner.curve[-1][0], 1) if learner.curve else 0.0,
                       seen=learner.seen)
        if ex is not None and ex.recognizer is self.recognizer:
            ex.set_model(self.return_to or ex.cfg.model, log=False)
        self.recognizer = None

    def close(self) -> None:
        """The exhibit ends: the child goes, and is reaped."""
        learner = self.learner
        self.stop(None, "exit")
        if learner is not None:
            learner.stop(wait=1.0)

    def _install(self, ex: Host, model: "LoadedModel") -> None:
        r = ex.recognizer
        rec = Recognizer(model, stroke_width=r.stroke_width, min_points=r.min_points,
                         min_size=r.min_size, gate=r.gate, min_confidence=r.min_confidence)
        self.recognizer = rec
        ex.install(rec)  # the exhibit puts the new weights in; learning never writes into it

    def step(self, ex: Host) -> None:
        learner = self.learner
        if learner is None:
            return
        if ex.recognizer is not self.recognizer:  # M, or the idle reset: another network
            self.stop(ex, "model")
            return
        crashed = learner.crashed
        if crashed is not None:
            self.stop(ex, "crash")
            self.turn_off(f"live learning off: {crashed}")
            return
        reset_after = self.cfg.attract.reset_seconds
        if reset_after > 0 and ex.since_input >= reset_after:
            self.stop(ex, "idle")
            return
        model = learner.take()
        if model is not None:
            self._install(ex, model)
        self.curve, self.seen, self.n_held_out = tuple(learner.curve), learner.seen, learner.n_held_out
        if learner.curve and learner.curve[-1][0] >= self._logged_at + LOG_EVERY:
            t, acc = learner.curve[-1]
            self._logged_at = t
            self.log.write("learn", state="accuracy", seconds=round(t, 1), accuracy=acc,
                           n=learner.n_held_out, seen=learner.seen)
        self._keep_a_digit(ex)

    def _keep_a_digit(self, ex: Host) -> None:
        """On an empty canvas the half-trained network reads sample digits, one after another."""
        if (ex.mode != Mode.IDLE or not ex.drawing.empty or ex.sample is not None
                or ex.pointer.busy or ex.samples is None):
            self._empty_since = None
            return
        if self._empty_since is None:
            self._empty_since = ex.now
        elif ex.now - self._empty_since >= SAMPLE_PAUSE:
            self._empty_since = None
            ex.load_sample(self._digit)
            self._digit = (self._digit + 1) % 10

    def button_hit(self, layout: "Layout", x: float, y: float, comparing: bool) -> bool:
        """Whether (x, y) is on the visitors' learn button (shown only with ``learn.offer``)."""
        if not (self.cfg.learn.offer and self.available) or comparing:
            return False
        r = button_rect(layout)
        return r is not None and r.collidepoint(x, y)
