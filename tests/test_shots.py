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
TALK_FAMILIES = ("feedback", "meant", "fool", "teach", "whatif")


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
        if kind in TALK_FAMILIES:  # talk-back's, in their states: test_the_talk_states_*
            continue
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
    check_screen(inv, tmp_path, cfg, lang)


@pytest.mark.slow
def test_the_command_twice_gives_the_same_files(tmp_path, capsys):
    from exhibit.cli import main

    for d in ("a", "b"):
        assert main(["shots", str(tmp_path / d), "--size", "1920x1080"]) == 0
    assert f"{len(shots.STATES)} states at 1920x1080" in capsys.readouterr().out
    for p in sorted((tmp_path / "a").iterdir()):
        assert p.read_bytes() == (tmp_path / "b" / p.name).read_bytes(), p.name


# --- the screen at museum grade (issue 21): the answer, the prompt, the frozen line ---------

VISITOR = ("idle", "answer", "close-call", "unsure", "attract", "frozen")  # learn: slow sweep


def glyph_cap(png, rect, fg=(242, 244, 255)) -> int:
    """The height of the answer glyph's ink measured in the picture: rows, in and around the
    inventory's box, holding pixels of the text colour (the glow is another colour)."""
    px = pygame.surfarray.array3d(pygame.image.load(str(png))).astype(int)  # (w, h, 3)
    x, y, w, h = rect
    m = max(4, h // 4)
    x0, y0 = max(0, x - m), max(0, y - m)
    area = px[x0:x + w + m, y0:y + h + m]
    ink = np.abs(area - np.array(fg)).max(axis=2) <= 40
    rows = np.flatnonzero(ink.any(axis=0))
    cols = np.flatnonzero(ink.any(axis=1))
    assert len(rows), f"no glyph ink around {rect}"
    # the box the inventory gives is the ink the picture holds
    assert abs(y0 + rows[0] - y) <= 2 and abs(y0 + rows[-1] + 1 - (y + h)) <= 2, (rect, rows[[0, -1]])
    assert abs(x0 + cols[0] - x) <= 2 and abs(x0 + cols[-1] + 1 - (x + w)) <= 2, (rect, cols[[0, -1]])
    return int(rows[-1] - rows[0] + 1)


def check_screen(inv: dict, d, cfg, lang: str | None = None) -> dict[str, float]:
    """The measures of issue 21 on one size's shots; returns the glyph's cap height per state
    as a share of the screen's height."""
    w, h = inv["size"]
    least = 0.15 if w > h else 0.08
    k = min(w, h) / 1080
    for state, v in inv["states"].items():  # the floors: text, and what a finger taps
        small = [(t["text"], t["px"]) for t in v["texts"] if t["px"] < 20 * k]
        assert not small, f"{state}: texts under {20 * k:.0f} px: {small}"
        tiny = [(t["name"], t["rect"]) for t in v["targets"] if not t["name"].startswith("neuron.")
                and min(t["rect"][2:]) < 64 * k]
        assert not tiny, f"{state}: targets under {64 * k:.0f} px: {tiny}"
    st, say = inv["states"], (lambda k, **kw: strings.text(lang or cfg.language, k, **kw))
    out = {}
    for state in ("answer", "close-call", "unsure", "attract", "cnn"):
        if state not in st:
            continue
        (a,) = st[state]["answers"]  # one glyph, the largest text on screen
        cap = glyph_cap(d / f"{state}.png", a["rect"])
        out[state] = cap / h
        assert cap >= least * h, f"{state}: cap height {cap} px < {least:.0%} of {h}"
        assert a["text"] == ("?" if state == "unsure" else a["text"]) and a["text"] in "0123456789?"
    if "close-call" in st:  # the runner-up is named
        glyph = st["close-call"]["answers"][0]["text"]
        named = [t["text"] for t in st["close-call"]["texts"]
                 if any(t["text"] == say("or_runner_up", digit=k) for k in range(10) if str(k) != glyph)]
        assert named, [t["text"] for t in st["close-call"]["texts"]]
    if "answer" in st:  # a sure reading names no runner-up
        assert not any(t["text"] == say("or_runner_up", digit=k) for k in range(10)
                       for t in st["answer"]["texts"])
    if "idle" in st:  # the prompt lies inside the empty canvas
        canvas = next(pygame.Rect(t["rect"]) for t in st["idle"]["targets"] if t["name"] == "canvas")
        (p,) = [t for t in st["idle"]["texts"] if t["text"] == say("canvas_prompt")]
        assert canvas.contains(p["rect"]), (p, canvas)
    for state in ("answer", "close-call", "unsure", "attract", "frozen"):
        if state in st:
            assert say("canvas_prompt") not in [t["text"] for t in st[state]["texts"]], state
    if "frozen" in st:
        texts = [t["text"] for t in st["frozen"]["texts"]]
        assert say("frozen_title") in texts, texts
        assert not any(say(k) in t for k in ("draw_prompt", "canvas_prompt", "invite") for t in texts), texts
    return out


@pytest.fixture(scope="module")
def visitor(cfg, tmp_path_factory):
    out = {}
    for size in ((1920, 1080), (1080, 1920), (3840, 2160)):
        d = tmp_path_factory.mktemp(f"visitor{size[0]}")
        out[size] = d, shots.shots(cfg, d, size, states=VISITOR if size[0] < 3840 else ("answer",))
    return out


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (3840, 2160)],
                         ids=["landscape", "portrait", "4k"])
def test_the_answer_is_the_largest_thing_on_screen(visitor, cfg, size):
    d, inv = visitor[size]
    caps = check_screen(inv, d, cfg)
    print(size, {k: f"{v:.1%}" for k, v in caps.items()})
    assert set(caps) == ({"answer", "close-call", "unsure", "attract"} if size[0] < 3840
                         else {"answer"})
    assert problems(inv) == []
    check_answers(inv)
    for state, v in inv["states"].items():  # no other text is as large as the glyph
        for a in v["answers"]:
            assert all(t["px"] < pygame.Rect(a["rect"]).h for t in v["texts"] if t["text"] != a["text"]), state


def test_the_prompt_leaves_at_the_first_touch(cfg):
    """The canvas prompt is on the screen while the canvas waits, gone once a finger is down."""
    kit = shots.Kit(cfg, (1920, 1080), None, None, {})
    ex = kit.exhibit()
    scr = Screen(cfg)
    surf = pygame.Surface(ex.size)
    prompt = strings.text(ex.lang, "canvas_prompt")
    scr.draw(surf, ex)
    assert prompt in [b.text for b in scr.scene.overlay_text]
    c = ex.canvas_rect
    shots.finger(ex, "down", c.centerx, c.centery)
    shots.frames(ex)
    scr.draw(surf, ex)
    assert prompt not in [b.text for b in scr.scene.overlay_text]
    ex.close()


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
def test_no_curtain_lines_leave_the_picture_itself(visitor, cfg, size):
    """Connections from the 28x28 picture start on its edge, at its pixels' rows: in the strip
    just beside the picture, below it, the answer's frame holds only panel or background (it
    held a curtain of line starts)."""
    d, _ = visitor[size]
    kit = shots.Kit(cfg, size, None, None, {})
    ex = kit.exhibit()
    pic = ex.layout.picture_rect
    net = ex.layout.inner_network
    ex.close()
    px = pygame.surfarray.array3d(pygame.image.load(str(d / "answer.png"))).astype(int)
    theme_c = {k: np.array(pygame.Color(v)[:3]) for k, v in vars(cfg.colors).items()}
    strip = px[pic.right + 1:pic.right + 11, pic.bottom + 40:net.bottom]  # (10, rows, 3)
    plain = np.zeros(strip.shape[:2], bool)
    for c in ("panel", "background"):
        plain |= np.abs(strip - theme_c[c]).max(axis=2) <= 2
    assert plain.mean() == 1.0, f"{(~plain).sum()} line pixels beside and below the picture"
    # and the lines are there: along the picture's edge, beside it
    edge = px[pic.right + 6:pic.right + 11, pic.y:pic.bottom]
    assert (np.abs(edge - theme_c["panel"]).max(axis=2) > 2).mean() > 0.2


# --- talk-back (issue 24): its states, their targets, the same measures -----------------------

TALK_TARGETS = {"idle": ["fool"], "feedback": ["feedback.right", "feedback.wrong"],
                "feedback-meant": [f"meant.{d}" for d in range(10)], "teach": ["teach"],
                "teach-after": [], "fooled": [], "what-if": [f"whatif.{d}" for d in range(10)]}


@pytest.mark.parametrize("size", [(1920, 1080), pytest.param((1080, 1920), marks=pytest.mark.slow)],
                         ids=["landscape", "portrait"])
def test_the_talk_states_pass_the_screen_measures(cfg, tmp_path, size):
    inv = shots.shots(cfg, tmp_path, size, states=("idle",) + shots.TALK_STATES)
    assert problems(inv) == []
    check_screen(inv, tmp_path, cfg)
    check_answers(inv)
    ex = shots.Kit(cfg, size, None, None, {}).exhibit()
    region = pygame.Rect(ex.layout.rects["talk"])
    ex.close()
    for state, want in TALK_TARGETS.items():
        v = inv["states"][state]
        names = [t["name"] for t in v["targets"] if t["name"].split(".")[0] in TALK_FAMILIES]
        assert names == want, (state, names)
        for t in v["targets"]:
            if t["name"] in want:
                assert region.contains(t["rect"]), t
        assert any(region.contains(t["rect"]) for t in v["texts"]), state  # it says something
    say = lambda k, **kw: strings.text(cfg.language, k, **kw)  # noqa: E731
    texts = {s: " ".join(t["text"] for t in v["texts"]) for s, v in inv["states"].items()}
    assert say("talk_ask") in texts["feedback"] and say("meant") in texts["feedback-meant"]
    assert say("fooled", n=1) in texts["fooled"]
    assert say("teach_button", digit=0)[:-1] in texts["teach"]
    assert say("teach_before") in texts["teach-after"] and say("whatif_note", digit=9) in texts["what-if"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", strings.languages())
def test_the_talk_states_in_every_language(cfg, tmp_path, lang):
    for size in ((1920, 1080), (1080, 1920)):
        inv = shots.shots(cfg, tmp_path / f"{size[0]}", size, lang=lang, states=shots.TALK_STATES)
        assert problems(inv) == []
        check_screen(inv, tmp_path / f"{size[0]}", cfg, lang)
