import numpy as np
import pytest

from exhibit.model.mlp import ACTIVATIONS, MLP, cross_entropy

ACTS = list(ACTIVATIONS)


def small_net(seed=0, sizes=(12, 7, 5, 10), activation="relu"):
    rng = np.random.default_rng(seed)
    net = MLP.init(list(sizes), rng, activation)
    net.weights = [w.astype(np.float64) for w in net.weights]
    net.biases = [rng.normal(0, 0.1, b.shape) for b in net.biases]
    return net, rng


def test_forward_returns_every_layer():
    net, rng = small_net()
    x = rng.random((4, 12)).astype(np.float32)
    fwd = net.forward(x)
    assert [z.shape for z in fwd.zs] == [(4, 7), (4, 5), (4, 10)]
    assert [a.shape for a in fwd.activations] == [(4, 12), (4, 7), (4, 5), (4, 10)]
    np.testing.assert_allclose(fwd.zs[0], x @ net.weights[0] + net.biases[0], rtol=1e-6)
    np.testing.assert_allclose(fwd.activations[1], np.maximum(fwd.zs[0], 0), rtol=1e-6)
    np.testing.assert_allclose(fwd.probs.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("activation", ACTS)
def test_each_activation_is_its_formula(activation):
    net, rng = small_net(4, activation=activation)
    x = rng.random((4, 12)) * 4 - 2  # both signs of z
    fwd = net.forward(x)
    z = fwd.zs[0]
    want = {"relu": np.maximum(z, 0), "sigmoid": 1 / (1 + np.exp(-z)), "tanh": np.tanh(z)}[activation]
    np.testing.assert_allclose(fwd.activations[1], want, rtol=1e-6, atol=1e-12)
    assert net.stages()[2] == (activation, 1) and net.stages()[4] == (activation, 2)
    # far out on either side: finite, no overflow warnings
    with np.errstate(all="raise"):
        far = net.forward(np.full((1, 12), 1e4))
    assert np.isfinite(far.probs).all()


def test_an_unknown_activation_is_refused():
    net, _ = small_net()
    with pytest.raises(ValueError, match="activation"):
        MLP(net.weights, net.biases, "softplus")


def test_no_hidden_layer_is_softmax_regression():
    net, rng = small_net(5, sizes=(12, 10))
    x = rng.random((3, 12))
    fwd = net.forward(x)
    z = x @ net.weights[0] + net.biases[0]
    np.testing.assert_allclose(fwd.probs, np.exp(z) / np.exp(z).sum(1, keepdims=True), rtol=1e-6)
    assert net.hidden_sizes == [] and net.stages() == [("pixels", 0), ("scores", 1), ("softmax", 1)]


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("sizes", [(12, 7, 5, 10), (12, 10), (12, 6, 10)], ids=["2h", "0h", "1h"])
def test_gradients_match_numerical_derivatives(activation, sizes):
    net, rng = small_net(1, sizes=sizes, activation=activation)
    x = rng.random((6, 12))
    y = np.eye(10)[rng.integers(0, 10, 6)]
    masks = None
    if len(sizes) > 2:  # and with a neuron switched off
        masks = [np.ones(n) for n in sizes[1:-1]]
        masks[0][1] = 0

    def loss() -> float:
        return cross_entropy(net.forward(x, masks).probs, y)

    fwd = net.forward(x, masks)
    dws, dbs = net.gradients(fwd, (fwd.probs - y) / len(x), masks)
    eps = 1e-6
    for params, grads in ((net.weights, dws), (net.biases, dbs)):
        for p, g in zip(params, grads):
            for idx in list(np.ndindex(p.shape))[:: max(1, p.size // 25)]:
                old = p[idx]
                p[idx] = old + eps
                up = loss()
                p[idx] = old - eps
                down = loss()
                p[idx] = old
                num = (up - down) / (2 * eps)
                assert abs(num - g[idx]) < 1e-6 + 1e-4 * abs(num), (idx, num, g[idx])


def test_mask_switches_hidden_neurons_off():
    net, rng = small_net(2)
    x = rng.random((3, 12))
    full = net.forward(x)
    on = int(np.argmax(full.activations[1][0]))
    mask = np.ones(7)
    mask[on] = 0
    cut = net.forward(x, masks=[mask, None])
    assert np.all(cut.activations[1][:, on] == 0)
    assert not np.allclose(cut.probs, full.probs)


def test_ablation_gradient_is_zero_for_masked_neuron():
    net, rng = small_net(3)
    x = rng.random((5, 12))
    y = np.eye(10)[rng.integers(0, 10, 5)]
    mask = np.ones(7)
    mask[2] = 0
    masks = [mask, None]
    fwd = net.forward(x, masks)
    dws, _ = net.gradients(fwd, (fwd.probs - y) / 5, masks)
    assert np.all(dws[0][:, 2] == 0)


@pytest.mark.parametrize("activation", ACTS)
def test_input_gradient_matches_numerical_derivatives(activation):
    """d z_out[digit] / d x, the "what would make it a 9?" map, for every activation."""
    net, rng = small_net(6, sizes=(16, 9, 7, 10), activation=activation)
    x = rng.random(16)
    masks = [np.ones(9), np.ones(7)]
    masks[1][3] = 0
    for m in (None, masks):
        for digit in (2, 9):
            g = net.input_gradient(x, digit, m)
            assert g.shape == (4, 4)
            eps = 1e-3  # forward reads its input as float32: a step well above its resolution
            num = np.empty(16)
            for i in range(16):
                up, dn = x.copy(), x.copy()
                up[i] += eps
                dn[i] -= eps
                num[i] = (net.forward(up[None], m).zs[-1][0, digit]
                          - net.forward(dn[None], m).zs[-1][0, digit]) / (2 * eps)
            np.testing.assert_allclose(g.ravel(), num, rtol=1e-3, atol=1e-5)
