"""Training the CNN (exhibit/model/cnn.py) in numpy: im2col forward and backward, Adam with a
cosine-decayed learning rate, mini-batches.

Each epoch reads a fresh random share of the MNIST pool (originals, warped and redrawn copies,
see :mod:`exhibit_training.cnn_data`) plus every training writer's pen-drawn digits, rendered
again with fresh random warps. Recipes are chosen on the last 5,000 MNIST training digits and
on the held-out writers (reported per writer and per digit), never on the MNIST test set.

    digit-exhibit train --arch cnn --mnist DIR --pendigits FILE --out weights/cnn.npz --epochs N
"""
from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from exhibit.model import store
from exhibit.model.cnn import CNN
from exhibit.model.mlp import cross_entropy
from exhibit.learn import mnist
from exhibit_training import cnn_data
from exhibit.version import revision
from exhibit.model.fit import Adam, accuracy, predict_labels
from exhibit_training.trainer import onehot


def writer_report(net: CNN, x: np.ndarray, y: np.ndarray, writers: np.ndarray) -> dict[str, Any]:
    """Accuracy on pen-drawn digits: overall, per digit, per writer and the worst writer."""
    hit = predict_labels(net, x, 1000) == y
    per_writer = {w: round(float(hit[writers == w].mean()), 4) for w in sorted(set(writers))}
    per_digit = {str(d): round(float(hit[y == d].mean()), 4) for d in range(10) if (y == d).any()}
    worst = min(per_writer, key=per_writer.get) if per_writer else None
    return {"accuracy": round(float(hit.mean()), 4), "n": int(len(y)), "errors": int((~hit).sum()),
            "per_digit": per_digit, "per_writer": per_writer,
            "worst_writer": [worst, per_writer.get(worst)] if worst else None}


def train(pool: cnn_data.MnistPool, pen_train: cnn_data.PenDigits,
          pen_val: cnn_data.PenDigits | None, channels: tuple[int, int, int], epochs: int,
          seed: int, lr: float = 1e-3, batch: int = 128, weight_decay: float = 5e-5,
          mnist_per_epoch: int = 110_000, pen_copies: int = 4, pen_jitter: float = 0.0,
          log: Callable[[str], None] = print, checkpoint: Path | None = None,
          init: CNN | None = None, originals: float | None = None) -> tuple[CNN, list]:
    """Train a fresh CNN (or go on training ``init``, a copy of it); returns the network and
    one dict of validation figures per epoch.

    ``originals``: the share of each epoch's MNIST digits drawn from the unwarped originals
    (None: drawn uniformly from the whole pool, about one in six)."""
    rng = np.random.default_rng(seed)
    net = CNN.init(*channels, rng)
    if init is not None:
        net = CNN(*(p.astype(np.float32, copy=True) for p in init.params))
    params = net.params
    opt = Adam(params, lr)
    decay = [p.ndim > 1 for p in params]  # weights and kernels, not biases
    # every epoch draws as many MNIST digits: count them on a throwaway sample
    n_epoch = len(sample_pool(pool, mnist_per_epoch, originals, np.random.default_rng(0))) + \
        pen_copies * len(pen_train)
    steps = (n_epoch + batch - 1) // batch
    total, step = epochs * steps, 0
    x_pen_val = cnn_data.render_pen(pen_val, None) if pen_val is not None and len(pen_val) else None
    history = []
    for epoch in range(1, epochs + 1):
        t0 = time.time()
        pick = sample_pool(pool, mnist_per_epoch, originals, rng)
        xs = [pool.x[pick].astype(np.float32) / 255.0]
        ys = [pool.y[pick]]
        for _ in range(pen_copies):
            xs.append(cnn_data.render_pen(pen_train, rng, jitter=pen_jitter))
            ys.append(pen_train.labels)
        x, y = np.concatenate(xs), np.concatenate(ys)
        t_data = time.time() - t0
        order = rng.permutation(len(x))
        run = 0.0
        for b in range(steps):
            idx = order[b * batch:(b + 1) * batch]
            yb = onehot(y[idx])
            fwd = net.forward(x[idx], keep_cols=True)
            dz = (fwd.probs - yb) / len(idx)
            dz[np.abs(dz) < 1e-12] = 0.0  # denormals would slow every product ~100x
            grads = net.gradients(fwd, dz)
            grads = [g + weight_decay * p if d else g for g, p, d in zip(grads, params, decay)]
            opt.lr = lr * 0.5 * (1 + np.cos(np.pi * step / total))
            opt.step(grads)
            step += 1
            loss = cross_entropy(fwd.probs, yb)
            run = 0.98 * run + 0.02 * loss if b else loss
            if b % 100 == 0:
                sys.stderr.write(f"\repoch {epoch}/{epochs} {b}/{steps} loss {run:.4f}   ")
                sys.stderr.flush()
        row: dict[str, Any] = {"epoch": epoch, "loss": round(run, 4),
                               "val": round(accuracy(net, pool.x_val, pool.y_val), 4),
                               "val_drawn": round(accuracy(net, pool.x_val_drawn, pool.y_val), 4),
                               "data_s": round(t_data), "epoch_s": round(time.time() - t0)}
        if x_pen_val is not None:
            rep = writer_report(net, x_pen_val, pen_val.labels, pen_val.writers)
            row.update(pen_val=rep["accuracy"], pen_errors=rep["errors"],
                       worst_writer=rep["worst_writer"])
        history.append(row)
        sys.stderr.write("\n")
        log(json.dumps(row))
        if checkpoint is not None:
            store.save_cnn(net, checkpoint, {"checkpoint_epoch": epoch, "history": history})
    return net, history


def sample_pool(pool: cnn_data.MnistPool, n: int, originals: float | None,
                rng: np.random.Generator) -> np.ndarray:
    """Indices of one epoch's MNIST digits: ``n`` of the pool, a share ``originals`` of them
    unwarped originals (a last stage can lean on the clean pictures MNIST is tested on)."""
    n = min(n, len(pool.x))
    if originals is None:
        return rng.choice(len(pool.x), n, replace=False)
    if not 0 < pool.n_originals < len(pool.x):
        raise ValueError("the MNIST pool does not say which of its digits are originals")
    k = min(round(originals * n), pool.n_originals, n)
    n_rest = min(n - k, len(pool.x) - pool.n_originals)
    return np.concatenate([rng.choice(pool.n_originals, k, replace=False),
                           pool.n_originals + rng.choice(len(pool.x) - pool.n_originals, n_rest,
                                                         replace=False)])


def run(args: Any) -> int:
    """``digit-exhibit train --arch cnn``: train, measure, write the npz and its manifest."""
    from exhibit.ink.normalize import preprocess_many

    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    if not args.pendigits:
        raise ValueError("--arch cnn needs --pendigits FILE (the pen-drawn digits)")
    channels = tuple(int(c) for c in str(args.channels).split(","))
    if len(channels) != 3:
        raise ValueError("--channels must be three numbers: conv1,conv2,dense (e.g. 16,32,128)")
    sums = mnist.checksums(args.mnist)
    pen_sha = _sha256(Path(args.pendigits))
    log("building the MNIST pool (cached after the first time)")
    pool = cnn_data.build_mnist_pool(args.mnist, args.seed, rotation=args.max_rotation, log=log)
    pen = cnn_data.load_pendigits(args.pendigits)
    val_writers: tuple[str, ...] = () if args.all_writers else cnn_data.VAL_WRITERS
    pen_train, pen_val = cnn_data.split_writers(pen, val_writers)
    log(f"training cnn {channels} on {min(args.mnist_per_epoch, len(pool.x))} MNIST + "
        f"{args.pen_copies}x{len(pen_train)} pen digits per epoch; "
        f"held-out writers: {', '.join(val_writers) or 'none'}")
    init = None
    if args.init:
        from exhibit.model.store import load as load_weights
        start = load_weights(args.init)
        if not isinstance(start.net, CNN):
            raise ValueError(f"--init {args.init} is not a CNN")
        init, channels = start.net, start.net.channels
        log(f"going on from {args.init} (its channels {channels})")
    t0 = time.time()
    net, history = train(pool, pen_train, pen_val if len(pen_val) else None, channels,
                         args.epochs, args.seed, lr=args.lr or 1e-3, batch=args.batch,
                         weight_decay=args.weight_decay, mnist_per_epoch=args.mnist_per_epoch,
                         pen_copies=args.pen_copies, pen_jitter=args.pen_jitter, log=log,
                         checkpoint=Path(args.checkpoint) if args.checkpoint else None,
                         init=init, originals=args.mnist_originals)
    minutes = (time.time() - t0) / 60
    test_x, test_y = mnist.load_split(args.mnist, "test")
    xt, _ = preprocess_many(list(test_x.astype(np.float32) / 255.0), cnn_data.SPEC)
    acc = accuracy(net, xt, test_y.astype(np.int64))
    manifest: dict[str, Any] = {
        "mnist_test_accuracy": round(acc, 4),
        "validation_accuracy": history[-1]["val"],
        "validation_redrawn_accuracy": history[-1]["val_drawn"],
        "training_command": "digit-exhibit " + shlex.join(args.argv),
        "git_revision": revision(),  # a shared optimiser may move the last digits
        "training_minutes": round(minutes, 1),
        "seed": args.seed, "epochs": args.epochs, "optimizer": "adam",
        "max_rotation": args.max_rotation,
        "mnist_md5": sums,
        "pendigits": {"file": Path(args.pendigits).name, "sha256": pen_sha,
                      "training_writers": sorted(set(pen_train.writers.tolist())),
                      "held_out_writers": list(val_writers),
                      "credit": cnn_data.PEN_CREDIT},
        "mnist_credit": "MNIST (LeCun, Cortes, Burges), CC BY-SA 3.0",
        "history": history,
    }
    if init is not None:
        manifest["init"] = {"weights": args.init, "sha256": start.manifest.get("sha256"),
                            "training_command": start.manifest.get("training_command"),
                            "mnist_test_accuracy": start.manifest.get("mnist_test_accuracy")}
        if "init" in start.manifest:  # the whole chain back to the run from scratch
            manifest["init"]["init"] = start.manifest["init"]
    if len(pen_val):
        rep = writer_report(net, cnn_data.render_pen(pen_val, None), pen_val.labels,
                            pen_val.writers)
        manifest["held_out_writers_accuracy"] = rep
    manifest = store.save_cnn(net, Path(args.out), manifest)
    print(json.dumps({"model": manifest["name"], "mnist_test_accuracy": manifest[
        "mnist_test_accuracy"], "validation_accuracy": manifest["validation_accuracy"],
        "validation_redrawn_accuracy": manifest["validation_redrawn_accuracy"],
        "held_out_writers_accuracy": manifest.get("held_out_writers_accuracy", {}).get("accuracy"),
        "training_minutes": manifest["training_minutes"]}))
    return 0


def _sha256(path: Path) -> str:
    from exhibit.model.store import sha256_file
    return sha256_file(path)
