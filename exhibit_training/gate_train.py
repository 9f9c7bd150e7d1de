"""Training the 'not a digit' gate (``digit-exhibit train --arch gate``).

Digits: MNIST training pictures (as they are, warped and redrawn, the digit networks' own
training set) and the pen digits of the training writers (warped copies). Not digits: our own
generated drawings (:mod:`exhibit_training.negatives`), among them unfinished pen digits of
the training writers. The threshold is set on the validation writers' real digits so that a
chosen share of them (``reject``) is unsure; fresh negatives (another seed) and whole families
held out of training measure how many non-digits are caught.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from exhibit.ink.normalize import InputSpec, preprocess
from exhibit.model.mlp import MLP
from exhibit_training import augment, negatives, pendigits
from exhibit.model.fit import Adam, flush_tiny

SPEC = InputSpec(28, True)


def negative_inputs(n: int, seed: int, names: list[str] | None = None,
                    pen: pendigits.PenDigits | None = None,
                    width: tuple[float, float] = (1.6, 3.2)) -> tuple[np.ndarray, list[str]]:
    drawings, kinds = negatives.generate(
        n, seed, names, digits=None if pen is None else pen.strokes,
        digit_labels=None if pen is None else pen.labels)
    rng = np.random.default_rng(seed + 1)
    x = np.zeros((len(drawings), 784), np.float32)
    keep = np.zeros(len(drawings), bool)
    for i, st in enumerate(drawings):
        img = preprocess(st, SPEC, stroke_width=float(rng.uniform(*width)))
        if img is not None:
            x[i] = img.ravel()
            keep[i] = True
    return x[keep], [k for k, ok in zip(kinds, keep) if ok]


def fit(x: np.ndarray, t: np.ndarray, sizes: list[int], epochs: int, seed: int,
        lr: float = 1e-3, batch: int = 128, weight_decay: float = 1e-4,
        log: Callable[[str], None] = print) -> MLP:
    """Binary cross-entropy on targets t (1 = digit); the last layer has one output (a logit)."""
    rng = np.random.default_rng(seed)
    net = MLP.init(sizes, rng)
    params = [p for wb in zip(net.weights, net.biases) for p in wb]
    opt = Adam(params, lr)
    n = len(x)
    steps = (n + batch - 1) // batch
    total, step = epochs * steps, 0
    # equal weight for the two classes, whatever their counts
    cw = np.where(t > 0.5, 0.5 / max(1, t.sum()), 0.5 / max(1, (1 - t).sum())) * n
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        t0, run = time.time(), 0.0
        for bi in range(steps):
            idx = order[bi * batch:(bi + 1) * batch]
            a = x[idx]
            acts, zs = [a], []
            for l, (w, b) in enumerate(zip(net.weights, net.biases)):
                z = a @ w + b
                zs.append(z)
                a = np.maximum(z, 0.0) if l < len(net.weights) - 1 else z
                acts.append(a)
            logit = np.clip(zs[-1][:, 0], -30, 30)
            p = 1.0 / (1.0 + np.exp(-logit))
            y = t[idx]
            wgt = cw[idx]
            loss = float(-(wgt * (y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9))).mean())
            dz = ((p - y) * wgt / len(idx))[:, None].astype(np.float32)
            grads: list[np.ndarray] = []
            for l in range(len(net.weights) - 1, -1, -1):
                dw = acts[l].T @ dz + weight_decay * net.weights[l]
                db = dz.sum(axis=0)
                grads = [dw, db] + grads
                if l > 0:
                    dz = (dz @ net.weights[l].T) * (zs[l - 1] > 0)
            opt.lr = lr * 0.5 * (1 + np.cos(np.pi * step / total))
            opt.step(grads)
            step += 1
            run = 0.98 * run + 0.02 * loss if bi else loss
        log(f"  gate epoch {epoch}/{epochs}: loss {run:.4f} ({time.time() - t0:.0f} s)")
    flush_tiny(params)
    return net


def scores(net: MLP, x: np.ndarray) -> np.ndarray:
    a = x
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        a = a @ w + b
        if l < len(net.weights) - 1:
            a = np.maximum(a, 0.0)
    return 1.0 / (1.0 + np.exp(-np.clip(a[:, 0], -30, 30)))


def threshold_for(s_digits: np.ndarray, reject: float) -> float:
    """The score below which a share ``reject`` of these real digits falls."""
    return float(np.quantile(s_digits, reject))


HELD_OUT_FAMILIES = ("letter-K", "letter-R", "letter-e", "letter-&", "shape-heart",
                     "shape-smiley", "shape-house", "shape-flower", "hatching")


def digit_inputs(mnist_dir, pen: pendigits.PenDigits, seed: int, n_mnist: int = 40000,
                 pen_copies: int = 6, rotation: float = augment.MAX_ROTATION) -> np.ndarray:
    """Real digits for the gate: MNIST training pictures (3/8 warped, 3/8 redrawn, 1/4 as they
    are) and warped copies of the training writers' pen digits."""
    from exhibit.learn import mnist
    from exhibit_training import augment

    img, _ = mnist.load_split(mnist_dir, "train")
    rng = np.random.default_rng(seed)
    n_val = min(5000, len(img) // 10)  # the last digits stay for validation
    sel = rng.permutation(len(img) - n_val)[:n_mnist]
    a, b = (3 * len(sel)) // 8, (6 * len(sel)) // 8
    xm = augment.raster_inputs(img[sel[:a]], SPEC, rng, rotation=rotation)
    xr = augment.redraw_inputs(img[sel[a:b]], SPEC, rng, rotation=rotation)
    xo = augment.raster_inputs(img[sel[b:]], SPEC, None)
    xp, _ = pendigits.inputs(pen, SPEC, np.random.default_rng(seed + 1), copies=pen_copies)
    return np.concatenate([xm, xr, xo, xp])


def run(mnist_dir, pen_path, seed: int = 1, epochs: int = 15, hidden: tuple[int, ...] = (128, 32),
        n_negatives: int = 80000, reject: float = 0.01, val_writers=pendigits.VAL_WRITERS,
        hold_out: tuple[str, ...] = (), log: Callable[[str], None] = print,
        n_mnist: int = 40000) -> tuple[MLP, float, dict]:
    """Train the gate; returns (network, threshold, validation figures)."""
    pen = pendigits.load(pen_path)
    tr, va = pendigits.split(pen, val_writers)
    t0 = time.time()
    xd = digit_inputs(mnist_dir, tr, seed, n_mnist=n_mnist)
    names = [f for f in negatives.families() if f not in hold_out]
    xn, _ = negative_inputs(n_negatives, seed + 10, names, pen=tr)
    log(f"  gate data: {len(xd)} digits, {len(xn)} non-digits ({time.time() - t0:.0f} s)")
    x = np.concatenate([xd, xn])
    t = np.r_[np.ones(len(xd)), np.zeros(len(xn))].astype(np.float32)
    net = fit(x, t, [784, *hidden, 1], epochs, seed, log=log)
    # the threshold: real digits of writers the gate never saw (or, with none kept apart,
    # the training writers' digits as written)
    xv, _ = pendigits.inputs(va if len(va) else tr, SPEC)
    sv = scores(net, xv)
    th = threshold_for(sv, reject)
    vneg, kinds = negative_inputs(6000, seed + 1000, None, pen=tr)  # fresh drawings
    kinds_a = np.asarray(kinds)
    sn = scores(net, vneg)
    report = {
        "threshold_from": "validation writers" if len(va) else "training writers (as written)",
        "reject_target": reject,
        "real_digits_unsure": round(float((sv < th).mean()), 4),
        "non_digits_unsure": round(float((sn < th).mean()), 4),
        "non_digits_unsure_without_partial": round(float((sn[kinds_a != "partial"] < th).mean()), 4),
        "partial_digits_unsure": round(float((sn[kinds_a == "partial"] < th).mean()), 4),
    }
    if hold_out:
        report["held_out_families"] = list(hold_out)
        report["held_out_families_unsure"] = round(
            float((sn[np.isin(kinds_a, list(hold_out))] < th).mean()), 4)
    return net, th, report
