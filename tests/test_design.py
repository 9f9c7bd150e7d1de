"""Design the network (issue 25): the design value, the day's designs store, the card and box
geometry at every screen shape, and the design mode's phases driven through the exhibit."""
import json

import numpy as np
import pygame
import pytest

from exhibit.config import load
from exhibit.layout import design as geo
from exhibit.layout.regions import Layout, SCREEN_SHAPES, orientation
from exhibit.learn.design import NEURONS, Design, tap
from exhibit.state.tally import TallyStore

WALL = 1_765_100_000.0  # a fixed wall clock: no test depends on the real one


def test_design_steps_through_its_choices_and_counts_its_parameters():
    d = Design()
    assert d.sizes == (784, 32, 10) and d.params == 784 * 32 + 32 + 32 * 10 + 10
    assert tap(d, "design.layers.minus").sizes == (784, 10)
    assert tap(tap(d, "design.layers.minus"), "design.layers.minus").hidden == ()  # floor
    two = tap(d, "design.layers.plus")
    assert two.hidden == (32, 32) and tap(two, "design.layers.plus").hidden == (32, 32)  # ceiling
    assert tap(two, "design.neurons.2.minus").hidden == (32, 16)
    wide = d
    for _ in range(9):
        wide = tap(wide, "design.neurons.1.plus")
    assert wide.hidden == (NEURONS[-1],)
    assert tap(d, "design.neurons.2.plus") == d  # no such layer: nothing changes
    assert tap(d, "design.activation.tanh").activation == "tanh"
    assert tap(d, "design.rate.too_fast").rate == "too_fast"
    assert tap(d, "design.rate.ludicrous") == d and tap(d, "design.nothing") == d
    with pytest.raises(ValueError):
        Design(hidden=(7,))
    with pytest.raises(ValueError):
        Design(hidden=(8, 8, 8))
    with pytest.raises(ValueError):
        Design(activation="gelu")
    assert d.options(90.0) == {"hidden": [32], "activation": "relu", "rate": "good",
                               "max_seconds": 90.0}


def test_the_days_designs_share_the_tallys_store_survive_a_restart_and_reset_next_day(tmp_path):
    path = tmp_path / "tally.json"
    store = TallyStore(str(path), 0, WALL)
    store.add(WALL, 7, True)
    rec = Design(hidden=(100,)).record(0.9712)
    store.add_design(WALL, rec)
    store.add_design(WALL, {"hidden": [8], "picture": [[0, 1]]})  # not a design's numbers: refused
    again = TallyStore(str(path), 0, WALL + 60)
    assert again.today(WALL + 60).designs == [rec] and again.today(WALL + 60).total == (1, 1)
    saved = json.loads(path.read_text())
    assert set(saved) == {"day", "right", "answered", "designs"}
    assert set(saved["designs"][0]) == {"hidden", "activation", "rate", "params", "accuracy"}
    assert again.today(WALL + 86400).designs == []  # the next day starts afresh
    path.write_text(json.dumps({**saved, "designs": [{"hidden": "x"}]}))
    assert TallyStore(str(path), 0, WALL).today(WALL).designs == []  # foreign: a fresh day
    old = {k: saved[k] for k in ("day", "right", "answered")}  # a file from before issue 25
    path.write_text(json.dumps(old))
    assert TallyStore(str(path), 0, WALL).today(WALL).total == (1, 1)


@pytest.mark.parametrize("size", SCREEN_SHAPES)
@pytest.mark.parametrize("style", ["bars", "dial"])
def test_card_and_box_fit_every_screen_with_finger_sized_targets(size, style):
    cfg = load(None, [f"answer.style={style}"])
    lay = Layout(cfg, size, [784, 32, 32, 10], 28)
    screen = pygame.Rect((0, 0), size)
    finger = 64 * min(size) / 1080 - 1
    card = geo.card(lay, 2)
    r = lay.rects
    assert screen.contains(card.rect)
    assert not card.rect.colliderect(r["network"]) and not card.rect.colliderect(r["bars"])
    assert card.rect.contains(r["canvas"])  # strokes cannot start under the card
    names = [n for n, _ in card.targets]
    assert len(names) == len(set(names)) == 2 + 4 + 3 + 3 + 2
    rects = [t for _, t in card.targets]
    for i, t in enumerate(rects):
        assert card.rect.contains(t) and min(t.size) >= finger, (names[i], t)
        assert t.collidelist(rects[i + 1:]) < 0, names[i]
    assert min(card.chart.size) >= lay.px(150)
    box = geo.box(lay)
    assert box is not None and screen.contains(box.rect)
    assert not box.rect.colliderect(r["canvas"]) and not box.rect.colliderect(r["bars"])
    for name, t in box.buttons:
        assert box.rect.contains(t) and min(t.size) >= finger, name
    assert box.plot.h >= lay.px(80) and box.plot.bottom <= box.reference.y
    one = geo.card(lay, 1)  # rows keep their places when a layer goes
    assert dict(one.targets)["design.rate.good"] == dict(card.targets)["design.rate.good"]
    assert "design.neurons.2.plus" not in dict(one.targets)


# --- the design mode, driven through the exhibit (a stand-in learning process) --------------

from exhibit.eventlog import EventLog  # noqa: E402
from exhibit.learn.session import initial_model  # noqa: E402
from exhibit.state import designing  # noqa: E402
from exhibit.state.exhibit import Exhibit  # noqa: E402
from exhibit.state.modes import Mode  # noqa: E402
from exhibit.views.screen import Screen  # noqa: E402

E = pygame.event.Event


class FakeLearner:
    """The learning process's interface, with its news set by the test."""
    made: list["FakeLearner"] = []

    def __init__(self, source, spec, seed=0, options=None):
        self.options, self.spec = options, spec
        self.curve, self.loss_curve, self.seen, self.n_held_out = [], [], 0, 2000
        self.finished = self.diverged = self.ended = self.paused = self.stopped = False
        self.final_accuracy, self.crashed, self.steps, self.pid = None, None, 0, 0
        self._model = None
        FakeLearner.made.append(self)

    def report(self, t, acc, loss=0.3):
        self.curve.append((t, acc))
        self.loss_curve.append((t, loss))
        self.seen += 1000
        self._model = initial_model(self.spec, seed=len(self.curve),
                                    hidden=tuple(self.options["hidden"]),
                                    activation=self.options["activation"])

    def take(self):
        m, self._model = self._model, None
        return m

    def pause(self):
        self.paused = True

    def resume(self):
        self.paused = False

    def step_once(self):
        self.steps += 1

    def stop(self, wait=0.0):
        self.stopped = True


@pytest.fixture
def fake(monkeypatch):
    FakeLearner.made = []
    monkeypatch.setattr(designing, "Learner", FakeLearner)
    return FakeLearner


def make(models, *sets, size=(1920, 1080), log=None):
    return Exhibit(load(None, list(sets)), size, log or EventLog(None), models=dict(models))


def run(ex, seconds, dt=1 / 30):
    for _ in range(round(seconds / dt)):
        ex.step(dt)
        ex.refresh()


def card_tap(ex, target):
    rect = dict(geo.card(ex.layout, len(ex.design.design.hidden)).targets)[target]
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        ex.handle(E(kind, pos=rect.center, button=1))
        run(ex, 1 / 30)


def box_tap(ex, target):
    rect = dict(geo.box(ex.layout).buttons)[target]
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        ex.handle(E(kind, pos=rect.center, button=1))
        run(ex, 1 / 30)


def test_the_picture_follows_the_design_and_a_run_goes_through_its_phases(models, fake, tmp_path):
    log = tmp_path / "events.jsonl"
    ex = make(models, "attract.idle_seconds=20", "learn.design_seconds=90",
              log=EventLog(str(log)))
    shipped = ex.recognizer
    ex.handle(E(pygame.KEYDOWN, key=pygame.K_d, mod=0, unicode="d"))
    assert ex.design.designing and ex.design.phase == "ready"
    assert ex.layout.sizes == [784, 32, 10] and ex.recognizer.model.net.sizes == [784, 32, 10]
    card_tap(ex, "design.layers.minus")
    assert ex.layout.sizes == [784, 10]  # no hidden layer: the picture feeds the outputs
    card_tap(ex, "design.layers.plus")
    card_tap(ex, "design.layers.plus")
    card_tap(ex, "design.neurons.2.plus")
    card_tap(ex, "design.activation.tanh")
    assert ex.layout.sizes == [784, 32, 64, 10]
    assert ex.recognizer.model.net.activation == "tanh"
    surf = pygame.Surface(ex.size)
    Screen(ex.cfg).draw(surf, ex)  # a real frame of the card
    card_tap(ex, "design.train")
    (run_,) = fake.made
    assert run_.options == {"hidden": [32, 64], "activation": "tanh", "rate": "good",
                            "max_seconds": 90.0}
    assert not ex.design.designing and ex.design.phase == "training"
    run(ex, 30)  # longer than attract.idle_seconds: a run being watched keeps attract away
    assert ex.mode != Mode.ATTRACT and ex.since_input == 0.0
    run_.report(10.0, 0.91)
    run(ex, 0.1)
    assert ex.design.curve[-1] == (10.0, 0.91) and ex.design.loss == 0.3
    box_tap(ex, "design.pause")
    assert run_.paused and ex.design.phase == "paused"
    box_tap(ex, "design.step")
    assert run_.steps == 1 and ex.design.phase == "paused"
    box_tap(ex, "design.pause")  # go on
    assert not run_.paused and ex.design.phase == "training"
    run_.report(90.0, 0.953)
    run_.finished = run_.ended = True
    run_.final_accuracy = 0.953
    run(ex, 0.1)
    assert ex.design.phase == "done"
    (rec,) = ex.tally_today.designs
    assert rec == {"hidden": [32, 64], "activation": "tanh", "rate": "good",
                   "params": Design((32, 64), "tanh").params, "accuracy": 0.953}
    draw = [(300, 400), (320, 600), (340, 800)]  # the visitor tests it: the explainer reads beside
    c = ex.canvas_rect
    ex.handle(E(pygame.MOUSEBUTTONDOWN, pos=(c.x + 300, c.y + 300), button=1))
    for x, y in draw:
        ex.handle(E(pygame.MOUSEMOTION, pos=(c.x + x, c.y + y), rel=(0, 0), buttons=(1, 0, 0)))
    ex.handle(E(pygame.MOUSEBUTTONUP, pos=(c.x + 340, c.y + 800), button=1))
    run(ex, 0.2)
    assert ex.design.reference is not None and ex.design.reference.model == "explainer"
    assert ex.snapshot.model != "explainer" or ex.recognizer is not shipped
    Screen(ex.cfg).draw(surf, ex)
    run(ex, 21)  # idle counts from the end of training
    assert ex.mode == Mode.ATTRACT and not ex.design.on
    assert ex.recognizer.model is shipped.model  # back to the shipped network
    text = log.read_text()
    assert '"design"' in text and "picture" not in text and "strokes" not in text


def test_a_run_that_blows_up_says_so_and_starts_again(models, fake):
    ex = make(models)
    ex.act("design")
    card_tap(ex, "design.rate.too_fast")
    card_tap(ex, "design.train")
    fake.made[-1].report(2.0, 0.1, loss=float("nan"))
    fake.made[-1].diverged = True
    run(ex, 0.1)
    assert ex.design.phase == "ready" and ex.design.message == "design_diverged"
    assert fake.made[-1].stopped and ex.design.curve == ()
    surf = pygame.Surface(ex.size)
    Screen(ex.cfg).draw(surf, ex)  # the one line is drawn, no crash
    run(ex, designing.MESSAGE_SECONDS + 0.5)
    assert ex.design.message is None
    box_tap(ex, "design.pause")  # "Train" again
    assert len(fake.made) == 2 and ex.design.phase == "training"


@pytest.mark.parametrize("hidden", [(), (8,), (100,), (100, 100), (8, 8)])
@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1280, 720)])
@pytest.mark.parametrize("style", ["bars", "dial"])
def test_every_design_draws_in_every_layout_and_answer_style(models, fake, hidden, size, style):
    ex = make(models, f"answer.style={style}", size=size)
    ex.act("design")
    while len(ex.design.design.hidden) > len(hidden):
        card_tap(ex, "design.layers.minus")
    while len(ex.design.design.hidden) < len(hidden):
        card_tap(ex, "design.layers.plus")
    for layer, n in enumerate(hidden, start=1):
        while ex.design.design.hidden[layer - 1] != n:
            card_tap(ex, f"design.neurons.{layer}.{'plus' if n > ex.design.design.hidden[layer - 1] else 'minus'}")
    assert tuple(ex.layout.sizes) == (784, *hidden, 10)
    surf = pygame.Surface(size)
    screen = Screen(ex.cfg)
    screen.draw(surf, ex)
    card_tap(ex, "design.train")
    fake.made[-1].report(5.0, 0.8)
    ex.load_sample(3)
    run(ex, 2.5)
    screen.draw(surf, ex)
    assert not ex.snapshot.empty and ex.snapshot.forward.probs.shape[-1] == 10


def test_a_tanh_design_is_explained_as_tanh_not_relu(models, fake):
    ex = make(models)
    ex.act("design")
    card_tap(ex, "design.activation.tanh")
    card_tap(ex, "design.close")  # back to the shipped network: ReLU again
    assert ex.recognizer.model.net.activation == "relu"
    ex.act("design")
    card_tap(ex, "design.activation.tanh")
    card_tap(ex, "design.train")
    ex.load_sample(3)
    run(ex, 2.5)
    from exhibit.views.teacher import act_suffix
    assert act_suffix(ex) == "_tanh"
    assert "tanh" in ex.say("explain_network" + act_suffix(ex))
    assert "max(0" not in ex.say("neuron_values" + act_suffix(ex), z="1", a="0.76")
