"""A small convolutional network in numpy, with names that follow the maths.

Pictures are n x 28 x 28 (values in [0, 1], 1 = ink); feature maps are channels-last,
(n, height, width, channels). With C1, C2 filters and H dense units::

    z1 = conv(x, K1) + b1      (n, 24, 24, C1)   K1: (1, 5, 5, C1)   "valid" 5x5 correlation
    a1 = relu(z1)              (n, 24, 24, C1)
    p1 = maxpool2(a1)          (n, 12, 12, C1)   the largest of each 2x2 block
    z2 = conv(p1, K2) + b2     (n,  8,  8, C2)   K2: (C1, 5, 5, C2)
    a2 = relu(z2)              (n,  8,  8, C2)
    p2 = maxpool2(a2)          (n,  4,  4, C2)
    z3 = flat(p2) @ W3 + b3    (n, H)            W3: (16*C2, H), flat in (row, column, channel) order
    a3 = relu(z3)              (n, H)
    z4 = a3 @ W4 + b4          (n, 10)           W4: (H, 10)
    probs = softmax(z4)        (n, 10)

``conv`` is im2col: ``sliding_window_view`` gives every 5x5 window of every channel without
copying, one reshape copies them into rows of (C*5*5) values, and one matrix product with the
kernel (reshaped to (C*5*5, F)) gives all F maps at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from exhibit.model.mlp import relu, softmax

PARAMS = ("K1", "b1", "K2", "b2", "W3", "b3", "W4", "b4")
SIDE = 28
KSIZE = 5


def im2col(x: np.ndarray, k: int = KSIZE) -> np.ndarray:
    """(n, H, W, C) -> (n, H-k+1, W-k+1, C*k*k): every k x k window, channel-major then row."""
    n, h, w, c = x.shape
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))  # (n, h', w', c, k, k)
    return win.reshape(n, h - k + 1, w - k + 1, c * k * k)


def conv(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray,
         cols: np.ndarray | None = None) -> np.ndarray:
    """Valid 2-D correlation of (n, H, W, C) with kernel (C, k, k, F) -> (n, H-k+1, W-k+1, F)."""
    c, k, _, f = kernel.shape
    if cols is None:
        cols = im2col(x, k)
    return cols @ kernel.reshape(c * k * k, f) + bias


def col2im(dcols: np.ndarray) -> np.ndarray:
    """The adjoint of :func:`im2col`: (n, h', w', C, k, k) window gradients -> (n, h'+k-1,
    w'+k-1, C), each window's gradient added back onto the patch it was read from."""
    n, h, w, c, k, _ = dcols.shape
    out = np.zeros((n, h + k - 1, w + k - 1, c), dcols.dtype)
    for i in range(k):
        for j in range(k):
            out[:, i:i + h, j:j + w, :] += dcols[..., i, j]
    return out


def maxpool2(a: np.ndarray) -> np.ndarray:
    """(n, H, W, C) -> (n, H/2, W/2, C), the largest value of each 2x2 block."""
    n, h, w, c = a.shape
    return a.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


def unpool2(a: np.ndarray, pooled: np.ndarray, dpooled: np.ndarray) -> np.ndarray:
    """Route dLoss/dpooled back to the position of each block's maximum (ties share it)."""
    n, h, w, c = a.shape
    blocks = a.reshape(n, h // 2, 2, w // 2, 2, c)
    at_max = blocks == pooled[:, :, None, :, None, :]
    return (at_max * dpooled[:, :, None, :, None, :]).reshape(a.shape)


@dataclass
class CNNForward:
    """Every layer of one forward pass (shapes in the module docstring).

    ``layers`` lists (name, z, a) in order; for the pooling layers z is None. ``zs`` and
    ``activations`` follow the MLP's convention (``activations[0]`` the input, ``zs[l-1]``
    the pre-activation of ``activations[l]``, pooled maps standing in for their own z).
    For a single picture (input (784,) or (28, 28)) the batch axis is dropped everywhere.
    """

    x: np.ndarray       # (n, 28, 28)
    z1: np.ndarray      # (n, 24, 24, C1) conv1 pre-activation
    a1: np.ndarray      # (n, 24, 24, C1) conv1 maps after ReLU
    p1: np.ndarray      # (n, 12, 12, C1) pooled
    z2: np.ndarray      # (n, 8, 8, C2)
    a2: np.ndarray      # (n, 8, 8, C2)
    p2: np.ndarray      # (n, 4, 4, C2)
    z3: np.ndarray      # (n, H) dense pre-activation
    a3: np.ndarray      # (n, H)
    z4: np.ndarray      # (n, 10) logits
    probs: np.ndarray   # (n, 10)
    cols: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)  # training only

    @property
    def layers(self) -> list[tuple[str, np.ndarray | None, np.ndarray]]:
        return [("conv1", self.z1, self.a1), ("pool1", None, self.p1),
                ("conv2", self.z2, self.a2), ("pool2", None, self.p2),
                ("dense", self.z3, self.a3), ("output", self.z4, self.probs)]

    @property
    def activations(self) -> list[np.ndarray]:
        return [self.x] + [a for _, _, a in self.layers]

    @property
    def zs(self) -> list[np.ndarray]:
        return [a if z is None else z for _, z, a in self.layers]

    @property
    def columns(self) -> list[np.ndarray]:
        """What the exhibit's network view draws, column by column: the picture, the conv1
        maps, the conv2 maps, the dense units, the outputs (each pooled layer only feeds the
        next column, so it gets none of its own)."""
        return [self.x, self.a1, self.a2, self.a3, self.probs]


@dataclass
class CNN:
    """conv 5x5 -> ReLU -> pool 2 -> conv 5x5 -> ReLU -> pool 2 -> dense -> ReLU -> 10 -> softmax."""

    K1: np.ndarray  # (1, 5, 5, C1)
    b1: np.ndarray  # (C1,)
    K2: np.ndarray  # (C1, 5, 5, C2)
    b2: np.ndarray  # (C2,)
    W3: np.ndarray  # (16*C2, H)
    b3: np.ndarray  # (H,)
    W4: np.ndarray  # (H, 10)
    b4: np.ndarray  # (10,)

    def __post_init__(self) -> None:
        c1, c2, h = self.K1.shape[-1], self.K2.shape[-1], self.W3.shape[-1]
        want = {"K1": (1, KSIZE, KSIZE, c1), "b1": (c1,), "K2": (c1, KSIZE, KSIZE, c2),
                "b2": (c2,), "W3": (16 * c2, h), "b3": (h,), "W4": (h, 10), "b4": (10,)}
        for name, shape in want.items():
            if getattr(self, name).shape != shape:
                raise ValueError(f"{name} has shape {getattr(self, name).shape}, expected {shape}")

    @property
    def channels(self) -> tuple[int, int, int]:
        """(C1, C2, H): conv1 maps, conv2 maps, dense units."""
        return self.K1.shape[-1], self.K2.shape[-1], self.W3.shape[-1]

    @property
    def sizes(self) -> list[int]:
        c1, c2, h = self.channels
        return [SIDE * SIDE, c1, c2, h, 10]

    @property
    def architecture(self) -> str:
        c1, c2, h = self.channels
        return f"28x28 → conv5x5x{c1} → pool2 → conv5x5x{c2} → pool2 → {16 * c2}→{h}→10"

    @property
    def hidden_sizes(self) -> list[int]:
        """What can be switched off (ablation masks): the conv1 maps, the conv2 maps, the dense
        units (C1, C2, H), as the exhibit's hidden columns."""
        return list(self.channels)

    @property
    def params(self) -> list[np.ndarray]:
        return [getattr(self, k) for k in PARAMS]

    @classmethod
    def init(cls, c1: int, c2: int, hidden: int, rng: np.random.Generator,
             dtype: type = np.float32) -> "CNN":
        """He-initialised kernels and weights, zero biases."""
        def he(shape: tuple[int, ...], fan_in: int) -> np.ndarray:
            return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)
        return cls(he((1, KSIZE, KSIZE, c1), KSIZE * KSIZE), np.zeros(c1, dtype),
                   he((c1, KSIZE, KSIZE, c2), c1 * KSIZE * KSIZE), np.zeros(c2, dtype),
                   he((16 * c2, hidden), 16 * c2), np.zeros(hidden, dtype),
                   he((hidden, 10), hidden), np.zeros(10, dtype))

    def forward(self, x: np.ndarray, masks: Sequence[np.ndarray | None] | None = None,
                keep_cols: bool = False) -> CNNForward:
        """Run pictures x (n, 784), (n, 28, 28), (784,) or (28, 28) through the network.

        ``masks`` (C1,), (C2,), (H,) or None each, 1 = on and 0 = off, switches whole maps and
        dense units off (ablation), as an MLP's masks do its neurons: a map switched off is zero
        everywhere. ``keep_cols`` keeps the im2col rows that :meth:`gradients` reuses.
        """
        m1, m2, m3 = (*(masks if masks is not None else ()), None, None, None)[:3]
        x = np.asarray(x, dtype=self.K1.dtype)
        single = x.ndim == 1 or (x.ndim == 2 and x.shape == (SIDE, SIDE))
        x = x.reshape(-1, SIDE, SIDE)
        cols1 = im2col(x[..., None])
        z1 = conv(None, self.K1, self.b1, cols1)  # type: ignore[arg-type]
        a1 = relu(z1) if m1 is None else relu(z1) * m1
        p1 = maxpool2(a1)
        cols2 = im2col(p1)
        z2 = conv(None, self.K2, self.b2, cols2)  # type: ignore[arg-type]
        a2 = relu(z2) if m2 is None else relu(z2) * m2
        p2 = maxpool2(a2)
        z3 = p2.reshape(len(x), -1) @ self.W3 + self.b3
        a3 = relu(z3) if m3 is None else relu(z3) * m3
        z4 = a3 @ self.W4 + self.b4
        probs = softmax(z4)
        fwd = CNNForward(x, z1, a1, p1, z2, a2, p2, z3, a3, z4, probs,
                         (cols1, cols2) if keep_cols else None)
        if single:
            fwd = CNNForward(*(v[0] for v in (x, z1, a1, p1, z2, a2, p2, z3, a3, z4, probs)))
        return fwd

    def contributions(self, x: np.ndarray, p1: np.ndarray, p2: np.ndarray, a3: np.ndarray
                      ) -> list[np.ndarray]:
        """For one picture, what each source adds to each target's z between the exhibit's
        columns (picture -> conv1 maps -> conv2 maps -> dense -> outputs), summed over every
        place a map has: (1, C1), (C1, C2), (C2, H), (H, 10). Each column of a matrix sums to
        that target's z minus its bias (for a map: summed over its places), so a line's
        strength is weight x activation as for an MLP."""
        c1, c2, h = self.channels
        k = KSIZE
        def tap_sums(a: np.ndarray, out: int) -> np.ndarray:
            """(k, k, C): per kernel tap (u, v), the input under it summed over the output
            places (an integral image: four lookups per tap)."""
            ii = np.zeros((a.shape[0] + 1, a.shape[1] + 1, a.shape[2]), np.float64)
            ii[1:, 1:] = a.cumsum(0).cumsum(1)
            u = np.arange(k)
            return (ii[u[:, None] + out, u[None, :] + out] - ii[u[:, None], u[None, :] + out]
                    - ii[u[:, None] + out, u[None, :]] + ii[u[:, None], u[None, :]])
        s0 = tap_sums(np.asarray(x).reshape(SIDE, SIDE, 1), SIDE - k + 1)
        s1 = tap_sums(p1, p1.shape[0] - k + 1)
        return [np.einsum("uvc,cuvf->cf", s0, self.K1).astype(np.float32),
                np.einsum("uvc,cuvf->cf", s1, self.K2).astype(np.float32),
                np.einsum("rf,rfj->fj", p2.reshape(-1, c2), self.W3.reshape(-1, c2, h)),
                a3.reshape(-1, 1) * self.W4]

    def effective_weights(self) -> list[np.ndarray]:
        """The same four matrices for weights alone (each kernel or block summed): the sign
        of the faint fixed wiring the view draws."""
        c1, c2, h = self.channels
        return [self.K1.sum(axis=(1, 2)), self.K2.sum(axis=(1, 2)),
                self.W3.reshape(-1, c2, h).sum(axis=0), self.W4]

    def stages(self) -> list[tuple[str, int]]:
        """The step-through's steps: each conv layer is one step (its filters, then ReLU)."""
        return [("pixels", 0), ("conv", 1), ("conv", 2), ("sum", 3), ("relu", 3),
                ("scores", 4), ("softmax", 4)]

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x).probs

    def input_gradient(self, x: np.ndarray, digit: int,
                       masks: Sequence[np.ndarray | None] | None = None) -> np.ndarray:
        """(28, 28): d score[digit] / d pixel for one picture ``x`` (784,) or (28, 28), where the
        score is the output's pre-softmax value. Positive pixels push the reading toward
        ``digit``, negative ones away ("what would make it a 9?")."""
        m1, m2, m3 = (*(masks if masks is not None else ()), None, None, None)[:3]
        f = self.forward(np.asarray(x).reshape(1, -1), masks)
        c1, c2, _ = self.channels
        dz3 = self.W4[:, digit][None, :] * (f.z3 > 0) * (1 if m3 is None else m3)
        dp2 = (dz3 @ self.W3.T).reshape(f.p2.shape)
        dz2 = unpool2(f.a2, f.p2, dp2) * (f.z2 > 0) * (1 if m2 is None else m2)
        dp1 = col2im((dz2.reshape(-1, c2) @ self.K2.reshape(-1, c2).T).reshape(
            1, 8, 8, c1, KSIZE, KSIZE))
        dz1 = unpool2(f.a1, f.p1, dp1) * (f.z1 > 0) * (1 if m1 is None else m1)
        dcols1 = (dz1.reshape(-1, c1) @ self.K1.reshape(-1, c1).T).reshape(
            1, SIDE - KSIZE + 1, SIDE - KSIZE + 1, 1, KSIZE, KSIZE)
        return col2im(dcols1)[0, :, :, 0]

    def gradients(self, fwd: CNNForward, dz_out: np.ndarray) -> list[np.ndarray]:
        """Backpropagate dLoss/dz4 (n, 10) of a batched forward pass; returns the gradients in
        :data:`PARAMS` order. For cross-entropy on softmax, dz_out = (probs - targets) / n."""
        n = len(fwd.x)
        c1, c2, _ = self.channels
        cols1, cols2 = fwd.cols if fwd.cols is not None else (im2col(fwd.x[..., None]),
                                                              im2col(fwd.p1))
        dW4 = fwd.a3.T @ dz_out
        db4 = dz_out.sum(axis=0)
        dz3 = (dz_out @ self.W4.T) * (fwd.z3 > 0)
        dW3 = fwd.p2.reshape(n, -1).T @ dz3
        db3 = dz3.sum(axis=0)
        dp2 = (dz3 @ self.W3.T).reshape(fwd.p2.shape)
        dz2 = unpool2(fwd.a2, fwd.p2, dp2) * (fwd.z2 > 0)
        dz2f = dz2.reshape(-1, c2)
        dK2 = (cols2.reshape(-1, cols2.shape[-1]).T @ dz2f).reshape(self.K2.shape)
        db2 = dz2f.sum(axis=0)
        dp1 = col2im((dz2f @ self.K2.reshape(-1, c2).T).reshape(n, 8, 8, c1, KSIZE, KSIZE))
        dz1 = unpool2(fwd.a1, fwd.p1, dp1) * (fwd.z1 > 0)
        dz1f = dz1.reshape(-1, c1)
        dK1 = (cols1.reshape(-1, cols1.shape[-1]).T @ dz1f).reshape(self.K1.shape)
        db1 = dz1f.sum(axis=0)
        return [dK1, db1, dK2, db2, dW3, db3, dW4, db4]
