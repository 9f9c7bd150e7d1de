"""The ``digit-exhibit`` command: thin wrappers over the packages, one subcommand each.

Longer than most modules because it holds every subcommand's arguments and output format in
one place; each wrapper only parses, calls into a package and prints.

Exit codes: 0 success, 2 bad input (config, files, weights, usage), 1 anything unexpected.
"""
from __future__ import annotations

import sys

from exhibit.shell import signals as _signals  # os and signal only

if sys.argv and sys.argv[0].replace("\\", "/").endswith(("/digit-exhibit", "exhibit/__main__.py")):
    _signals.early()  # the command itself, before the heavy imports: no signal is fatal

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Sequence  # noqa: E402

import numpy as np  # noqa: E402

from exhibit import resources  # noqa: E402
from exhibit.arguments import (NONNEG_INT, POSITIVE, UsageError, canvas_size,  # noqa: E402
                               parse_size, recognizer)
from exhibit.config import Config, ConfigError, load as load_config  # noqa: E402
from exhibit.tools.commands import add_tool_commands  # noqa: E402

BUNDLED_MNIST = resources.MNIST

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
    from exhibit.learn.mnist import load_split

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


def cmd_check_config(args: argparse.Namespace, cfg: Config | None) -> int:
    load_config(args.path, args.set or ())
    print(f"{args.path}: OK")
    return 0


def cmd_run(args: argparse.Namespace, cfg: Config) -> int:
    from exhibit.shell.loop import run

    size = parse_size(args.size, cfg, auto=True)
    fullscreen = cfg.window.fullscreen and not args.windowed
    display = args.display if args.display is not None else cfg.window.display
    return run(cfg, size, fullscreen, display, args.event_log or cfg.log.events or None,
               args.max_seconds, config_path=args.config, overrides=args.set)


def cmd_out_of_order(args: argparse.Namespace, cfg: Config | None) -> int:
    """The kiosk's fallback screen; reads neither a config nor weights (kiosk/README.md)."""
    from exhibit.shell.outoforder import run

    size = parse_size(args.size, None) if args.size else (1280, 720)
    return run(fullscreen=not args.windowed, size=size, max_seconds=args.max_seconds)


def _version_line() -> str:
    from exhibit.version import describe
    return f"digit-exhibit {describe()}"


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
    parser.add_argument("--version", action="version", version=_version_line())
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("run", parents=[common], help="start the exhibit (the default)")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--size", metavar="WxH", help="logical screen size (default: window.size)")
    p.add_argument("--display", type=NONNEG_INT, metavar="N", help="monitor index (default: config)")
    p.add_argument("--event-log", metavar="FILE", help="append JSON event lines here")
    p.add_argument("--max-seconds", type=POSITIVE, metavar="S", help="quit cleanly after S seconds")
    p.set_defaults(func=cmd_run, signals=True)

    p = sub.add_parser("classify", parents=[common], help="classify stroke files, PNGs or .npy")
    model_opts(p)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("evaluate", parents=[common], help="accuracy on the MNIST test set")
    model_opts(p)
    p.add_argument("--mnist", metavar="DIR", help="folder with the MNIST files "
                   "(default: the test set bundled in assets/mnist)")
    p.set_defaults(func=cmd_evaluate)

    # parsed by the training package (exhibit_training/cli.py): main() forwards before this
    sub.add_parser("train", add_help=False, help="train a network from MNIST (train -h: options)")
    add_tool_commands(sub, common, model_opts)  # bench, soak, verify, shots

    p = sub.add_parser("out-of-order", parents=[common],
                       help="a calm 'temporarily out of order' screen (needs no config or weights)")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    p.add_argument("--size", metavar="WxH", help="window size with --windowed (default 1280x720)")
    p.add_argument("--max-seconds", type=POSITIVE, metavar="S", help="quit after S seconds")
    p.set_defaults(func=cmd_out_of_order)

    p = sub.add_parser("check-config", parents=[common], help="validate a config file")
    p.add_argument("path")
    p.set_defaults(func=cmd_check_config)
    return parser


def _train(argv: list[str]) -> int:
    """The one arrow from the runtime into the training package, taken only for ``train``."""
    from exhibit.learn.mnist import IdxError
    from exhibit.model.store import WeightsError
    _signals.default()
    try:
        from exhibit_training.cli import main as train_main
        return int(train_main(argv) or 0)
    except (WeightsError, IdxError, UsageError) as e:
        from exhibit.limits import one_line
        print(f"digit-exhibit: {one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    from exhibit.shell.signals import Terminated
    from exhibit.ink.files import DrawingFileError
    from exhibit.model.store import WeightsError
    from exhibit.learn.mnist import IdxError

    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # no banner in a command's output
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = {"run", "classify", "evaluate", "train", "bench", "soak", "check-config",
                "out-of-order", "verify", "shots", "report"}
    if not any(a in commands for a in argv) and not {"-h", "--help", "--version"} & set(argv):
        argv = ["run", *argv]  # plain `digit-exhibit [run options]` starts the exhibit
    if next((a for a in argv if a in commands), None) == "train":
        return _train(argv[argv.index("train") + 1:])
    args = parser.parse_args(argv)
    args.argv = argv
    args.config = args.config or args.config_top
    args.set = list(args.set_top) + list(args.set)
    try:
        # check-config reads only the file it is asked about; out-of-order reads none
        if getattr(args, "signals", False):  # run, soak: before anything slow, no signal is lost
            from exhibit.shell.signals import install
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
