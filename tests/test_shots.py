"""digit-exhibit shots: every state rendered headless by the window's own drawing code, with an
inventory of the texts shown (ink boxes), the live tap targets and the answer glyphs.

The everyday tier shoots a few states at 1920x1080 twice (byte-identical) and checks them;
the slow tier sweeps every state x size x language, and the command itself.
"""
import json

import numpy as np
import pygame
import pytest

from exhibit.layout import panel as panel_geo
from exhibit.config import load
from exhibit.tools import shots
from exhibit import strings
from exhibit.views.screen import Screen

FEW = ("idle", "answer", "help", "panel", "compare")


def problems(inv: dict) -> list[str]:
    """Every text whose ink overlaps another's or leaves the screen; every target off it."""
    w, h = inv["size"]
    screen, out = pygame.Rect(0, 0, w, h), []
    for state, v in inv["states"].items():
        texts = v["texts"]
        for i, a in enumerate(texts):
            if not screen.contains(a["rect"]):
                out.append(f"{state}: text {a['text']!r} {a['rect']} leaves the screen")
            out += [f"{state}: text {a['text']!r} {a['rect']} overlaps {b['text']!r} {b['rect']}"
                    for b in texts[i + 1:] if pygame.Rect(a["rect"]).colliderect(b["rect"])]
        out += [f"{state}: target {t['name']} {t['rect']} leaves the screen"
                for t in v["targets"] if not screen.contains(t["rect"])]
    return out


def check_answers(inv: dict) -> None:
    st = inv["states"]
    if "idle" in st:
        assert st["idle"]["answers"] == []
    if "answer" in st:
        assert [a["text"] for a in st["answer"]["answers"]] == ["7"]
    if "compare" in st:
        assert len(st["compare"]["answers"]) == 2
    for v in st.values():
        for a in v["answers"]:  # the glyph lies inside a text shown
            assert any(pygame.Rect(t["rect"]).contains(a["rect"]) for t in v["texts"]), a


@pytest.fixture(scope="module")
def cfg():
    return load(None, [])


@pytest.fixture(scope="module")
def twice(cfg, tmp_path_factory):
    dirs = [tmp_path_factory.mktemp(f"shots{i}") for i in range(2)]
    invs = [shots.shots(cfg, d, (1920, 1080), states=FEW) for d in dirs]
    return dirs, invs


def test_two_runs_write_the_same_bytes(twice):
    (a, b), _ = twice
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted([f"{s}.png" for s in FEW] + ["inventory.json"])
    assert names == sorted(p.name for p in b.iterdir())
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n


def test_inventory_format_and_checks(twice):
    (d, _), (inv, _) = twice
    assert json.loads((d / "inventory.json").read_text(encoding="utf-8")) == inv
    assert inv["size"] == [1920, 1080] and list(inv["states"]) == list(FEW)
    for v in inv["states"].values():
        assert set(v) == {"texts", "targets", "answers"}
        assert all(set(t) == {"text", "rect", "px"} and t["px"] > 0 for t in v["texts"])
        assert all(set(t) == {"name", "rect"} for t in v["targets"])
    assert problems(inv) == []
    check_answers(inv)


def test_texts_are_ink_in_the_picture(twice):
    """Each listed text's box holds ink in the PNG (it differs from its own border's colour)
    and hugs it: the ink touches every side of the box."""
    (d, _), (inv, _) = twice
    for state in FEW:
        px = pygame.surfarray.array3d(pygame.image.load(str(d / f"{state}.png"))).astype(int)
        for t in inv["states"][state]["texts"]:
            x, y, w, h = t["rect"]
            box = px[x - 1:x + w + 1, y - 1:y + h + 1]
            bg = box[0, 0]
            ink = np.abs(box - bg).sum(2) > 60
            assert ink[1:-1, 1:-1].any(), (state, t)


def test_targets_are_what_the_hit_tests_hit(twice, cfg):
    _, (inv, _) = twice
    kit = shots.Kit(cfg, (1920, 1080), None, None, {})
    ex = kit.exhibit()
    names = [t["name"] for t in inv["states"]["answer"]["targets"]]
    assert {"canvas", "clear", "panel.open", *(f"sample.{d}" for d in range(10))} <= set(names)
    assert any(n.startswith("neuron.1.") for n in names) and any(n.startswith("neuron.2.") for n in names)
    for t in inv["states"]["answer"]["targets"]:
        x, y = pygame.Rect(t["rect"]).center
        kind, *rest = t["name"].split(".")
        if kind == "panel":
            assert panel_geo.corner(ex.layout).collidepoint(x, y)
            continue
        hit = ex.layout.hit(x, y, ex.shown())
        want = {"canvas": ("canvas", -1), "clear": ("clear", -1)}.get(kind) or (
            ("sample", int(rest[0])) if kind == "sample" else ("neuron", (int(rest[0]), int(rest[1]))))
        assert hit == want, t
    panel = [t["name"] for t in inv["states"]["panel"]["targets"]]
    assert panel == [f"panel.{a}" for a in panel_geo.PANEL_ACTIONS]  # it takes every tap
    for t in inv["states"]["panel"]["targets"]:
        assert panel_geo.panel_hit(ex.layout, *pygame.Rect(t["rect"]).center) == t["name"][6:]
    helped = [t["name"] for t in inv["states"]["help"]["targets"]]
    assert "canvas" not in helped and "panel.open" in helped  # the card hides the canvas
    ex.close()


def test_the_recorder_is_off_in_the_window(models, display):
    """A Screen built as the window builds it records nothing and keeps no surfaces."""
    from exhibit.state.exhibit import Exhibit

    cfg = load(None, [])
    ex = Exhibit(cfg, (1280, 720), models=models)
    ex.load_sample(7)
    s = Screen(cfg)
    s.draw(pygame.Surface((1280, 720)), ex)
    assert s.theme.ink is None and s.theme._made == {}
    ex.close()


def test_an_unknown_language_is_one_clear_error(cfg, tmp_path):
    with pytest.raises(shots.ShotError, match="--lang xx: expected one of"):
        shots.shots(cfg, tmp_path, (1920, 1080), lang="xx")


@pytest.mark.slow
@pytest.mark.parametrize("lang", strings.languages())
@pytest.mark.parametrize("size", shots.SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_state_size_and_language(cfg, tmp_path, size, lang):
    inv = shots.shots(cfg, tmp_path, size, lang=lang)
    assert list(inv["states"]) == list(shots.STATES)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{s}.png" for s in shots.STATES] + ["inventory.json"])
    assert problems(inv) == []
    check_answers(inv)


@pytest.mark.slow
def test_the_command_twice_gives_the_same_files(tmp_path, capsys):
    from exhibit.cli import main

    for d in ("a", "b"):
        assert main(["shots", str(tmp_path / d), "--size", "1920x1080"]) == 0
    assert f"{len(shots.STATES)} states at 1920x1080" in capsys.readouterr().out
    for p in sorted((tmp_path / "a").iterdir()):
        assert p.read_bytes() == (tmp_path / "b" / p.name).read_bytes(), p.name
