"""Touch lands under the finger: genuine SDL finger events (see sdl_touch.py), on the real
display surface, with the layout drawn at the display's size or scaled and letterboxed.

In the suite the display is SDL's dummy driver (a 1024x768 desktop); the same test runs on a
real X server (SDL_VIDEODRIVER=x11 DISPLAY=...) at any screen shape.
"""
import pygame
import pytest

from exhibit.eventlog import EventLog
from exhibit.shell.loop import Runner
from exhibit.shell.window import Window
from exhibit.config import load
from support import FINGERDOWN, FINGERMOTION, FINGERUP, push

pytestmark = pytest.mark.usefixtures("display")


@pytest.mark.parametrize("layout,sets", [(None, []), ((1920, 1080), []), ((1080, 1920), []),
                                         ((1280, 1024), []), ((1920, 1080), ["layout.mirror=true"])],
                         ids=["native", "landscape-scaled", "portrait-scaled", "5x4-scaled",
                              "landscape-scaled-mirrored"])
def test_a_finger_draws_exactly_where_it_touches(layout, sets):
    window = Window(layout, fullscreen=True, display=0, vsync=False)
    runner = Runner(load(None, sets), window.size, EventLog(None))
    runner.surface = window.surface
    runner.update_viewport()
    ex = runner.ex
    ww, wh = pygame.display.get_window_size()
    assert window.scaled == (layout is not None and tuple(layout) != (ww, wh))
    vp = ex.viewport
    c = ex.canvas_rect
    if sets:  # mirrored: the canvas is on the right
        assert c.x > window.size[0] / 2
    path = [(c.x + c.w * 0.2, c.y + c.h * 0.1), (c.x + c.w * 0.7, c.y + c.h * 0.5),
            (c.x + c.w * 0.3, c.y + c.h * 0.95)]

    def at(p):  # a logical point -> where the finger is, as 0..1 of the window
        x, y = vp.to_window(*p)
        return x / ww, y / wh

    pygame.event.clear()
    push(FINGERDOWN, *at(path[0]))
    for p in path[1:]:
        push(FINGERMOTION, *at(p))
    push(FINGERUP, *at(path[-1]))
    runner.handle(pygame.event.get())
    stroke = ex.drawing.strokes[0]
    assert len(ex.drawing.strokes) == 1 and len(stroke) == 3
    for (x, y), (px, py) in zip(stroke, path):
        # within one logical pixel (plus the float32 of SDL's normalised coordinates)
        assert abs(x - (px - c.x)) <= 1.0 and abs(y - (py - c.y)) <= 1.0, (layout, (x, y), (px, py))
    assert ex.log.events[-1]["event"] == "prediction"
