"""Hostile input, round 3 (issue 23, findings 5-11): each red-team case rebuilt small.

Every case runs the real command in a fresh process (where memory and exit codes are real)
and asserts the exit code and a one-line message without a traceback. Time-outs are generous
anti-hang guards only; memory is bounded by RLIMIT_AS or measured with os.wait4.
"""
import gzip
import io
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib

import numpy as np
import pytest

from support import ROOT

ANTI_HANG = 120  # seconds: generous, never a timing assertion
DIGIT = str(ROOT / "assets/bench/digit.json")


def cli(*argv, vmem_mb=None, timeout=ANTI_HANG, env=None):
    """(exit code, stdout, stderr, peak RSS in MB) of ``python -m exhibit ARGV``."""
    def limit():
        if vmem_mb:
            resource.setrlimit(resource.RLIMIT_AS, (vmem_mb << 20, vmem_mb << 20))
    e = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", **(env or {}))
    p = subprocess.Popen([sys.executable, "-m", "exhibit", *argv], cwd=ROOT, env=e,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limit)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise AssertionError(f"{argv} still running after {timeout} s")
    return p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def one_line(err, *words):
    assert "Traceback" not in err, err
    lines = [l for l in err.strip().splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("digit-exhibit: "), err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def strict_json_lines(out):
    """Parse like a strict parser would: no NaN, no lone surrogates."""
    rows = []
    for l in out.splitlines():
        text = l.encode("utf-8").decode("utf-8")
        rows.append(json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in {l}")))
        assert "\\ud" not in l.lower(), l  # a lone surrogate escaped by json.dumps
    return rows


# --- 5: PNG decompression bomb ------------------------------------------------------------------
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(w, h, idat, extra=b""):
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + extra + idat + chunk(b"IEND", b""))


@pytest.mark.slow  # a bounded bomb still takes seconds of CPU
def test_png_bomb_with_a_small_header_is_refused(tmp_path):
    """A 2 MB PNG whose header says 28x28 but whose image data inflates to 2 GB: decoding it
    took 4.5 s (the red team's 16 MB one 42 s) and answered 'nothing drawn'. Now refused from
    the chunk sizes, before any decoder runs, and a good PNG beside it is still read."""
    c = zlib.compressobj(9)
    body = b"".join(c.compress(b"\x00" * (1 << 20)) for _ in range(2000)) + c.flush()
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png(28, 28, chunk(b"IDAT", body)))
    rows = np.zeros((28, 29), np.uint8)
    rows[4:24, 14:16] = 255  # a "1": filter byte 0 in column 0
    good = tmp_path / "good.png"
    good.write_bytes(png(28, 28, chunk(b"IDAT", zlib.compress(rows.tobytes()))))
    code, out, err = cli("classify", str(bomb), str(good))
    one_line(err, str(bomb), "image data", "28x28")
    assert code == 2
    got = strict_json_lines(out)
    assert [r["source"] for r in got] == [str(good)] and got[0]["prediction"] == 1


def test_png_with_many_chunks_or_extra_data_is_refused(tmp_path):
    ok = zlib.compress(b"\x00" * (29 * 28))
    many = tmp_path / "many.png"
    many.write_bytes(png(28, 28, chunk(b"IDAT", ok), chunk(b"tEXt", b"k\x00v") * 20000))
    extra = tmp_path / "extra.png"
    extra.write_bytes(png(28, 28, chunk(b"IDAT", ok + b"\x00" * 5000)))
    for f, words in ((many, "chunks"), (extra, "image data")):
        code, out, err = cli("classify", str(f))
        one_line(err, str(f), words)
        assert code == 2 and out == ""


# --- 6: evaluate --mnist -------------------------------------------------------------------------
def idx(dims, body=None):
    head = bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    n = int(np.prod(dims))
    return head + (body if body is not None else bytes(n))


def mnist_dir(tmp_path, images, labels, name="m"):
    d = tmp_path / name
    d.mkdir()
    (d / "t10k-images-idx3-ubyte.gz").write_bytes(images)
    (d / "t10k-labels-idx1-ubyte.gz").write_bytes(labels)
    return d


@pytest.mark.slow  # a bounded bomb still takes seconds of CPU
def test_evaluate_mnist_gzip_bomb_is_bounded(tmp_path):
    """A 1 MB gzip whose IDX header says 10 images but which inflates to 1 GB: it climbed to
    the memory cap and ended in a traceback. Now read in chunks up to what the header says."""
    labels = gzip.compress(idx((10,)))
    bomb = io.BytesIO()
    with gzip.GzipFile(fileobj=bomb, mode="wb", compresslevel=9) as g:
        g.write(idx((10, 28, 28)))
        for _ in range(1024):
            g.write(bytes(1 << 20))
    d = mnist_dir(tmp_path, bomb.getvalue(), labels)
    code, out, err = cli("evaluate", "--mnist", str(d), vmem_mb=700)
    one_line(err, "t10k-images-idx3-ubyte.gz", "more data than its header")
    assert code == 2 and out == ""


@pytest.mark.parametrize("case", ["truncated", "corrupt", "5x5", "not_gzip_garbage"])
def test_evaluate_mnist_broken_files_are_one_line(tmp_path, case):
    images = gzip.compress(idx((10, 28, 28)))
    labels = gzip.compress(idx((10,)))
    words = {"truncated": "truncated", "corrupt": "damaged", "5x5": "5x5",
             "not_gzip_garbage": "truncated"}[case]
    if case == "truncated":
        images = images[:len(images) // 2]
    elif case == "corrupt":
        images = images[:12] + bytes(b ^ 0x5A for b in images[12:-8]) + images[-8:]
    elif case == "5x5":
        images = gzip.compress(idx((10, 5, 5)))
    else:
        images = idx((10, 28, 28))[:200]
    d = mnist_dir(tmp_path, images, labels)
    code, out, err = cli("evaluate", "--mnist", str(d))
    one_line(err, "t10k-images-idx3-ubyte", words)
    assert code == 2 and out == ""


# --- 7: --weights with a matching manifest ----------------------------------------------------
def weights_with(tmp_path, arrays, name="x", sizes=None):
    """explainer's manifest beside an npz of ``arrays`` (bytes of a whole npz, or a dict), its
    sha256 matching: only the arrays are hostile."""
    from exhibit.model.store import sha256_file
    man = json.loads((ROOT / "weights/explainer.json").read_text())
    npz = tmp_path / f"{name}.npz"
    if isinstance(arrays, bytes):
        npz.write_bytes(arrays)
    else:
        np.savez_compressed(npz, **arrays)
    man["sha256"] = sha256_file(npz)
    if sizes:
        man["sizes"] = sizes
    npz.with_suffix(".json").write_text(json.dumps(man))
    return npz


def explainer_arrays():
    with np.load(ROOT / "weights/explainer.npz") as z:
        return {k: z[k] for k in z.files}


@pytest.mark.parametrize("case", ["W1_1d", "b1_2d", "complex", "strings", "bool", "scalar",
                                  "huge_values", "float16_inf"])
def test_malformed_arrays_are_refused_in_one_line(tmp_path, case):
    a = explainer_arrays()
    if case == "W1_1d":
        a["W1"] = a["W1"].ravel()
    elif case == "b1_2d":
        a["b1"] = a["b1"][None, :]
    elif case == "complex":
        a["W1"] = a["W1"].astype(np.complex64)
    elif case == "strings":
        a["W2"] = np.array(["x"] * a["W2"].size).reshape(a["W2"].shape)
    elif case == "bool":
        a["W1"] = a["W1"] > 0
    elif case == "scalar":
        a["b2"] = np.float32(1.0)
    elif case == "huge_values":
        a["W1"] = a["W1"] * np.float32(1e30)
    else:
        a["W1"] = np.full(a["W1"].shape, 7e4, np.float16)
    npz = weights_with(tmp_path, a)
    code, out, err = cli("classify", "--weights", str(npz), DIGIT)
    one_line(err, str(npz))
    assert code == 2 and out == ""


def test_large_finite_weights_never_print_nan(tmp_path):
    """Weights that pass every check but overflow in the forward pass: the answer must still
    be strict JSON (here: the network is refused as unusable, or answers with finite values)."""
    a = explainer_arrays()
    a["W1"] = a["W1"] * np.float32(900.0)
    a["W2"] = a["W2"] * np.float32(900.0)
    npz = weights_with(tmp_path, a)
    code, out, err = cli("classify", "--weights", str(npz), DIGIT)
    assert "Traceback" not in err
    for r in strict_json_lines(out):
        assert r["probs"] is None or all(np.isfinite(r["probs"]))


def test_small_npz_claiming_a_huge_array_is_refused_from_its_header(tmp_path):
    """A 300 KB npz whose W1 inflates to 313 MB of zeros (the red team's pushed memory to
    1.08 GB): refused from the npy header inside the zip, before the array is read.
    (Not os.wait4's ru_maxrss: a forked child inherits the test worker's peak.)"""
    a = explainer_arrays()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in a.items():
            if k != "W1":
                with z.open(f"{k}.npy", "w") as f:
                    np.lib.format.write_array(f, v)
        with z.open("W1.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f4", "fortran_order": False, "shape": (784, 100_000)})
            block, left = bytes(1 << 20), 784 * 100_000 * 4
            while left:
                f.write(block[:min(left, len(block))])
                left -= min(left, len(block))
    npz = weights_with(tmp_path, buf.getvalue())
    assert npz.stat().st_size < 2_000_000
    # 600 MB of address space: start-up needs about 200 MB, reading W1 would need 313 MB more
    # (and its float32 copy as much again), so only a refusal from the header gets through
    code, out, err = cli("classify", "--weights", str(npz), DIGIT, vmem_mb=600)
    one_line(err, str(npz), "W1", "(784, 100000)", "header")
    assert code == 2 and out == ""


# --- 10: classify output ---------------------------------------------------------------------
def test_tiny_box_is_refused_clearly(tmp_path):
    f = tmp_path / "tiny.json"
    f.write_text('{"box": [1e-300, 1e-300], "strokes": [[[0, 0], [1e-300, 1e-300]]]}')
    code, out, err = cli("classify", str(f))
    assert "Warning" not in err
    one_line(err, str(f), "'box'")
    assert code == 2 and out == ""


def test_file_names_with_newlines_and_bad_bytes_stay_one_line_and_strict_json(tmp_path):
    good = json.dumps({"box": [500, 500], "strokes": [[[250, 50], [250, 450]]]})
    nl = tmp_path / "two\nlines.json"
    nl.write_text(good)
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.json")
    with open(raw, "w") as fh:
        fh.write(good)
    broken = tmp_path / "bro\nken.json"
    broken.write_text("{")
    code, out, err = cli("classify", str(nl), os.fsdecode(raw), str(broken))
    assert code == 2
    line = one_line(err, "bro\\nken.json", "not valid JSON")
    rows = strict_json_lines(out)
    assert len(rows) == 2 and all(r["prediction"] == 1 for r in rows)
    assert rows[0]["source"] == str(nl)  # JSON escapes the newline itself
    assert rows[1]["source"].endswith("caf\\xe9.json"), rows[1]
    assert "\n" not in line


# --- 11: arguments -----------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [
    ["soak", "--fps", "0"], ["soak", "--fps", "nan"], ["soak", "--frames", "-1"],
    ["soak", "--warmup", "-5"], ["soak", "--vandal-points", "-1"],
    ["bench", "--inference", "--repeats", "0"], ["bench", "--seconds", "inf"],
    ["run", "--max-seconds", "nan"], ["run", "--max-seconds", "-1"], ["run", "--display", "-1"],
    ["out-of-order", "--max-seconds", "nan"],
    ["train", "--mnist", "x", "--arch", "deep", "--out", "y", "--epochs", "0"],
    ["train", "--mnist", "x", "--arch", "deep", "--out", "y", "--lr", "nan"],
    ["train", "--mnist", "x", "--arch", "deep", "--out", "y", "--dropout", "1.5"],
    ["train", "--mnist", "x", "--arch", "deep", "--out", "y", "--batch", "0"],
])
def test_bad_numeric_arguments_are_usage_errors(argv, capsys):
    from exhibit.cli import main  # main: `train` is parsed by the training package
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"argument {argv[-2]}" in err.splitlines()[-1], err


def test_fps_zero_in_a_real_process():
    code, out, err = cli("soak", "--fps", "0", "--frames", "10")
    assert code == 2 and "Traceback" not in err
    assert "--fps" in err.strip().splitlines()[-1] and "greater than 0" in err


# --- 9: signals during start-up ---------------------------------------------------------------
def started_importing_numpy(pid):
    """True once the child has mapped numpy: the command's own code is running (the heavy
    imports come after its first line), so this does not depend on how fast the machine is."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            return "numpy" in f.read()
    except OSError:
        return False


def start_and_signal(sig, *argv):
    e = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    p = subprocess.Popen([sys.executable, "-m", "exhibit", *argv], cwd=ROOT, env=e,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + ANTI_HANG
    while not started_importing_numpy(p.pid):
        assert p.poll() is None and time.monotonic() < deadline, "child never imported numpy"
        time.sleep(0.001)
    p.send_signal(sig)
    out, err = p.communicate(timeout=ANTI_HANG)
    return p.returncode, out.decode(), err.decode()


def test_sighup_during_start_up_is_deferred_not_fatal():
    code, _, err = start_and_signal(signal.SIGHUP, "run", "--windowed", "--size", "640x360",
                                    "--max-seconds", "2")
    assert code == 0 and "Traceback" not in err, (code, err)


@pytest.mark.parametrize("sig,expected", [(signal.SIGINT, 130), (signal.SIGTERM, 0)])
def test_stop_signals_during_start_up_are_one_line(sig, expected):
    code, _, err = start_and_signal(sig, "run", "--windowed", "--size", "640x360",
                                    "--max-seconds", "20")
    assert code == expected and "Traceback" not in err, (code, err)
    assert len(err.strip().splitlines()) <= 1, err
