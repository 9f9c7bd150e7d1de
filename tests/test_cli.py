"""The digit-exhibit command: classify, evaluate, bench, check-config, exit codes."""
import json
import subprocess
import sys

import numpy as np
import pytest

from support import ROOT, lines, run_cli as run
from exhibit.cli import main
from exhibit_training.redraw import digit_strokes, place, to_json_strokes


def test_classify_stroke_file_with_labels(capsys):
    code, out, _ = run(capsys, "classify", str(ROOT / "assets/examples/digits.json"))
    assert code == 0
    rows = lines(out)
    assert [r["index"] for r in rows] == list(range(10))
    assert [r["label"] for r in rows] == list(range(10))
    for r in rows:
        assert set(r) == {"source", "index", "label", "prediction", "confidence", "probs", "unsure"}
        assert len(r["probs"]) == 10 and abs(sum(r["probs"]) - 1) < 1e-2
        assert r["confidence"] == max(r["probs"])
    assert sum(r["prediction"] == r["label"] for r in rows) >= 9


def test_classify_single_digit_form_and_empty_drawing(tmp_path, capsys):
    f = tmp_path / "one.json"
    f.write_text(json.dumps({"box": [500, 500], "strokes": [[[250, 50], [250, 450]]]}))
    e = tmp_path / "empty.json"
    e.write_text(json.dumps({"box": [500, 500], "digits": [{"strokes": []}, {"strokes": [[]]}]}))
    code, out, _ = run(capsys, "classify", str(f), str(e))
    assert code == 0
    one, empty1, empty2 = lines(out)
    assert one["prediction"] == 1 and one["label"] is None
    for r in (empty1, empty2):
        assert r["prediction"] is None and r["probs"] is None and r["confidence"] == 0


def test_classify_npy_and_png(tmp_path, capsys, mnist_test):
    import pygame
    x, y = mnist_test
    np.save(tmp_path / "d.npy", x[0])
    # a dark digit on white paper, 10x larger, as a scan or screenshot would be
    paper = 255 - np.kron(x[1], np.ones((10, 10), np.uint8))
    surf = pygame.surfarray.make_surface(np.repeat(paper.T[:, :, None], 3, axis=2))
    pygame.image.save(surf, str(tmp_path / "d.png"))
    code, out, _ = run(capsys, "classify", str(tmp_path / "d.npy"), str(tmp_path / "d.png"))
    assert code == 0
    a, b = lines(out)
    assert a["prediction"] == y[0] and b["prediction"] == y[1]


def test_classify_many_digits_in_one_call(tmp_path, capsys, mnist_test):
    x, y = mnist_test
    digits = [{"label": int(y[i]), "strokes": to_json_strokes(place(digit_strokes(x[i]), 300, (250, 250)))}
              for i in range(300)]
    f = tmp_path / "many.json"
    f.write_text(json.dumps({"box": [500, 500], "digits": digits}))
    code, out, _ = run(capsys, "classify", str(f))
    rows = lines(out)
    assert code == 0 and len(rows) == 300
    assert np.mean([r["prediction"] == r["label"] for r in rows]) > 0.9


@pytest.mark.parametrize("doc, message", [
    ({"digits": []}, "'box' must be"),
    ({"box": [0, 5], "digits": []}, "'box' must be"),
    ({"box": [5, 5], "digits": [{"strokes": [[[1, "a"]]]}]}, "digit 0, stroke 0: every point"),
    ({"box": [5, 5], "digits": [{"label": 12, "strokes": []}]}, "'label' must be a digit"),
    ({"box": [5, 5]}, "expected 'digits'"),
])
def test_bad_stroke_files_exit_2_with_a_message(tmp_path, capsys, doc, message):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(doc))
    code, out, err = run(capsys, "classify", str(f))
    assert code == 2 and message in err and "Traceback" not in err


def test_missing_and_garbage_files_exit_2(tmp_path, capsys):
    code, _, err = run(capsys, "classify", str(tmp_path / "nope.json"))
    assert code == 2 and "file not found" in err
    g = tmp_path / "g.png"
    g.write_bytes(b"not a png")
    code, _, err = run(capsys, "classify", str(g))
    assert code == 2 and "not a readable PNG" in err


def test_bad_config_and_set_exit_2(tmp_path, capsys):
    c = tmp_path / "c.yaml"
    c.write_text("ink:\n  stroke_width: huge\n")
    code, _, err = run(capsys, "classify", "--config", str(c), str(ROOT / "assets/examples/digits.json"))
    assert code == 2 and "c.yaml:2: ink.stroke_width: expected a number" in err
    code, _, err = run(capsys, "evaluate", "--set", "model=lenet")
    assert code == 2 and "model: expected one of" in err


def test_check_config(tmp_path, capsys):
    assert run(capsys, "check-config", str(ROOT / "config.yaml"))[0] == 0
    c = tmp_path / "c.yaml"
    c.write_text("answer:\n  min_confidence: 2\n")
    code, _, err = run(capsys, "check-config", str(c))
    assert code == 2 and "c.yaml:2: answer.min_confidence: expected a number from 0 to 1, got 2" in err


def test_tampered_weights_exit_2(tmp_path, capsys):
    import shutil
    for ext in ("npz", "json"):
        shutil.copy(ROOT / f"weights/explainer.{ext}", tmp_path / f"x.{ext}")
    data = bytearray((tmp_path / "x.npz").read_bytes())
    data[-100] ^= 1
    (tmp_path / "x.npz").write_bytes(bytes(data))
    code, _, err = run(capsys, "classify", "--weights", str(tmp_path / "x.npz"),
                       str(ROOT / "assets/examples/digits.json"))
    assert code == 2 and "does not match its manifest" in err


def test_bench_inference_json(capsys):
    code, out, _ = run(capsys, "bench", "--inference", "--json", "--repeats", "50")
    assert code == 0
    r = json.loads(out)
    assert set(r["inference_us"]) >= {"p50", "p99"} and r["inference_us"]["p50"] > 0


def test_module_entry_point_and_default_command():
    p = subprocess.run([sys.executable, "-m", "exhibit", "classify", "--model", "compact14",
                        str(ROOT / "assets/examples/digits.json")], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    assert len(p.stdout.splitlines()) == 10


def test_one_broken_digit_or_file_costs_nothing_else(tmp_path, capsys):
    good = [[[250, 50, 0.0], [250, 450, 0.4]]]  # a time stamp per point is ignored
    doc = {"box": [500, 500], "digits": [{"label": "1", "strokes": good},
                                         {"label": 1, "strokes": [[[1, "x"]]]},
                                         {"label": 1, "strokes": good}]}
    f = tmp_path / "mixed.json"
    f.write_text(json.dumps(doc))
    code, out, err = run(capsys, "classify", str(tmp_path / "missing.json"), str(f))
    rows = lines(out)
    assert code == 2
    assert "missing.json: file not found" in err and "digit 1, stroke 0" in err
    assert [r["index"] for r in rows] == [0, 1, 2]
    assert rows[0]["prediction"] == 1 and rows[0]["label"] == 1 and "error" not in rows[0]
    assert rows[1]["prediction"] is None and "every point" in rows[1]["error"]
    assert rows[2]["prediction"] == 1


def test_config_options_work_before_and_after_the_subcommand(tmp_path, capsys):
    assert main(["--set", "model=deep", "evaluate"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "deep"
    assert main(["--set", "model=deep", "evaluate", "--set", "model=compact14"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "compact14"
    c = tmp_path / "c.yaml"
    c.write_text("model: compact14\n")
    assert main(["--config", str(c), "evaluate"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "compact14"
