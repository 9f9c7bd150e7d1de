"""Mini-batch training (Adam or SGD with momentum), optionally distilled from a teacher network.

The recipe (what goes into the training set) is in :func:`build_dataset`; recipes are compared
on a validation split carved from the 60k training digits, never on the test set.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

import numpy as np

from exhibit.ink.normalize import InputSpec
from exhibit.model.fit import SGD, Adam, accuracy
from exhibit.model.mlp import MLP, cross_entropy
from exhibit.learn import mnist
from exhibit_training import augment

ARCHS: dict[str, tuple[list[int], InputSpec]] = {
    "explainer": ([784, 25, 25, 10], InputSpec(28, True)),
    "compact14": ([196, 100, 10], InputSpec(14, True)),
    "deep": ([784, 512, 256, 128, 10], InputSpec(28, True)),
}
RECIPE_VERSION = 4
N_VAL = 5000


class Teacher(Protocol):
    """A network to distil from: an MLP or the CNN (exhibit/model/cnn.py); both read the same
    28x28 pictures and their forward pass ends in logits, ``forward(x).zs[-1]``."""

    def forward(self, x: np.ndarray) -> Any: ...


@dataclass
class Dataset:
    x: np.ndarray  # (n, side*side) float32, preprocessed
    y: np.ndarray  # (n,) int labels
    x_val: np.ndarray  # MNIST validation digits, preprocessed
    y_val: np.ndarray
    x_val_drawn: np.ndarray  # the same digits redrawn as strokes (a proxy for finger input)
    x_pen_val: np.ndarray | None = None  # real pen digits by validation writers (never trained on)
    y_pen_val: np.ndarray | None = None


def onehot(y: np.ndarray, k: int = 10) -> np.ndarray:
    out = np.zeros((len(y), k), np.float32)
    out[np.arange(len(y)), y] = 1.0
    return out


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "digit-exhibit"


def build_dataset(mnist_dir: str | Path, spec: InputSpec, seed: int, raster_copies: int = 2,
                  redrawn_copies: int = 3, log: Callable[[str], None] = print,
                  rotation: float = augment.MAX_ROTATION) -> Dataset:
    """Training digits preprocessed: originals + warped rasters + redrawn strokes.

    The result is cached outside the repository, keyed by the MNIST checksums and the recipe.
    """
    sums = mnist.checksums(mnist_dir)
    recipe = (sorted(sums.items()), spec, seed, raster_copies, redrawn_copies, RECIPE_VERSION,
              rotation)
    key = hashlib.sha256(repr(recipe).encode()).hexdigest()[:16]
    path = cache_dir() / f"data-{key}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            return Dataset(*(z[k] for k in ("x", "y", "x_val", "y_val", "x_val_drawn")))
    images, labels = mnist.load_split(mnist_dir, "train")
    tr_img, tr_y = images[:-N_VAL], labels[:-N_VAL].astype(np.int64)
    va_img, va_y = images[-N_VAL:], labels[-N_VAL:].astype(np.int64)
    rng = np.random.default_rng(seed)
    t0 = time.time()
    xs = [augment.raster_inputs(tr_img, spec, None)]
    for i in range(raster_copies):
        xs.append(augment.raster_inputs(tr_img, spec, rng, rotation=rotation))
        log(f"  warped copy {i + 1}/{raster_copies} ({time.time() - t0:.0f} s)")
    for i in range(redrawn_copies):
        # half the redrawn 1s and 7s of one copy in three follow European conventions
        style = 0.5 if i == 0 else 0.0
        xs.append(augment.redraw_inputs(tr_img, spec, rng, labels=tr_y, style_p=style,
                                        rotation=rotation))
        log(f"  redrawn copy {i + 1}/{redrawn_copies} ({time.time() - t0:.0f} s)")
    ys = np.tile(tr_y, 1 + raster_copies + redrawn_copies)
    data = Dataset(np.concatenate(xs), ys, augment.raster_inputs(va_img, spec, None), va_y,
                   augment.redraw_inputs(va_img, spec, np.random.default_rng(seed + 1),
                                         width=(2.0, 3.0)))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, x=data.x, y=data.y, x_val=data.x_val, y_val=data.y_val,
             x_val_drawn=data.x_val_drawn)
    tmp.replace(path)
    return data


def progress(epoch: int, epochs: int, done: int, total: int, loss: float, extra: str = "") -> None:
    width = 30
    filled = int(width * done / max(1, total))
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(f"\repoch {epoch}/{epochs} [{bar}] loss {loss:.4f} {extra}   ")
    sys.stderr.flush()


def smoothness_grad(w: np.ndarray, side: int) -> np.ndarray:
    """Gradient of 1/2 * sum over neighbouring pixels (p, q) of (w[p] - w[q])^2, for first-layer
    weights w (side*side, H): a prior that makes receptive fields strokes and blobs."""
    v = w.reshape(side, side, -1)
    g = np.zeros_like(v)
    dx = v[:, 1:] - v[:, :-1]
    g[:, 1:] += dx
    g[:, :-1] -= dx
    dy = v[1:] - v[:-1]
    g[1:] += dy
    g[:-1] -= dy
    return g.reshape(w.shape)


def roughness(w: np.ndarray, side: int | None = None) -> float:
    """Mean |difference between neighbouring weights| / std of the weights, averaged over the
    first-layer neurons of w (side*side, H); about 1.1 for white noise, small for smooth fields."""
    side = side or int(round(np.sqrt(w.shape[0])))
    v = w.reshape(side, side, -1).astype(np.float64)
    diffs = np.concatenate([np.abs(v[:, 1:] - v[:, :-1]).reshape(-1, v.shape[2]),
                            np.abs(v[1:] - v[:-1]).reshape(-1, v.shape[2])])
    return float(np.mean(diffs.mean(axis=0) / (v.reshape(-1, v.shape[2]).std(axis=0) + 1e-12)))


def centre_biases(net: MLP, x: np.ndarray) -> None:
    """Set each hidden neuron's bias so that it starts active on half of these inputs.

    Inputs are non-negative, so with zero biases a random neuron whose weights are negative
    over the middle of the picture is never active and never learns (a dead neuron)."""
    a = x
    for l in range(len(net.weights) - 1):
        z = a @ net.weights[l]
        net.biases[l] = (-np.median(z, axis=0)).astype(np.float32)
        a = np.maximum(z + net.biases[l], 0.0)


def revive_dead(net: MLP, x: np.ndarray, rng: np.random.Generator,
                opt: "Adam | SGD | None" = None) -> dict[int, int]:
    """Give hidden neurons that none of inputs ``x`` switches on new random incoming weights
    (as large as their live neighbours'), a bias that switches them on for half of ``x``, and
    small outgoing weights (a tenth of their neighbours': the outputs hardly move, yet the
    neuron gets gradients at once); returns {layer: count}. Adam's moments for the new
    weights become their live neighbours' typical ones: left near zero, Adam would turn the
    first small gradients into full-size steps and kill the neuron again."""
    revived = {}
    a = x
    for l in range(len(net.weights) - 1):
        w = net.weights[l]
        z = a @ w + net.biases[l]
        dead = np.flatnonzero((z > 0).sum(axis=0) == 0)
        if len(dead):
            live = np.setdiff1d(np.arange(w.shape[1]), dead)
            scale = float(w[:, live].std()) if len(live) else float(np.sqrt(2.0 / w.shape[0]))
            w[:, dead] = (rng.standard_normal((w.shape[0], len(dead))) * scale).astype(w.dtype)
            zd = a @ w[:, dead]
            net.biases[l][dead] = (-np.median(zd, axis=0)).astype(np.float32)
            out = net.weights[l + 1]
            out_scale = 0.1 * float(out[live].std()) if len(live) else 0.01
            out[dead, :] = (rng.standard_normal((len(dead), out.shape[1])) * out_scale
                            ).astype(out.dtype)
            if isinstance(opt, Adam) and len(live):  # params: W1, b1, W2, b2, ...
                # (parameter, its new entries, its live neighbours'): W_l's columns, b_l,
                # W_{l+1}'s rows
                for i, new, old in ((2 * l, np.s_[:, dead], np.s_[:, live]),
                                    (2 * l + 1, dead, live), (2 * l + 2, dead, live)):
                    opt.m[i][new] = 0.0
                    opt.v[i][new] = float(np.median(opt.v[i][old]))
            z = a @ w + net.biases[l]
            revived[l + 1] = len(dead)
        a = np.maximum(z, 0.0)
    return revived


def train(sizes: list[int], data: Dataset, epochs: int, seed: int, optimizer: str = "adam",
          lr: float | None = None, batch: int = 128, weight_decay: float = 1e-5,
          teacher: Teacher | Sequence[Teacher] | None = None, teacher_x: np.ndarray | None = None,
          temperature: float = 3.0, distill_weight: float = 0.7, smooth: float = 0.0,
          first_decay: float | None = None, teacher_fix: bool = False,
          teacher_only: np.ndarray | None = None, init: MLP | None = None,
          dropout: float = 0.0, label_smoothing: float = 0.0, swa: float = 0.0,
          revive: bool = False) -> MLP:
    """Train a fresh network on ``data``; cosine-decayed learning rate; returns the network.

    With a teacher, the loss is (1-w)*CE(labels) + w*T^2*KL(teacher_T || student_T), the
    teacher reading ``teacher_x`` (its own input format) for the same digits; with several
    teachers, teacher_T is the mean of their softened distributions. ``smooth`` weighs
    a smoothness prior on the first layer's weights (see :func:`smoothness_grad`) and
    ``first_decay`` (default: ``weight_decay``) is that layer's weight decay. With
    ``teacher_fix``, digits the teacher gets wrong follow their labels only; with
    ``teacher_only`` (a mask over ``data``), so do the digits outside it.

    Against over-fitting the training writers' habits: ``dropout`` switches off that share of
    each hidden layer's neurons per batch (inverted dropout, so inference is unchanged);
    ``label_smoothing`` moves that much of each target onto the other nine digits; ``swa``
    returns the mean of the weights over that last share of the steps (stochastic weight
    averaging: the mean of nearby solutions sits in a flatter spot than any one of them).

    ``revive``: after each of the first three quarters of the epochs, a hidden neuron that no
    training input switches on (a dead ReLU: no gradient reaches it, and weight decay wipes its
    weights to a blank receptive field) starts again (:func:`revive_dead`).
    """
    if not 0.0 <= dropout < 1.0 or not 0.0 <= label_smoothing < 1.0 or not 0.0 <= swa <= 1.0:
        raise ValueError("dropout and label_smoothing must be in [0, 1), swa in [0, 1]")
    rng = np.random.default_rng(seed)
    net = MLP.init(sizes, rng)
    side = int(round(np.sqrt(sizes[0])))
    if init is not None:  # fine-tune a trained network
        if init.sizes != list(sizes):
            raise ValueError(f"--init network is {init.sizes}, not {list(sizes)}")
        net = MLP([w.copy() for w in init.weights], [b.copy() for b in init.biases])
    elif smooth > 0:  # start from smooth random fields rather than white noise
        w0 = net.weights[0].reshape(side, side, -1)
        for _ in range(3):
            w0 = w0 - 0.2 * smoothness_grad(w0.reshape(sizes[0], -1), side).reshape(w0.shape)
        w0 = w0 * (np.sqrt(2.0 / sizes[0]) / (w0.std() + 1e-12))
        net.weights[0] = w0.reshape(sizes[0], -1).astype(np.float32)
    if init is None:
        centre_biases(net, data.x[rng.permutation(len(data.x))[:4096]])
    decays = [weight_decay] * len(net.weights)
    if first_decay is not None:
        decays[0] = first_decay
    params = [p for wb in zip(net.weights, net.biases) for p in wb]
    if optimizer == "adam":
        opt: Adam | SGD = Adam(params, lr or 1e-3)
    elif optimizer == "sgd":
        opt = SGD(params, lr or 0.05)
    else:
        raise ValueError(f"optimizer must be adam or sgd, not {optimizer!r}")
    base_lr = opt.lr
    n = len(data.x)
    steps_per_epoch = (n + batch - 1) // batch
    total_steps = epochs * steps_per_epoch
    soft = None
    if teacher is not None:
        teachers = list(teacher) if isinstance(teacher, Sequence) else [teacher]
        tx = teacher_x if teacher_x is not None else data.x
        # 2048 at a time: the CNN's im2col rows for 2048 pictures already take ~120 MB
        soft = np.concatenate([_soft(teachers, tx[i:i + 2048], temperature)
                               for i in range(0, n, 2048)])
        if teacher_fix:  # where the teacher is wrong, follow the label instead
            wrong = soft.argmax(axis=1) != data.y
            soft[wrong] = onehot(data.y[wrong], soft.shape[1])
            sys.stderr.write(f"teacher wrong on {int(wrong.sum())} of {n} training digits: "
                             "those follow their labels\n")
        if teacher_only is not None:
            soft[~teacher_only] = onehot(data.y[~teacher_only], soft.shape[1])
    step = 0
    swa_from = total_steps - int(round(swa * total_steps)) if swa > 0 else total_steps + 1
    avg: list[np.ndarray] | None = None  # running mean of the parameters, float64
    n_avg = 0
    keep = 1.0 - dropout
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        run_loss = 0.0
        t0 = time.time()
        for bi in range(steps_per_epoch):
            idx = order[bi * batch:(bi + 1) * batch]
            xb, yb = data.x[idx], onehot(data.y[idx])
            if label_smoothing > 0:
                yb = yb * (1.0 - label_smoothing) + label_smoothing / yb.shape[1]
            masks = None
            if dropout > 0:  # 1/keep keeps each layer's expected input as at inference
                masks = [(rng.random((len(idx), h)) < keep).astype(np.float32) / keep
                         for h in sizes[1:-1]]
            fwd = net.forward(xb, masks)
            p = fwd.probs
            dz = (p - yb)
            loss = cross_entropy(p, yb)
            if soft is not None:
                ps = _softmax(fwd.zs[-1] / temperature)
                dz = (1 - distill_weight) * dz + distill_weight * temperature * (ps - soft[idx])
            dz /= len(idx)
            # Gradients this small teach nothing, and as the network grows confident they
            # become denormal floats, which make every matrix product ~100x slower.
            dz[np.abs(dz) < 1e-12] = 0.0
            dws, dbs = net.gradients(fwd, dz, masks)
            grads = []
            for l, (w, dw, db) in enumerate(zip(net.weights, dws, dbs)):
                g = dw + decays[l] * w
                if l == 0 and smooth > 0:
                    g += smooth * smoothness_grad(w, side)
                grads += [g, db]
            opt.lr = base_lr * 0.5 * (1 + np.cos(np.pi * step / total_steps))
            opt.step(grads)
            step += 1
            if step >= swa_from:
                n_avg += 1
                if avg is None:
                    avg = [prm.astype(np.float64) for prm in params]
                else:
                    for a, prm in zip(avg, params):
                        a += (prm - a) / n_avg
            run_loss = 0.98 * run_loss + 0.02 * loss if bi else loss
            if bi % 50 == 0:
                progress(epoch, epochs, bi, steps_per_epoch, run_loss)
        if revive and epoch <= epochs * 3 // 4:
            revived = revive_dead(net, data.x[rng.permutation(n)[:8192]], rng, opt)
            if revived:
                sys.stderr.write(f"\nrevived dead neurons (layer: count): {revived}")
        va = accuracy(net, data.x_val, data.y_val)
        vd = accuracy(net, data.x_val_drawn, data.y_val)
        vp = ""
        if data.x_pen_val is not None and len(data.x_pen_val):
            vp = f" val-writers {accuracy(net, data.x_pen_val, data.y_pen_val):.4f}"
        progress(epoch, epochs, steps_per_epoch, steps_per_epoch, run_loss,
                 f"val {va:.4f} val-drawn {vd:.4f}{vp} rough {roughness(net.weights[0], side):.2f}"
                 f" ({time.time() - t0:.0f} s)")
        sys.stderr.write("\n")
    if avg is not None:
        net = MLP([a.astype(np.float32) for a in avg[0::2]],
                  [a.astype(np.float32) for a in avg[1::2]])
        report_pen(net, data, f"swa over the last {n_avg} steps:")
    return net


def report_pen(net: MLP, data: Dataset, label: str) -> None:
    """One line of validation figures for a network made after the epochs (averages)."""
    vp = ""
    if data.x_pen_val is not None and len(data.x_pen_val):
        vp = f" val-writers {accuracy(net, data.x_pen_val, data.y_pen_val):.4f}"
    sys.stderr.write(f"{label} val {accuracy(net, data.x_val, data.y_val):.4f} "
                     f"val-drawn {accuracy(net, data.x_val_drawn, data.y_val):.4f}{vp}\n")


def average(nets: Sequence[MLP]) -> MLP:
    """The parameter-wise mean of networks of one architecture (a 'model soup'). Only
    meaningful for networks fine-tuned from one start, which stay in one basin of the loss."""
    if len({tuple(n.sizes) for n in nets}) != 1:
        raise ValueError("networks to average must have one architecture")
    return MLP([np.mean([n.weights[l] for n in nets], axis=0).astype(np.float32)
                for l in range(len(nets[0].weights))],
               [np.mean([n.biases[l] for n in nets], axis=0).astype(np.float32)
                for l in range(len(nets[0].biases))])


def _softmax(z: np.ndarray) -> np.ndarray:
    from exhibit.model.mlp import softmax
    return softmax(z)


def _soft(teachers: Sequence[Teacher], x: np.ndarray, temperature: float) -> np.ndarray:
    """The teachers' mean distribution at ``temperature`` (averaging probabilities, not logits,
    keeps a teacher's confident logits from drowning the others)."""
    p = sum(_softmax(t.forward(x).zs[-1] / temperature) for t in teachers)
    return (p / len(teachers)).astype(np.float32)
