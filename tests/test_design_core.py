"""Design the network (issue 25), its core: the learning process trains any offered design
(0-2 hidden layers of 1-128 neurons, relu / sigmoid / tanh, a learning-speed preset), stops after
``max_seconds`` ("finished") or when learning blows up ("diverged"), obeys pause / run / step,
refuses designs it does not offer; and every design lays out and draws, with a bar chart or a
dial, landscape or portrait."""
import math
import threading
import time

import numpy as np
import pygame
import pytest

from support import make_exhibit, show, wait_for
from exhibit.config import load
from exhibit.config.schema import TABLE
from exhibit.layout.regions import SCREEN_SHAPES, Layout
from exhibit.learn import data, worker
from exhibit.learn.session import Learner, initial_model
from exhibit.recognize import Recognizer
from exhibit.state.modes import Mode

STYLES = TABLE["answer.style"].choices
DESIGNS = [([], "relu"), ([8], "sigmoid"), ([100, 100], "tanh"), ([8, 8], "relu")]


def quiet(count, still: float = 0.5, seconds: float = 15.0) -> bool:
    """Wait until ``count()`` has not changed for ``still`` seconds (a pause took effect)."""
    end, last, since = time.monotonic() + seconds, count(), time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.05)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= still:
            return True
    return False


@pytest.fixture(scope="module")
def small_subset(tmp_path_factory):
    x, y = data.load_subset(data.SUBSET)
    path = tmp_path_factory.mktemp("subset") / "small.npz"
    np.savez(path, images=x[:3000], labels=y[:3000].astype(np.uint8))
    return str(path)


def opts(path, **kw):
    """Fast options for in-process runs: a small held-out set; pacing as visitors see it unless
    a test says otherwise."""
    return {"source": "subset", "path": path, "held_out": 500, **kw}


class Inbox:
    """What train() sends, in order, from any thread."""

    def __init__(self) -> None:
        self.msgs: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, msg: dict) -> None:
        with self.lock:
            self.msgs.append(msg)

    def kinds(self) -> list[str]:
        with self.lock:
            return [m["kind"] for m in self.msgs]

    def of(self, kind: str) -> list[dict]:
        with self.lock:
            return [m for m in self.msgs if m["kind"] == kind]


# --- the design's limits ------------------------------------------------------------------

@pytest.mark.parametrize("hidden", [[0], [129], [8, 8, 8], [8.0], [True], ["8"], "25", [-1]])
def test_designs_not_offered_are_refused(hidden, small_subset):
    with pytest.raises(ValueError, match="hidden"):
        worker.check_design(hidden)
    with pytest.raises(ValueError):
        initial_model(data.SPEC, hidden=hidden if isinstance(hidden, list) else [hidden])
    sent = Inbox()
    with pytest.raises(ValueError):
        worker.train(opts(small_subset, hidden=hidden), sent)
    assert sent.msgs == []  # refused before anything was sent
    with pytest.raises(ValueError):
        Learner(("subset", small_subset), data.SPEC, options={"hidden": hidden})


def test_unknown_activation_and_rate_are_refused(small_subset):
    with pytest.raises(ValueError, match="activation"):
        worker.check_design([8], "softplus")
    with pytest.raises(ValueError, match="rate"):
        worker.check_design([8], "relu", "warp")
    with pytest.raises(ValueError):
        Learner(("subset", small_subset), data.SPEC, options={"rate": "warp"})
    assert worker.check_design([]) == [784, 10]
    assert worker.check_design([128, 1], "tanh", "slow") == [784, 128, 1, 10]


def test_good_keeps_the_schedule_live_learning_always_had():
    assert worker.RATES["good"] == (3e-3, 5e-4)
    assert worker.DEFAULTS["hidden"] == [25, 25] and worker.DEFAULTS["activation"] == "relu"
    slow, good, fast = (worker.RATES[k][0] for k in ("slow", "good", "too_fast"))
    assert slow < good < fast


def test_the_initial_model_is_the_childs_first_network(small_subset):
    sent = Inbox()
    worker.train(opts(small_subset, hidden=[16], activation="tanh", seed=3), sent,
                 should_stop=lambda: sent.of("data") != [])
    first = sent.of("weights")[0]
    mine = initial_model(data.SPEC, seed=3, hidden=[16], activation="tanh").net
    assert first["activation"] == "tanh" and mine.activation == "tanh"
    for a, b in zip(first["weights"], mine.weights):
        np.testing.assert_array_equal(a, b)


# --- finished, diverged, controls (in this process) ----------------------------------------

def test_it_finishes_after_max_seconds_of_training(small_subset):
    sent = Inbox()
    t0 = time.monotonic()
    net = worker.train(opts(small_subset, hidden=[], max_seconds=1.5, pace_seconds=0.5), sent)
    assert time.monotonic() - t0 < 10
    kinds = sent.kinds()
    assert kinds[-2:] == ["weights", "finished"], kinds[-5:]
    fin = sent.of("finished")[0]
    assert fin["t"] >= 1.5 and 0.5 < fin["accuracy"] <= 1 and 0 < fin["loss"] < math.log(10)
    np.testing.assert_array_equal(sent.of("weights")[-1]["weights"][0], net.weights[0])
    acc = sent.of("accuracy")
    assert acc and all(0 < m["loss"] for m in acc) and "n" in acc[0]
    assert net.sizes == [784, 10]


@pytest.mark.parametrize("hidden,activation", [([25, 25], "relu"), ([], "relu"),
                                               ([8], "sigmoid"), ([32, 32], "tanh")])
def test_too_fast_diverges_within_seconds(small_subset, hidden, activation):
    """Visitors' pacing: within a few seconds the loss is far above a uniform guess's, for a
    few readings in a row (the screen shows the collapse), and the run says it diverged."""
    sent = Inbox()
    worker.train(opts(small_subset, hidden=hidden, activation=activation, rate="too_fast",
                      max_seconds=8.0), sent)
    kinds = sent.kinds()
    assert kinds[-1] == "diverged" and "finished" not in kinds, kinds[-4:]
    div, last = sent.of("diverged")[0], sent.of("accuracy")[-1]
    started = sent.of("accuracy")[0]["t"]
    assert div["t"] - started < 5.0, (div, started)
    bad = [m for m in sent.of("accuracy") if not m["loss"] <= worker.DIVERGED_LOSS]
    assert len(bad) >= 2 or not np.isfinite(bad[-1]["loss"]), bad  # seen before the reset
    assert not last["loss"] <= worker.DIVERGED_LOSS  # NaN counts too
    assert all(np.isfinite(w).all() for w in sent.of("weights")[-1]["weights"])


def test_pause_run_and_single_steps(small_subset):
    sent, controls, stop = Inbox(), worker.Controls(), threading.Event()
    th = threading.Thread(target=worker.train, args=(
        opts(small_subset, hidden=[16], pace_seconds=0.3, accuracy_every=0.2), sent),
        kwargs={"should_stop": stop.is_set, "controls": controls}, daemon=True)
    th.start()
    try:
        assert wait_for(lambda: len(sent.of("accuracy")) >= 4, 20)
        controls.command("pause")
        assert quiet(lambda: len(sent.msgs))  # the batches under way end, the network is sent
        n = len(sent.msgs)
        last = sent.of("weights")[-1]
        time.sleep(0.6)
        assert len(sent.msgs) == n, "nothing happens while paused"
        controls.command("step")
        assert wait_for(lambda: len(sent.msgs) >= n + 2, 5)
        w, a = sent.msgs[n], sent.msgs[n + 1]
        assert (w["kind"], a["kind"]) == ("weights", "accuracy")
        assert w["step"] == last["step"] + 1 and a["step"] == w["step"]
        assert w["seen"] - last["seen"] == 128  # one mini-batch, past the paced start
        assert w["t"] - last["t"] < 0.5, "the clock stands still while paused (0.9 s here)"
        time.sleep(0.3)
        assert len(sent.msgs) == n + 2, "exactly one step"
        controls.command("run")
        assert wait_for(lambda: sent.of("weights")[-1]["step"] > w["step"] + 8, 10)
        controls.command("step")  # while running: ignored
        controls.command("nonsense")
    finally:
        stop.set()
        th.join(10)
    assert not th.is_alive()


# --- the same through the learning process --------------------------------------------------

def test_the_process_obeys_pause_step_run_and_finishes(small_subset):
    ln = Learner(("subset", small_subset), data.SPEC,
                 options={"held_out": 500, "pace_seconds": 0.3, "accuracy_every": 0.2,
                          "hidden": [12], "activation": "sigmoid", "max_seconds": 3.0})
    try:
        assert wait_for(lambda: len(ln.curve) >= 2, 15), ln.error
        ln.pause()
        assert ln.paused
        assert quiet(lambda: len(ln.curve))
        n, model = len(ln.curve), ln.take()
        time.sleep(0.6)
        assert len(ln.curve) == n and ln.take() is None
        assert model is not None  # the paused network itself, sent as the pause began
        step = model.manifest["step"]
        ln.step_once()
        assert wait_for(lambda: len(ln.curve) == n + 1, 5)
        m = ln.take()
        assert m is not None and m.net.activation == "sigmoid" and m.manifest["step"] == step + 1
        assert len(ln.loss_curve) == len(ln.curve)
        ln.resume()
        assert not ln.paused
        assert wait_for(lambda: ln.finished, 15), (ln.error, ln.curve[-3:])
        assert wait_for(lambda: ln.ended, 5) and wait_for(lambda: ln.proc.poll() is not None, 5)
        assert ln.proc.returncode == 0 and ln.crashed is None and not ln.diverged
        assert ln.final_accuracy == ln.curve[-1][1] and ln.final_accuracy > 0.5
        ln.pause()  # to a child that is gone: nothing happens
        ln.step_once()
    finally:
        ln.stop(wait=2.0)


def test_the_process_reports_divergence_and_ends(small_subset):
    ln = Learner(("subset", small_subset), data.SPEC,
                 options={"held_out": 500, "hidden": [], "rate": "too_fast"})
    try:
        assert wait_for(lambda: ln.ended, 20), ln.curve
        assert ln.diverged and not ln.finished and ln.crashed is None
        assert wait_for(lambda: ln.proc.poll() is not None, 5) and ln.proc.returncode == 0
    finally:
        ln.stop(wait=2.0)


def test_a_child_that_ended_is_reaped_once(small_subset):
    """A stop, then a stop that waits (the exhibit closing): the pipe is closed once, not twice
    (a second close would hit whatever file took its number since)."""
    ln = Learner(("subset", small_subset), data.SPEC,
                 options={"held_out": 500, "hidden": [], "rate": "too_fast"})
    closes = []
    real = ln.conn.close
    ln.conn.close = lambda: (closes.append(1), real())
    assert wait_for(lambda: ln.ended, 20)
    ln.stop()
    ln.stop(wait=2.0)
    time.sleep(0.3)
    assert closes == [1]


def test_bench_learn_takes_a_design(capsys, monkeypatch):
    from support import run_cli
    from exhibit.tools import learnbench

    got = {}
    monkeypatch.setattr(learnbench, "bench_learn", lambda cfg, size, seconds, design: (
        got.update(design), {"design": {"hidden": [], "activation": "relu", "rate": "good",
                                        **design}, "seconds": seconds, "accuracy_final": 0.9,
                             "diverged": False, "frame_ms": {"p50": 1, "p99": 2}})[1])
    code, out, _ = run_cli(capsys, "bench", "--learn", "--hidden", "0", "--activation", "tanh",
                           "--rate", "slow", "--seconds", "1")
    assert code == 0 and got == {"hidden": [], "activation": "tanh", "rate": "slow"}
    assert "784-10 tanh, rate slow" in out
    code, _, _ = run_cli(capsys, "bench", "--learn", "--hidden", "32,32", "--seconds", "1")
    assert code == 0 and got["hidden"] == [32, 32]
    for bad in (["--hidden", "200"], ["--hidden", "8,8,8"], ["--hidden", "x"], ["--rate", "warp"]):
        with pytest.raises(SystemExit) as e:
            run_cli(capsys, "bench", "--learn", *bad)
        assert e.value.code == 2
    code, _, err = run_cli(capsys, "bench", "--hidden", "8")
    assert code == 2 and "--learn" in err


# --- layout and frames ----------------------------------------------------------------------

@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_every_design_lays_out_on_every_screen(style, orientation):
    cfg = load(None, [f"answer.style={style}", f"layout.orientation={orientation}"])
    for size in SCREEN_SHAPES:
        for hidden in ([], [1], [8], [128], [8, 8], [100, 100], [128, 128]):
            sizes = [784, *hidden, 10]
            lay = Layout(cfg, size, sizes, 28)
            assert [len(p) for p in lay.pos[1:]] == [min(n, len(p)) for n, p in
                                                    zip(sizes[1:], lay.pos[1:])]
            screen = pygame.Rect((0, 0), size)
            for p in lay.pos:
                assert np.isfinite(p).all()
                assert screen.collidepoint(p[:, 0].min(), p[:, 1].min())
                assert screen.collidepoint(p[:, 0].max(), p[:, 1].max())
            kinds = {k for _, k in lay.elements()}
            assert {"canvas", "picture", "network"} <= kinds
            x, y = lay.pos[-1][3]
            assert lay.neuron_at(x, y) == (len(sizes) - 1, 3)  # an output, under a tap
            if hidden:
                x, y = lay.pos[1][0]
                assert lay.neuron_at(x, y)[0] == 1


def put(ex, hidden, activation, seed=0):
    """A network of this design into the exhibit, as live learning puts one in."""
    r = ex.recognizer
    model = initial_model(r.model.spec, seed=seed, hidden=hidden, activation=activation)
    ex.install(Recognizer(model, stroke_width=r.stroke_width, min_points=r.min_points,
                          min_size=r.min_size, gate=r.gate, min_confidence=r.min_confidence))


@pytest.mark.usefixtures("display")
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("size", [(1280, 720), (720, 1280)], ids=["landscape", "portrait"])
def test_every_design_draws_real_frames(models, style, size):
    ex = make_exhibit(models, f"answer.style={style}", size=size)
    surf = pygame.Surface(size)
    for i, (hidden, activation) in enumerate(DESIGNS):
        put(ex, hidden, activation, seed=i)
        assert ex.layout.sizes == [784, *hidden, 10] and len(ex.masks) == len(hidden)
        ex.load_sample(i + 2)
        for _ in range(30):
            ex.step(1 / 60)
            show(ex, surf)
        ex.act("freeze")
        assert ex.mode == Mode.FROZEN
        for _ in ex.stages():  # the step-through names this design's activation
            ex.act("step")
            show(ex, surf)
        assert {k for k, _ in ex.stages()} >= {"pixels", "scores", "softmax"}
        assert (activation in {k for k, _ in ex.stages()}) == bool(hidden)
        ex.act("freeze")
        if hidden:
            ex.teach(detail=(1, 0))  # a hidden neuron's card
            show(ex, surf)
            ex.teach(detail=None)
        for _ in range(10):
            ex.step(1 / 60)
            show(ex, surf)
    ex.close()


@pytest.mark.usefixtures("display")
def test_install_lays_out_again_only_for_another_shape(models):
    ex = make_exhibit(models)
    surf = pygame.Surface((1280, 720))
    put(ex, [25, 25], "relu")
    same = ex.layout
    ex.load_sample(4)
    show(ex, surf)
    put(ex, [25, 25], "relu", seed=1)  # live learning's next snapshot: the cheap path
    assert ex.layout is same and not ex.snapshot.empty
    put(ex, [], "relu")
    assert ex.layout is not same and ex.layout.sizes == [784, 10] and ex.masks == []
    show(ex, surf)
    assert not ex.snapshot.empty and ex.snapshot.forward.probs.shape[-1] == 10
    assert len(ex.stages()) == 3
    put(ex, [8, 8], "tanh")
    ex.act("freeze")
    for _ in range(6):
        ex.act("step")
    assert ex.stage == 5 and ex.stages()[5] == ("scores", 3)
    show(ex, surf)
    put(ex, [], "relu")  # three stages only: the step-through starts again
    assert ex.stage is None
    show(ex, surf)
    ex.close()


@pytest.mark.usefixtures("display")
def test_learning_a_design_in_the_exhibit(models, small_subset, monkeypatch):
    monkeypatch.setattr(data, "SUBSET", type(data.SUBSET)(small_subset))
    ex = make_exhibit(models, "answer.style=dial")
    shipped = ex.recognizer.model
    surf = pygame.Surface(ex.size)
    with pytest.raises(ValueError):
        ex.learn.start(ex, {"hidden": [500]})
    assert not ex.learn.active and ex.recognizer.model is shipped
    ex.learn.start(ex, {"hidden": [], "rate": "good", "max_seconds": 2.0, "held_out": 500,
                        "pace_seconds": 0.5})
    assert ex.learn.active and ex.layout.sizes == [784, 10]
    learner = ex.learn.learner
    end = time.monotonic() + 20
    while not learner.finished and time.monotonic() < end:
        ex.step(1 / 60)
        ex.learn.step(ex)
        show(ex, surf)
        time.sleep(1 / 120)
    assert learner.finished, (learner.error, learner.curve[-2:])
    for _ in range(20):
        ex.learn.step(ex)
        show(ex, surf)
    assert ex.learn.active and ex.recognizer.model.net.sizes == [784, 10]  # a finish is no crash
    ex.learn.stop(ex, "key")
    assert ex.recognizer.model is shipped and ex.layout.sizes == list(shipped.net.sizes)
    ex.close()


# --- the presets' behaviour, over the visitors' pacing (slow tier) --------------------------

@pytest.mark.slow
def test_slow_learns_visibly_slower_than_good_and_neither_diverges(small_subset):
    for hidden, activation in ([25, 25], "relu"), ([], "relu"), ([32, 32], "tanh"):
        got = {}
        for rate in ("slow", "good"):
            sent = Inbox()
            worker.train(opts(small_subset, hidden=hidden, activation=activation, rate=rate,
                              max_seconds=8.0), sent)
            assert sent.kinds()[-1] == "finished", (rate, hidden)
            got[rate] = sent.of("finished")[0]
        assert got["good"]["accuracy"] - got["slow"]["accuracy"] >= 0.08, (hidden, got)
        assert got["slow"]["loss"] > got["good"]["loss"]


@pytest.mark.slow
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_too_fast_diverges_for_every_shape(small_subset, activation):
    for hidden in ([], [8], [128], [8, 8], [64, 32], [128, 128]):
        sent = Inbox()
        worker.train(opts(small_subset, hidden=hidden, activation=activation, rate="too_fast",
                          max_seconds=8.0, seed=len(hidden)), sent)
        assert sent.kinds()[-1] == "diverged", (hidden, activation, sent.of("accuracy")[-2:])
        assert sent.of("diverged")[0]["t"] - sent.of("accuracy")[0]["t"] < 5.0
