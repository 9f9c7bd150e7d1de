"""'Teach it your 7': a fine-tuned copy reads the visitor's digit as meant, forgets (almost)
nothing of MNIST, and the shipped network never changes. Real pen digits (tests/data fixture)."""
import gzip
import json

import numpy as np
import pytest

from exhibit.ink.normalize import preprocess, preprocess_many
from exhibit.learn import data, teach
from exhibit.model.fit import accuracy
from exhibit_training.pendigits import augment
from support import ROOT


@pytest.mark.slow  # ten fine-tunings and their MNIST checks
def test_a_taught_copy_reads_the_digit_as_meant_and_forgets_little(models, mnist_test):
    m = models["explainer"]
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
    rx, ry = data.load_subset(data.SUBSET)
    tx, ty = mnist_test
    xt, _ = preprocess_many(list(tx[:3000].astype(np.float32) / 255.0), m.spec)
    base = accuracy(net, xt, ty[:3000])
    before = [w.copy() for w in net.weights] + [b.copy() for b in net.biases]
    hits = 0
    for i, meant in cases:
        copy = teach.teach(net, x[i], meant, rx, ry)
        hits += int(copy.predict(x[i:i + 1]).argmax()) == meant
        assert accuracy(copy, xt, ty[:3000]) >= base - 0.01, (i, meant)  # at most 1 point lost
        assert copy is not net and all(a is not b for a, b in zip(copy.weights, net.weights))
    # these are harder than visitors' real misreads (distorted on purpose); on 40 real misread
    # pen digits of the 30 writers the copy read 8-10 of each 10 as meant (kiosk note, issue 24)
    assert hits >= 0.5 * len(cases) and len(cases) >= 5
    assert all(np.array_equal(a, b) for a, b in zip(before, net.weights + net.biases))
