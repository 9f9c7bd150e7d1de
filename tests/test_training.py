"""Training on MNIST plus real pen digits: a smoke test on a tiny subset, writer splits,
the smoothness prior and the shipped manifests' records."""
import gzip
import json
import struct

import numpy as np
import pytest

from exhibit.cli import main
from exhibit.ink.normalize import InputSpec
from exhibit.model import weights as wio
from exhibit.model.mlp import MLP
from exhibit.training import pendigits, trainer

from conftest import ROOT

PEN = ROOT.parent / "shared" / "data" / "pendigits" / "pen-30-writers.json.gz"


def _idx(path, arr):
    header = struct.pack(">HBB", 0, 8, arr.ndim) + b"".join(struct.pack(">I", d) for d in arr.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + arr.astype(np.uint8).tobytes())


@pytest.fixture()
def tiny(tmp_path, mnist_test, monkeypatch):
    """A 300-digit 'MNIST' and 3 pen writers x 20 digits, and a private cache."""
    images, labels = mnist_test
    d = tmp_path / "mnist"
    d.mkdir()
    _idx(d / "train-images-idx3-ubyte.gz", images[:300])
    _idx(d / "train-labels-idx1-ubyte.gz", labels[:300])
    _idx(d / "t10k-images-idx3-ubyte.gz", images[300:400])
    _idx(d / "t10k-labels-idx1-ubyte.gz", labels[300:400])
    doc = json.loads(gzip.decompress(PEN.read_bytes()))
    keep = [x for w in ("train-01", "train-02", "train-03")
            for x in [x for x in doc["digits"] if x["writer"] == w][:20]]
    pen = tmp_path / "pen.json.gz"
    pen.write_bytes(gzip.compress(json.dumps({"box": doc["box"], "digits": keep}).encode()))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(trainer, "N_VAL", 50)
    return d, pen


def test_train_smoke_records_data_credit_and_command(tiny, tmp_path, capsys):
    d, pen = tiny
    out = tmp_path / "w" / "explainer.npz"
    argv = ["train", "--mnist", str(d), "--pendigits", str(pen), "--arch", "explainer",
            "--out", str(out), "--epochs", "1", "--pen-copies", "2", "--val-writers", "train-03",
            "--smooth", "0.01", "--first-decay", "1e-4"]
    assert main(argv) == 0
    man = json.loads(out.with_suffix(".json").read_text())
    assert man["training_command"] == "digit-exhibit " + " ".join(argv)
    assert man["pendigits"]["validation_writers"] == ["train-03"]
    assert man["pendigits"]["training_writers"] == ["train-01", "train-02"]
    assert "Alpaydin" in man["pendigits"]["credit"] and "CC BY 4.0" in man["pendigits"]["credit"]
    assert 0 <= man["validation_writers_accuracy"] <= 1
    assert man["first_layer_roughness"] < 1.0
    wio.load(out)  # verified like the shipped weights


def test_distils_from_a_cnn_and_mlp_ensemble_and_refuses_a_teacher_that_saw_the_writers(
        tiny, tmp_path, capsys):
    from exhibit.model import cnn

    d, pen = tiny
    rng = np.random.default_rng(0)
    teachers = tmp_path / "t"
    cnn.save(cnn.CNN.init(3, 4, 8, rng), teachers / "cnn.npz",
             {"pendigits": {"training_writers": ["train-01", "train-02"]}})
    mlp = MLP.init([784, 16, 10], rng)
    wio.save(mlp, teachers / "mlp.npz", InputSpec(28, True), {"pendigits": None})
    out = tmp_path / "w" / "explainer.npz"
    argv = ["train", "--mnist", str(d), "--pendigits", str(pen), "--arch", "explainer",
            "--out", str(out), "--epochs", "1", "--pen-copies", "2", "--val-writers", "train-03",
            "--teacher", str(teachers / "cnn.npz"), "--teacher", str(teachers / "mlp.npz")]
    assert main(argv) == 0
    man = json.loads(out.with_suffix(".json").read_text())
    assert man["teacher"] == ["cnn", "mlp"] and len(man["teacher_sha256"]) == 2
    report = man["validation_writers_report"]
    assert list(report["per_writer"]) == ["train-03"]
    assert set(report["per_digit"]) <= {str(k) for k in range(10)}
    assert report["accuracy"] == man["validation_writers_accuracy"]
    capsys.readouterr()
    leaky = [("train-02" if a == "train-03" else a) for a in argv]
    assert main(leaky) == 2  # the cnn teacher was trained on train-02
    assert "trained on validation writers train-02" in capsys.readouterr().err


def test_writer_split_is_disjoint_and_deterministic():
    data = pendigits.load(PEN)
    tr, va = pendigits.split(data)
    assert len(tr) + len(va) == len(data) == 7494
    assert not set(tr.writers) & set(va.writers)
    assert set(va.writers) == set(pendigits.VAL_WRITERS)


def test_roughness_separates_noise_from_smooth_fields():
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((784, 8))
    assert trainer.roughness(noise) > 1.0
    smooth = noise.copy()
    for _ in range(200):
        smooth -= 0.2 * trainer.smoothness_grad(smooth, 28)
    assert trainer.roughness(smooth) < 0.3


@pytest.mark.parametrize("name", wio.MODEL_NAMES)
def test_shipped_networks_credit_the_pen_digits_and_are_smooth(name):
    man = json.loads((wio.WEIGHTS_DIR / f"{name}.json").read_text())
    assert "Alpaydin" in man["pendigits"]["credit"]
    assert man["training_command"].startswith("digit-exhibit train")
    assert "--pendigits" in man["training_command"]
    if man.get("kind") == "cnn":
        return  # its first layer is 5x5 kernels, not 28x28 fields: no roughness figure
    lm = wio.load_model(name)
    assert abs(trainer.roughness(lm.net.weights[0]) - man["first_layer_roughness"]) < 1e-3
