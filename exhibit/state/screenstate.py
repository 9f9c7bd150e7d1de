"""What the views may read of the exhibit: a narrow, read-only interface.

The views draw from a ``ScreenState`` and never change it; actions flow back up as input
events that the state handles. ``exhibit.state.exhibit.Exhibit`` is the one implementation;
``exhibit.tools.shots`` and the tests drive it into each state. A view that needs something new
names it here first, so that what the screen depends on stays visible in one place.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from exhibit.config import Config
from exhibit.ink.drawing import Drawing
from exhibit.recognize import Recognizer, Snapshot
from exhibit.state.modes import Mode

if TYPE_CHECKING:
    from exhibit.layout.regions import Layout
    from exhibit.state.designing import DesignMode
    from exhibit.state.learning import LearnMode
    from exhibit.state.talkback import Talk, View
    from exhibit.state.tally import Tally
    from exhibit.state.waves import Waves


class ScreenState(Protocol):
    """Read-only. Sizes: ``masks[l]`` (n_l,) 1.0 = neuron on; ``shown()[l]`` the neuron indices
    each slot of layer l's column holds."""

    # what is being read, and how
    @property
    def cfg(self) -> Config: ...
    @property
    def layout(self) -> "Layout": ...
    @property
    def mode(self) -> Mode: ...
    @property
    def now(self) -> float: ...  # the animation clock (stands still while frozen)
    @property
    def drawing(self) -> Drawing: ...
    @property
    def recognizer(self) -> Recognizer: ...
    @property
    def model_name(self) -> str: ...
    @property
    def is_cnn(self) -> bool: ...
    @property
    def snapshot(self) -> Snapshot: ...  # the newest reading
    @property
    def waves(self) -> "Waves": ...  # which reading each layer shows while a wave travels
    @property
    def masks(self) -> list[np.ndarray]: ...
    @property
    def sample(self) -> tuple[np.ndarray, int, int] | None: ...  # (picture, label, id)
    def shown(self) -> list[np.ndarray]: ...
    def sure(self, s: Snapshot | None = None) -> bool: ...
    def stages(self) -> list[tuple[str, int]]: ...

    # the teacher's layers
    @property
    def lang(self) -> str: ...
    @property
    def centring(self) -> bool: ...
    @property
    def stage(self) -> int | None: ...
    @property
    def detail(self) -> tuple[int, int] | None: ...
    @property
    def show_help(self) -> bool: ...
    @property
    def show_explain(self) -> bool: ...
    @property
    def show_about(self) -> bool: ...
    @property
    def ablating(self) -> bool: ...
    @property
    def comparing(self) -> bool: ...
    @property
    def compare_shown(self) -> tuple[Snapshot, ...]: ...
    @property
    def panel_open(self) -> bool: ...
    @property
    def confirm_left(self) -> float | None: ...
    @property
    def message(self) -> tuple[str, float] | None: ...  # an operator message, seconds left
    @property
    def quit_progress(self) -> float | None: ...

    @property
    def hold_progress(self) -> float | None: ...
    @property
    def learn(self) -> "LearnMode": ...
    @property
    def design(self) -> "DesignMode": ...  # design the network (issue 25)

    # talk-back (issue 24): what the talk region shows, its state and the day's tally
    @property
    def talk_view(self) -> "View | None": ...
    @property
    def talk(self) -> "Talk": ...
    @property
    def tally_today(self) -> "Tally": ...  # counts only

    # attract mode's hand
    @property
    def inviting(self) -> bool: ...
    def hand(self) -> tuple[float, float, bool] | None: ...

    def say(self, key: str, **kw: object) -> str: ...
