"""The compare view (V): the shipped explainer's and CNN's readings of the same input, side by
side, from one preprocessing (both read the same 28x28 picture)."""
from __future__ import annotations

from typing import Callable

from exhibit.recognize import Recognizer, Snapshot

COMPARED = ("explainer", "cnn")  # the two networks the compare view sets side by side


class Comparison:
    def __init__(self, make_recognizer: Callable[[str], Recognizer]) -> None:
        self._make = make_recognizer
        self._recs: dict[str, Recognizer] = {}
        self.shown: tuple[Snapshot, ...] = ()  # the readings on screen
        self.latest: tuple[Snapshot, ...] = ()  # ... and the newest, for the next wave

    def read(self, ink, centring: bool, frame: tuple[int, int], brush: float) -> None:
        """Both networks read ``ink`` (no ablation); the result waits for the next wave."""
        recs = [self._recs.get(n) or self._recs.setdefault(n, self._make(n)) for n in COMPARED]
        pic, pic28 = recs[0].pictures(ink, centring, frame, brush)
        self.latest = tuple(r.read_picture(pic, None, pic28) for r in recs)

    def show_latest(self) -> None:
        self.shown = self.latest

    def forget(self) -> None:
        self.shown = self.latest = ()
