"""Build the stroke files shipped in ``assets/`` from the bundled MNIST test digits.

    python -m exhibit.training.make_assets [--mnist DIR]

- ``assets/examples/digits.json``: one traced test digit per class (the README's demo);
- ``assets/bench/digit.json``: the realistic digit that ``bench --inference`` times.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from exhibit.training import mnist
from exhibit.training.redraw import digit_strokes, place, to_json_strokes

ROOT = Path(__file__).resolve().parents[2]
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
    print("wrote assets/examples/digits.json and assets/bench/digit.json")


if __name__ == "__main__":
    main()
