"""The tools' subcommands: ``bench``, ``soak``, ``verify`` and ``shots`` (parsing and printing;
the work is in the modules beside this one). ``exhibit/cli.py`` registers them."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

from exhibit import resources
from exhibit.arguments import (COUNT, NONNEG_INT, POSITIVE, UsageError, canvas_size, parse_size,
                               recognizer)
from exhibit.config import Config


def add_tool_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser,
                      model_opts: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("bench", parents=[common], help="benchmarks")
    model_opts(p)
    p.add_argument("--inference", action="store_true", help="strokes -> probabilities only")
    p.add_argument("--learn", action="store_true",
                   help="live learning (key T) in real time while a hand draws; scores the "
                        "network on the MNIST test set at the end")
    p.add_argument("--hidden", metavar="SIZES", type=hidden_sizes,
                   help="with --learn: the hidden layers, e.g. 100 or 32,32 (0: none; default 25,25)")
    p.add_argument("--activation", choices=("relu", "sigmoid", "tanh"),
                   help="with --learn: the hidden neurons' activation (default relu)")
    p.add_argument("--rate", choices=("slow", "good", "too_fast"),
                   help="with --learn: the learning-speed preset (default good)")
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
    p.set_defaults(func=cmd_soak, signals=True)

    p = sub.add_parser("verify", parents=[common],
                       help="check the installed release whole: every network, asset and font")
    p.add_argument("--weights-dir", help="a folder of networks instead of the installed weights/")
    p.add_argument("--examples", help="example digits instead of the installed ones")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("report", parents=[common],
                       help="one HTML page for the staff from event logs (counts, charts)")
    p.add_argument("logs", nargs="+", metavar="LOG")
    p.add_argument("--out", default="report.html", metavar="FILE")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("shots", parents=[common],
                       help="every state, headless, to OUT/<state>.png and OUT/inventory.json")
    p.add_argument("out", metavar="OUT")
    p.add_argument("--size", metavar="WxH", help="screen size (default: window.size, else 1920x1080)")
    p.add_argument("--lang", help="language (default: config)")
    p.add_argument("--model", choices=("explainer", "compact14", "deep", "cnn"))
    p.set_defaults(func=cmd_shots)


def hidden_sizes(text: str) -> list[int]:
    """``--hidden``: "0" (no hidden layer), "100", "32,32"."""
    from exhibit.learn.worker import check_design

    try:
        sizes = [] if text.strip() == "0" else [int(v) for v in text.split(",")]
        check_design(sizes)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r}: {e}" if "hidden" in str(e) else
                                         f"{text!r}: expected 0 or sizes such as 100 or 32,32")
    return sizes


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


def cmd_bench(args: argparse.Namespace, cfg: Config) -> int:
    if not args.learn and (args.hidden, args.activation, args.rate) != (None, None, None):
        raise UsageError("--hidden, --activation and --rate go with --learn")
    if args.inference:
        return bench_inference(args, cfg)
    if args.learn:
        return bench_learn_cmd(args, cfg)
    from exhibit.tools.bench import bench_frames
    from exhibit.shell.window import NoScreen

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
    from exhibit.tools.learnbench import bench_learn

    design = {k: v for k, v in (("hidden", args.hidden), ("activation", args.activation),
                                ("rate", args.rate)) if v is not None}
    try:
        result = bench_learn(cfg, parse_size(args.size, cfg), args.seconds, design)
    except RuntimeError as e:
        raise UsageError(str(e)) from None
    if args.json:
        print(json.dumps(result))
    else:
        f, d = result["frame_ms"], result["design"]
        shape = "-".join(str(n) for n in [784, *d["hidden"], 10])
        end = " (diverged)" if result["diverged"] else ""
        print(f"{shape} {d['activation']}, rate {d['rate']}: learned for {result['seconds']} s: "
              f"accuracy {result['accuracy_final']} on the MNIST test set{end}; "
              f"frames p50 {f['p50']} ms, p99 {f['p99']} ms")
    return 0


def cmd_soak(args: argparse.Namespace, cfg: Config) -> int:
    from exhibit.tools.soak import soak

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
    from exhibit.tools.verify import VerifyError, check_networks, check_record

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


def cmd_shots(args: argparse.Namespace, cfg: Config) -> int:
    from exhibit.tools.shots import ShotError, timed

    try:
        inv, seconds = timed(cfg, Path(args.out), parse_size(args.size, cfg), args.lang, args.model)
    except ShotError as e:
        raise UsageError(str(e)) from None
    w, h = inv["size"]
    print(f"{len(inv['states'])} states at {w}x{h} in {seconds:.1f} s: {args.out}")
    return 0


def cmd_report(args: argparse.Namespace, cfg: Config) -> int:
    from exhibit.tools.report import CHARTS_HINT, write_report

    try:
        s = write_report(args.logs, Path(args.out), cfg.attract.idle_seconds)
    except OSError as e:
        raise UsageError(f"{e.filename or args.out}: {e.strerror or e}") from None
    print(f"{args.out}: {s.visitors} visitors, {s.predictions} drawings, "
          f"{sum(s.right)} of {sum(s.answered)} confirmed right")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(CHARTS_HINT)
    return 0
