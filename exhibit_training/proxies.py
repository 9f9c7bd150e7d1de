"""Proxies for visitors' handwriting: MNIST digits redrawn as finger strokes on the canvas.

    python -m exhibit_training.proxies --mnist DIR --split test --out /tmp/proxies [--n 2000]
    digit-exhibit classify /tmp/proxies/*.json | python -m exhibit_training.proxies --score

Three sets, each a stroke file with labels, in a 1000x1000 box:

- ``big``: the digit 60-80 % of the canvas tall, near the centre, a light tremor;
- ``small``: 50-130 px tall anywhere on the canvas, densely sampled, a heavier tremor;
- ``slanted``: big, but rotated up to 25 degrees and sheared up to 0.4 before drawing;
- ``styles``: only the 1s and 7s, big, every 1 with a flag (some with a foot) and every 7
  crossed, as many European visitors write them.

Use ``--split val`` (the last 5,000 training digits) to choose recipes, ``test`` to report.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from exhibit.learn import mnist
from exhibit_training.augment import random_affine, skeleton_segments, style_strokes, thin
from exhibit_training.redraw import digit_strokes, place, to_json_strokes

BOX = 1000


def make_sets(images: np.ndarray, labels: np.ndarray, seed: int) -> dict[str, list[dict]]:
    rng = np.random.default_rng(seed)
    sets: dict[str, list[dict]] = {"big": [], "small": [], "slanted": [], "styles": []}
    for img, lab in zip(images, labels):
        st = digit_strokes(img)
        if not st:
            continue
        if lab in (1, 7):
            extra = style_strokes(skeleton_segments(thin((img > 90)[None])[0]), int(lab), rng)
            styled = st + [np.asarray(e, np.float32).reshape(2, 2) for e in extra]
            styled = place(styled, rng.uniform(600, 800), (500, 500), rng, tremor=2.0, spacing=9.0)
            sets["styles"].append({"label": int(lab), "strokes": to_json_strokes(styled)})
        h = rng.uniform(600, 800)
        c = rng.uniform(400, 600, 2)
        sets["big"].append(place(st, h, tuple(c), rng, tremor=2.0, spacing=9.0))
        h = rng.uniform(50, 130)
        c = rng.uniform(80, 920, 2)
        sets["small"].append(place(st, h, tuple(c), rng, tremor=0.8, spacing=2.5))
        m = random_affine(rng, rot=25, shear=0.4, aspect=0.15)
        warped = [(s - 14.0) @ m.T.astype(np.float32) + 14.0 for s in st]
        sets["slanted"].append(place(warped, rng.uniform(550, 750), (500, 500), rng,
                                     tremor=2.0, spacing=9.0))
        for k in ("big", "small", "slanted"):
            sets[k][-1] = {"label": int(lab), "strokes": to_json_strokes(sets[k][-1])}
    return sets


def score(lines: list[str]) -> dict[str, dict[str, float]]:
    by: dict[str, list[bool]] = defaultdict(list)
    for line in lines:
        r = json.loads(line)
        by[Path(r["source"]).stem].append(r["prediction"] == r["label"])
    return {k: {"accuracy": round(float(np.mean(v)), 4), "n": len(v)} for k, v in by.items()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--mnist")
    ap.add_argument("--split", choices=("val", "test"), default="val")
    ap.add_argument("--out")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--score", action="store_true", help="read classify output on stdin")
    args = ap.parse_args(argv)
    if args.score:
        print(json.dumps(score([l for l in sys.stdin if l.strip()])))
        return
    if args.split == "test":
        x, y = mnist.load_split(args.mnist, "test")
    else:
        x, y = mnist.load_split(args.mnist, "train")
        x, y = x[-5000:], y[-5000:]
    idx = np.random.default_rng(args.seed).permutation(len(x))[:args.n]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, digits in make_sets(x[idx], y[idx], args.seed).items():
        (out / f"{args.split}-{name}.json").write_text(
            json.dumps({"box": [BOX, BOX], "digits": digits}), encoding="utf-8")
    print(f"wrote {out}/{args.split}-{{big,small,slanted,styles}}.json")


if __name__ == "__main__":
    main()
