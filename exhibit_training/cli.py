"""``digit-exhibit train``: the offline training pipeline's command line.

The runtime's ``exhibit/cli.py`` forwards ``train`` here lazily, so a kiosk's ``run`` never
loads training code. Every manifest records the command as ``digit-exhibit train ...``.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Sequence

import numpy as np

from exhibit.arguments import COUNT, NONNEG, NONNEG_INT, POSITIVE, SHARE, UsageError, number
from exhibit.ink.normalize import InputSpec, pool2x2, preprocess_many
from exhibit.learn import mnist
from exhibit.version import revision
from exhibit.model import store as wio
from exhibit_training import cnn_trainer, gate_train, pendigits, trainer
from exhibit_training.augment import MAX_ROTATION


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The train subcommand's options (shared by ``digit-exhibit train`` and its help)."""
    p.add_argument("--mnist", metavar="DIR", required=True)
    p.add_argument("--arch", required=True, choices=("explainer", "compact14", "deep", "gate", "cnn"))
    p.add_argument("--out", required=True, metavar="PATH")
    p.add_argument("--epochs", type=COUNT, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    p.add_argument("--lr", type=POSITIVE, default=None)
    p.add_argument("--batch", type=COUNT, default=128)
    p.add_argument("--teacher", metavar="PATH", action="append", default=[],
                   help="distil from this network's weights (an MLP or the cnn); repeat for "
                        "an ensemble (the mean of their distributions)")
    p.add_argument("--distill-weight", type=SHARE, default=0.7,
                   help="share of the loss that follows the teacher (default 0.7)")
    p.add_argument("--temperature", type=POSITIVE, default=3.0, help="distillation temperature")
    p.add_argument("--teacher-fix", action="store_true",
                   help="digits the teacher gets wrong follow their labels only")
    p.add_argument("--teacher-mnist-only", action="store_true",
                   help="the teacher teaches the MNIST digits only; the pen digits follow "
                        "their labels (an MNIST-only teacher knows little of pen writing)")
    p.add_argument("--weight-decay", type=NONNEG, default=1e-5)
    p.add_argument("--max-rotation", type=number(float, 0, 180), default=MAX_ROTATION,
                   help="largest random rotation of training digits, in degrees")
    p.add_argument("--pendigits", metavar="FILE",
                   help="real pen-drawn digits with writers (pen-30-writers.json.gz) to mix in")
    p.add_argument("--pen-copies", type=COUNT, default=None,
                   help="copies of each pen digit (the first as written, the rest warped; "
                        "default 20, cnn: 4 freshly warped per epoch)")
    p.add_argument("--pen-rotation", type=number(float, 0, 180), default=15.0,
                   help="largest random rotation of the pen digits' copies, in degrees")
    p.add_argument("--val-writers", metavar="W1,W2,...",
                   help="pen writers kept apart for validation (default: a fixed 8 of the 30; "
                        "'none' trains on all)")
    p.add_argument("--smooth", type=NONNEG, default=0.0,
                   help="smoothness prior on the first layer's weights (receptive fields)")
    p.add_argument("--first-decay", type=NONNEG, default=None,
                   help="weight decay of the first layer (default: --weight-decay)")
    p.add_argument("--init", metavar="PATH",
                   help="start from these weights (same architecture) instead of random ones")
    p.add_argument("--channels", default="16,32,128", help="cnn: conv1,conv2,dense widths")
    p.add_argument("--all-writers", action="store_true",
                   help="cnn: train on all pen writers (none held out for validation)")
    p.add_argument("--pen-jitter", type=NONNEG, default=0.0,
                   help="cnn: wobble of pen points and strokes, a share of the digit's size")
    p.add_argument("--mnist-per-epoch", type=COUNT, default=110000,
                   help="cnn: MNIST pool digits drawn at random per epoch")
    p.add_argument("--checkpoint", metavar="PATH", help="cnn: save the network after each epoch")
    p.add_argument("--mnist-originals", type=SHARE, default=None, metavar="SHARE",
                   help="cnn: share of each epoch's MNIST digits that are unwarped originals "
                        "(default: drawn uniformly from the pool)")
    p.add_argument("--mnist-limit", type=COUNT, default=None,
                   help="use only this many (random) of the MNIST training inputs")
    p.add_argument("--pen-elastic", type=NONNEG, default=0.0, metavar="SHARE",
                   help="smooth random bending of the pen digits' copies, a share of the "
                        "digit's size (other writers' proportions)")
    p.add_argument("--pen-styles", type=SHARE, default=0.0, metavar="SHARE",
                   help="share of the warped copies of pen 1s, 4s, 7s and 9s redrawn in a "
                        "continental style (crossed 7, flagged 1, open-top and one-stroke 4, "
                        "straight-stemmed 9)")
    p.add_argument("--dropout", type=number(float, 0, 1, high_open=True), default=0.0, metavar="SHARE",
                   help="share of hidden neurons switched off per batch in training")
    p.add_argument("--label-smoothing", type=number(float, 0, 1, high_open=True), default=0.0, metavar="SHARE",
                   help="share of each training target spread over the other digits")
    p.add_argument("--swa", type=number(float, 0, 1, high_open=True), default=0.0, metavar="SHARE",
                   help="keep the mean of the weights over this last share of the steps")
    p.add_argument("--soup", type=COUNT, default=1, metavar="N",
                   help="fine-tune N networks from --init (seeds SEED..SEED+N-1 order the "
                        "data) and keep the mean of their weights")
    p.add_argument("--revive", action="store_true",
                   help="start again hidden neurons that no training digit switches on (dead "
                        "ReLUs, whose receptive fields decay to blank)")
    p.add_argument("--gate-hidden", default="128,32", help="gate: hidden layer sizes")
    p.add_argument("--gate-negatives", type=NONNEG_INT, default=80000,
                   help="gate: generated non-digit drawings to train on")
    p.add_argument("--gate-mnist", type=NONNEG_INT, default=40000,
                   help="gate: MNIST training digits among its real digits")
    p.add_argument("--gate-rasters", type=SHARE, default=0.0,
                   help="gate: share of its non-digits that are pictures (all ink, grey, a "
                        "digit on grey, filled blocks)")
    p.add_argument("--gate-reject", type=SHARE, default=0.01,
                   help="gate: share of the validation writers' digits left unsure")


def cmd_train(args: argparse.Namespace) -> int:

    if args.pen_copies is None:
        args.pen_copies = 4 if args.arch == "cnn" else 20
    if args.pen_styles and args.arch in ("gate", "cnn"):
        raise UsageError("--pen-styles is for the MLPs (explainer, compact14, deep) only")
    if args.arch == "gate":
        return train_gate(args)
    if args.arch == "cnn":  # the convolutional network has its own trainer
        try:
            return cnn_trainer.run(args)
        except (FileNotFoundError, ValueError) as e:
            raise UsageError(str(e)) from None
    if args.arch not in trainer.ARCHS:
        raise UsageError(f"--arch must be one of {', '.join(trainer.ARCHS)}")
    sizes, spec = trainer.ARCHS[args.arch]
    try:
        sums = mnist.checksums(args.mnist)
    except FileNotFoundError as e:
        raise UsageError(str(e)) from None
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    log(f"building the training set (cached after the first time) for {args.arch}")
    data = trainer.build_dataset(args.mnist, spec_28(spec), args.seed, log=log,
                                 rotation=args.max_rotation)
    if args.mnist_limit and args.mnist_limit < len(data.x):
        keep = np.sort(np.random.default_rng(args.seed + 200).permutation(len(data.x))[
            :args.mnist_limit])
        data = trainer.Dataset(data.x[keep], data.y[keep], data.x_val, data.y_val,
                               data.x_val_drawn)
    pen = None
    n_mnist = len(data.x)  # the pen digits, if any, come after these
    if args.pendigits:
        data, pen, val_writer_of = add_pendigits(data, args, log)
        check_unseen(pen["pendigits"]["validation_writers"], args.teacher + [args.init])
    teachers = [wio.load(t).net for t in args.teacher]
    teacher_x = data.x if teachers else None
    if spec.side == 14:
        data = trainer.Dataset(pool_batch(data.x), data.y, pool_batch(data.x_val), data.y_val,
                               pool_batch(data.x_val_drawn),
                               None if data.x_pen_val is None else pool_batch(data.x_pen_val),
                               data.y_pen_val)
    log(f"training {args.arch} {sizes} on {len(data.x)} digits")
    if args.soup < 1 or (args.soup > 1 and not args.init):
        raise UsageError("--soup needs a count of 1 or more, and an --init network to "
                         "fine-tune (averaging networks trained from different random starts "
                         "gives nonsense)")
    init = wio.load(args.init).net if args.init else None
    nets = []
    for k in range(args.soup):  # soup ingredient k: the same data, shuffled with seed + k
        if args.soup > 1:
            log(f"soup ingredient {k + 1}/{args.soup} (seed {args.seed + k})")
        nets.append(trainer.train(
            sizes, data, args.epochs, args.seed + k, optimizer=args.optimizer, lr=args.lr,
            batch=args.batch, teacher=teachers or None, teacher_x=teacher_x,
            temperature=args.temperature, distill_weight=args.distill_weight,
            weight_decay=args.weight_decay, smooth=args.smooth, first_decay=args.first_decay,
            teacher_fix=args.teacher_fix,
            teacher_only=np.arange(len(data.x)) < n_mnist if args.teacher_mnist_only else None,
            init=init, dropout=args.dropout, label_smoothing=args.label_smoothing,
            swa=args.swa, revive=args.revive))
    net = nets[0] if len(nets) == 1 else trainer.average(nets)
    if len(nets) > 1:
        trainer.report_pen(net, data, f"soup of {len(nets)}:")
    test_x, test_y = mnist.load_split(args.mnist, "test")
    xt, _ = preprocess_many(list(test_x.astype(np.float32) / 255.0), spec)
    acc = trainer.accuracy(net, xt, test_y.astype(np.int64))
    val = trainer.accuracy(net, data.x_val, data.y_val)
    val_drawn = trainer.accuracy(net, data.x_val_drawn, data.y_val)
    command = "digit-exhibit " + shlex.join(args.argv)
    extra = {}
    if pen is not None:
        extra = pen
        if data.x_pen_val is not None and len(data.x_pen_val):
            extra["validation_writers_accuracy"] = round(
                trainer.accuracy(net, data.x_pen_val, data.y_pen_val), 4)
            ok = net.predict(data.x_pen_val).argmax(axis=1) == data.y_pen_val
            extra["validation_writers_report"] = pendigits.summary(ok, data.y_pen_val,
                                                                   val_writer_of)
    manifest = wio.save(net, Path(args.out), spec, {
        "mnist_test_accuracy": round(acc, 4),
        "validation_accuracy": round(val, 4),
        "validation_redrawn_accuracy": round(val_drawn, 4),
        **extra,
        "first_layer_roughness": round(trainer.roughness(net.weights[0]), 3),
        "smooth": args.smooth, "weight_decay": args.weight_decay,
        "first_decay": args.first_decay,
        "training_command": command,
        "git_revision": revision(),  # a shared optimiser may move the last digits
        # one teacher: plain values as before; an ensemble: lists in --teacher order
        **{k: (v[0] if len(v) == 1 else v) if v else None for k, v in {
            "teacher": [Path(t).stem for t in args.teacher],
            "teacher_sha256": [wio.sha256_file(Path(t)) for t in args.teacher],
            "teacher_training_command": [teacher_command(t) for t in args.teacher]}.items()},
        "teacher_fix": bool(args.teacher_fix),
        "teacher_mnist_only": bool(args.teacher_mnist_only),
        "init": Path(args.init).stem if args.init else None,
        "init_sha256": wio.sha256_file(Path(args.init)) if args.init else None,
        "init_training_command": teacher_command(args.init),
        "mnist_limit": args.mnist_limit,
        "dropout": args.dropout, "label_smoothing": args.label_smoothing, "swa": args.swa,
        "soup": args.soup, "revive": bool(args.revive),
        "distill_weight": args.distill_weight if args.teacher else None,
        "temperature": args.temperature if args.teacher else None,
        "seed": args.seed, "epochs": args.epochs, "optimizer": args.optimizer,
        "recipe_version": trainer.RECIPE_VERSION,
        "max_rotation": args.max_rotation,
        "mnist_md5": sums,
    })
    print(json.dumps({"model": manifest["name"], "mnist_test_accuracy": manifest[
        "mnist_test_accuracy"], "validation_accuracy": manifest["validation_accuracy"],
        "validation_redrawn_accuracy": manifest["validation_redrawn_accuracy"]}))
    return 0


def add_pendigits(data, args, log):
    """Mix the pen-drawn digits of the training writers into ``data`` (28x28 inputs) and set
    the validation writers' digits aside; returns (data, manifest entries, the writer of each
    validation digit)."""

    try:
        pen = pendigits.load(args.pendigits)
    except (OSError, ValueError, KeyError) as e:
        raise UsageError(f"--pendigits {args.pendigits}: {e}") from None
    val_writers = [] if args.val_writers == "none" else (
        list(pendigits.VAL_WRITERS) if args.val_writers is None else args.val_writers.split(","))
    tr, va = pendigits.split(pen, val_writers)
    spec = InputSpec(28, True)
    x, y = pendigits.cached_inputs(tr, spec, args.seed + 100, args.pen_copies, args.pen_rotation,
                                   elastic=args.pen_elastic, styles=args.pen_styles)
    log(f"  {len(tr)} pen digits by {len(set(tr.writers))} writers x {args.pen_copies} copies; "
        f"{len(va)} by {len(set(va.writers))} validation writers kept apart")
    xv, yv = pendigits.inputs(va, spec) if len(va) else (np.zeros((0, 784), np.float32),
                                                         np.zeros(0, np.int64))
    mixed = trainer.Dataset(np.concatenate([data.x, x]), np.concatenate([data.y, y]),
                            data.x_val, data.y_val, data.x_val_drawn, xv, yv)
    return mixed, {
        "pendigits": {"file": Path(args.pendigits).name, "sha256": pen.sha256,
                      "training_writers": sorted(set(tr.writers.tolist())),
                      "validation_writers": sorted(set(va.writers.tolist())),
                      "copies": args.pen_copies, "max_rotation": args.pen_rotation,
                      "elastic": args.pen_elastic, "styles": args.pen_styles,
                      "credit": pendigits.CREDIT},
    }, va.writers


def check_unseen(val_writers: list[str], sources: list[str | None]) -> None:
    """Refuse a teacher or --init network whose own pen training saw a validation writer: its
    knowledge of that writer would leak into the student and flatter the validation."""
    for src in filter(None, sources):
        try:
            seen = json.loads(Path(src).with_suffix(".json").read_text(encoding="utf-8")).get(
                "pendigits") or {}
        except (OSError, ValueError) as e:
            raise UsageError(f"{src}: cannot read its manifest ({e})") from None
        leak = sorted(set(seen.get("training_writers", [])) & set(val_writers))
        if leak:
            raise UsageError(f"{src} was trained on validation writers {', '.join(leak)}; "
                             "choose --val-writers it never saw (its manifest lists its "
                             "training writers)")


def train_gate(args: argparse.Namespace) -> int:
    """train --arch gate: the 'not a digit' gate, from MNIST, the pen digits and generated
    non-digits; the threshold leaves --gate-reject of the validation writers' digits unsure."""

    if not args.pendigits:
        raise UsageError("--arch gate needs --pendigits (real digits to set the threshold on)")
    try:
        sums = mnist.checksums(args.mnist)
    except FileNotFoundError as e:
        raise UsageError(str(e)) from None
    val_writers = [] if args.val_writers == "none" else (
        list(pendigits.VAL_WRITERS) if args.val_writers is None else args.val_writers.split(","))
    hidden = tuple(int(h) for h in args.gate_hidden.split(","))
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    net, th, report = gate_train.run(args.mnist, args.pendigits, seed=args.seed,
                                     epochs=args.epochs, hidden=hidden,
                                     n_negatives=args.gate_negatives, reject=args.gate_reject,
                                     val_writers=val_writers, log=log,
                                     n_mnist=args.gate_mnist, raster_share=args.gate_rasters)
    pen = pendigits.load(args.pendigits)
    manifest = wio.save_gate(net.weights, net.biases, Path(args.out), th, {
        "architecture": "→".join(str(s) for s in [784, *hidden, 1]),
        "validation": report,
        "training_command": "digit-exhibit " + shlex.join(args.argv),
        "git_revision": revision(),  # a shared optimiser may move the last digits
        "seed": args.seed, "epochs": args.epochs,
        "mnist_md5": sums,
        "pendigits": {"file": Path(args.pendigits).name, "sha256": pen.sha256,
                      "validation_writers": sorted(val_writers), "credit": pendigits.CREDIT},
        "negatives": "exhibit_training/negatives.py: letter and shape templates, scribbles, "
                     "unfinished pen digits of the training writers",
    })
    print(json.dumps({"model": manifest["name"], "threshold": round(th, 4), **report}))
    return 0


def teacher_command(path: str | None) -> str | None:
    if not path:
        return None
    try:
        return json.loads(Path(path).with_suffix(".json").read_text(encoding="utf-8")).get(
            "training_command")
    except (OSError, ValueError):
        return None


def spec_28(spec: InputSpec) -> InputSpec:
    return InputSpec(28, spec.deskew)


def pool_batch(x: np.ndarray) -> np.ndarray:
    """(n, 784) 28x28 inputs -> (n, 196), the last step of preprocessing for side 14."""
    return pool2x2(x.reshape(-1, 28, 28)).reshape(-1, 196).astype(np.float32)




def main(argv: Sequence[str]) -> int:
    """Parse ``train`` options (``argv`` starts after ``train``) and train; UsageError on bad
    input, which the caller prints in one line."""
    p = argparse.ArgumentParser(prog="digit-exhibit train",
                                description="train a network from MNIST")
    p.add_argument("--config", help=argparse.SUPPRESS)  # accepted as before; training reads none
    p.add_argument("--set", action="append", default=[], help=argparse.SUPPRESS)
    add_arguments(p)
    args = p.parse_args(list(argv))
    args.argv = ["train", *argv]  # what the manifest records as the training command
    return cmd_train(args)
