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
                    width: tuple[float, float] = (1.6, 3.2),
                    raster_share: float = 0.0) -> tuple[np.ndarray, list[str]]:
    """n non-digits preprocessed: drawings, and with ``raster_share`` that share of pictures
    (solid, grey, a digit on grey, blocks: :func:`negatives.rasters`)."""
    n_r = int(round(n * raster_share))
    drawings, kinds = negatives.generate(
        n - n_r, seed, names, digits=None if pen is None else pen.strokes,
        digit_labels=None if pen is None else pen.labels)
    if n_r:
        pics, rk = negatives.rasters(n_r, seed + 7, None if pen is None else pen.strokes)
        drawings, kinds = drawings + pics, kinds + rk
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
        n_mnist: int = 40000, raster_share: float = 0.0) -> tuple[MLP, float, dict]:
    """Train the gate; returns (network, threshold, validation figures)."""
    pen = pendigits.load(pen_path)
    tr, va = pendigits.split(pen, val_writers)
    t0 = time.time()
    xd = digit_inputs(mnist_dir, tr, seed, n_mnist=n_mnist)
    names = [f for f in negatives.families() if f not in hold_out]
    xn, _ = negative_inputs(n_negatives, seed + 10, names, pen=tr, raster_share=raster_share)
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
    report.update(honesty(lambda x: scores(net, x), th, tr, va, seed))
    return net, th, report


def honesty(score, th: float, tr: pendigits.PenDigits, va: pendigits.PenDigits,
            seed: int = 1) -> dict:
    """Per family, the share of fresh non-digits (seeds never trained on) left unsure, and the
    known blind spots: a square with a roof, a house with eaves, an all-white 28x28, the
    validation writers' 1s on a 50 % grey background."""
    vneg, kinds = negative_inputs(6000, seed + 1000, None, pen=tr)
    kinds_a = np.asarray(kinds)
    un = score(vneg) < th
    fam = {k: round(float(un[kinds_a == k].mean()), 4) for k in sorted(set(kinds))}
    pics, rk = negatives.rasters(800, seed + 2000, tr.strokes)
    xr = np.stack([preprocess(p, SPEC).ravel() for p in pics])
    ur = score(xr) < th
    rk_a = np.asarray(rk)
    fam.update({k: round(float(ur[rk_a == k].mean()), 4) for k in sorted(set(rk))})
    probes = {}
    for name in ("hut", "eaves"):
        d, _ = negatives.generate(300, seed + 3000, [f"shape-{name}"])
        x = np.stack([preprocess(s, SPEC, stroke_width=2.4).ravel() for s in d])
        probes[f"shape-{name}"] = round(float((score(x) < th).mean()), 4)
    white = preprocess(np.ones((28, 28), np.float32), SPEC)
    probes["all-white-28x28"] = bool(score(white.reshape(1, -1))[0] < th)
    ones = va.subset(va.labels == 1) if len(va) else tr.subset(tr.labels == 1)
    x1 = []
    for st in ones.strokes:
        pic = preprocess(st, InputSpec(28, False))
        x1.append(preprocess(np.maximum(np.full((28, 28), 0.5, np.float32), pic), SPEC).ravel())
    probes["one-on-50%-grey"] = round(float((score(np.stack(x1)) < th).mean()), 4)
    return {"families_unsure": fam, "blind_spots_unsure": probes}


def main(argv: list[str] | None = None) -> None:
    """python -m exhibit_training.gate_train PENDIGITS [--weights weights/gate.npz]: the
    honesty figures (per family, blind spots) of a trained gate."""
    import argparse
    import json

    from exhibit.model import store

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("pendigits")
    ap.add_argument("--weights", default=None)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    g = store.load_gate(args.weights) if args.weights else store.load_gate()
    tr, va = pendigits.split(pendigits.load(args.pendigits),
                             g.manifest["pendigits"]["validation_writers"])
    xv, _ = pendigits.inputs(va if len(va) else tr, SPEC)
    rep = {"real_digits_unsure": round(float((g.score(xv) < g.threshold).mean()), 4),
           **honesty(g.score, g.threshold, tr, va, args.seed)}
    print(json.dumps(rep, indent=1))


if __name__ == "__main__":
    main()
