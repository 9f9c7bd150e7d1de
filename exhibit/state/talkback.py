"""Talk-back on screen (issue 24): what the talk region asks or says now, and what its buttons do.

One :class:`Talk` per exhibit. :meth:`Talk.view` says what the region shows, from the state
alone (a :class:`View`: the panel's kind, its buttons' family, and what it says); the input
hit-tests the same panel's buttons (``layout.talk``) and applies ``("talk", name)`` through
:func:`tap`. Nothing here draws, and nothing here ever keeps a drawing: the feedback and fool
events are counts (the ``feedback`` action), the teach job takes the 28x28 picture to the
learning process and back, in memory.

- "Was I right?": after the visitor's own drawing is read and settled, unless answered. A
  new stroke simply goes on drawing (and asks again about the new reading).
- Fool me: ``fool`` clears the canvas and arms a round; its reading asks at once what was
  meant; the result (fooled, a draw, or not) and a hint stay up until the next stroke or clear.
- Teach it: after a correction of an MLP reading, ``teach`` fine-tunes a copy in the learning
  process (:mod:`exhibit.learn.teachjob`); the copy is put in and reads the drawing again; the
  before and after probabilities are kept to show. Clear, attract mode or another network
  discards it (the shipped network is the very same object, never changed).
- What would make it a 9: in the explain and step views, ``whatif.d`` picks digit d.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from exhibit.layout import talk as geo
from exhibit.state.modes import Mode
from exhibit.state.tally import day_of

if TYPE_CHECKING:
    from exhibit.learn.teachjob import TeachJob
    from exhibit.recognize import Recognizer

PROMPTS = ("prompt_tiny", "prompt_flag", "prompt_fool", "prompt_slant")  # attract, rotating
FOOL_SURE = 0.5  # a misreading more confident than this is "You fooled me!"
THIN = 0.08  # fewer inked pixels than this share of the picture: thin strokes
OFF_CENTRE = 0.22  # the drawing's centre this far (share of the canvas) from the middle
HOLDS = ("talk_ask", "meant", "fool_meant", "teach", "teaching", "after", "fooled", "not_fooled",
         "fool_draw")


class View(NamedTuple):
    kind: str  # one, two, ten, text
    family: str  # the buttons' names: feedback, meant, whatif, fool, teach ("" for text)
    say: str  # what it says (a string key): talk_ask, meant, fool_meant, whatif, fool, fool_go, teach, teaching,
    # after, fooled, not_fooled, fool_draw, thanks, tally, prompt, per_digit


@dataclass
class Taught:
    meant: int
    before: np.ndarray  # (10,) probabilities of the shipped network
    after: np.ndarray  # (10,) of the taught copy
    copy: "Recognizer"
    original: "Recognizer"


class Talk:
    def __init__(self) -> None:
        self.answered: int | None = None  # the drawing version answered (or dismissed)
        self.meant_open = False
        self.fool = False  # a fool-me round is armed
        self.result: tuple[str, str, int] | None = None  # (fooled|not_fooled|fool_draw, hint, n)
        self.corrected: tuple[int, int] | None = None  # (drawing version, meant) after a "No"
        self.job: "TeachJob | None" = None
        self.job_for: tuple[int, int] | None = None  # (version, meant) it was started for
        self.job_before: np.ndarray | None = None
        self.taught: Taught | None = None
        self.teach_error: str | None = None
        self.whatif: int | None = None
        self.rounds = 0  # attract digits seen: the invitations rotate with them
        self._fooled: tuple[str, int] = ("", 0)  # (day, fooled today)
        self._inviting = False
        self._held: tuple | None = None  # the question or result the canvas was last held for

    # --- what the region shows ----------------------------------------------------------------
    def view(self, ex) -> View | None:
        if ex.mode == Mode.FAILSAFE or ex.panel_open or ex.comparing or ex.show_help:
            return None
        if ex.design.on or ex.learn.active:  # a network in the making: the tally is the shipped one's
            return None
        if ex.mode == Mode.ATTRACT:
            if not ex.inviting:
                return None
            if self.rounds % 2:  # the tally and an invitation in turn
                return View("text", "", "tally")
            return View("text", "", PROMPTS[self.rounds // 2 % len(PROMPTS)])
        s = ex.snapshot
        if (ex.show_explain or (ex.mode == Mode.FROZEN and ex.stage is not None)) and not s.empty:
            return View("ten", "whatif", "whatif")
        if ex.mode == Mode.FROZEN:
            return View("text", "", "per_digit")
        if self.job is not None:
            return View("text", "", "teaching")
        if self.taught is not None and ex.recognizer is self.taught.copy:
            return View("text", "", "after")
        if self.result is not None:
            return View("text", "", self.result[0])
        own = own_drawing(ex)
        settled = own and not ex.drawing.active and not s.empty and ex.waves.output is s
        if settled and self.meant_open:
            return View("ten", "meant", "fool_meant" if self.fool else "meant")
        if settled and self.answered != ex.drawing.version:
            return (View("ten", "meant", "fool_meant") if self.fool
                    else View("two", "feedback", "talk_ask"))
        if (settled and self.corrected is not None and self.corrected[0] == ex.drawing.version
                and teachable(ex)):
            return View("one", "teach", "teach")
        if settled and self.answered == ex.drawing.version:
            return View("text", "", "thanks")
        if ex.drawing.empty and ex.sample is None and ex.mode == Mode.IDLE:
            return View("text", "", "fool_go") if self.fool else View("one", "fool", "fool")
        return None

    def targets(self, ex) -> list[tuple[str, object]]:
        v = self.view(ex)
        return [] if v is None else geo.targets(ex.layout, v.kind, v.family)

    def hit(self, ex, x: float, y: float) -> str | None:
        v = self.view(ex)
        return None if v is None else geo.hit(ex.layout, v.kind, v.family, x, y)

    # --- what changes it ------------------------------------------------------------------
    def stroke(self, ex) -> None:
        """A new stroke: a result shown goes; the question will be asked of the new reading."""
        self.result = None
        self.meant_open = False
        self.whatif = None

    def forget(self, ex) -> None:
        """The canvas is cleared (the next visitor, attract mode): everything of this visitor
        goes, the taught copy first."""
        self.discard(ex)
        self.answered = None
        self.meant_open = False
        self.fool = False
        self.result = None
        self.corrected = None
        self.whatif = None
        self.teach_error = None

    def discard(self, ex) -> None:
        if self.job is not None:
            self.job.stop()
            self.job = None
        t, self.taught = self.taught, None
        if t is not None and ex.recognizer is t.copy:
            ex.install(t.original)  # the shipped network again (the very same object)
            ex.log.write("teach", state="discarded")

    def step(self, ex) -> None:
        """Once a step: a finished teach job's copy goes in (never waiting for it)."""
        if ex.inviting != self._inviting:  # between attract digits: the next invitation
            self._inviting = ex.inviting
            self.rounds += ex.inviting
        if self.taught is not None and ex.recognizer is not self.taught.copy:
            self.taught = None  # another network came in (M, learning, a reset)
        v = self.view(ex)
        held = None if v is None or v.say not in HOLDS else (v.say, ex.drawing.version)
        hold = max(ex.cfg.tally.hold_seconds, 1.0 if self.job else 0.0)  # a run: always
        if held is not None and ex.clear_at is not None and (held != self._held or self.job):
            ex.clear_at = max(ex.clear_at, ex.now + hold)  # time to read and answer
        self._held = held
        job = self.job
        if job is None:
            return
        if job.error is not None or job.ended_without_result:
            self.job = None
            self.teach_error = job.error or "teaching process ended"
            ex.log.write("teach", state="error", message=self.teach_error[:300])
            return
        net = job.take()
        if net is None:
            return
        self.job = None
        version, meant = self.job_for
        if version != ex.drawing.version or not own_drawing(ex):
            return  # the drawing changed meanwhile: that copy is of no use
        from exhibit.model.store import LoadedModel
        from exhibit.recognize import Recognizer

        base = ex.recognizer
        m = base.model
        copy = Recognizer(LoadedModel(m.name, net, m.spec, {**m.manifest, "taught": True}),
                          stroke_width=base.stroke_width, min_points=base.min_points,
                          min_size=base.min_size, gate=base.gate,
                          min_confidence=base.min_confidence)
        ex.install(copy)
        ex.reread()
        ex.refresh()  # it reads the drawing again, with the copy
        ex.settle()
        after = np.asarray(ex.snapshot.probs, np.float64).copy()
        self.taught = Taught(meant, self.job_before, after, copy, base)
        ex.log.write("teach", state="done", meant=meant, before=round(float(self.job_before[meant]), 4),
                     after=round(float(after[meant]), 4), seconds=round(job.seconds, 2))


def own_drawing(ex) -> bool:
    """The canvas holds the visitor's own strokes (not a sample, not attract's hand)."""
    return ex.sample is None and ex.player is None and not ex.drawing.empty


def teachable(ex) -> bool:
    """Teach-it works on an MLP reading pictures as the replay digits (the shipped training
    subset) are prepared, while no network learns live."""
    from exhibit.learn.data import SPEC, SUBSET
    from exhibit.model.mlp import MLP

    m = ex.recognizer.model
    return (isinstance(m.net, MLP) and m.spec == SPEC and not ex.learn.active
            and SUBSET.is_file())  # the replay digits


def hint(ex) -> str:
    """Why the reading may have failed, from what the exhibit knows of the drawing."""
    pic = ex.snapshot.picture
    if not ex.centring and not ex.drawing.empty:
        pts = np.concatenate([np.asarray(s, np.float64) for s in ex.drawing.arrays() if len(s)])
        c = ex.canvas_rect
        off = np.hypot(*(pts.mean(0) / np.array([c.w, c.h]) - 0.5))
        if off > OFF_CENTRE:
            return "hint_offcentre"
    if pic is not None and (pic > 0.5).mean() < THIN:
        return "hint_thin"
    return "hint_style"


def tap(ex, name: str) -> None:
    """A talk-back button: ``feedback.right``, ``feedback.wrong``, ``meant.d``, ``fool``,
    ``teach`` or ``whatif.d``."""
    t: Talk = ex.talk
    family, _, arg = name.partition(".")
    if family == "feedback" and arg == "right":
        ex.apply(("feedback", None))
        t.answered = ex.drawing.version
    elif family == "feedback":
        t.meant_open = True
    elif family == "meant":
        meant = int(arg)
        s = ex.snapshot
        read = s.digit if ex.sure(s) else None
        if t.fool:
            _fool_result(ex, t, read, meant, s.confidence)
        else:
            ex.apply(("feedback", meant))
            if read != meant:
                t.corrected = (ex.drawing.version, meant)
        t.answered = ex.drawing.version
        t.meant_open = False
    elif family == "fool":
        ex.clear()
        t.fool = True  # the round is logged when it ends (one fool event, counts only)
    elif family == "teach" and t.corrected is not None and t.job is None and teachable(ex):
        from exhibit.learn.data import SUBSET
        from exhibit.learn.teachjob import TeachJob

        version, meant = t.corrected
        t.job_before = np.asarray(ex.snapshot.probs, np.float64).copy()
        t.job_for = (version, meant)
        try:
            t.job = TeachJob(ex.recognizer.model.net, ex.snapshot.picture, meant, str(SUBSET))
        except Exception as e:  # noqa: BLE001 - no teaching, but the exhibit goes on
            t.teach_error = f"{type(e).__name__}: {e}"
            ex.log.write("teach", state="error", message=t.teach_error[:300])
            return
        ex.log.write("teach", state="start", meant=meant)
    elif family == "whatif":
        t.whatif = int(arg)


def _fool_result(ex, t: Talk, read: int | None, meant: int, confidence: float) -> None:
    """The round's end: one fool event (counts only), and the result with a hint."""
    fooled = read is not None and read != meant and confidence > FOOL_SURE
    draw = read is None or (read != meant and not fooled)
    wall = ex.log.wall()
    day = day_of(wall, ex.cfg.tally.day_starts)
    n = (t._fooled[1] if t._fooled[0] == day else 0) + int(fooled)
    t._fooled = (day, n)
    ex.log.write("feedback", read=read, meant=meant, right=read == meant, model=ex.model_name,
                 confidence=round(confidence, 4), own=False, fool=True)
    ex.log.write("fool", fooled=fooled, draw=draw, read=read, meant=meant,
                 confidence=round(confidence, 4))
    kind = "fooled" if fooled else "fool_draw" if draw else "not_fooled"
    t.result = (kind, hint(ex), n)
    t.fool = False
