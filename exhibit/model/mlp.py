"""A multilayer perceptron in numpy, with names that follow the maths.

    z[l] = a[l-1] @ W[l] + b[l]          (pre-activation, shape (n, sizes[l]))
    a[l] = f(z[l]) * mask[l]              (hidden layers; mask switches neurons off)
    a[L] = softmax(z[L])                  (the ten probabilities)

``f`` is the network's activation, one of ``ACTIVATIONS``, with its derivative f'(z) written
in what backpropagation has at hand:

    relu     f(z) = max(0, z)             f'(z) = [z > 0]
    sigmoid  f(z) = 1 / (1 + e^-z)        f'(z) = a (1 - a)
    tanh     f(z) = tanh(z)               f'(z) = 1 - a²

``a[0]`` is the input: n flattened pictures of shape (n, sizes[0]), values in [0, 1]. A network
without hidden layers (sizes (784, 10)) is softmax regression.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def sigmoid(z: np.ndarray) -> np.ndarray:
    # clipped: exp(-z) overflows float32 below z = -88 (the value is 0 to float precision there)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -80.0, 80.0)))


def tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)


ACTIVATIONS = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}


def slope(activation: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """f'(z) for a hidden layer's pre-activations ``z`` and activations ``a`` = f(z), both
    (n, width). ``a`` may carry a mask's zeros: the caller zeroes those neurons' gradient anyway."""
    if activation == "relu":
        return z > 0
    if activation == "sigmoid":
        return a * (1 - a)
    return 1 - a * a


def softmax(z: np.ndarray) -> np.ndarray:
    # Floor the exponent at -80: exp(-80) is still a normal float32, and denormal
    # probabilities make every later matrix product on the CPU many times slower.
    # (ufuncs direct: the methods' wrappers cost a third of this on one picture)
    e = np.exp(np.maximum(z - np.maximum.reduce(z, axis=-1, keepdims=True), -80.0))
    return e / np.add.reduce(e, axis=-1, keepdims=True)


@dataclass
class Forward:
    """Every layer of one forward pass: ``zs[l-1]`` and ``activations[l]`` for l = 1..L.

    ``activations[0]`` is the input; ``activations[-1]`` the probabilities.
    """

    zs: list[np.ndarray]
    activations: list[np.ndarray]

    @property
    def probs(self) -> np.ndarray:
        return self.activations[-1]

    @property
    def columns(self) -> list[np.ndarray]:
        """Per column of the network view, what it shows: every layer's activations."""
        return self.activations


@dataclass
class MLP:
    """A network of ``activation`` neurons (relu, sigmoid or tanh) ending in softmax.
    ``weights[l]`` has shape (sizes[l], sizes[l+1])."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str = "relu"
    sizes: list[int] = field(init=False)

    def __post_init__(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation {self.activation!r}: expected one of "
                             f"{', '.join(ACTIVATIONS)}")
        if len(self.weights) != len(self.biases) or not self.weights:
            raise ValueError("need one bias vector per weight matrix")
        self.sizes = [self.weights[0].shape[0]] + [w.shape[1] for w in self.weights]
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            if w.ndim != 2 or w.shape[0] != self.sizes[l] or b.shape != (w.shape[1],):
                raise ValueError(f"layer {l + 1}: weights {w.shape} and bias {b.shape} do not chain")

    @classmethod
    def init(cls, sizes: Sequence[int], rng: np.random.Generator,
             activation: str = "relu") -> "MLP":
        """Random weights N(0, gain/m) for m inputs (He, gain 2, for relu; LeCun, gain 1, for
        sigmoid and tanh), zero biases. The same rng draws for every activation."""
        gain = 2.0 if activation == "relu" else 1.0
        ws = [(rng.standard_normal((m, n)) * np.sqrt(gain / m)).astype(np.float32)
              for m, n in zip(sizes[:-1], sizes[1:])]
        return cls(ws, [np.zeros(n, np.float32) for n in sizes[1:]], activation)

    @property
    def hidden_sizes(self) -> list[int]:
        return self.sizes[1:-1]

    def forward(self, x: np.ndarray, masks: Sequence[np.ndarray | None] | None = None) -> Forward:
        """Run inputs x (n, sizes[0]) or (sizes[0],) through the network.

        ``masks[l]`` (one per hidden layer, 1 = on, 0 = off, or None) ablates hidden neurons.
        """
        a = np.asarray(x, np.float32)
        zs, acts = [], [a]
        last = len(self.weights) - 1
        f = ACTIVATIONS[self.activation]
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ w + b
            if l == last:
                a = softmax(z)
            else:
                a = f(z)
                if masks is not None and masks[l] is not None:
                    a = a * masks[l]
            zs.append(z)
            acts.append(a)
        return Forward(zs, acts)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x).probs

    def input_gradient(self, x: np.ndarray, digit: int,
                       masks: Sequence[np.ndarray | None] | None = None) -> np.ndarray:
        """(side, side): d score[digit] / d input for one input ``x`` (sizes[0],), where the score
        is the output's pre-softmax value z. Positive pixels push the reading toward ``digit``,
        negative ones away ("what would make it a 9?")."""
        fwd = self.forward(np.asarray(x, np.float32).reshape(1, -1), masks)
        g = self.weights[-1][:, digit][None, :]  # d z_out[digit] / d a of the last hidden layer
        for l in range(len(self.weights) - 2, -1, -1):
            dz = g * slope(self.activation, fwd.zs[l], fwd.activations[l + 1])
            if masks is not None and masks[l] is not None:
                dz = dz * masks[l]
            g = dz @ self.weights[l].T
        side = int(round(self.sizes[0] ** 0.5))
        return g.reshape(side, side)

    def stages(self) -> list[tuple[str, int]]:
        """The step-through's steps, (what, layer): per hidden layer its weighted sums, then
        its activation ("relu", "sigmoid" or "tanh"); then the output scores and softmax."""
        n_hidden = len(self.hidden_sizes)
        out = [("pixels", 0)]
        for l in range(1, n_hidden + 1):
            out += [("sum", l), (self.activation, l)]
        return out + [("scores", n_hidden + 1), ("softmax", n_hidden + 1)]

    def gradients(self, fwd: Forward, dz_out: np.ndarray,
                  masks: Sequence[np.ndarray | None] | None = None,
                  ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Backpropagate dLoss/dz of the last layer; returns (dW per layer, db per layer).

        For cross-entropy on softmax, dz_out = (probs - targets) / n.
        """
        dws: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        dbs: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        dz = dz_out
        for l in range(len(self.weights) - 1, -1, -1):
            dws[l] = fwd.activations[l].T @ dz
            dbs[l] = dz.sum(axis=0)
            if l > 0:
                da = dz @ self.weights[l].T
                if masks is not None and masks[l - 1] is not None:
                    da = da * masks[l - 1]
                dz = da * slope(self.activation, fwd.zs[l - 1], fwd.activations[l])
        return dws, dbs


def cross_entropy(probs: np.ndarray, targets: np.ndarray) -> float:
    """Mean cross-entropy of probs (n, k) against target distributions (n, k)."""
    return float(-(targets * np.log(np.clip(probs, 1e-12, 1.0))).sum(axis=1).mean())
