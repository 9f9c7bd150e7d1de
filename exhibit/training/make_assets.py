"""Build the stroke files shipped in ``assets/`` from the bundled MNIST test digits.

    python -m exhibit.training.make_assets [--mnist DIR]

- ``assets/examples/digits.json``: one traced test digit per class (the README's demo);
- ``assets/bench/digit.json``: the realistic digit that ``bench --inference`` times;
- ``assets/attract.json``: four traced test digits per class, picked at random (not by whether
  the network reads them), for attract mode;
- ``assets/samples.npz``: five test pictures per digit that the default network reads right
  (with at least 90 % confidence), for the sample-digit buttons.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from exhibit import resources
from exhibit.training import mnist
from exhibit.training.redraw import digit_strokes, place, to_json_strokes

ROOT = resources.ROOT
BOX = 500


def write(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mnist", default=str(ROOT / "assets" / "mnist"))
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
    write_attract(images, labels)
    write_samples(images, labels)
    print("wrote assets/examples/digits.json, assets/bench/digit.json, assets/attract.json, "
          "assets/samples.npz")


def write_attract(images: np.ndarray, labels: np.ndarray, per_digit: int = 4, seed: int = 11) -> None:
    """Real handwriting for the invisible hand. Digits whose skeleton falls into more than
    three strokes are passed over (a hand would not write them so), nothing else."""
    rng = np.random.default_rng(seed)
    digits = []
    for d in range(10):
        n = 0
        for i in rng.permutation(np.flatnonzero(labels == d)):
            st = digit_strokes(images[i])
            if not 1 <= len(st) <= 3 or any(len(s) < 2 for s in st):
                continue
            st = place(st, 420, (BOX / 2, BOX / 2), spacing=5.0)
            digits.append({"label": d, "mnist_test_index": int(i), "strokes": to_json_strokes(st)})
            n += 1
            if n == per_digit:
                break
    write(ROOT / "assets" / "attract.json", {"box": [BOX, BOX], "digits": digits})


def write_samples(images: np.ndarray, labels: np.ndarray, per_digit: int = 5) -> None:
    from exhibit.model.weights import load_model
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
