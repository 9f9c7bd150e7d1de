"""Design the network (issue 25): the design value, the day's designs store, the card and box
geometry at every screen shape, and the design mode's phases driven through the exhibit."""
import json

import numpy as np
import pygame
import pytest

from exhibit.config import load
from exhibit.layout import design as geo
from exhibit.layout.regions import Layout, SCREEN_SHAPES, orientation
from exhibit.state.design import NEURONS, Design, tap
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
