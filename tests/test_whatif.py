"""'What would make it a 9?': the input gradient of a digit's score, for the MLPs and the CNN,
checked against finite differences (the oracle) on real MNIST test digits."""
import numpy as np
import pytest

from exhibit.ink.normalize import pool2x2
from exhibit.model.cnn import CNN, PARAMS


def score(net, x, digit, masks):
    """The output's pre-softmax value for ``digit`` (MLP: zs[-1], CNN: z4)."""
    f = net.forward(x.reshape(1, -1), masks)
    return float((f.zs[-1] if hasattr(f, "zs") and isinstance(f.zs, list) else f.z4)[0, digit])


def numeric(net, x, digit, masks, eps=1e-2, pixels=40, seed=0):
    """Central differences of the score at a random sample of pixels."""
    idx = np.random.default_rng(seed).choice(x.size, pixels, replace=False)
    out = []
    for i in idx:
        up, dn = x.copy(), x.copy()
        up.flat[i] += eps
        dn.flat[i] -= eps
        out.append((score(net, up, digit, masks) - score(net, dn, digit, masks)) / (2 * eps))
    return idx, np.array(out)


@pytest.mark.parametrize("name", ["explainer", "compact14", "deep", "cnn"])
def test_the_input_gradient_matches_finite_differences(models, mnist_test, name):
    m = models[name]
    images, labels = mnist_test
    for k in (0, 7):
        x = images[k].astype(np.float64) / 255.0
        if m.spec.side == 14:
            x = pool2x2(x)
        net, eps = m.net, 1e-2
        if name == "cnn":
            # max-pooling has no derivative where a 2x2 block ties (a blank background's maps
            # all equal relu(bias)): a faint noise breaks the ties, float64 keeps the oracle exact
            net = CNN(**{k: getattr(m.net, k).astype(np.float64) for k in PARAMS})
            x = x + np.random.default_rng(k).uniform(0, 1e-3, x.shape)
            eps = 1e-5
        masks = None
        if name == "explainer" and k == 7:  # with neurons switched off too
            masks = [np.ones(n, np.float32) for n in net.hidden_sizes]
            masks[0][:5] = 0
        for digit in (int(labels[k]), 9):
            xx = x if name == "cnn" else x.astype(np.float32)
            g = net.input_gradient(xx, digit, masks)
            assert g.shape == (m.spec.side, m.spec.side)
            idx, num = numeric(net, xx, digit, masks, eps=eps)
            err = np.abs(g.flat[idx] - num)
            assert np.median(err) <= 0.02 * max(1e-3, np.abs(num).max()) + 1e-3, (name, err.max())
            assert np.corrcoef(g.flat[idx], num)[0, 1] > 0.95


def test_pixels_the_gradient_favours_move_the_reading(models, mnist_test):
    """A step along the gradient of "9" raises 9's probability; a step against lowers it."""
    net = models["explainer"].net
    images, labels = mnist_test
    i = int(np.flatnonzero(labels == 4)[0])
    x = images[i].astype(np.float32) / 255.0
    g = net.input_gradient(x, 9)
    p = lambda v: float(net.predict(np.clip(v, 0, 1).reshape(1, -1))[0, 9])  # noqa: E731
    step = 0.05 * g / np.abs(g).max()
    assert p(x + step) > p(x) > p(x - step)
