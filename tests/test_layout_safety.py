"""Finding 1 of issue 23: no layout the config check accepts can make a view raise.

Random layouts x models x answer styles x the six supported screen shapes: each is refused by
the config check (one line naming a layout key), or renders every state without one failure
(the Runner counts every exception a frame or an event raises)."""
import random

import pygame
import pytest

from support import sim_frames
from exhibit.config import ConfigError, load
from exhibit.config.schema import LAYOUTS, REGIONS
from exhibit.model.store import MODEL_NAMES
from exhibit.layout.check import check_layout
from exhibit.layout.regions import SCREEN_SHAPES

pytestmark = pytest.mark.usefixtures("display")

SMALL = [  # the red team's layout and three like it (the done-when runs them in a real window)
    ["model=cnn", "layout.landscape.network=[0.59, 0.13, 0.26, 0.6]"],
    ["model=cnn", "layout.landscape.preview=[0.35, 0.13, 0.22, 0.12]"],
    ["model=deep", "layout.landscape.network=[0.59, 0.13, 0.26, 0.15]"],
    ["answer.style=dial", "layout.landscape.bars=[0.865, 0.13, 0.115, 0.18]"],
]


def sim_runner(*sets, size):
    """conftest's sim_runner, on a config whose layout is not checked (what views must survive)."""
    from exhibit.eventlog import EventLog
    from exhibit.shell.loop import Runner
    t = [0.0]
    r = Runner(load(None, list(sets)), size,
               EventLog(None, clock=lambda: t[0]), clock=lambda: t[0])
    r.surface = pygame.Surface(size)
    r.t = t
    return r


def states(r) -> None:
    """Every state the exhibit draws: idle, drawing, answer, attract, frozen, step/explain,
    help, panel, compare, another model, ablation."""
    ex = r.ex
    sim_frames(r, 2)
    c = ex.canvas_rect
    pts = [(c.x + c.w * f, c.y + c.h * g) for f, g in ((0.3, 0.2), (0.6, 0.5), (0.4, 0.9))]
    r.handle([pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pts[0], button=1)])
    for p in pts[1:]:
        r.handle([pygame.event.Event(pygame.MOUSEMOTION, pos=p, rel=(1, 1), buttons=(1, 0, 0))])
        sim_frames(r, 2)
    r.handle([pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pts[-1], button=1)])
    sim_frames(r, 70)  # the answer's wave arrives
    r.ex.apply(("tap_neuron", 1, 0))  # a neuron's card
    sim_frames(r, 2)
    for action in ("freeze", "step", "step", "step", "explain", "help", "help", "panel", "close",
                   "freeze", "ablation"):
        r.ex.act(action)
        sim_frames(r, 3)
    r.ex.act("ablation")
    r.ex.act("compare")
    sim_frames(r, 40)
    r.ex.act("compare")
    for _ in MODEL_NAMES:
        r.ex.act("model")
        sim_frames(r, 40)
    sim_frames(r, 60 * 4)  # idle: attract mode starts (idle_seconds=1) and draws


def verdict(sets: list[str], size: tuple[int, int]) -> str:
    """'refused' (one line naming a layout key) or 'ran' (every state, no failure)."""
    cfg = load(None, sets)
    try:
        check_layout(cfg)
    except ConfigError as e:
        text = str(e)
        assert "\n" not in text and "layout." in text, text
        return "refused"
    r = sim_runner(*sets, "attract.idle_seconds=1", size=size)
    states(r)
    errors = [e for e in r.log.events if e["event"] == "error"]
    assert not r.failures and not errors, (sets, size, errors[:3])
    return "ran"


def random_layout(rng: random.Random, size: tuple[int, int]) -> list[str]:
    o = "portrait" if size[1] > size[0] else "landscape"
    sets = [f"model={rng.choice(MODEL_NAMES)}", f"answer.style={rng.choice(['bars', 'dial'])}"]
    for name in REGIONS:
        if rng.random() < 0.5:
            continue
        x, y, w, h = LAYOUTS[o][name]
        w2, h2 = w * rng.uniform(0.05, 1.0), h * rng.uniform(0.05, 1.0)
        sets.append(f"layout.{o}.{name}=[{x}, {y}, {w2:.3f}, {h2:.3f}]")
    return sets


@pytest.mark.parametrize("sets", SMALL, ids=["cnn-network", "cnn-preview", "deep-network", "dial"])
def test_the_red_teams_small_layouts_are_refused_or_run(sets):
    assert verdict(sets, (1280, 720)) in ("refused", "ran")


def test_check_layout_refuses_the_red_teams_layout_naming_the_key():
    with pytest.raises(ConfigError, match=r"layout\.landscape\.network"):
        check_layout(load(None, SMALL[0]))


@pytest.mark.slow  # every model x style x small region: the fast random sweep stays everyday
def test_views_degrade_in_a_region_too_small_for_them():
    """(a): past the check (a tiny network region the check would refuse), nothing raises."""
    for sets in SMALL:
        for size in ((1280, 720), (1920, 1080)):
            r = sim_runner(*sets, "attract.idle_seconds=1", size=size)
            states(r)
            assert not r.failures, (sets, size)


def test_random_layouts_are_refused_or_render_everything():
    rng = random.Random(23)
    seen = set()
    for _ in range(4):
        size = rng.choice(SCREEN_SHAPES)
        sets = random_layout(rng, size)
        seen.add(verdict(sets, size))
    assert seen  # the verdicts themselves are asserted inside


@pytest.mark.slow
def test_random_layouts_exhaustive_sweep():
    rng = random.Random(2323)
    for model in MODEL_NAMES:
        for style in ("bars", "dial"):
            for size in SCREEN_SHAPES:
                sets = random_layout(rng, size)
                sets[0], sets[1] = f"model={model}", f"answer.style={style}"
                verdict(sets, size)


def test_a_reload_refuses_the_red_teams_layout_and_keeps_running(tmp_path, capsys):
    r = sim_runner(size=(1280, 720))
    old = r.ex
    path = tmp_path / "c.yaml"
    path.write_text("model: cnn\nlayout:\n  landscape:\n    network: [0.59, 0.13, 0.26, 0.6]\n")
    r.reload(str(path), [])
    err = capsys.readouterr().err.strip().splitlines()
    assert r.ex is old and len(err) == 1 and "not reloaded" in err[0], err
    assert "layout.landscape.network" in err[0], err


def test_check_config_refuses_it_in_one_line(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "c.yaml"
    path.write_text("model: cnn\nlayout:\n  landscape:\n    network: [0.59, 0.13, 0.26, 0.6]\n")
    p = subprocess.run([sys.executable, "-m", "exhibit", "check-config", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.count("\n") == 1, p.stderr
    assert "layout.landscape.network" in p.stderr
