"""The ``digit-exhibit`` command: thin wrappers over the packages, one subcommand each.

Longer than most modules because it holds every subcommand's arguments and output format in
one place; each wrapper only parses, calls into a package and prints.

Exit codes: 0 success, 2 bad input (config, files, weights, usage), 1 anything unexpected.
"""
from __future__ import annotations

import sys

from exhibit.app import signals as _signals  # os and signal only

if sys.argv and sys.argv[0].replace("\\", "/").endswith(("/digit-exhibit", "exhibit/__main__.py")):
    _signals.early()  # the command itself, before the heavy imports: no signal is fatal

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shlex  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Sequence  # noqa: E402

import numpy as np  # noqa: E402

from exhibit import resources  # noqa: E402
from exhibit.config import Config, ConfigError, load as load_config  # noqa: E402

BUNDLED_MNIST = resources.MNIST


class UsageError(Exception):
    """Bad input from the command line; printed without a traceback, exit 2."""


REFERENCE_SIZE = (1920, 1080)  # where no screen decides: classify, bench, soak


def number(kind: type = float, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False):
    """An argparse type: a finite int or float within bounds, else a one-line usage error
    (exit 2) naming the bound; ``--fps 0`` or ``--max-seconds nan`` never reach the code."""
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'a whole number' if kind is int else 'a number'}, got {text!r}") \
                from None
        if v != v or v in (float("inf"), float("-inf")):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        if low is not None and (v <= low if low_open else v < low):
            raise argparse.ArgumentTypeError(
                f"must be {'greater than' if low_open else 'at least'} {low:g}, got {text}")
        if high is not None and (v >= high if high_open else v > high):
            raise argparse.ArgumentTypeError(
                f"must be {'less than' if high_open else 'at most'} {high:g}, got {text}")
        return v
    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


POSITIVE = number(float, 0, low_open=True)
NONNEG = number(float, 0)
SHARE = number(float, 0, 1)
COUNT = number(int, 1)  # at least one
NONNEG_INT = number(int, 0)


def canvas_size(cfg: Config) -> tuple[float, float]:
    """The drawing canvas in pixels at the configured screen size."""
    from exhibit.views.layout import regions

    _, _, w, h = regions(cfg, parse_size(None, cfg))["canvas"]
    return w, h


def recognizer(cfg: Config, model: str | None = None, weights: str | None = None):
    from exhibit.model.weights import load_model
    from exhibit.recognize import Recognizer

    lm = load_model(model or (None if weights else cfg["model"]), weights)
    return Recognizer(lm, stroke_width=cfg["ink.stroke_width"], min_points=cfg["ink.min_points"],
                      min_size=cfg["ink.min_size_px"], min_confidence=cfg["answer.min_confidence"])


def _fmt(x: float) -> float:
    return round(float(x), 4)


def cmd_classify(args: argparse.Namespace, cfg: Config) -> int:
    """One JSON line per digit, in order. A broken file or digit is reported (stderr, and an
    "error" line in its place) and the rest still classified; the exit code is then 2."""
    from exhibit.ink.files import DrawingFileError, read_drawings
    from exhibit.limits import one_line, printable

    rec = recognizer(cfg, args.model, args.weights)
    canvas = canvas_size(cfg)
    out = sys.stdout
    failed = 0
    for f in args.files:
        name = printable(f)
        try:
            for i, d in enumerate(read_drawings(f, canvas)):
                row = {"source": name, "index": i, "label": d.label}
                if d.error is not None:
                    failed += 1
                    print(f"digit-exhibit: {one_line(d.error)}", file=sys.stderr)
                    row.update(prediction=None, confidence=0.0, probs=None, unsure=False,
                               error=one_line(d.error))
                else:
                    snap = rec.read(d.ink)
                    row.update(prediction=snap.digit, confidence=_fmt(snap.confidence),
                               probs=None if snap.probs is None else [_fmt(p) for p in snap.probs],
                               unsure=snap.unsure)
                    if snap.probs is not None and not np.isfinite(snap.probs).all():
                        # an overflowing network: say so rather than print NaN (not JSON)
                        failed += 1
                        why = one_line(f"{f}: digit {i}: the network gave no finite answer")
                        print(f"digit-exhibit: {why}", file=sys.stderr)
                        row.update(prediction=None, confidence=0.0, probs=None, error=why)
                out.write(json.dumps(row, allow_nan=False) + "\n")
        except DrawingFileError as e:
            failed += 1
            print(f"digit-exhibit: {one_line(e)}", file=sys.stderr)
        except MemoryError:
            failed += 1
            print(f"digit-exhibit: {one_line(f)}: out of memory reading this file", file=sys.stderr)
        except (BrokenPipeError, KeyboardInterrupt):
            raise
        except Exception as e:  # noqa: BLE001 - no input may cost the other files a traceback
            failed += 1
            print(one_line(f"digit-exhibit: {f}: cannot classify this file "
                           f"({e.__class__.__name__}: {str(e)[:120]})"), file=sys.stderr)
    return 2 if failed else 0


def mnist_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    return BUNDLED_MNIST


def cmd_evaluate(args: argparse.Namespace, cfg: Config) -> int:
    from exhibit.ink.normalize import preprocess_many
    from exhibit.training.mnist import load_split

    rec = recognizer(cfg, args.model, args.weights)
    try:
        images, labels = load_split(mnist_dir(args.mnist), "test")
    except FileNotFoundError as e:
        raise UsageError(str(e)) from None
    x, _ = preprocess_many(list(images.astype(np.float32) / 255.0), rec.model.spec)
    pred = np.concatenate([rec.model.net.predict(x[i:i + 4096]).argmax(1)
                           for i in range(0, len(x), 4096)])
    acc = float((pred == labels).mean())
    print(json.dumps({"model": rec.model.name, "accuracy": round(acc, 4), "n": int(len(labels))}))
    return 0


def cmd_train(args: argparse.Namespace, cfg: Config) -> int:
    from exhibit.ink.normalize import preprocess_many
    from exhibit.model import weights as wio
    from exhibit.training import mnist, pendigits, trainer

    if args.pen_copies is None:
        args.pen_copies = 4 if args.arch == "cnn" else 20
    if args.arch == "gate":
        return train_gate(args)
    if args.arch == "cnn":  # the convolutional network has its own trainer
        from exhibit.training import cnn_trainer
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
        data = trainer.Dataset(pool14(data.x), data.y, pool14(data.x_val), data.y_val,
                               pool14(data.x_val_drawn),
                               None if data.x_pen_val is None else pool14(data.x_pen_val),
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
    from exhibit.ink.normalize import InputSpec
    from exhibit.training import pendigits, trainer

    try:
        pen = pendigits.load(args.pendigits)
    except (OSError, ValueError, KeyError) as e:
        raise UsageError(f"--pendigits {args.pendigits}: {e}") from None
    val_writers = [] if args.val_writers == "none" else (
        list(pendigits.VAL_WRITERS) if args.val_writers is None else args.val_writers.split(","))
    tr, va = pendigits.split(pen, val_writers)
    spec = InputSpec(28, True)
    x, y = pendigits.cached_inputs(tr, spec, args.seed + 100, args.pen_copies, args.pen_rotation,
                                   elastic=args.pen_elastic)
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
                      "elastic": args.pen_elastic,
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
    from exhibit.model import gate as gate_io
    from exhibit.training import gate_train, mnist, pendigits

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
                                     n_mnist=args.gate_mnist)
    pen = pendigits.load(args.pendigits)
    manifest = gate_io.save(net.weights, net.biases, Path(args.out), th, {
        "architecture": "→".join(str(s) for s in [784, *hidden, 1]),
        "validation": report,
        "training_command": "digit-exhibit " + shlex.join(args.argv),
        "seed": args.seed, "epochs": args.epochs,
        "mnist_md5": sums,
        "pendigits": {"file": Path(args.pendigits).name, "sha256": pen.sha256,
                      "validation_writers": sorted(val_writers), "credit": pendigits.CREDIT},
        "negatives": "exhibit/training/negatives.py: letter and shape templates, scribbles, "
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


def spec_28(spec):
    from exhibit.ink.normalize import InputSpec
    return InputSpec(28, spec.deskew)


def pool14(x: np.ndarray) -> np.ndarray:
    """28x28 inputs -> 14x14 by 2x2 means, the last step of preprocessing for side 14."""
    return x.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(-1, 196).astype(np.float32)


def cmd_check_config(args: argparse.Namespace, cfg: Config | None) -> int:
    load_config(args.path, args.set or ())
    print(f"{args.path}: OK")
    return 0


def bench_inference(args: argparse.Namespace, cfg: Config) -> int:
    from exhibit.ink.files import read_drawings

    rec = recognizer(cfg, args.model, args.weights)
    drawing = next(read_drawings(resources.BENCH_DIGIT, canvas_size(cfg)))
    for _ in range(200):
        rec.read(drawing.strokes)
    times = np.empty(args.repeats)
    for i in range(args.repeats):
        t0 = time.perf_counter()
        rec.read(drawing.strokes)
        times[i] = time.perf_counter() - t0
    us = times * 1e6
    result = {"inference_us": {"p50": round(float(np.percentile(us, 50)), 1),
                               "p99": round(float(np.percentile(us, 99)), 1),
                               "mean": round(float(us.mean()), 1)},
              "model": rec.model.name, "repeats": args.repeats,
              "points": int(sum(len(s) for s in drawing.strokes))}
    if args.json:
        print(json.dumps(result))
    else:
        r = result["inference_us"]
        print(f"strokes -> probabilities ({result['model']}, {result['points']} points): "
              f"p50 {r['p50']} us, p99 {r['p99']} us over {args.repeats} runs")
    return 0


def parse_size(text: str | None, cfg: Config, auto: bool = False) -> tuple[int, int] | None:
    """--size WxH, else window.size; "auto" is None where ``auto`` (the display decides),
    else the reference size."""
    if not text:
        if cfg["window.size"] == "auto":
            return None if auto else REFERENCE_SIZE
        w, h = cfg["window.size"]
        return int(w), int(h)
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {text}: expected WIDTHxHEIGHT, e.g. 1920x1080") from None
    if not (320 <= w <= 7680 and 320 <= h <= 7680):
        raise UsageError(f"--size {text}: each side must be from 320 to 7680")
    return w, h


def cmd_run(args: argparse.Namespace, cfg: Config) -> int:
    from exhibit.app.loop import run

    size = parse_size(args.size, cfg, auto=True)
    fullscreen = cfg["window.fullscreen"] and not args.windowed
    display = args.display if args.display is not None else cfg["window.display"]
    return run(cfg, size, fullscreen, display, args.event_log or cfg["log.events"] or None,
               args.max_seconds, config_path=args.config, overrides=args.set)


def cmd_bench(args: argparse.Namespace, cfg: Config) -> int:
    if args.inference:
        return bench_inference(args, cfg)
    if args.learn:
        return bench_learn_cmd(args, cfg)
    from exhibit.app.bench import bench_frames
    from exhibit.app.window import NoScreen

    size = parse_size(args.size, cfg, auto=args.present)
    try:
        result = bench_frames(cfg, size, args.seconds, present=args.present, scaled=args.scaled)
    except NoScreen as e:
        raise UsageError(str(e)) from None
    if args.json:
        print(json.dumps(result))
    else:
        f = result["frame_ms"]
        print(f"{result['frames']} frames at {result['size'][0]}x{result['size'][1]}: "
              f"p50 {f['p50']} ms, p95 {f['p95']} ms, p99 {f['p99']} ms, max {f['max']} ms; "
              f"{result['connections_drawn']} connections, {result['pulses_peak']} pulses at peak")
    return 0


def bench_learn_cmd(args: argparse.Namespace, cfg: Config) -> int:
    from exhibit.app.learnbench import bench_learn

    try:
        result = bench_learn(cfg, parse_size(args.size, cfg), args.seconds)
    except RuntimeError as e:
        raise UsageError(str(e)) from None
    if args.json:
        print(json.dumps(result))
    else:
        f = result["frame_ms"]
        print(f"learned for {result['seconds']} s: accuracy {result['accuracy_final']} on the MNIST "
              f"test set; frames p50 {f['p50']} ms, p99 {f['p99']} ms")
    return 0


def cmd_soak(args: argparse.Namespace, cfg: Config) -> int:
    from exhibit.app.soak import soak

    result = soak(cfg, args.frames, args.seed, parse_size(args.size, cfg) if args.size else (1280, 720),
                  fps=args.fps, warmup=args.warmup, vandal_points=args.vandal_points)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['frames']} frames ({result['simulated_hours']} simulated hours): "
              f"{result['exceptions']} exceptions, RSS {result['rss_mb_start']} -> "
              f"{result['rss_mb_end']} MB, frame p99 {result['frame_ms_p99']} ms")
    return 0 if result["exceptions"] == 0 else 1


def cmd_verify(args: argparse.Namespace, cfg: Config) -> int:
    """The whole release, before anything switches: every file against the wheel's RECORD, every
    network (gate and CNN included) loaded and reading the release's own examples."""
    from exhibit import resources
    from exhibit.verify import VerifyError, check_networks, check_record

    try:
        files = check_record()
        names = check_networks(Path(args.weights_dir or resources.WEIGHTS),
                               Path(args.examples or resources.EXAMPLES), canvas_size(cfg), cfg)
    except VerifyError as e:
        print(f"digit-exhibit: verify: {e}".replace("\n", " "), file=sys.stderr)
        return 2
    print(f"digit-exhibit: verify: OK: networks {', '.join(names)} and the gate; "
          f"{files} installed files match the wheel's RECORD")
    return 0


def cmd_out_of_order(args: argparse.Namespace, cfg: Config | None) -> int:
    """The kiosk's fallback screen; reads neither a config nor weights (kiosk/README.md)."""
    from exhibit.app.outoforder import run

    size = parse_size(args.size, None) if args.size else (1280, 720)
    return run(fullscreen=not args.windowed, size=size, max_seconds=args.max_seconds)


def cmd_shots(args: argparse.Namespace, cfg: Config) -> int:
    from exhibit.tools.shots import ShotError, timed

    try:
        inv, seconds = timed(cfg, Path(args.out), parse_size(args.size, cfg), args.lang, args.model)
    except ShotError as e:
        raise UsageError(str(e)) from None
    w, h = inv["size"]
    print(f"{len(inv['states'])} states at {w}x{h} in {seconds:.1f} s: {args.out}")
    return 0


def _version_line() -> str:
    from exhibit.version import describe
    return f"digit-exhibit {describe()}"


def build_parser() -> argparse.ArgumentParser:
    from exhibit.training.augment import MAX_ROTATION

    # --config and --set work before and after the subcommand; the subcommand's own copies
    # must not overwrite what was given before it, so the two go to different names
    top = argparse.ArgumentParser(add_help=False)
    top.add_argument("--config", dest="config_top", metavar="PATH", help=argparse.SUPPRESS)
    top.add_argument("--set", dest="set_top", metavar="KEY=VALUE", action="append", default=[],
                     help=argparse.SUPPRESS)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help="config YAML (default: config.yaml)")
    common.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        help="override one config key (repeatable)")

    def model_opts(p: argparse.ArgumentParser) -> None:
        g = p.add_mutually_exclusive_group()
        g.add_argument("--model", choices=("explainer", "compact14", "deep", "cnn"))
        g.add_argument("--weights", metavar="PATH", help="an .npz with its .json manifest")

    parser = argparse.ArgumentParser(prog="digit-exhibit", parents=[top],
                                     description="Digit Exhibit: draw a digit, watch a network read it.")
    parser.add_argument("--version", action="version", version=_version_line())
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("run", parents=[common], help="start the exhibit (the default)")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--size", metavar="WxH", help="logical screen size (default: window.size)")
    p.add_argument("--display", type=NONNEG_INT, metavar="N", help="monitor index (default: config)")
    p.add_argument("--event-log", metavar="FILE", help="append JSON event lines here")
    p.add_argument("--max-seconds", type=POSITIVE, metavar="S", help="quit cleanly after S seconds")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("classify", parents=[common], help="classify stroke files, PNGs or .npy")
    model_opts(p)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("evaluate", parents=[common], help="accuracy on the MNIST test set")
    model_opts(p)
    p.add_argument("--mnist", metavar="DIR", help="folder with the MNIST files "
                   "(default: the test set bundled in assets/mnist)")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("train", parents=[common], help="train a network from MNIST")
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
    p.add_argument("--gate-reject", type=SHARE, default=0.01,
                   help="gate: share of the validation writers' digits left unsure")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("bench", parents=[common], help="benchmarks")
    model_opts(p)
    p.add_argument("--inference", action="store_true", help="strokes -> probabilities only")
    p.add_argument("--learn", action="store_true",
                   help="live learning (key T) in real time while a hand draws; scores the "
                        "network on the MNIST test set at the end")
    p.add_argument("--json", action="store_true")
    p.add_argument("--size", metavar="WxH", help="frame benchmark screen size")
    p.add_argument("--seconds", type=POSITIVE, default=20.0, help="simulated seconds to render")
    p.add_argument("--present", action="store_true",
                   help="in a real full-screen window: time whole frames, the copy to the screen included")
    p.add_argument("--scaled", action="store_true",
                   help="with --present: draw the layout at --size and let SDL scale it (for comparison)")
    p.add_argument("--repeats", type=COUNT, default=5000)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("soak", parents=[common], help="run headless with a random visitor")
    p.add_argument("--frames", type=COUNT, default=40000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--fps", type=POSITIVE, default=60.0, help="simulated frames per second")
    p.add_argument("--vandal-points", type=NONNEG_INT, default=20000,
                   help="after the random visitor, one finger scribbles this many points (0: none)")
    p.add_argument("--warmup", type=NONNEG_INT, default=10000,
                   help="uncounted frames first (every feature once, then random use)")
    p.add_argument("--size", metavar="WxH", help="screen size (default 1280x720)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_soak)

    p = sub.add_parser("out-of-order", parents=[common],
                       help="a calm 'temporarily out of order' screen (needs no config or weights)")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--size", metavar="WxH", help="window size with --windowed (default 1280x720)")
    p.add_argument("--max-seconds", type=POSITIVE, metavar="S", help="quit after S seconds")
    p.set_defaults(func=cmd_out_of_order)

    p = sub.add_parser("verify", parents=[common],
                       help="check the installed release whole: every network, asset and font")
    p.add_argument("--weights-dir", help="a folder of networks instead of the installed weights/")
    p.add_argument("--examples", help="example digits instead of the installed ones")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("shots", parents=[common],
                       help="every state, headless, to OUT/<state>.png and OUT/inventory.json")
    p.add_argument("out", metavar="OUT")
    p.add_argument("--size", metavar="WxH", help="screen size (default: window.size, else 1920x1080)")
    p.add_argument("--lang", help="language (default: config)")
    p.add_argument("--model", choices=("explainer", "compact14", "deep", "cnn"))
    p.set_defaults(func=cmd_shots)

    p = sub.add_parser("check-config", parents=[common], help="validate a config file")
    p.add_argument("path")
    p.set_defaults(func=cmd_check_config)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from exhibit.app.signals import Terminated
    from exhibit.ink.files import DrawingFileError
    from exhibit.model.weights import WeightsError
    from exhibit.training.mnist import IdxError

    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # no banner in a command's output
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"run", "classify", "evaluate", "train", "bench", "soak", "check-config",
                "out-of-order", "verify", "shots"}
    if not any(a in commands for a in argv) and not {"-h", "--help", "--version"} & set(argv):
        argv = ["run", *argv]  # plain `digit-exhibit [run options]` starts the exhibit
    args = parser.parse_args(argv)
    args.argv = argv
    args.config = args.config or args.config_top
    args.set = list(args.set_top) + list(args.set)
    try:
        # check-config reads only the file it is asked about; out-of-order reads none
        if args.func in (cmd_run, cmd_soak):  # before anything slow: no signal is lost
            from exhibit.app.signals import install
            install()
        else:
            _signals.default()
        cfg = None
        if args.func not in (cmd_check_config, cmd_out_of_order):
            # the running exhibit skips keys only another release knows (reported once);
            # check-config and the tools stay strict
            cfg = load_config(args.config, args.set, strict=args.func is not cmd_run)
            for w in cfg.warnings:
                print(f"digit-exhibit: warning: {w}", file=sys.stderr)
        return int(args.func(args, cfg) or 0)
    except (ConfigError, WeightsError, DrawingFileError, IdxError, UsageError) as e:
        from exhibit.limits import one_line
        print(f"digit-exhibit: {one_line(e)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Terminated:  # SIGTERM while a run or soak was starting: a clean stop
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
