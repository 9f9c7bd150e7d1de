"""Full-size hostile inputs of issue 13, measured: exit code, wall time, peak RSS, message.

Not part of the test suite (too big and slow for it); run by hand::

    .venv/bin/python tests/hostile_bench.py [--dir /tmp/hostile_corpus] [--only NAME ...]

Builds the corpus (about 150 MB, reused when present), then runs each command in a fresh
process under ``/usr/bin/time -v`` with an address-space cap (``ulimit -v``), so a runaway
allocation fails instead of taking the machine. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
GOOD = {"box": [500, 500], "digits": [{"label": 1, "strokes": [[[250, 50], [250, 450]]]}]}
VMEM_KB = 4 * 1024 * 1024  # ulimit -v: 4 GB of address space


def zigzag_bytes(n: int) -> bytes:
    pair = b"[0, 0], [500, 1], "
    return b'{"box": [500, 500], "strokes": [[' + pair * (n // 2) + b"[0, 2]]]}"


def png(w: int, h: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    c = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * w
    body = b"".join(c.compress(row) for _ in range(h)) + c.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def build(d: Path) -> dict[str, Path]:
    import numpy as np

    d.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}

    def make(name: str, fn) -> None:
        p = d / name
        if not p.exists() and not p.is_symlink():
            fn(p)
        files[name] = p

    make("good.json", lambda p: p.write_text(json.dumps(GOOD)))
    make("zigzag_10M.json", lambda p: p.write_bytes(zigzag_bytes(10_000_000)))
    make("zigzag_1M.json", lambda p: p.write_bytes(zigzag_bytes(1_000_000)))
    make("png_30000.png", lambda p: p.write_bytes(png(30000, 30000)))

    def npy_claim(p: Path) -> None:
        with open(p, "wb") as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f4", "fortran_order": False, "shape": (100000, 100000)})
    make("npy_claims_1e10.npy", npy_claim)
    make("npy_1x5M.npy", lambda p: np.save(p, np.zeros((1, 5_000_000), np.float32)))
    make("nested_100k.json", lambda p: p.write_bytes(b"[" * 100_000 + b"]" * 100_000))

    def unreadable(p: Path) -> None:
        p.write_text(json.dumps(GOOD))
        p.chmod(0)
    make("unreadable.json", unreadable)
    make("int_10e400_box.json", lambda p: p.write_text('{"box": [%d, 5], "strokes": []}' % 10 ** 400))
    make("int_5000_digits_point.json",
         lambda p: p.write_text('{"box": [5, 5], "strokes": [[[%s, 1]]]}' % ("9" * 5000)))
    make("label_superscript.json", lambda p: p.write_text(json.dumps(
        {"box": [5, 5], "digits": [{"label": "²", "strokes": [[[1, 1], [2, 2]]]}]})))
    make("infinity_box.json", lambda p: p.write_text('{"box": [Infinity, 5], "strokes": []}'))
    make("beyond_float32.json", lambda p: p.write_text(
        '{"box": [5, 5], "strokes": [[[1, 1], [1e39, 2]]]}'))
    make("a_directory.json", lambda p: p.mkdir())
    make("dev_zero.json", lambda p: p.symlink_to("/dev/zero"))
    make("fifo.json", lambda p: os.mkfifo(p))

    # the worst files still accepted: right at the limits
    def worst_strokes(p: Path) -> None:
        n = 20_000
        pts = [[0 if i % 2 else 500, i * 500 / n] for i in range(n)]
        p.write_text(json.dumps({"box": [500, 500],
                                 "digits": [{"strokes": [pts]} for _ in range(10)]}))
    make("accepted_200k_zigzag.json", worst_strokes)
    make("accepted_4096x1024.png", lambda p: p.write_bytes(png(4096, 1024)))
    make("accepted_2048x2048_f64.npy", lambda p: np.save(p, np.random.default_rng(0).random(
        (2048, 2048))))

    # configs
    make("cfg_nested_1000.yaml", lambda p: p.write_text("model: " + "[" * 1000 + "]" * 1000 + "\n"))
    make("cfg_int_5000.yaml", lambda p: p.write_text("ink:\n  min_points: " + "9" * 5000 + "\n"))
    make("cfg_dev_zero.yaml", lambda p: p.symlink_to("/dev/zero"))
    make("cfg_fifo.yaml", lambda p: os.mkfifo(p))
    make("cfg_6000_values.yaml", lambda p: p.write_text(
        "keys:\n  freeze: [" + ", ".join(["f"] * 6000) + "]\n"))
    make("accepted_cfg_4900_values.yaml", lambda p: p.write_text(
        "keys:\n  freeze: [" + ", ".join(["f"] * 4900) + "]\n"))
    make("cfg_newer_release.yaml", lambda p: p.write_text("model: deep\nfuture_key: 1\n"))

    # a weights manifest nested 100k levels
    w = d / "weights"
    if not w.exists():
        w.mkdir()
        shutil.copy(ROOT / "weights/explainer.npz", w / "x.npz")
        (w / "x.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    files["manifest_nested_100k"] = w / "x.npz"
    return files


def measure(argv: list[str], timeout: float = 120.0) -> dict:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
               PYGAME_HIDE_SUPPORT_PROMPT="1")
    cmd = f"ulimit -v {VMEM_KB}; exec /usr/bin/time -v " + " ".join(map(_q, argv))
    try:
        p = subprocess.run(["bash", "-c", cmd], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"code": "timeout", "seconds": timeout, "rss_mb": None, "message": "", "out": ""}
    err = p.stderr
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", err)
    secs = 0.0
    if wall:
        for part in wall.group(1).split(":"):
            secs = secs * 60 + float(part)
    ours = [l for l in err.splitlines() if not l.startswith("\t") and "Command exited" not in l
            and "Command being timed" not in l]
    return {"code": p.returncode, "seconds": round(secs, 2),
            "rss_mb": round(int(rss.group(1)) / 1024) if rss else None,
            "message": " / ".join(ours), "out": p.stdout, "traceback": "Traceback" in err}


def _q(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/hostile_corpus")
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    f = build(Path(args.dir))
    good = str(f["good.json"])
    ex = [PY, "-m", "exhibit"]
    cases: list[tuple[str, list[str]]] = []
    for name in ("zigzag_10M.json", "zigzag_1M.json", "png_30000.png", "npy_claims_1e10.npy",
                 "npy_1x5M.npy", "nested_100k.json", "unreadable.json", "int_10e400_box.json",
                 "int_5000_digits_point.json", "label_superscript.json", "infinity_box.json",
                 "beyond_float32.json", "a_directory.json", "dev_zero.json", "fifo.json",
                 "accepted_200k_zigzag.json", "accepted_4096x1024.png",
                 "accepted_2048x2048_f64.npy"):
        cases.append((f"classify good {name} good", ex + ["classify", good, str(f[name]), good]))
    cases.append(("classify --weights (manifest nested 100k)",
                  ex + ["classify", "--weights", str(f["manifest_nested_100k"]), good]))
    for name in ("cfg_nested_1000.yaml", "cfg_int_5000.yaml", "cfg_dev_zero.yaml",
                 "cfg_fifo.yaml", "cfg_6000_values.yaml", "accepted_cfg_4900_values.yaml",
                 "cfg_newer_release.yaml"):
        cases.append((f"check-config {name}", ex + ["check-config", str(f[name])]))
        if name not in ("cfg_newer_release.yaml", "accepted_cfg_4900_values.yaml"):
            cases.append((f"run --config {name}", ex + ["run", "--config", str(f[name])]))
    cases.append(("run --config cfg_newer_release.yaml (1 s)",
                  ex + ["run", "--config", str(f["cfg_newer_release.yaml"]), "--windowed",
                        "--size", "640x360", "--max-seconds", "1"]))
    cases.append(("check-config --set 5000-digit int",
                  ex + ["check-config", str(ROOT / "config.yaml"), "--set",
                        "ink.min_points=" + "9" * 5000]))
    print("| case | exit | s | peak RSS MB | good files classified | message |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, argv in cases:
        if args.only and not any(o in label for o in args.only):
            continue
        r = measure(argv)
        goods = sum(1 for l in r["out"].splitlines() if l.startswith("{") and json.loads(l).get("source") == good)
        msg = r["message"].replace(args.dir + "/", "").replace("|", "\\|")
        if len(msg) > 220:
            msg = msg[:217] + "..."
        tb = " **TRACEBACK**" if r.get("traceback") else ""
        print(f"| `{label}` | {r['code']} | {r['seconds']} | {r['rss_mb']} | "
              f"{goods if 'classify' in label else '-'} | {msg}{tb} |", flush=True)


if __name__ == "__main__":
    main()
