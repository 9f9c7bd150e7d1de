"""Watch it learn: the learning process, key T, missing data, and no orphan processes."""
import os
import subprocess
import sys
import time

import numpy as np
import pygame
import pytest

from support import ROOT, assert_exact, show, wait_for
from exhibit.eventlog import EventLog
from exhibit.state.exhibit import Exhibit
from exhibit.state.modes import Mode
from exhibit.config import load
from exhibit.learn import data
from exhibit.learn.session import Learner

E = pygame.event.Event
SIZE = (1280, 720)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead too
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def small_subset(tmp_path):
    x, y = data.load_subset(data.SUBSET)
    path = tmp_path / "small.npz"
    np.savez(path, images=x[:3000], labels=y[:3000].astype(np.uint8))
    return str(path)


def make(models, *sets, log=None):
    return Exhibit(load(None, list(sets)), SIZE, log or EventLog(None), models=dict(models))


def press(ex, k=pygame.K_t):
    ex.handle(E(pygame.KEYDOWN, key=k, mod=0, unicode=""))
    ex.refresh()


def frames(ex, seconds, surf=None):
    for _ in range(int(seconds * 60)):
        ex.step(1 / 120)
        ex.step(1 / 120)
        ex.refresh()
        if surf is not None:
            show(ex, surf)
        time.sleep(1 / 240)  # real time passes for the learning process


def test_the_child_improves_on_a_small_subset_within_seconds(explainer, small_subset):
    ln = Learner(("subset", small_subset), explainer.spec, options={"held_out": 500, "pace_seconds": 0,
                                                                   "accuracy_every": 0.3})
    try:
        first = None
        assert wait_for(lambda: ln.take() is not None, 10), "no weights from the child"
        assert wait_for(lambda: len(ln.curve) >= 1, 10)
        first = ln.curve[0][1]
        assert wait_for(lambda: ln.curve[-1][1] >= 0.8, 20), ln.curve
        assert first < 0.3 and ln.seen > 0 and ln.n_train == 3000
        a, b = ln.take(), None
        assert wait_for(lambda: ln.take() is not None, 5)
        with ln._lock:  # each snapshot is its own model object
            b = ln._latest
        assert a is None or a is not b
    finally:
        ln.stop(wait=2.0)
    assert not alive(ln.pid)


@pytest.mark.usefixtures("display")
def test_t_starts_and_t_again_returns_to_the_shipped_network(models, small_subset, monkeypatch):
    monkeypatch.setattr(data, "SUBSET", type(data.SUBSET)(small_subset))
    ex = make(models)
    shipped = ex.recognizer.model
    weights = shipped.net.weights[0]
    surf = pygame.Surface(SIZE)
    press(ex)
    assert ex.learn.active and ex.recognizer.model.name == "learning"
    pid = ex.learn.learner.pid
    first = ex.recognizer.model
    frames(ex, 1.5, surf)
    assert wait_for(lambda: ex.learn.learner.take() is not None or True, 0)
    deadline = time.monotonic() + 15
    while ex.recognizer.model is first and time.monotonic() < deadline:
        frames(ex, 0.2)
    assert ex.recognizer.model is not first, "the weights never changed"
    assert ex.sample is not None, "an empty canvas shows a digit for the network to read"
    assert ex.snapshot.model == "learning"
    show(ex, surf)
    from support import screen
    assert_exact(ex, screen(ex), surf)
    ex.teach(detail=(1, 3))  # the neuron card shows the learning weights
    show(ex, surf)
    press(ex)
    assert not ex.learn.active
    assert ex.recognizer.model is shipped and ex.recognizer.model.net.weights[0] is weights
    assert wait_for(lambda: not alive(pid), 5), "the learning process outlived T"
    kinds = [e.get("state") for e in ex.log.events if e["event"] == "learn"]
    assert kinds[0] == "start" and kinds[-1] == "stop"


@pytest.mark.usefixtures("display")
def test_missing_data_turns_the_feature_off_with_one_line(models, monkeypatch, tmp_path):
    monkeypatch.setattr(data, "SUBSET", tmp_path / "absent.npz")
    ex = make(models, f"learn.mnist_dir={tmp_path / 'nothing'}", "learn.offer=true")
    lines = [e for e in ex.log.events if e["event"] == "learn"]
    assert len(lines) == 1 and lines[0]["state"] == "off" and "learn.mnist_dir" in lines[0]["message"]
    press(ex)
    press(ex)
    assert not ex.learn.active and ex.recognizer.model is ex.models["explainer"]
    assert len([e for e in ex.log.events if e["event"] == "learn"]) == 1


@pytest.mark.usefixtures("display")
def test_a_model_change_or_a_crash_ends_learning_not_the_exhibit(models, small_subset, monkeypatch):
    monkeypatch.setattr(data, "SUBSET", type(data.SUBSET)(small_subset))
    ex = make(models)
    press(ex)
    pid = ex.learn.learner.pid
    press(ex, pygame.K_m)  # another network
    frames(ex, 0.1)
    assert not ex.learn.active and ex.model_name == "compact14"
    assert wait_for(lambda: not alive(pid), 5)
    press(ex)
    pid = ex.learn.learner.pid
    os.kill(pid, 9)  # the child dies
    assert wait_for(lambda: (frames(ex, 0.05), not ex.learn.active)[1], 10)
    assert ex.recognizer.model is ex.models["compact14"] and ex.mode != Mode.FAILSAFE  # where T began
    assert not ex.learn.available
    assert [e["state"] for e in ex.log.events if e["event"] == "learn"][-1] == "off"


@pytest.mark.usefixtures("display")
def test_no_child_survives_the_exhibit(models, small_subset, monkeypatch):
    monkeypatch.setattr(data, "SUBSET", type(data.SUBSET)(small_subset))
    ex = make(models)
    press(ex)
    pid = ex.learn.learner.pid
    ex.close()
    assert not alive(pid)


def test_no_child_survives_a_killed_exhibit(small_subset):
    """The exhibit dies without cleaning up (SIGKILL): its learning process ends by itself."""
    code = ("import sys, time\n"
            "from exhibit.learn.session import Learner\n"
            "from exhibit.ink.normalize import InputSpec\n"
            f"ln = Learner(('subset', {small_subset!r}), InputSpec(28, True))\n"
            "print(ln.pid, flush=True)\n"
            "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=ROOT,
                              text=True)
    try:
        pid = int(parent.stdout.readline())
        assert alive(pid)
        parent.kill()
        parent.wait(5)
        assert wait_for(lambda: not alive(pid), 5), "an orphan learning process"
    finally:
        parent.kill()
