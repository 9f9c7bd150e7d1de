"""Design the network (issue 25): what a visitor chooses on the design screen, as one value.

A :class:`Design` is immutable: every +/- or choice makes a new one, so that the screen, the
learning process and the day's designs all see the same numbers. Its limits are the screen's
(0 to 2 hidden layers of 8 to 100 neurons), well inside what the learning process accepts.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

NEURONS = (8, 16, 32, 64, 100)  # the choices a +/- steps through
MAX_LAYERS = 2
ACTIVATIONS = ("relu", "sigmoid", "tanh")
RATES = ("slow", "good", "too_fast")
INPUTS, OUTPUTS = 784, 10


@dataclass(frozen=True)
class Design:
    """``hidden``: neurons per hidden layer (empty: the pixels feed the ten outputs directly)."""
    hidden: tuple[int, ...] = (32,)
    activation: str = "relu"
    rate: str = "good"

    def __post_init__(self) -> None:
        if len(self.hidden) > MAX_LAYERS or any(n not in NEURONS for n in self.hidden):
            raise ValueError(f"hidden layers {self.hidden}: up to {MAX_LAYERS} of {NEURONS}")
        if self.activation not in ACTIVATIONS or self.rate not in RATES:
            raise ValueError(f"activation {self.activation!r} / rate {self.rate!r}")

    @property
    def sizes(self) -> tuple[int, ...]:
        return (INPUTS, *self.hidden, OUTPUTS)

    @property
    def params(self) -> int:
        """Weights and biases: what the day's designs chart puts on its x axis."""
        s = self.sizes
        return sum(m * n + n for m, n in zip(s[:-1], s[1:]))

    def layers(self, delta: int) -> "Design":
        """One hidden layer more (it copies the last one's width, or 32) or fewer."""
        n = min(MAX_LAYERS, max(0, len(self.hidden) + delta))
        if n > len(self.hidden):
            return replace(self, hidden=self.hidden + ((self.hidden[-1] if self.hidden else 32),))
        return replace(self, hidden=self.hidden[:n])

    def neurons(self, layer: int, delta: int) -> "Design":
        """Hidden layer ``layer`` (1-based) one step wider or narrower in :data:`NEURONS`."""
        if not 1 <= layer <= len(self.hidden):
            return self
        i = min(len(NEURONS) - 1, max(0, NEURONS.index(self.hidden[layer - 1]) + delta))
        hidden = list(self.hidden)
        hidden[layer - 1] = NEURONS[i]
        return replace(self, hidden=tuple(hidden))

    def options(self, max_seconds: float | None) -> dict:
        """What the learning process needs (exhibit.learn.worker's options)."""
        return {"hidden": list(self.hidden), "activation": self.activation, "rate": self.rate,
                "max_seconds": max_seconds}

    def record(self, accuracy: float) -> dict:
        """A finished design for the day's store: its numbers only."""
        return {"hidden": list(self.hidden), "activation": self.activation, "rate": self.rate,
                "params": self.params, "accuracy": round(float(accuracy), 4)}


def tap(design: Design, target: str) -> Design:
    """The design after tapping a control, by its target name (``design.layers.plus``,
    ``design.neurons.2.minus``, ``design.activation.tanh``, ``design.rate.slow``); other
    targets leave it as it is."""
    parts = target.split(".")
    if parts[:2] == ["design", "layers"] and len(parts) == 3:
        return design.layers(+1 if parts[2] == "plus" else -1)
    if parts[:2] == ["design", "neurons"] and len(parts) == 4 and parts[2].isdigit():
        return design.neurons(int(parts[2]), +1 if parts[3] == "plus" else -1)
    if parts[:2] == ["design", "activation"] and len(parts) == 3 and parts[2] in ACTIVATIONS:
        return replace(design, activation=parts[2])
    if parts[:2] == ["design", "rate"] and len(parts) == 3 and parts[2] in RATES:
        return replace(design, rate=parts[2])
    return design
