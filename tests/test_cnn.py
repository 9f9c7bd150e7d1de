"""The CNN: shapes of every layer, gradients against numerical derivatives, weights on disk,
the training loop and the pen-drawn data's writer split."""
import json

import numpy as np
import pytest

from exhibit.model import store
from exhibit.model.cnn import CNN
from exhibit.model.mlp import cross_entropy
from exhibit.model.store import WeightsError, load


def small_net(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    net = CNN.init(3, 4, 5, rng, dtype=dtype)
    for k in ("b1", "b2", "b3", "b4"):
        setattr(net, k, rng.normal(0, 0.1, getattr(net, k).shape).astype(dtype))
    return net, rng


def test_forward_returns_every_layer():
    net, rng = small_net()
    x = rng.random((2, 784))
    f = net.forward(x)
    shapes = [(n, None if z is None else z.shape, a.shape) for n, z, a in f.layers]
    assert shapes == [("conv1", (2, 24, 24, 3), (2, 24, 24, 3)), ("pool1", None, (2, 12, 12, 3)),
                      ("conv2", (2, 8, 8, 4), (2, 8, 8, 4)), ("pool2", None, (2, 4, 4, 4)),
                      ("dense", (2, 5), (2, 5)), ("output", (2, 10), (2, 10))]
    assert len(f.activations) == len(f.zs) + 1 and f.activations[0].shape == (2, 28, 28)
    # conv1 at one position, by hand
    img = x[1].reshape(28, 28)
    want = (img[3:8, 6:11] * net.K1[0, :, :, 2]).sum() + net.b1[2]
    np.testing.assert_allclose(f.z1[1, 3, 6, 2], want, rtol=1e-10)
    np.testing.assert_allclose(f.p1[0, 5, 7], f.a1[0, 10:12, 14:16].max(axis=(0, 1)))
    want2 = (f.p1[0, 2:7, 1:6, :] * net.K2[:, :, :, 3].transpose(1, 2, 0)).sum() + net.b2[3]
    np.testing.assert_allclose(f.z2[0, 2, 1, 3], want2, rtol=1e-10)
    np.testing.assert_allclose(f.probs.sum(axis=1), 1.0)


def test_masks_switch_whole_maps_and_units_off():
    net = CNN.init(4, 6, 8, np.random.default_rng(3))
    x = np.random.default_rng(4).random((3, 784)).astype(np.float32)
    full = net.forward(x)
    on = [np.ones(n, np.float32) for n in net.hidden_sizes]
    assert net.hidden_sizes == [4, 6, 8]
    np.testing.assert_array_equal(net.forward(x, on).probs, full.probs)  # all on: unchanged
    for layer, j in ((0, 2), (1, 4), (2, 5)):
        masks = [m.copy() for m in on]
        masks[layer][j] = 0.0
        f = net.forward(x, masks)
        a = [f.a1, f.a2, f.a3][layer]
        assert not a[..., j].any()  # that map or unit is zero everywhere
        # and the layers after it are what the net computes from the zeroed layer
        if layer == 2:
            np.testing.assert_allclose(f.z4, f.a3 @ net.W4 + net.b4, rtol=1e-5, atol=1e-5)
        assert not np.allclose(f.probs, full.probs)
    one = net.forward(x[0], [m for m in on])
    assert one.probs.shape == (10,)


def test_single_picture_drops_the_batch_axis():
    net, rng = small_net(dtype=np.float32)
    x = rng.random(784).astype(np.float32)
    one = net.forward(x)
    assert one.probs.shape == (10,) and one.z1.shape == (24, 24, 3) and one.x.shape == (28, 28)
    np.testing.assert_allclose(one.probs, net.forward(x[None]).probs[0], rtol=1e-6)
    assert net.forward(x.reshape(28, 28)).probs.shape == (10,)
    assert one.probs.dtype == np.float32


def test_gradients_match_numerical_derivatives():
    net, rng = small_net(1)
    x = rng.random((3, 28, 28))
    y = np.eye(10)[rng.integers(0, 10, 3)]

    def loss() -> float:
        return cross_entropy(net.forward(x).probs, y)

    f = net.forward(x, keep_cols=True)
    grads = net.gradients(f, (f.probs - y) / len(x))
    assert [g.shape for g in grads] == [p.shape for p in net.params]
    eps = 1e-6
    for p, g in zip(net.params, grads):
        for idx in list(np.ndindex(p.shape))[:: max(1, p.size // 20)]:
            old = p[idx]
            p[idx] = old + eps
            up = loss()
            p[idx] = old - eps
            down = loss()
            p[idx] = old
            num = (up - down) / (2 * eps)
            assert abs(num - g[idx]) < 1e-7 + 1e-4 * abs(num), (idx, num, g[idx])


def test_save_load_round_trip_and_refusals(tmp_path):
    net, _ = small_net(2, dtype=np.float32)
    path = tmp_path / "tiny.npz"
    man = store.save_cnn(net, path, {"note": "test"})
    assert man["kind"] == "cnn" and man["channels"] == [3, 4, 5]
    lm = load(path)
    assert isinstance(lm.net, CNN) and lm.spec.side == 28 and lm.spec.deskew
    for a, b in zip(lm.net.params, net.params):
        np.testing.assert_array_equal(a, b)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="does not match its manifest"):
        load(path)
    store.save_cnn(net, path, {})
    m = json.loads(path.with_suffix(".json").read_text())
    m["channels"] = [3, 4, 6]
    path.with_suffix(".json").write_text(json.dumps(m))
    with pytest.raises(WeightsError, match="channels"):
        load(path)


def _tiny_pen():
    from exhibit_training.cnn_data import PenDigits
    one = [np.array([[50, 10], [52, 90]], np.float32)]
    seven = [np.array([[10, 10], [90, 10], [40, 95]], np.float32)]
    zero = [np.array([[50, 5], [85, 50], [50, 95], [15, 50], [50, 5]], np.float32)]
    strokes = [one, seven, zero] * 4
    labels = np.array([1, 7, 0] * 4)
    writers = np.array([f"train-{w:02d}" for w in (1, 1, 1, 2, 2, 2, 4, 4, 4, 5, 5, 5)])
    return PenDigits(strokes, labels, writers)


def test_writer_split_is_disjoint_and_rendering_follows_the_one_path():
    from exhibit.ink.normalize import InputSpec, preprocess
    from exhibit_training import cnn_data
    pen = _tiny_pen()
    tr, va = cnn_data.split_writers(pen, ("train-04",))
    assert set(tr.writers) == {"train-01", "train-02", "train-05"} and set(va.writers) == {"train-04"}
    assert len(cnn_data.VAL_WRITERS) == 6
    x = cnn_data.render_pen(va, None)
    np.testing.assert_array_equal(x[0], preprocess(va.strokes[0], InputSpec(28, True),
                                                   stroke_width=2.4).ravel())
    warped = cnn_data.render_pen(va, np.random.default_rng(0))
    assert warped.shape == (3, 784) and not np.allclose(warped, x)


def test_training_reduces_the_loss():
    from exhibit_training import cnn_data, cnn_trainer
    pen = _tiny_pen()
    tr, va = cnn_data.split_writers(pen, ("train-04",))
    rng = np.random.default_rng(0)
    xv = cnn_data.render_pen(va, None)
    pool = cnn_data.MnistPool(np.zeros((0, 784), np.uint8), np.zeros(0, np.int64), xv,
                              va.labels, xv)
    net, hist = cnn_trainer.train(pool, tr, va, (2, 3, 8), epochs=12, seed=0, lr=1e-2, batch=8,
                                  pen_copies=3, log=lambda s: None)
    assert hist[-1]["loss"] < hist[0]["loss"]
    assert hist[-1]["pen_val"] >= 2 / 3
    rep = cnn_trainer.writer_report(net, xv, va.labels, va.writers)
    assert set(rep["per_writer"]) == {"train-04"} and rep["n"] == 3
    del rng


def test_training_can_go_on_from_given_weights_without_changing_them():
    from exhibit_training import cnn_data, cnn_trainer
    tr, va = cnn_data.split_writers(_tiny_pen(), ("train-04",))
    xv = cnn_data.render_pen(va, None)
    pool = cnn_data.MnistPool(np.zeros((0, 784), np.uint8), np.zeros(0, np.int64), xv,
                              va.labels, xv)
    start, _ = small_net(3, dtype=np.float32)
    before = [p.copy() for p in start.params]
    net, _ = cnn_trainer.train(pool, tr, None, (9, 9, 9), epochs=1, seed=0, lr=1e-3, batch=8,
                               pen_copies=1, log=lambda s: None, init=start)
    assert net.channels == (3, 4, 5)
    for a, b, c in zip(before, start.params, net.params):
        np.testing.assert_array_equal(a, b)
        assert np.abs(c - a).max() < 0.05


def test_pool_sampling_takes_the_asked_share_of_originals():
    from exhibit_training import cnn_data, cnn_trainer
    y = np.arange(600) % 10
    pool = cnn_data.MnistPool(np.zeros((600, 784), np.uint8), y, None, None, None, n_originals=100)
    rng = np.random.default_rng(0)
    pick = cnn_trainer.sample_pool(pool, 200, 0.4, rng)
    assert len(pick) == len(set(pick)) == 200 and (pick < 100).sum() == 80
    assert len(cnn_trainer.sample_pool(pool, 200, None, rng)) == 200  # uniform, as before
    assert (cnn_trainer.sample_pool(pool, 300, 1.0, rng) < 100).sum() == 100  # all there are
