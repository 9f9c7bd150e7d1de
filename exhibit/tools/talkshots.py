"""The talk-back states of ``digit-exhibit shots`` (issue 24), reached as a visitor reaches them:
strokes, then taps on the talk region's buttons at the rects the hit tests use.

- ``feedback``: a seven read and settled; "Was I right?" with feedback.right and feedback.wrong;
- ``feedback-meant``: then "No": the ten digits (meant.0-9);
- ``teach``: a close call corrected to its runner-up: the teach button;
- ``teach-after``: then taught (in this process, :class:`Rehearsal`-like, so the shots stay
  byte-identical and quick; the exhibit itself teaches in the learning process);
- ``fooled``: fool, the seven, and the visitor says they meant a 1: "You fooled me!";
- ``what-if``: the explain view with whatif.9 picked: the gradient's overlay on the picture.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from exhibit.learn import teachjob
from exhibit.tools.drive import SETTLE, ShotError, frames, tap

if TYPE_CHECKING:
    from exhibit.state.exhibit import Exhibit

TALK_STATES = ("feedback", "feedback-meant", "teach", "teach-after", "fooled", "what-if")


class InProcessTeach:
    """:class:`exhibit.learn.teachjob.TeachJob`'s interface, the same fine-tuning run here and
    at once (for the shots only)."""

    def __init__(self, net, picture, meant, replay_path, seed=0) -> None:
        from exhibit.learn import data, teach

        rx, ry = data.load_subset(replay_path)
        self._net = teach.teach(net, np.asarray(picture, np.float32).reshape(-1), meant, rx, ry,
                                seed=seed)
        self.error, self.ended_without_result, self.seconds = None, False, 0.0

    def take(self):
        net, self._net = self._net, None
        return net

    def stop(self) -> None:
        pass


def press(ex: "Exhibit", name: str) -> None:
    """Tap the talk-back button ``name`` where the state says it is."""
    rect = dict(ex.talk.targets(ex)).get(name)
    if rect is None:
        raise ShotError(f"{name} is not on screen (the talk region shows {ex.talk_view})")
    tap(ex, *rect.center)
    frames(ex, SETTLE / 4)


def _seven(kit, ex: "Exhibit") -> None:
    from exhibit.tools.drive import draw

    draw(ex, kit.find("seven"))
    frames(ex, SETTLE)


def _corrected(kit, ex: "Exhibit") -> None:
    """A close call, corrected to its runner-up."""
    from exhibit.tools.drive import draw

    draw(ex, kit.find("close"))
    frames(ex, SETTLE)
    runner = int(np.argsort(-ex.snapshot.probs)[1])
    press(ex, "feedback.wrong")
    press(ex, f"meant.{runner}")


def _taught(kit, ex: "Exhibit") -> None:
    _corrected(kit, ex)
    real, teachjob.TeachJob = teachjob.TeachJob, InProcessTeach
    try:
        press(ex, "teach")
    finally:
        teachjob.TeachJob = real
    frames(ex, SETTLE)
    if ex.talk.taught is None:
        raise ShotError(f"teach-it did not finish: {ex.talk.teach_error}")


def _fooled(kit, ex: "Exhibit") -> None:
    press(ex, "fool")
    _seven(kit, ex)
    press(ex, "meant.1")
    if ex.talk_view is None or ex.talk_view.say != "fooled":
        raise ShotError(f"the seven did not fool it: {ex.talk_view}")


def _whatif(kit, ex: "Exhibit") -> None:
    _seven(kit, ex)
    ex.act("explain")
    frames(ex)
    press(ex, "whatif.9")


TALK_DRIVE: dict[str, Callable] = {
    "feedback": _seven,
    "feedback-meant": lambda kit, ex: (_seven(kit, ex), press(ex, "feedback.wrong")),
    "teach": _corrected,
    "teach-after": _taught,
    "fooled": _fooled,
    "what-if": _whatif,
}
