"""Teachers without a keyboard and operators: the touch teacher panel behind a long press, the
presentation clicker's keys, the about card's credits, and the quit chord's countdown ring."""
import pygame
import pytest

from support import screen
from exhibit.layout import panel as panel_geo
from exhibit.eventlog import EventLog
from exhibit.shell.loop import QUIT_HOLD, Runner
from exhibit.state.modes import Mode
from exhibit.config import load
from exhibit.views import operator
from support import frame, key, make_exhibit as make, press, release, tap
from support import draw_mouse

E = pygame.event.Event
pytestmark = pytest.mark.usefixtures("display")
SIZE = (1280, 720)


def button(ex, action):
    return dict(panel_geo.panel_buttons(ex.layout))[action].center


def test_a_long_press_in_the_corner_opens_the_touch_panel(models):
    ex = make(models, "operator.hold_seconds=3")
    surf = pygame.Surface(SIZE)
    base = pygame.image.tobytes(frame(ex, surf), "RGB")
    spot = panel_geo.corner(ex.layout).center
    press(ex, spot)
    frame(ex, surf, 2.5)
    assert not ex.panel_open  # not yet: a brief touch never opens it
    frame(ex, surf, 0.6)
    assert ex.panel_open
    assert pygame.image.tobytes(surf, "RGB") != base
    assert panel_geo.panel_rect(ex.layout) in [r.clip(panel_geo.panel_rect(ex.layout))
                                              for r in screen(ex).scene.overlay_rects]
    release(ex, spot)
    # a press that slides away is a stroke or a slip, not the gesture
    ex.teach(panel=False)
    press(ex, spot)
    ex.handle(E(pygame.MOUSEMOTION, pos=(spot[0] + 80.0, spot[1] + 80.0), buttons=(1, 0, 0),
                rel=(0, 0), touch=False))
    frame(ex, surf, 3.5)
    assert not ex.panel_open


def test_the_panel_does_what_the_keys_do(models):
    ex = make(models)
    draw_mouse(ex, 3)
    ex.act("panel")
    tap(ex, button(ex, "freeze"))
    assert ex.mode == Mode.FROZEN and ex.panel_open  # the panel stays for the next action
    tap(ex, button(ex, "step"))
    tap(ex, button(ex, "step"))
    assert ex.stages()[ex.stage][0] == "sum"
    tap(ex, button(ex, "step_back"))
    assert ex.stages()[ex.stage][0] == "pixels"
    tap(ex, button(ex, "freeze"))
    assert ex.mode == Mode.IDLE
    tap(ex, button(ex, "model"))
    assert ex.model_name == "compact14"
    tap(ex, button(ex, "language"))
    assert ex.lang == "de"
    tap(ex, button(ex, "about"))
    assert ex.show_about
    tap(ex, button(ex, "explain"))  # under the credits: this tap only closes them
    assert not ex.show_about and not ex.show_explain and ex.panel_open
    tap(ex, button(ex, "clear"))
    assert ex.drawing.empty
    tap(ex, button(ex, "close"))
    assert not ex.panel_open
    ex.act("panel")
    tap(ex, (2, SIZE[1] - 2))  # outside the panel: closes it, draws nothing
    assert not ex.panel_open and ex.drawing.empty


@pytest.mark.parametrize("name", ["page down", "page up"])
def test_a_presentation_clicker_freezes_and_steps(models, name):
    ex = make(models)
    draw_mouse(ex, 7)
    code = pygame.key.key_code(name)
    key(ex, code)  # the first press freezes and shows a step
    assert ex.mode == Mode.FROZEN and ex.stage is not None
    first = ex.stage
    key(ex, code)
    n = len(ex.stages())
    assert ex.stage == (first + (1 if name == "page down" else -1)) % n
    for k in (pygame.K_b, pygame.K_PERIOD):  # the clicker's black-screen key: freeze / unfreeze
        key(ex, k)
        assert ex.mode == Mode.IDLE
        key(ex, k)
        assert ex.mode == Mode.FROZEN
    assert ex.since_teacher == 0.0


def test_clicker_keys_are_configurable(models):
    ex = make(models, 'keys.step=["x"]', 'keys.centring=["c"]', 'keys.clear=["k"]')
    draw_mouse(ex, 1)
    key(ex, pygame.K_PAGEDOWN)
    assert ex.mode == Mode.IDLE
    key(ex, pygame.K_x)
    assert ex.mode == Mode.FROZEN


def test_the_about_card_credits_the_data_and_fonts_and_says_nothing_is_stored(models, monkeypatch):
    shown = []
    real = operator.about_card
    monkeypatch.setattr(operator, "about_card", lambda surf, th, title, lines: shown.append(lines)
                        or real(surf, th, title, lines))
    ex = make(models)
    surf = pygame.Surface(SIZE)
    base = pygame.image.tobytes(frame(ex, surf), "RGB")
    key(ex, pygame.K_i)
    frame(ex, surf)
    assert pygame.image.tobytes(surf, "RGB") != base
    text = " ".join(shown[-1])
    for credit in ("MNIST", "LeCun", "Cortes", "Burges", "CC BY-SA 3.0", "Alpaydin", "Alimoglu",
                   "UCI", "CC BY 4.0", "Noto Sans", "SIL Open Font License", "never stored"):
        assert credit in text, credit
    from exhibit.version import package_version
    assert f"Version {package_version()}" in shown[-1][-1]  # which release this is
    key(ex, pygame.K_h)  # reachable from the help card: it names the key
    assert any("about" in line.lower() for line in ex.say("help_keys").split("|"))
    c = ex.canvas_rect
    press(ex, c.center)  # a visitor's touch closes it and still draws
    assert not ex.show_about and ex.mode == Mode.DRAWING


def test_holding_the_quit_chord_shows_a_filling_ring(models, monkeypatch):
    t = [0.0]
    r = Runner(load(None, []), SIZE, EventLog(None), clock=lambda: t[0])
    r.surface = pygame.Surface(SIZE)
    held = {pygame.K_q: True}
    monkeypatch.setattr(pygame.key, "get_pressed", lambda: held)
    monkeypatch.setattr(pygame.key, "get_mods", lambda: pygame.KMOD_CTRL | pygame.KMOD_SHIFT)
    rings = []
    real = operator.chord_ring
    monkeypatch.setattr(operator, "chord_ring", lambda s, th, p, text: rings.append(p)
                        or real(s, th, p, text))
    r.advance(1)
    base = pygame.image.tobytes(r.surface, "RGB")
    r.check_chord()
    r.advance(1)
    frames = []
    for _ in range(3):
        t[0] += QUIT_HOLD / 4
        r.check_chord()
        r.advance(1)
        frames.append(pygame.image.tobytes(r.surface, "RGB"))
    assert not r.quit and len(set(frames)) == 3 and base not in frames  # it fills, visibly
    assert rings and rings == sorted(rings) and 0.7 < rings[-1] < 0.8
    held[pygame.K_q] = False  # let go: the ring goes, nothing quits
    r.check_chord()
    r.advance(1)
    assert pygame.image.tobytes(r.surface, "RGB") == base and not r.quit
