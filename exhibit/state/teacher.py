"""The teacher's layers over the screen, as one value: which cards are open, the step-through's
position, the neuron whose card is open, ablation and the compare view. Frozen: a change makes a
new value (``dataclasses.replace``), so a frame always sees one consistent set."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Teacher:
    help: bool = False
    explain: bool = False
    about: bool = False
    panel: bool = False  # the touch teacher panel
    stage: int | None = None  # step-through position while frozen
    detail: tuple[int, int] | None = None  # (layer, neuron or map) whose card is open
    ablating: bool = False  # taps switch neurons off and on
    comparing: bool = False  # the explainer and the CNN side by side (V)

    def closed(self) -> "Teacher":
        """Every card and the step-through closed; ablation and compare stay as they are."""
        return Teacher(ablating=self.ablating, comparing=self.comparing)
