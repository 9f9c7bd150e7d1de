"""Recipes chosen by writer folds: k-fold cross-validation over the 30 pen writers.

A recipe tuned on one split of 8 writers is tuned to those 8 people. Here every writer is held
out once: the 30 writers are dealt into ``k`` folds (a fixed shuffle, :func:`plan`), and for
each fold the recipe's ``digit-exhibit train`` command runs with that fold's writers as
``--val-writers``; its network is then scored on the held-out writers, per writer and per
digit, on their 7s crossed and their 1s flagged (:mod:`exhibit_training.styles`, a fixed seed),
and for what the exhibit shows (receptive-field roughness, dead first-layer neurons).

    python -m exhibit_training.folds plan --pendigits FILE [--k 5]
    python -m exhibit_training.folds run --pendigits FILE --dir DIR --fold I [--k 5] -- \\
        --mnist M --arch explainer --epochs 80 ... (the recipe's train options)
    python -m exhibit_training.folds summary DIR [DIR ...]
    python -m exhibit_training.folds sheet --pendigits FILE OUT.png   (the styles, to check by eye)

What the folds share: the MNIST training set is built once (cached, keyed by ``--seed``), and
a teacher or ``--init`` network that has seen no pen writer (an MNIST-only pre-training) serves
every fold; one that has seen pen writers is refused by ``train`` for the folds that hold them
out, so such a teacher has to be trained per fold.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from exhibit.ink.normalize import InputSpec, preprocess, preprocess_many
from exhibit_training import pendigits, styles

PLAN_SEED = 27  # the shuffle that deals the writers into folds (fixed: folds are comparable)
STYLE_SEED = 2027  # the styled versions of the held-out writers' digits
SCORED_STYLES = ("crossed-7", "flagged-1", "open-top-4", "one-stroke-4", "straight-9")


def plan(writers, k: int = 5, seed: int = PLAN_SEED) -> list[list[str]]:
    """The writers dealt into k folds of (nearly) equal size, a fixed shuffle of their sorted
    names; every writer is in exactly one fold."""
    names = sorted(set(str(w) for w in writers))
    if not 2 <= k <= len(names):
        raise ValueError(f"k must be between 2 and {len(names)}, not {k}")
    order = np.random.default_rng(seed).permutation(len(names))
    return [sorted(names[i] for i in order[f::k]) for f in range(k)]


def styled(data: pendigits.PenDigits, name: str, seed: int = STYLE_SEED) -> pendigits.PenDigits:
    """The digits of ``name``'s label, each in that style (those it cannot be made from left
    out), with a fixed seed: the same styled digits for every recipe."""
    label = styles.STYLES[name][0]
    rng = np.random.default_rng(seed)
    keep, out = [], []
    for i in np.flatnonzero(data.labels == label):
        s = styles.apply(data.strokes[i], name, rng)
        if s is not None:
            keep.append(i)
            out.append(s)
    idx = np.asarray(keep, np.int64)
    return pendigits.PenDigits(out, data.labels[idx], data.writers[idx], data.sha256)


def _inputs(net_spec: InputSpec, data: pendigits.PenDigits) -> np.ndarray:
    x, _ = pendigits.inputs(data, InputSpec(28, net_spec.deskew))
    if net_spec.side == 14:
        from exhibit_training.cli import pool_batch
        x = pool_batch(x)
    return x


def dead_neurons(net, x: np.ndarray) -> list[int]:
    """Per hidden layer, the neurons that none of inputs ``x`` switches on."""
    out, a = [], x
    for l in range(len(net.weights) - 1):
        a = np.maximum(a @ net.weights[l] + net.biases[l], 0.0)
        out.append(int(((a > 0).sum(axis=0) == 0).sum()))
    return out


def evaluate(weights: str | Path, pen: pendigits.PenDigits, held: list[str],
             mnist_dir: str | None = None) -> dict:
    """Figures of one fold's network on its held-out writers."""
    from exhibit.learn import mnist
    from exhibit.model import store as wio
    from exhibit_training.trainer import roughness

    lm = wio.load(weights)
    data = pen.subset(np.isin(pen.writers, held))
    x = _inputs(lm.spec, data)
    ok = lm.net.predict(x).argmax(axis=1) == data.labels
    rep = json.loads(json.dumps(pendigits.summary(ok, data.labels, data.writers)))  # str keys
    rep["per_digit_n"] = {str(d): int((data.labels == d).sum()) for d in range(10)}
    rep["confusions"] = _confusions(lm.net.predict(x).argmax(axis=1), data.labels)
    rep["styles"] = {}
    for name in SCORED_STYLES:
        sd = styled(data, name)
        sok = lm.net.predict(_inputs(lm.spec, sd)).argmax(axis=1) == sd.labels
        rep["styles"][name] = {"accuracy": round(float(sok.mean()), 4), "n": int(len(sok)),
                               "errors": int((~sok).sum())}
    man = json.loads(Path(weights).with_suffix(".json").read_text(encoding="utf-8"))
    rep["mnist_test_accuracy"] = man.get("mnist_test_accuracy")
    rep["mnist_validation_accuracy"] = man.get("validation_accuracy")
    rep["first_layer_roughness"] = man.get("first_layer_roughness")
    if mnist_dir:
        test_x, _ = mnist.load_split(mnist_dir, "test")
        xt, _ = preprocess_many(list(test_x.astype(np.float32) / 255.0), lm.spec)
        rep["dead_neurons"] = dead_neurons(lm.net, np.concatenate([xt, x]))
    rep["held_out_writers"] = sorted(held)
    rep["training_command"] = man.get("training_command")
    return rep


def _confusions(pred: np.ndarray, y: np.ndarray, top: int = 90) -> list[list[int]]:
    """The most frequent (true, read as, count) errors."""
    pairs: dict[tuple[int, int], int] = {}
    for t, p in zip(y.tolist(), pred.tolist()):
        if t != p:
            pairs[(t, p)] = pairs.get((t, p), 0) + 1
    return [[t, p, n] for (t, p), n in sorted(pairs.items(), key=lambda kv: -kv[1])[:top]]


def summarise(reports: list[dict]) -> dict:
    """The candidate's figures over its folds: pooled accuracy (every writer held out once),
    the mean and worst fold, the worst single writer, per digit, the styles and the floors."""
    per_writer = {w: a for r in reports for w, a in r["per_writer"].items()}
    n = sum(r["n"] for r in reports)
    errors = sum(r["errors"] for r in reports)
    worst = min(per_writer, key=per_writer.get)
    sty = {}
    for name in SCORED_STYLES:
        tot = sum(r["styles"][name]["n"] for r in reports)
        err = sum(r["styles"][name]["errors"] for r in reports)
        sty[name] = round(1 - err / max(tot, 1), 4)
    folds = [r["accuracy"] for r in reports]
    out = {
        "folds": len(reports), "n": n, "errors": errors,
        "accuracy": round(1 - errors / max(n, 1), 4),
        "fold_mean": round(float(np.mean(folds)), 4),
        "fold_worst": round(float(min(folds)), 4),
        "fold_accuracies": folds,
        "writer_mean": round(float(np.mean(list(per_writer.values()))), 4),
        "writer_worst": round(per_writer[worst], 4), "worst_writer": worst,
        "weakest_writers": sorted(per_writer.items(), key=lambda kv: kv[1])[:5],
        "styles": sty,
        "mnist_test_accuracy": [r["mnist_test_accuracy"] for r in reports],
        "first_layer_roughness": [r["first_layer_roughness"] for r in reports],
        "dead_neurons": [r.get("dead_neurons") for r in reports],
    }
    out["per_digit"] = per_digit(reports)
    pairs: dict[tuple[int, int], int] = {}
    for r in reports:
        for t, p, c in r.get("confusions", []):
            pairs[(t, p)] = pairs.get((t, p), 0) + c
    out["confusions"] = [[t, p, c] for (t, p), c in sorted(pairs.items(), key=lambda kv: -kv[1])[:8]]
    return out


def per_digit(reports: list[dict]) -> dict[str, float]:
    """Per digit accuracy pooled over the folds (each fold weighted by its count of the digit)."""
    out = {}
    for d in map(str, range(10)):
        n = sum(r["per_digit_n"].get(d, 0) for r in reports)
        ok = sum(r["per_digit"].get(d, 0.0) * r["per_digit_n"].get(d, 0) for r in reports)
        out[d] = round(ok / n, 4) if n else None
    return out


def _table(name: str, s: dict) -> str:
    st = s["styles"]
    return (f"| {name} | {s['folds']} | {100 * s['accuracy']:.2f} % | "
            f"{100 * s['fold_mean']:.2f} % | {100 * s['fold_worst']:.2f} % | "
            f"{s['worst_writer']} {100 * s['writer_worst']:.1f} % | "
            f"{100 * st['crossed-7']:.1f} % | {100 * st['flagged-1']:.1f} % | "
            f"{100 * min(st['open-top-4'], st['one-stroke-4']):.1f} % | "
            f"{100 * st['straight-9']:.1f} % | "
            f"{100 * min(m for m in s['mnist_test_accuracy'] if m is not None):.2f} % |")


def contact_sheet(path, pen_file: str, per_row: int = 16, seed: int = 0, scale: int = 3) -> None:
    """A PNG to check the styles by eye: for each style, a row of writers' digits as written
    (the network's 28x28 input) and below it the same digits in the style."""
    import os

    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    pen = pendigits.load(pen_file)
    rng = np.random.default_rng(seed)
    rows = []
    for name, (lab, _) in styles.STYLES.items():
        idx = rng.permutation(np.flatnonzero(pen.labels == lab))[:per_row]
        pairs = [(pen.strokes[i], styles.apply(pen.strokes[i], name, rng)) for i in idx]
        for k in (0, 1):
            row = np.zeros((28, 28 * per_row), np.float32)
            for j, pr in enumerate(pairs):
                img = preprocess(pr[k], InputSpec(28, True)) if pr[k] is not None else None
                if img is not None:
                    row[:, 28 * j:28 * j + 28] = img
            rows.append(row)
        rows.append(np.full((4, 28 * per_row), 0.35, np.float32))
    sheet = np.concatenate(rows)
    pix = (255 - np.clip(sheet, 0, 1) * 255).astype(np.uint8)
    pix = np.kron(pix, np.ones((scale, scale), np.uint8))
    surf = pygame.surfarray.make_surface(np.stack([pix.T] * 3, axis=-1))
    pygame.image.save(surf, str(path))


def record(manifest: Path, dirs: list[Path], chosen: Path, k: int) -> dict:
    """Write the candidates' fold figures (and which recipe was chosen) into a manifest as
    ``writer_folds``; the rest of the manifest, and the npz it names, stay as they are."""
    man = json.loads(manifest.read_text(encoding="utf-8"))
    cands = {}
    for d in dirs:
        reports = [json.loads(p.read_text()) for p in sorted(d.glob("fold-*.eval.json"))]
        s = summarise(reports)
        cmd = reports[0]["training_command"] if reports else None
        cands[d.name] = {"fold_training_command_example": cmd, **{
            k2: s[k2] for k2 in ("folds", "n", "accuracy", "fold_mean", "fold_worst",
                                 "fold_accuracies", "writer_mean", "writer_worst",
                                 "worst_writer", "weakest_writers", "per_digit", "styles",
                                 "confusions", "mnist_test_accuracy",
                                 "first_layer_roughness", "dead_neurons")}}
    man["writer_folds"] = {
        "k": k, "plan_seed": PLAN_SEED, "style_seed": STYLE_SEED,
        "folds": plan([f"train-{i:02d}" for i in range(1, 31)], k),
        "how": "python -m exhibit_training.folds run/summary (exhibit_training/folds.py): each "
               "fold's writers held out of training (--val-writers) and scored as written; "
               "styles made from their own digits with a fixed seed",
        "chosen": chosen.name, "candidates": cands}
    manifest.write_text(json.dumps(man, indent=2) + "\n", encoding="utf-8")
    return man


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    recipe: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, recipe = argv[:cut], argv[cut + 1:]
    ap = argparse.ArgumentParser(prog="python -m exhibit_training.folds",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=("plan", "run", "summary", "sheet", "record"))
    ap.add_argument("--into", help="record: the manifest (NAME.json) to record the folds in")
    ap.add_argument("--chosen", help="record: the candidate directory whose recipe was chosen")
    ap.add_argument("dirs", nargs="*", help="summary: the candidates' fold directories")
    ap.add_argument("--pendigits")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--fold", type=int, action="append", default=[])
    ap.add_argument("--dir")
    args = ap.parse_intermixed_args(argv)
    if args.command == "summary":
        print("| candidate | folds | held-out writers (pooled) | fold mean | worst fold "
              "| worst writer | crossed 7 | flagged 1 | 4 styles (lower) | straight 9 "
              "| MNIST test (lowest fold) |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for d in args.dirs:
            reports = [json.loads(p.read_text()) for p in sorted(Path(d).glob("fold-*.eval.json"))]
            s = summarise(reports)
            (Path(d) / "summary.json").write_text(json.dumps(s, indent=1))
            print(_table(Path(d).name, s))
        return 0
    if args.command == "record":
        record(Path(args.into), [Path(d) for d in args.dirs], Path(args.chosen), args.k)
        return 0
    if args.command == "sheet":  # folds sheet --pendigits FILE OUT.png
        contact_sheet(args.dirs[0], args.pendigits)
        return 0
    pen = pendigits.load(args.pendigits)
    folds = plan(pen.writers, args.k)
    if args.command == "plan":
        for i, f in enumerate(folds):
            print(f"fold {i}: {','.join(f)}")
        return 0
    from exhibit_training import cli

    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    mnist_dir = recipe[recipe.index("--mnist") + 1] if "--mnist" in recipe else None
    for i in args.fold or range(args.k):
        weights = out / f"fold-{i}.npz"
        if not weights.is_file():
            cli.main([*recipe, "--pendigits", args.pendigits, "--val-writers", ",".join(folds[i]),
                      "--out", str(weights)])
        rep = evaluate(weights, pen, folds[i], mnist_dir)
        rep["fold"] = i
        (out / f"fold-{i}.eval.json").write_text(json.dumps(rep, indent=1))
        print(json.dumps({"fold": i, "accuracy": rep["accuracy"],
                          "worst_writer": rep["worst_writer"], "writer_worst": rep["writer_worst"],
                          "styles": {k: v["accuracy"] for k, v in rep["styles"].items()}}),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
