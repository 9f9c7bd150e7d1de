"""Build the stroke files shipped in ``assets/`` from the bundled MNIST test digits.

    python -m exhibit_training.make_assets [--mnist DIR] [--pen FILE]

- ``assets/examples/digits.json``: one traced test digit per class (the README's demo);
- ``assets/bench/digit.json``: the realistic digit that ``bench --inference`` times;
- ``assets/attract.json``: real pen trajectories in writing order (UCI pendigits, 30 writers,
  CC BY 4.0; ``--pen``), four per class from four different writers, each read right by the
  default network with at least 90 % confidence on three screen shapes, for attract mode's hand;
- ``assets/samples.npz``: five test pictures per digit that the default network reads right
  (with at least 90 % confidence), for the sample-digit buttons.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from exhibit import resources
from exhibit.learn import mnist
from exhibit_training.redraw import digit_strokes, place, to_json_strokes

ROOT = resources.ROOT
BOX = 500
PEN = ROOT.parent / "shared" / "data" / "pendigits" / "pen-30-writers.json.gz"
PEN_CREDIT = ("UCI Pen-Based Recognition of Handwritten Digits (Alpaydin & Alimoglu, 1998), "
              "original trajectories, CC BY 4.0, DOI 10.24432/C5MG6K")
CHECK_SIZES = ((1920, 1080), (1280, 720), (1080, 1920))  # screen shapes a chosen digit must pass


def write(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mnist", default=str(ROOT / "assets" / "mnist"))
    ap.add_argument("--pen", default=str(PEN), help="pendigits pen trajectories (json.gz)")
    args = ap.parse_args(argv)
    images, labels = mnist.load_split(args.mnist, "test")
    digits = []
    for d in range(10):
        i = int(np.flatnonzero(labels == d)[0])
        st = place(digit_strokes(images[i]), 360, (BOX / 2, BOX / 2), spacing=8.0)
        digits.append({"label": d, "mnist_test_index": i, "strokes": to_json_strokes(st)})
    write(ROOT / "assets" / "examples" / "digits.json", {"box": [BOX, BOX], "digits": digits})
    # A 2 is among the longest single-stroke digits: a fair worst-typical case to time.
    i = int(np.flatnonzero(labels == 2)[0])
    st = place(digit_strokes(images[i]), 420, (BOX / 2, BOX / 2), spacing=6.0)
    write(ROOT / "assets" / "bench" / "digit.json",
          {"box": [BOX, BOX], "label": 2, "mnist_test_index": i, "strokes": to_json_strokes(st)})
    write_attract(Path(args.pen))
    write_samples(images, labels)
    print("wrote assets/examples/digits.json, assets/bench/digit.json, assets/attract.json, "
          "assets/samples.npz")


def write_attract(pen: Path, per_digit: int = 4, seed: int = 11) -> None:
    """Real handwriting in the order people wrote it, for the hand. Writers are taken in a
    seeded order, one digit each per class; a digit is kept if it has at most three strokes
    and the default network reads it right (>= 90 %) through the exhibit's own path (the
    attract player's placement, the canvas and brush of each screen in CHECK_SIZES)."""
    import gzip

    from exhibit.attract.player import AttractPlayer, Script
    from exhibit.config import load
    from exhibit.model.store import load_model
    from exhibit.recognize import Recognizer
    from exhibit.layout.regions import Layout

    with gzip.open(pen, "rt", encoding="utf-8") as f:
        doc = json.load(f)
    cfg = load(None, [])
    model = load_model(cfg.model)
    rec = Recognizer(model, stroke_width=cfg.ink.stroke_width)
    layouts = [Layout(cfg, size, model.net.sizes, rec.side) for size in CHECK_SIZES]
    rng = np.random.default_rng(seed)
    writers = sorted({d["writer"] for d in doc["digits"]})
    order = [writers[i] for i in rng.permutation(len(writers))]
    digits = []
    for d in range(10):
        used: set[str] = set()
        for w in order:
            if len(used) == per_digit:
                break
            for item in (x for x in doc["digits"] if x["label"] == d and x["writer"] == w):
                raw = [np.asarray(st, np.float32) for st in item["strokes"]]
                if not 1 <= len(raw) <= 3 or any(len(st) < 2 for st in raw):
                    continue
                lo, hi = np.vstack(raw).min(0), np.vstack(raw).max(0)
                w_, h_ = float(hi[0] - lo[0]), float(hi[1] - lo[1])
                height = 420 * min(1.0, h_ / max(w_, 1e-6))  # the longer side 420 of the box
                st = place(raw, height, (BOX / 2, BOX / 2), spacing=5.0)
                script = ((float(BOX), float(BOX)), [Script(d, st)])
                ok = True
                for lay in layouts:
                    paths = AttractPlayer(script, lay.canvas.size).paths
                    snap = rec.read(paths, frame=lay.canvas.size, brush=lay.brush)
                    ok = ok and snap.digit == d and snap.confidence >= 0.9
                if ok:
                    digits.append({"label": d, "writer": w, "strokes": to_json_strokes(st)})
                    used.add(w)
                    break
    write(ROOT / "assets" / "attract.json",
          {"box": [BOX, BOX], "source": PEN_CREDIT, "digits": digits})


def write_samples(images: np.ndarray, labels: np.ndarray, per_digit: int = 5) -> None:
    from exhibit.model.store import load_model
    from exhibit.recognize import Recognizer

    rec = Recognizer(load_model("explainer"))
    chosen = []
    for d in range(10):
        n = 0
        for i in np.flatnonzero(labels == d):
            snap = rec.read(images[i].astype(np.float32) / 255.0)
            if snap.digit == d and snap.confidence >= 0.9:
                chosen.append(int(i))
                n += 1
                if n == per_digit:
                    break
    idx = np.array(chosen)
    np.savez_compressed(ROOT / "assets" / "samples.npz", images=images[idx],
                        labels=labels[idx].astype(np.uint8), mnist_test_index=idx)


if __name__ == "__main__":
    main()
