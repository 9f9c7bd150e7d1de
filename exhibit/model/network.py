"""What every kind of network offers the rest of the exhibit: the MLPs (``mlp.py``) and the CNN
(``cnn.py``) both satisfy :class:`Network`, and their forward records both have ``probs``
and ``columns``. Code above the model layer asks the network, and
never branches on its class; a new kind of network implements these and is loaded by
``store.py``."""
from __future__ import annotations

from typing import Any, Protocol, Sequence

import numpy as np


class Network(Protocol):
    @property
    def sizes(self) -> list[int]: ...  # per column of the network view: its neuron count
    @property
    def hidden_sizes(self) -> list[int]: ...  # the columns that can be switched off (ablation)

    def forward(self, x: np.ndarray, masks: Sequence[np.ndarray | None] | None = None) -> Any:
        """Inputs (n, side²) or (side²,) -> a forward record with ``probs`` and ``columns``
        (per column of the network view, what it shows); ``masks[l]`` switches hidden units
        (CNN: maps) off."""

    def predict(self, x: np.ndarray) -> np.ndarray: ...  # (n, 10) probabilities
    def stages(self) -> list[tuple[str, int]]: ...  # the step-through's (what, layer) steps

    def input_gradient(self, x: np.ndarray, digit: int,
                       masks: Sequence[np.ndarray | None] | None = None) -> np.ndarray:
        """(side, side): how each input pixel moves ``digit``'s pre-softmax score."""
