import numpy as np

from exhibit.model.mlp import MLP, cross_entropy


def small_net(seed=0, sizes=(12, 7, 5, 10)):
    rng = np.random.default_rng(seed)
    net = MLP.init(list(sizes), rng)
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


def test_gradients_match_numerical_derivatives():
    net, rng = small_net(1)
    x = rng.random((6, 12))
    y = np.eye(10)[rng.integers(0, 10, 6)]

    def loss() -> float:
        return cross_entropy(net.forward(x).probs, y)

    fwd = net.forward(x)
    dws, dbs = net.gradients(fwd, (fwd.probs - y) / len(x))
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
