"""The shipped CNN: verified weights, --model cnn in the commands, and the exhibit that shows
it in its own view."""
import json

import numpy as np
import pygame
import pytest

from support import show
from exhibit.eventlog import EventLog
from exhibit.state.exhibit import Exhibit
from exhibit.cli import main
from exhibit.config import load as load_config
from exhibit.model.cnn import CNN
from exhibit.model.store import load_model


def test_shipped_cnn_manifest():
    lm = load_model("cnn")
    assert isinstance(lm.net, CNN) and lm.spec.side == 28 and lm.spec.deskew
    man = lm.manifest
    assert man["kind"] == "cnn" and man["channels"] == list(lm.net.channels)
    assert man["training_command"].startswith("digit-exhibit train --arch cnn")
    assert "10.24432/C5MG6K" in man["pendigits"]["credit"]
    assert set(man["mnist_md5"]) == {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                     "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}


def test_classify_and_bench_with_the_cnn(capsys):
    from exhibit.resources import ASSETS
    assert main(["classify", "--model", "cnn", str(ASSETS / "bench" / "digit.json")]) == 0
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert row["prediction"] == row["label"] and len(row["probs"]) == 10
    assert main(["bench", "--inference", "--json", "--model", "cnn", "--repeats", "50"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "cnn"


@pytest.mark.usefixtures("display")
def test_the_exhibit_starts_on_the_cnn_and_m_cycles_every_network(models):
    ex = Exhibit(load_config(None, ["model=cnn"]), (1280, 720), EventLog(None), models=dict(models))
    assert ex.model_name == "cnn" and ex.is_cnn
    net = ex.recognizer.model.net  # ablation masks: the conv1 maps, conv2 maps, dense units, all on
    assert [len(m) for m in ex.masks] == list(net.channels) and all(m.all() for m in ex.masks)
    seen = []
    for _ in range(4):
        ex.handle(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_m, mod=0, unicode=""))
        ex.refresh()
        seen.append(ex.model_name)
    assert seen == ["explainer", "compact14", "deep", "cnn"]
    surf = pygame.Surface((1280, 720))
    show(ex, surf)
    np.testing.assert_equal(ex.snapshot.empty, True)
