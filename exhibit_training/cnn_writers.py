"""The held-out pen writers as a stroke file, and a per-writer score of ``classify`` output:
the CNN's writer-split validation measured from outside, through the exhibit's own path.

    python -m exhibit_training.cnn_writers --pendigits FILE --out /tmp/val-writers.json
    digit-exhibit classify --model cnn /tmp/val-writers.json \\
        | python -m exhibit_training.cnn_writers --score /tmp/val-writers.json
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict

from exhibit_training.cnn_data import VAL_WRITERS


def write(pendigits: str, out: str, writers: tuple[str, ...] = VAL_WRITERS) -> int:
    with gzip.open(pendigits, "rt", encoding="utf-8") as f:
        doc = json.load(f)
    digits = [d for d in doc["digits"] if d["writer"] in writers]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"box": doc["box"], "source": doc.get("source"), "digits": digits}, f)
    return len(digits)


def score(stroke_file: str, lines: list[str]) -> dict:
    with open(stroke_file, encoding="utf-8") as f:
        digits = json.load(f)["digits"]
    by_writer: dict[str, list[bool]] = defaultdict(list)
    by_digit: dict[str, list[bool]] = defaultdict(list)
    for line in lines:
        r = json.loads(line)
        ok = r["prediction"] == r["label"]
        by_writer[digits[r["index"]]["writer"]].append(ok)
        by_digit[str(r["label"])].append(ok)
    hits = [h for v in by_writer.values() for h in v]
    per_writer = {w: round(sum(v) / len(v), 4) for w, v in sorted(by_writer.items())}
    worst = min(per_writer, key=per_writer.get)
    return {"accuracy": round(sum(hits) / len(hits), 4), "n": len(hits),
            "errors": len(hits) - sum(hits),
            "per_digit": {d: round(sum(v) / len(v), 4) for d, v in sorted(by_digit.items())},
            "per_writer": per_writer, "worst_writer": [worst, per_writer[worst]]}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pendigits")
    ap.add_argument("--out")
    ap.add_argument("--score", metavar="STROKE_FILE", help="score classify output on stdin")
    args = ap.parse_args(argv)
    if args.score:
        print(json.dumps(score(args.score, [l for l in sys.stdin if l.strip()])))
    else:
        n = write(args.pendigits, args.out)
        print(f"wrote {n} digits of writers {', '.join(VAL_WRITERS)} to {args.out}")


if __name__ == "__main__":
    main()
