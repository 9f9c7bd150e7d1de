"""Design the network (issue 25; key D, the teacher panel, or the visitors' button with
``learn.design_offer``): a visitor chooses a shape on the design card, trains it live in the
learning process, tests it with their own digit beside the shipped explainer, and sees it
among the day's designs.

One :class:`DesignMode` per exhibit, in one of these phases (None: not designing):

ready     a fresh network of the design, random weights, in view; nothing trains
training  the learning process trains it (at most ``learn.design_seconds``)
paused    the process waits; ``step`` trains one batch
done      the time is up: its figures joined the day's designs; the network stays to be tested

A run that blows up (a learning rate too fast: NaN) says so in one line and starts again at
``ready``. Editing the design ends a run. The card (``designing``) lies over the canvas while
it is open; the network's picture beside it follows every choice. Ending design mode (the
card's Close, T, M, the idle reset, attract mode) returns to the network shown before.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from exhibit.layout import design as geo
from exhibit.layout.learnbox import design_button_rect
from exhibit.learn.session import Learner, initial_model
from exhibit.recognize import Recognizer, Snapshot
from exhibit.learn.design import Design, tap
from exhibit.state.learning import Host, LearnMode

if TYPE_CHECKING:
    from exhibit.layout.regions import Layout
    from exhibit.model.store import LoadedModel

MESSAGE_SECONDS = 8.0  # how long the "blew up" line stays


def count_params(net: object) -> int:
    """Weights and biases of any network (its numpy arrays, in lists or not)."""
    import numpy as np

    n = 0
    for v in vars(net).values():
        for a in (v if isinstance(v, list) else [v]):
            if isinstance(a, np.ndarray):
                n += a.size
    return n


class DesignMode(LearnMode):
    def __init__(self, cfg, log) -> None:
        super().__init__(cfg, log)
        self.design = Design()
        self.designing = False  # the card is open
        self.phase: str | None = None
        self.message: str | None = None  # a strings key (the run blew up), for a while
        self._message_until = 0.0
        self.base: Recognizer | None = None  # the shipped explainer, read beside
        self.reference: Snapshot | None = None  # its reading of the drawing on the canvas
        self._reference_of: Snapshot | None = None
        self.references: tuple[tuple[str, int, float], ...] = ()  # shipped: name, params, acc
        self.last: dict | None = None  # the record of the last finished design (its dot)
        self.loss: float | None = None
        self.final: float | None = None

    def turn_off(self, reason: str) -> None:
        """Design mode is off for the rest of this exhibit's life; one logged line says why."""
        if self.off_reason is None:
            self.off_reason = reason
            self.log.write("design", state="off", message=reason[:300])

    # --- what the screen reads ----------------------------------------------------------------
    @property
    def on(self) -> bool:
        return self.phase is not None

    @property
    def busy(self) -> bool:
        """A run a visitor may be watching: idle time does not count while it trains."""
        return self.phase == "training"

    @property
    def limit(self) -> float:
        return float(self.cfg.learn.design_seconds)

    @property
    def seconds(self) -> float:
        return self.curve[-1][0] if self.curve else 0.0

    # --- opening and closing ------------------------------------------------------------------
    def open(self, ex: Host, watch: LearnMode) -> None:
        """The design card: from the key, the panel or the visitors' button."""
        if not self.available:
            return
        if watch.active:
            watch.stop(ex, "design")  # one learning process at a time
        if self.phase is None:
            self.return_to = ex.model_name
            ex.set_model("explainer", log=False)
            self.base = ex.recognizer
            self.references = tuple(
                (name, count_params(m.net), float(m.manifest.get("mnist_test_accuracy", 0.0)))
                for name, m in ex.models.items())
            self.phase = "ready"
            self._fresh(ex)
            self.log.write("design", state="open")
        self.designing = True

    def close(self) -> None:  # the exhibit ends
        self._stop_learner("exit", wait=1.0)

    def end(self, ex: Host | None, reason: str) -> None:
        """Design mode ends: back to the network shown before (unless another one took over)."""
        if self.phase is None:
            return
        self._stop_learner(reason)
        mine = ex is not None and ex.recognizer is self.recognizer
        self.phase, self.designing, self.recognizer = None, False, None
        self.reference = self._reference_of = None
        self.message = None
        self.log.write("design", state="end", reason=reason)
        if mine:
            ex.set_model(self.return_to or ex.cfg.model, log=False)

    def toggle(self, ex: Host) -> None:
        if self.phase is not None:
            self.end(ex, "key")

    # --- taps ---------------------------------------------------------------------------------
    def tap(self, ex: Host, target: str) -> None:
        """A target of the card or the box (``exhibit.layout.design``)."""
        if self.phase is None:
            return
        if target == "design.close":
            self.end(ex, "close")
        elif target == "design.train":
            self.designing = False
            self._start(ex)
        elif target == "design.edit":
            self.designing = True
        elif target == "design.reset":
            self._stop_learner("reset")
            self.phase = "ready"
            self._fresh(ex)
        elif target == "design.pause":
            if self.phase == "training":
                self.learner.pause()
                self.phase = "paused"
            elif self.phase == "paused":
                self.learner.resume()
                self.phase = "training"
            else:  # ready or done: a new run
                self._start(ex)
        elif target == "design.step":
            if self.phase in ("ready", "done"):
                self._start(ex, paused=True)
            elif self.phase == "training":
                self.learner.pause()
                self.phase = "paused"
            if self.phase == "paused":
                self.learner.step_once()
        else:
            new = tap(self.design, target)
            if new != self.design:
                self.design = new
                self._stop_learner("edit")
                self.phase = "ready"
                self._fresh(ex)

    def button_hit(self, layout: "Layout", x: float, y: float, comparing: bool) -> bool:
        """Whether (x, y) is on the visitors' design button (``learn.design_offer``)."""
        if not (self.cfg.learn.design_offer and self.available) or comparing or self.on:
            return False
        r = design_button_rect(layout, bool(self.cfg.learn.offer))
        return r is not None and r.collidepoint(x, y)

    def choose(self, ex: Host, design: Design) -> None:
        """Put ``design`` on the card at once (the benchmark; taps step there one by one)."""
        if self.phase is not None and design != self.design:
            self._stop_learner("edit")
            self.design, self.phase = design, "ready"
            self._fresh(ex)

    def hit(self, layout: "Layout", x: float, y: float) -> str | None:
        """The design target under (x, y); "card" on the open card's frame (it takes the tap);
        None elsewhere."""
        if self.phase is None:
            return None
        if self.designing:
            c = geo.card(layout, len(self.design.hidden))
            for name, r in c.targets:
                if r.collidepoint(x, y):
                    return name
            return "card" if c.rect.collidepoint(x, y) else None
        b = geo.box(layout)
        if b is not None:
            for name, r in b.buttons:
                if r.collidepoint(x, y):
                    return name
        return None

    # --- running ------------------------------------------------------------------------------
    def _fresh(self, ex: Host) -> None:
        """A new network of the design, random weights, in view (its picture has the shape)."""
        self.curve, self.seen, self.n_held_out = (), 0, 0
        self.loss = self.final = None
        d = self.design
        self._install(ex, initial_model(self.base.model.spec, hidden=d.hidden,
                                        activation=d.activation))

    def _start(self, ex: Host, paused: bool = False) -> None:
        self._stop_learner("restart")
        self.curve, self.seen, self.n_held_out = (), 0, 0
        self.loss = self.final = None
        try:
            self.learner = Learner(self.source, self.base.model.spec,
                                   options=self.design.options(self.limit))
        except Exception as e:  # noqa: BLE001 - no design runs, but the exhibit goes on
            self.turn_off(f"design off: cannot start the learning process: "
                          f"{type(e).__name__}: {e}")
            self.end(ex, "error")
            return
        if paused:
            self.learner.pause()
        self.phase = "paused" if paused else "training"
        self.log.write("design", state="train", hidden=list(self.design.hidden),
                       activation=self.design.activation, rate=self.design.rate)

    def _stop_learner(self, reason: str, wait: float = 0.0) -> None:
        learner, self.learner = self.learner, None
        if learner is not None:
            learner.stop(wait)

    def step(self, ex: Host) -> None:
        if self.phase is None:
            return
        if ex.recognizer is not self.recognizer:  # M, the idle reset: another network
            self.end(ex, "model")
            return
        if self.message is not None and ex.now >= self._message_until:
            self.message = None
        learner = self.learner
        if learner is not None:
            self._follow(ex, learner)
        self._read_beside(ex)
        if self.busy and not ex.pointer.busy:
            ex.since_input = 0.0  # a run being watched: idle time counts from its end
        reset_after = self.cfg.attract.reset_seconds
        if reset_after > 0 and ex.since_input >= reset_after:
            self.end(ex, "idle")

    def _follow(self, ex: Host, learner: Learner) -> None:
        model = learner.take()
        if model is not None:
            self._install(ex, model)
        self.curve, self.seen = tuple(learner.curve), learner.seen
        self.n_held_out = learner.n_held_out
        if learner.loss_curve:
            self.loss = learner.loss_curve[-1][1]
        if learner.diverged:
            self._stop_learner("diverged")
            self.log.write("design", state="diverged", rate=self.design.rate,
                           seconds=round(self.seconds, 1))
            self.message, self._message_until = "design_diverged", ex.now + MESSAGE_SECONDS
            self.phase = "ready"
            self._fresh(ex)  # reset on its own: a fresh network, ready to try again
        elif learner.finished and learner.ended:
            model = learner.take()
            if model is not None:
                self._install(ex, model)
            self.final = learner.final_accuracy if learner.final_accuracy is not None else (
                self.curve[-1][1] if self.curve else None)
            self.learner = None
            self.phase = "done"
            if self.final is not None:
                self.last = self.design.record(self.final)
                ex.tally.add_design(ex.log.wall(), self.last)
            self.log.write("design", state="done", accuracy=self.final, seen=self.seen,
                           params=self.design.params)
        elif learner.crashed is not None:
            why = learner.crashed
            self.end(ex, "crash")
            self.turn_off(f"design off: {why}")
        else:
            self._keep_a_digit(ex)

    def _read_beside(self, ex: Host) -> None:
        """The shipped explainer reads the same picture (it was prepared for the same input)."""
        s = ex.snapshot
        if s is self._reference_of or self.base is None:
            return
        self._reference_of = s
        self.reference = None if s.empty else self.base.read_picture(s.picture)
