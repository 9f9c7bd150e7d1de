"""The ``digit-exhibit`` command: thin wrappers over the packages, one subcommand each.

Exit codes: 0 success, 2 bad input (config, files, weights, usage), 1 anything unexpected.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from exhibit.config import Config, ConfigError, load as load_config

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
BUNDLED_MNIST = ASSETS / "mnist"


class UsageError(Exception):
    """Bad input from the command line; printed without a traceback, exit 2."""


def canvas_size(cfg: Config) -> tuple[float, float]:
    """The drawing canvas in pixels at the configured screen size."""
    from exhibit.app.geometry import regions

    _, _, w, h = regions(cfg, tuple(cfg["window.size"]))["canvas"]
    return w, h


def recognizer(cfg: Config, model: str | None = None, weights: str | None = None):
    from exhibit.model.weights import load_model
    from exhibit.recognize import Recognizer

    lm = load_model(model or (None if weights else cfg["model"]), weights)
    return Recognizer(lm, stroke_width=cfg["ink.stroke_width"], min_points=cfg["ink.min_points"],
                      min_size=cfg["ink.min_size_px"])


def _fmt(x: float) -> float:
    return round(float(x), 4)


def cmd_classify(args: argparse.Namespace, cfg: Config) -> int:
    """One JSON line per digit, in order. A broken file or digit is reported (stderr, and an
    "error" line in its place) and the rest still classified; the exit code is then 2."""
    from exhibit.ink.files import DrawingFileError, read_drawings

    rec = recognizer(cfg, args.model, args.weights)
    canvas = canvas_size(cfg)
    out = sys.stdout
    failed = 0
    for f in args.files:
        try:
            for i, d in enumerate(read_drawings(f, canvas)):
                row = {"source": str(f), "index": i, "label": d.label}
                if d.error is not None:
                    failed += 1
                    print(f"digit-exhibit: {d.error}", file=sys.stderr)
                    row.update(prediction=None, confidence=0.0, probs=None, error=d.error)
                else:
                    snap = rec.read(d.ink)
                    row.update(prediction=snap.digit, confidence=_fmt(snap.confidence),
                               probs=None if snap.probs is None else [_fmt(p) for p in snap.probs])
                out.write(json.dumps(row) + "\n")
        except DrawingFileError as e:
            failed += 1
            print(f"digit-exhibit: {e}", file=sys.stderr)
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
    from exhibit.training import mnist, trainer

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
    teacher = teacher_x = None
    if args.teacher:
        teacher = wio.load(args.teacher).net
        teacher_x = data.x
    if spec.side == 14:
        data = trainer.Dataset(pool14(data.x), data.y, pool14(data.x_val), data.y_val,
                               pool14(data.x_val_drawn))
    log(f"training {args.arch} {sizes} on {len(data.x)} digits")
    net = trainer.train(sizes, data, args.epochs, args.seed, optimizer=args.optimizer,
                        lr=args.lr, batch=args.batch, teacher=teacher, teacher_x=teacher_x,
                        temperature=args.temperature, distill_weight=args.distill_weight,
                        weight_decay=args.weight_decay)
    test_x, test_y = mnist.load_split(args.mnist, "test")
    xt, _ = preprocess_many(list(test_x.astype(np.float32) / 255.0), spec)
    acc = trainer.accuracy(net, xt, test_y.astype(np.int64))
    val = trainer.accuracy(net, data.x_val, data.y_val)
    val_drawn = trainer.accuracy(net, data.x_val_drawn, data.y_val)
    command = "digit-exhibit " + shlex.join(args.argv)
    manifest = wio.save(net, Path(args.out), spec, {
        "mnist_test_accuracy": round(acc, 4),
        "validation_accuracy": round(val, 4),
        "validation_redrawn_accuracy": round(val_drawn, 4),
        "training_command": command,
        "teacher": Path(args.teacher).stem if args.teacher else None,
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
    drawing = next(read_drawings(ASSETS / "bench" / "digit.json", canvas_size(cfg)))
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


def parse_size(text: str | None, cfg: Config) -> tuple[int, int]:
    if not text:
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

    size = parse_size(args.size, cfg)
    fullscreen = cfg["window.fullscreen"] and not args.windowed
    display = args.display if args.display is not None else cfg["window.display"]
    return run(cfg, size, fullscreen, display, args.event_log or cfg["log.events"] or None,
               args.max_seconds, config_path=args.config, overrides=args.set)


def cmd_bench(args: argparse.Namespace, cfg: Config) -> int:
    if args.inference:
        return bench_inference(args, cfg)
    from exhibit.app.bench import bench_frames

    result = bench_frames(cfg, parse_size(args.size, cfg), args.seconds)
    if args.json:
        print(json.dumps(result))
    else:
        f = result["frame_ms"]
        print(f"{result['frames']} frames at {result['size'][0]}x{result['size'][1]}: "
              f"p50 {f['p50']} ms, p95 {f['p95']} ms, p99 {f['p99']} ms, max {f['max']} ms; "
              f"{result['connections_drawn']} connections, {result['pulses_peak']} pulses at peak")
    return 0


def cmd_soak(args: argparse.Namespace, cfg: Config) -> int:
    from exhibit.app.soak import soak

    result = soak(cfg, args.frames, args.seed, parse_size(args.size, cfg) if args.size else (1280, 720),
                  fps=args.fps, warmup=args.warmup)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['frames']} frames ({result['simulated_hours']} simulated hours): "
              f"{result['exceptions']} exceptions, RSS {result['rss_mb_start']} -> "
              f"{result['rss_mb_end']} MB, frame p99 {result['frame_ms_p99']} ms")
    return 0 if result["exceptions"] == 0 else 1


def build_parser() -> argparse.ArgumentParser:
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
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("run", parents=[common], help="start the exhibit (the default)")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--size", metavar="WxH", help="logical screen size (default: window.size)")
    p.add_argument("--display", type=int, metavar="N", help="monitor index (default: config)")
    p.add_argument("--event-log", metavar="FILE", help="append JSON event lines here")
    p.add_argument("--max-seconds", type=float, metavar="S", help="quit cleanly after S seconds")
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
    p.add_argument("--arch", required=True, choices=("explainer", "compact14", "deep", "cnn"))
    p.add_argument("--out", required=True, metavar="PATH")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--teacher", metavar="PATH", help="distil from this network's weights")
    p.add_argument("--distill-weight", type=float, default=0.7,
                   help="share of the loss that follows the teacher (default 0.7)")
    p.add_argument("--temperature", type=float, default=3.0, help="distillation temperature")
    p.add_argument("--weight-decay", type=float, default=1e-5)
    p.add_argument("--max-rotation", type=float, default=12.0,
                   help="largest random rotation of training digits, in degrees")
    p.add_argument("--pendigits", metavar="FILE", help="cnn: the pen-drawn digits (json.gz)")
    p.add_argument("--channels", default="16,32,128", help="cnn: conv1,conv2,dense widths")
    p.add_argument("--all-writers", action="store_true",
                   help="cnn: train on all pen writers (none held out for validation)")
    p.add_argument("--pen-copies", type=int, default=4,
                   help="cnn: freshly warped copies of each pen digit per epoch")
    p.add_argument("--pen-jitter", type=float, default=0.0,
                   help="cnn: wobble of pen points and strokes, a share of the digit's size")
    p.add_argument("--mnist-per-epoch", type=int, default=110000,
                   help="cnn: MNIST pool digits drawn at random per epoch")
    p.add_argument("--checkpoint", metavar="PATH", help="cnn: save the network after each epoch")
    p.add_argument("--init", metavar="PATH", help="cnn: go on training these weights")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("bench", parents=[common], help="benchmarks")
    model_opts(p)
    p.add_argument("--inference", action="store_true", help="strokes -> probabilities only")
    p.add_argument("--json", action="store_true")
    p.add_argument("--size", metavar="WxH", help="frame benchmark screen size")
    p.add_argument("--seconds", type=float, default=20.0, help="simulated seconds to render")
    p.add_argument("--repeats", type=int, default=5000)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("soak", parents=[common], help="run headless with a random visitor")
    p.add_argument("--frames", type=int, default=40000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--fps", type=float, default=60.0, help="simulated frames per second")
    p.add_argument("--warmup", type=int, default=10000,
                   help="uncounted frames first (every feature once, then random use)")
    p.add_argument("--size", metavar="WxH", help="screen size (default 1280x720)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_soak)

    p = sub.add_parser("check-config", parents=[common], help="validate a config file")
    p.add_argument("path")
    p.set_defaults(func=cmd_check_config)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from exhibit.ink.files import DrawingFileError
    from exhibit.model.weights import WeightsError
    from exhibit.training.mnist import IdxError

    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"run", "classify", "evaluate", "train", "bench", "soak", "check-config"}
    if not any(a in commands for a in argv) and not {"-h", "--help"} & set(argv):
        argv = ["run", *argv]  # plain `digit-exhibit [run options]` starts the exhibit
    args = parser.parse_args(argv)
    args.argv = argv
    args.config = args.config or args.config_top
    args.set = list(args.set_top) + list(args.set)
    try:
        # check-config reads only the file it is asked about
        cfg = None if args.func is cmd_check_config else load_config(args.config, args.set)
        return int(args.func(args, cfg) or 0)
    except (ConfigError, WeightsError, DrawingFileError, IdxError, UsageError) as e:
        print(f"digit-exhibit: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
