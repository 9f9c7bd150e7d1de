"""Training on MNIST plus real pen digits: a smoke test on a tiny subset, writer splits,
the smoothness prior and the shipped manifests' records."""
import gzip
import json
import struct

import numpy as np
import pytest

from exhibit.cli import main
from exhibit.ink.normalize import InputSpec
from exhibit.model import store as wio
from exhibit.model.mlp import MLP
from exhibit.model import fit
from exhibit_training import pendigits, trainer

from support import ROOT

# a few writers committed with the tests (credited in tests/data/README.md): a clone tests alone
PEN = ROOT / "tests" / "data" / "pen-4-writers.json.gz"
PEN_FULL = ROOT.parent / "shared" / "data" / "pendigits" / "pen-30-writers.json.gz"


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
    wio.save_cnn(cnn.CNN.init(3, 4, 8, rng), teachers / "cnn.npz",
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
    assert len(tr) + len(va) == len(data) == 81
    assert not set(tr.writers) & set(va.writers)
    assert set(va.writers) == {"train-03", "train-07"} and set(tr.writers) == {"train-01", "train-02",
                                                                      "train-12"}
    again = pendigits.split(pendigits.load(PEN))[1]
    assert np.array_equal(again.labels, va.labels)


@pytest.mark.skipif(not PEN_FULL.is_file(), reason="the 30-writer pendigits file "
                    "(../shared/data/pendigits) is not beside this checkout")
def test_full_pen_data_splits_into_the_eight_validation_writers():
    data = pendigits.load(PEN_FULL)
    tr, va = pendigits.split(data)
    assert len(tr) + len(va) == len(data) == 7494
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


def _toy_data(rng, n=256):
    x = rng.random((n, 784)).astype(np.float32)
    y = rng.integers(0, 10, n)
    return trainer.Dataset(x, y, x[:32], y[:32], x[:32])


def test_dropout_label_smoothing_and_swa_train_and_leave_inference_deterministic():
    rng = np.random.default_rng(0)
    data = _toy_data(rng)
    start = MLP.init([784, 16, 10], rng)
    plain = trainer.train([784, 16, 10], data, 1, 3, init=start)
    net = trainer.train([784, 16, 10], data, 1, 3, init=start, dropout=0.5,
                        label_smoothing=0.1, swa=0.5)
    assert not np.allclose(net.weights[0], plain.weights[0])  # the options change training
    assert np.array_equal(net.predict(data.x_val), net.predict(data.x_val))  # no dropout here
    # swa over the last step only is the network after that step
    last = trainer.train([784, 16, 10], data, 1, 3, init=start, swa=1e-9)
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(last.weights, plain.weights))
    with pytest.raises(ValueError):
        trainer.train([784, 16, 10], data, 1, 3, init=start, dropout=1.0)


def test_average_is_the_parameterwise_mean():
    rng = np.random.default_rng(1)
    a, b = MLP.init([784, 8, 10], rng), MLP.init([784, 8, 10], rng)
    m = trainer.average([a, b])
    assert np.allclose(m.weights[1], (a.weights[1] + b.weights[1]) / 2)
    assert np.allclose(m.biases[0], (a.biases[0] + b.biases[0]) / 2)
    with pytest.raises(ValueError):
        trainer.average([a, MLP.init([784, 9, 10], rng)])


def test_soup_fine_tunes_from_init_and_records_its_options(tiny, tmp_path, capsys):
    d, pen = tiny
    start = tmp_path / "start" / "explainer.npz"
    wio.save(MLP.init([784, 25, 25, 10], np.random.default_rng(2)), start, InputSpec(28, True),
             {"pendigits": None})
    out = tmp_path / "w" / "explainer.npz"
    argv = ["train", "--mnist", str(d), "--pendigits", str(pen), "--arch", "explainer",
            "--out", str(out), "--epochs", "1", "--pen-copies", "2", "--val-writers", "train-03",
            "--init", str(start), "--soup", "2", "--dropout", "0.1", "--label-smoothing", "0.05",
            "--swa", "0.5"]
    assert main(argv) == 0
    assert "soup of 2:" in capsys.readouterr().err
    man = json.loads(out.with_suffix(".json").read_text())
    assert (man["soup"], man["dropout"], man["label_smoothing"], man["swa"]) == (2, 0.1, 0.05, 0.5)
    assert man["training_command"] == "digit-exhibit " + " ".join(argv)
    no_init = [a for a in argv if a != str(start) and a != "--init"]
    assert main(no_init) == 2  # a soup of networks from different random starts is refused


def test_elastic_bending_is_smooth_keeps_the_strokes_and_is_off_by_default():
    data = pendigits.load(PEN)
    st = data.strokes[0]
    pts = np.concatenate(st)
    size = float((pts.max(axis=0) - pts.min(axis=0)).max())
    moved = pendigits.bend(pts, np.random.default_rng(0), 0.06, size) - pts
    typical = float(np.linalg.norm(moved, axis=1).mean())
    assert 0.01 * size < typical < 0.2 * size
    # one smooth field: neighbouring points move nearly alike
    assert float(np.linalg.norm(np.diff(moved, axis=0), axis=1).mean()) < 0.2 * typical
    bent = pendigits.augment(st, np.random.default_rng(1), elastic=0.06)
    assert [len(s) for s in bent] == [len(s) for s in st]
    plain = pendigits.augment(st, np.random.default_rng(1))
    same = pendigits.augment(st, np.random.default_rng(1), elastic=0.0)
    assert all(np.array_equal(a, b) for a, b in zip(plain, same))


def test_revive_restarts_dead_neurons_and_they_learn():
    rng = np.random.default_rng(0)
    x = rng.random((512, 16)).astype(np.float32)  # non-negative, as pictures are
    y = (x[:, :8].sum(axis=1) > x[:, 8:].sum(axis=1)).astype(np.int64)
    net = MLP.init([16, 6, 2], rng)
    opt = fit.Adam([p for wb in zip(net.weights, net.biases) for p in wb], 0.01)
    for _ in range(5):  # a few steps: Adam's moments are those of a network in training
        fwd = net.forward(x)
        dws, dbs = net.gradients(fwd, (fwd.probs - trainer.onehot(y, 2)) / len(x))
        opt.step([g for wb in zip(dws, dbs) for g in wb])
    net.weights[0][:, 2] = -0.5  # a dead neuron: negative weights on non-negative inputs
    net.biases[0][2] = -1.0
    before = net.forward(x).probs
    assert not (net.forward(x).activations[1][:, 2] > 0).any()
    assert trainer.revive_dead(net, x, rng, opt) == {1: 1}
    a = net.forward(x).activations[1][:, 2]
    assert 0.3 < (a > 0).mean() < 0.7  # on for about half of the inputs
    assert np.abs(net.forward(x).probs - before).max() < 0.2  # the outputs hardly move
    assert opt.v[0][:, 2].min() > 0  # Adam's moments as the live neighbours'
    assert trainer.revive_dead(net, x, rng, opt) == {}  # nothing else is dead


def test_writer_folds_train_each_fold_apart_and_score_styles(tiny, tmp_path, capsys):
    """The k-fold harness on 3 writers: each fold's network never saw its held-out writer, and
    the summary has the fold, writer and style figures; --pen-styles is recorded."""
    from exhibit_training import folds

    d, pen = tiny
    out = tmp_path / "cand"
    recipe = ["--mnist", str(d), "--arch", "explainer", "--epochs", "1", "--pen-copies", "2",
              "--pen-styles", "0.5"]
    assert folds.main(["run", "--pendigits", str(pen), "--dir", str(out), "--k", "3",
                       "--fold", "0", "--fold", "2", "--", *recipe]) == 0
    plan = folds.plan(["train-01", "train-02", "train-03"], 3)
    for i in (0, 2):
        man = json.loads((out / f"fold-{i}.json").read_text())
        assert man["pendigits"]["validation_writers"] == plan[i]
        assert not set(man["pendigits"]["training_writers"]) & set(plan[i])
        assert man["pendigits"]["styles"] == 0.5 and "--pen-styles 0.5" in man["training_command"]
        rep = json.loads((out / f"fold-{i}.eval.json").read_text())
        assert rep["held_out_writers"] == plan[i] and rep["n"] == 20
        assert set(rep["styles"]) == set(folds.SCORED_STYLES)
        assert len(rep["dead_neurons"]) == 2
    capsys.readouterr()
    assert folds.main(["summary", str(out)]) == 0
    table = capsys.readouterr().out
    assert "| cand |" in table
    s = json.loads((out / "summary.json").read_text())
    assert s["folds"] == 2 and s["n"] == 40 and len(s["fold_accuracies"]) == 2
    assert s["worst_writer"] in plan[0] + plan[2]
    assert s["writer_worst"] <= s["writer_mean"] and s["fold_worst"] <= s["fold_mean"]
    man_path = tmp_path / "m.json"
    man_path.write_text(json.dumps({"name": "explainer", "sha256": "x"}))
    folds.record(man_path, [out], out, 3)
    rec = json.loads(man_path.read_text())
    assert rec["sha256"] == "x" and rec["writer_folds"]["chosen"] == "cand"
    assert rec["writer_folds"]["candidates"]["cand"]["fold_accuracies"] == s["fold_accuracies"]
    assert rec["writer_folds"]["folds"] == folds.plan([f"train-{i:02d}" for i in range(1, 31)], 3)
