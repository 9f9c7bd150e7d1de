"""Frames: nothing is painted when nothing changes, and the frame figures are right."""
import pygame
import pytest

from support import sim_frames, sim_runner
from exhibit.shell.window import FrameStats

pytestmark = pytest.mark.usefixtures("display")


def test_a_still_screen_paints_nothing_and_input_paints_at_once():
    r = sim_runner("attract.idle_seconds=0")
    sim_frames(r, 5)
    assert r.advance(2) == []  # idle: no compose, nothing to present
    c = r.ex.canvas_rect
    r.handle([pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=c.center, button=1, touch=False)])
    areas = r.advance(0)  # the very next frame shows the touch, even before time moves
    assert any(a.collidepoint(c.center) for a in areas)
    before = pygame.surfarray.array3d(r.surface)[c.centerx, c.centery].tolist()
    assert before == [255, 255, 255]  # the ink is there


def test_attract_mode_paints_every_frame():
    r = sim_runner("attract.idle_seconds=1")
    sim_frames(r, 90)
    painted = sum(bool(r.advance(2)) for _ in range(120))
    assert painted >= 118  # the hand writes: something changes on every frame


def test_frame_stats_percentiles_and_fps_while_moving():
    s = FrameStats()
    t = 0.0
    for i in range(100):
        t += 1 / 60
        s.add(1.0 if i < 90 else 20.0, t)
    t += 60.0  # a minute of stillness
    s.add(1.0, t)
    f = s.summary()
    assert f["p50"] == pytest.approx(1.05, abs=0.06) and f["max"] == 20.0
    assert 19.0 <= f["p99"] <= 20.1
    assert s.frames == 101 and s.moving_fps == pytest.approx(60.0, rel=0.01)


@pytest.mark.parametrize("driver, hint", [("x11", "0"), ("wayland", None), ("KMSDRM", None),
                                          ("dummy", None)])
def test_dirty_rectangles_only_where_the_driver_has_a_framebuffer(monkeypatch, driver, hint):
    """Turning SDL's texture framebuffer off where the driver has no framebuffer of its own
    (Wayland) leaves the window without any: set_mode fails ("Window framebuffer support not
    available"). So the hint is set for X11 only; an operator's own setting always wins."""
    from exhibit.shell import window
    monkeypatch.delenv("SDL_FRAMEBUFFER_ACCELERATION", raising=False)
    monkeypatch.setattr(window.pygame.display, "get_driver", lambda: driver)
    window.prefer_dirty_rects()
    assert window.os.environ.get("SDL_FRAMEBUFFER_ACCELERATION") == hint
    monkeypatch.setenv("SDL_FRAMEBUFFER_ACCELERATION", "1")
    window.prefer_dirty_rects()
    assert window.os.environ["SDL_FRAMEBUFFER_ACCELERATION"] == "1"
