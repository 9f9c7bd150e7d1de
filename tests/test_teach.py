"""'Teach it your 7': a fine-tuned copy reads the visitor's digit as meant, loses at most a point
of MNIST test accuracy (all 10,000 digits), and the shipped network never changes. Real pen
digits that the explainer misreads (tests/data fixtures), through the exhibit's preprocessing."""
import gzip
import json

import numpy as np
import pytest

from exhibit.ink.normalize import preprocess
from exhibit.learn import data, teach
from exhibit.model.fit import accuracy
from exhibit_training.pendigits import augment
from support import ROOT

MISREAD = ROOT / "tests/data/pen-misread-20.json.gz"


@pytest.fixture(scope="module")
def mnist10k():
    """All 10,000 MNIST test digits as the explainer sees them (floats), and their labels."""
    x, y = data.held_out(None)
    return x.astype(np.float32) / 255.0, y


@pytest.fixture(scope="module")
def replay():
    return data.load_subset(data.SUBSET)


def pictures(path, spec):
    doc = json.loads(gzip.decompress(path.read_bytes()))
    x = np.asarray([preprocess([np.asarray(s, np.float32) for s in d["strokes"]], spec).ravel()
                    for d in doc["digits"]], np.float32)
    return x, np.array([d["label"] for d in doc["digits"]])


def snapshot(net):
    return [a.copy() for a in net.weights + net.biases]


def same(net, arrays):
    return all(np.array_equal(a, b) for a, b in zip(arrays, net.weights + net.biases))


def test_the_variants_start_with_the_picture_itself_and_move_its_ink():
    img = np.zeros((28, 28), np.float32)
    img[10:18, 12] = 1.0  # a stroke
    v = teach.variants(img.ravel())
    assert v.shape == (len(teach.VARIANTS), 784) and v.dtype == np.float32
    assert np.array_equal(v[0], img.ravel())  # the exact picture, first
    right = v[1].reshape(28, 28)  # (0°, 1, dx=1, 0): one pixel to the right
    assert np.allclose(right[10:18, 13], 1.0) and np.allclose(right[:, 12], 0.0)
    assert all(0.5 * img.sum() < w.sum() < 1.5 * img.sum() for w in v)  # turned, scaled: still ink


def test_a_copy_reads_a_real_misread_pen_digit_as_meant_and_forgets_nothing(
        explainer, mnist10k, replay):
    net = explainer.net
    x, labels = pictures(MISREAD, explainer.spec)
    i = 15  # a pen 3 the explainer reads as a 2, surely: one of the hardest of the 20
    meant = int(labels[i])
    assert int(net.predict(x[i:i + 1]).argmax()) != meant  # a real misreading
    tx, ty = mnist10k
    base = accuracy(net, tx, ty)
    before = snapshot(net)
    copy = teach.teach(net, x[i], meant, *replay)
    assert int(copy.predict(x[i:i + 1]).argmax()) == meant
    assert accuracy(copy, tx, ty) >= base - 0.01  # at most 1 point of MNIST test accuracy lost
    assert same(net, before)  # the shipped network is untouched
    assert copy is not net and all(a is not b for a, b in zip(copy.weights + copy.biases,
                                                               net.weights + net.biases))


def test_the_guard_returns_a_copy_that_reads_its_held_apart_digits_as_before(
        explainer, replay, monkeypatch):
    net = explainer.net
    x, labels = pictures(MISREAD, explainer.spec)
    rx, ry = replay
    monkeypatch.setattr(teach, "MAX_FLIPS", 0.0)  # not one held-apart digit may change
    copy = teach.teach(net, x[15], int(labels[15]), rx, ry, steps=60)
    held, _ = teach.split(len(rx))
    gx = rx[held].astype(np.float32) / 255.0
    assert np.array_equal(copy.predict(gx).argmax(1), net.predict(gx).argmax(1))


@pytest.mark.slow  # twenty fine-tunings and their MNIST checks (about half a minute)
def test_taught_copies_read_real_misread_pen_digits_as_meant(explainer, mnist10k, replay):
    """The issue's figure: of 10 real pen digits the network misreads, the copy reads at least 8
    as meant; and the same on the next 10 (not the ones the recipe was tuned on first)."""
    net = explainer.net
    x, labels = pictures(MISREAD, explainer.spec)
    assert len(x) == 20 and np.all(net.predict(x).argmax(1) != labels)
    tx, ty = mnist10k
    base = accuracy(net, tx, ty)
    before = snapshot(net)
    hits, drops = [], []
    for i in range(len(x)):
        copy = teach.teach(net, x[i], int(labels[i]), *replay)
        hits.append(int(copy.predict(x[i:i + 1]).argmax()) == labels[i])
        drops.append(base - accuracy(copy, tx, ty))
    assert max(drops) <= 0.01, np.round(np.array(drops) * 100, 2)  # points of MNIST test accuracy
    assert sum(hits[:10]) >= 8 and sum(hits[10:]) >= 8, hits
    assert same(net, before)


@pytest.mark.slow  # ten fine-tunings and their MNIST checks
def test_a_taught_copy_reads_the_digit_as_meant_and_forgets_little(explainer, mnist10k, replay):
    m = explainer
    net = m.net
    doc = json.loads(gzip.decompress((ROOT / "tests/data/pen-4-writers.json.gz").read_bytes()))
    pics = [preprocess([np.asarray(s, np.float32) for s in d["strokes"]], m.spec).ravel()
            for d in doc["digits"]]
    labels = np.array([d["label"] for d in doc["digits"]])
    # what visitors would correct: real pen digits the network misreads, as written or written
    # a little differently (rotated, slanted, bent: the augmentation training uses)
    rng = np.random.default_rng(0)
    for d in doc["digits"]:
        for _ in range(3):
            st = augment([np.asarray(s, np.float32) for s in d["strokes"]], rng, rotation=25.0,
                         elastic=0.3)
            pics.append(preprocess(st, m.spec).ravel())
            labels = np.append(labels, d["label"])
    x = np.asarray(pics, np.float32)
    wrong = np.flatnonzero(net.predict(x).argmax(1) != labels)
    cases = [(int(i), int(labels[i])) for i in wrong[:10]]
    tx, ty = mnist10k
    base = accuracy(net, tx, ty)
    before = snapshot(net)
    hits = 0
    for i, meant in cases:
        copy = teach.teach(net, x[i], meant, *replay)
        hits += int(copy.predict(x[i:i + 1]).argmax()) == meant
        assert accuracy(copy, tx, ty) >= base - 0.01, (i, meant)  # at most 1 point lost
        assert copy is not net and all(a is not b for a, b in zip(copy.weights, net.weights))
    # harder than visitors' real misreads (distorted on purpose)
    assert hits >= 0.8 * len(cases) and len(cases) >= 5, (hits, len(cases))
    assert same(net, before)
