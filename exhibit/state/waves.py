"""Cause before effect: which reading each layer of the network shows.

Every change of the input sends a wave from the picture (layer 0) to the outputs. Layer ``l``
takes the wave's snapshot only when the wave reaches it, ``l * gap`` seconds after it left, so
the screen shows hidden neurons lighting up after the picture and the bars and the answer
following last. Pure state on the exhibit's clock (no drawing): the views read ``shown`` and
the waves in flight; the pulses they draw arrive exactly when a layer changes here.
"""
from __future__ import annotations

from dataclasses import dataclass

from exhibit.recognize import Snapshot


@dataclass
class Wave:
    id: int
    t0: float  # when it left the picture, on the exhibit's clock
    snapshot: Snapshot


class Waves:
    """``shown[l]``: the snapshot layer ``l`` shows (0: the picture, last: the outputs)."""

    def __init__(self, n_layers: int, travel: float, snapshot: Snapshot) -> None:
        self.n = n_layers
        self.gap = travel / max(1, n_layers - 1)  # seconds between two columns
        self.in_flight: list[Wave] = []
        self.last_id = 0
        self.shown: list[Snapshot] = []
        # when the outputs last began to show a different reading (another digit, or none):
        # the answer's glow fades in from then; -inf: it is fully there (nothing travelled)
        self.changed_at = float("-inf")
        self.settle(snapshot)

    def settle(self, snapshot: Snapshot) -> None:
        """Every layer shows ``snapshot`` now (an empty canvas, a new network, a freeze)."""
        if self.shown and _reading(self.shown[-1]) != _reading(snapshot):
            self.changed_at = float("-inf")
        self.shown = [snapshot] * self.n
        self.in_flight = []

    def launch(self, snapshot: Snapshot, now: float) -> Wave:
        self.last_id += 1
        wave = Wave(self.last_id, now, snapshot)
        self.in_flight.append(wave)
        self.shown[0] = snapshot
        return wave

    def arrival(self, wave: Wave, layer: int) -> float:
        return wave.t0 + layer * self.gap

    def advance(self, now: float) -> None:
        """Hand each layer the newest wave that has reached it (waves keep their order: all
        travel at the same pace)."""
        for wave in self.in_flight:
            for l in range(self.n):
                if now >= self.arrival(wave, l):
                    if l == self.n - 1 and _reading(self.shown[l]) != _reading(wave.snapshot):
                        self.changed_at = self.arrival(wave, l)
                    self.shown[l] = wave.snapshot
        self.in_flight = [w for w in self.in_flight if now < self.arrival(w, self.n - 1)]

    @property
    def output(self) -> Snapshot:
        """What the bars, the answer ring and the title show."""
        return self.shown[-1]


def _reading(s: Snapshot) -> tuple[bool, int]:
    return s.empty, -1 if s.digit is None else int(s.digit)
