import json
import zipfile

import numpy as np
import pytest

from exhibit.ink import InputSpec
from exhibit.model.mlp import MLP
from exhibit.model.store import MODEL_NAMES, WEIGHTS_DIR, WeightsError, load, save


@pytest.fixture
def saved(tmp_path):
    net = MLP.init([784, 6, 10], np.random.default_rng(0))
    path = tmp_path / "tiny.npz"
    save(net, path, InputSpec(28, True), {"note": "test"})
    return net, path


def test_round_trip(saved):
    net, path = saved
    lm = load(path)
    assert lm.net.sizes == [784, 6, 10]
    assert lm.spec == InputSpec(28, True)
    for a, b in zip(lm.net.weights, net.weights):
        np.testing.assert_array_equal(a, b)


def test_damaged_file_is_refused(saved):
    _, path = saved
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="does not match its manifest"):
        load(path)


def test_truncated_file_is_refused(saved):
    _, path = saved
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(WeightsError, match="damaged or was replaced"):
        load(path)


def test_missing_files_are_refused(saved, tmp_path):
    _, path = saved
    with pytest.raises(WeightsError, match="not found"):
        load(tmp_path / "nope.npz")
    path.with_suffix(".json").unlink()
    with pytest.raises(WeightsError, match="manifest not found"):
        load(path)


def rehash(path):
    from exhibit.model.store import sha256_file
    man = json.loads(path.with_suffix(".json").read_text())
    man["sha256"] = sha256_file(path)
    path.with_suffix(".json").write_text(json.dumps(man))


def test_pickled_objects_are_refused_even_with_a_matching_hash(saved):
    _, path = saved
    np.savez(path, W1=np.array([{"evil": 1}], dtype=object), b1=np.zeros(6), W2=np.zeros((6, 10)),
             b2=np.zeros(10))
    rehash(path)
    with pytest.raises(WeightsError, match="plain arrays"):
        load(path)


def test_wrong_architecture_is_refused(saved):
    _, path = saved
    np.savez(path, W1=np.zeros((784, 6), np.float32), b1=np.zeros(6, np.float32),
             W2=np.zeros((6, 9), np.float32), b2=np.zeros(9, np.float32))
    rehash(path)
    with pytest.raises(WeightsError, match="manifest says"):
        load(path)


def test_not_a_zip_is_refused(saved):
    _, path = saved
    path.write_bytes(b"hello, not weights")
    rehash(path)
    with pytest.raises(WeightsError, match="plain arrays"):
        load(path)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_shipped_weights_load_and_match_their_manifest(name):
    lm = load(WEIGHTS_DIR / f"{name}.npz")
    man = lm.manifest
    assert man["sizes"] == lm.net.sizes
    for key in ("architecture", "sha256", "mnist_test_accuracy", "training_command", "mnist_md5"):
        assert key in man
    assert man["training_command"].startswith("digit-exhibit train")
    with zipfile.ZipFile(WEIGHTS_DIR / f"{name}.npz") as z:
        assert all(n.endswith(".npy") for n in z.namelist())
