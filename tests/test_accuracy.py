"""The shipped networks meet their MNIST targets on the official 10k test set."""
import json

import pytest

from exhibit.cli import main

TARGETS = {"explainer": 0.978, "compact14": 0.975, "deep": 0.987, "cnn": 0.993}


@pytest.mark.parametrize("name", TARGETS)
def test_mnist_test_accuracy(name, capsys):
    assert main(["evaluate", "--model", name]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["model"] == name and r["n"] == 10000
    assert r["accuracy"] >= TARGETS[name]
