"""Fault injection: exceptions in views, the model and input; broken config and weights; floods;
systemd's notify protocol; the soak."""
import json
import os
import shutil
import socket
import subprocess
import sys

import numpy as np
import pygame
import pytest

from support import ROOT, assert_exact, sim_frames, sim_runner
from exhibit.state.modes import Mode
from exhibit.shell.loop import FAILURES_ALLOWED, MAX_EVENTS, RepeatedFailure, thin_flood
from exhibit.shell.notify import Notifier

E = pygame.event.Event
pytestmark = pytest.mark.usefixtures("display")
SIZE = (960, 540)


@pytest.fixture
def runner():
    return sim_runner("attract.idle_seconds=1", size=SIZE)


def frames(r, n, events=()):
    sim_frames(r, n, events, every=True)


def test_an_exception_in_a_view_falls_back_to_attract_mode(runner, monkeypatch, capsys):
    frames(runner, 5)
    calls = {"n": 0}
    original = type(runner.screen.scene.bars).draw

    def broken(self, *a, **k):  # fails twice, then works again
        calls["n"] += 1
        if calls["n"] <= 2:
            raise RuntimeError("bars view broke")
        return original(self, *a, **k)

    monkeypatch.setattr(type(runner.screen.scene.bars), "draw", broken)
    frames(runner, 1, [E(pygame.KEYDOWN, key=pygame.K_4, mod=0, unicode="4")])  # a compose
    frames(runner, 2)
    monkeypatch.setattr(type(runner.screen.scene.bars), "draw", original)
    assert runner.ex.mode == Mode.FAILSAFE
    frames(runner, 1)
    title = runner.screen.scene.rects["title"]
    calm = pygame.surfarray.array3d(runner.surface)[title.x:title.right, title.y:title.bottom]
    assert (calm.max(axis=-1) > 200).sum() > 100  # the failsafe screen says something
    assert_screen_is_exact(runner)
    frames(runner, 60 * 4)  # the failsafe's own exit: attract mode
    err = capsys.readouterr().err
    assert err.count("Traceback") == 1  # logged once for its kind, not per frame
    assert runner.errors == 2
    assert any(e["event"] == "error" and "bars view broke" in e["message"] for e in runner.log.events)
    modes = [e["mode"] for e in runner.log.events if e["event"] == "mode"]
    assert modes[-2:] == ["failsafe", "attract"] and runner.ex.mode == Mode.ATTRACT
    assert_screen_is_exact(runner)
    c = runner.ex.canvas_rect  # and a visitor takes over as usual
    frames(runner, 1, [E(pygame.MOUSEBUTTONDOWN, pos=c.center, button=1, touch=False)])
    assert runner.ex.mode == Mode.DRAWING


def assert_screen_is_exact(runner):
    assert_exact(runner.ex, runner.screen, runner.surface)


def test_failsafe_is_a_state_with_its_own_screen_and_exit(runner):
    frames(runner, 2)
    runner.ex.recover()
    assert runner.ex.mode == Mode.FAILSAFE
    frames(runner, 60 * 2)
    assert runner.ex.mode == Mode.FAILSAFE  # a calm moment first
    from exhibit.views.screen import title
    assert title(runner.ex) == runner.ex.say("failsafe")
    frames(runner, 60 * 2)
    assert runner.ex.mode == Mode.ATTRACT
    runner.ex.recover()  # a touch in the failsafe state gives the canvas back at once
    c = runner.ex.canvas_rect
    frames(runner, 1, [E(pygame.MOUSEBUTTONDOWN, pos=c.center, button=1, touch=False)])
    assert runner.ex.mode == Mode.DRAWING


def test_the_mode_table_refuses_what_it_does_not_list():
    from exhibit.state.modes import TRANSITIONS, IllegalTransition, ModeMachine
    seen = []
    m = ModeMachine(seen.append)
    m.go(Mode.DRAWING)
    with pytest.raises(IllegalTransition):
        m.go(Mode.ATTRACT)  # a finger is down: attract mode cannot start
    m.go(Mode.FAILSAFE)
    with pytest.raises(IllegalTransition):
        m.go(Mode.DRAWING)  # the failsafe leaves only by its own exits
    assert seen == [Mode.DRAWING, Mode.FAILSAFE]
    assert all(Mode.FAILSAFE in TRANSITIONS[m] for m in Mode if m != Mode.FAILSAFE)


def test_an_exception_in_the_model_is_survived(runner, monkeypatch):
    net = runner.ex.recognizer.model.net

    def broken(*a, **k):
        raise FloatingPointError("model broke")

    monkeypatch.setattr(net, "forward", broken)
    c = runner.ex.canvas_rect
    frames(runner, 1, [E(pygame.MOUSEBUTTONDOWN, pos=c.center, button=1, touch=False)])
    frames(runner, 1, [E(pygame.MOUSEMOTION, pos=(c.centerx, c.centery + 80), buttons=(1, 0, 0), rel=(0, 0), touch=False)])
    monkeypatch.undo()
    frames(runner, 120)
    assert runner.errors == 1
    assert runner.ex.mode in (Mode.FAILSAFE, Mode.ATTRACT)
    c = runner.ex.canvas_rect  # the network reads again
    frames(runner, 1, [E(pygame.MOUSEBUTTONDOWN, pos=(c.centerx, c.y + 20), button=1, touch=False)])
    for y in range(c.y + 20, c.bottom - 20, 10):
        frames(runner, 1, [E(pygame.MOUSEMOTION, pos=(c.centerx, y), buttons=(1, 0, 0), rel=(0, 0), touch=False)])
    frames(runner, 1, [E(pygame.MOUSEBUTTONUP, pos=(c.centerx, c.bottom - 20), button=1, touch=False)])
    assert runner.ex.snapshot.forward is not None and runner.ex.snapshot.digit == 1


def test_an_exception_in_input_handling_is_survived(runner, monkeypatch):
    def broken(*a, **k):
        raise KeyError("input broke")

    monkeypatch.setattr(runner.ex.input, "key", broken)
    frames(runner, 1, [E(pygame.KEYDOWN, key=pygame.K_c, mod=0, unicode="c")])
    assert runner.errors == 1 and runner.ex.mode == Mode.FAILSAFE
    monkeypatch.undo()
    frames(runner, 10, [E(pygame.KEYDOWN, key=pygame.K_5, mod=0, unicode="5")])
    assert runner.errors == 1 and runner.ex.snapshot.digit == 5  # keys work again


def test_repeated_failures_give_up_for_a_restart(runner, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("always")

    monkeypatch.setattr(type(runner.ex), "refresh", broken)
    with pytest.raises(RepeatedFailure):
        frames(runner, FAILURES_ALLOWED + 2)


def test_event_floods_and_garbage_are_bounded(runner):
    flood = [E(pygame.FINGERDOWN, x=0.2, y=0.5, dx=0, dy=0, finger_id=0, touch_id=1)]
    flood += [E(pygame.FINGERMOTION, x=float(x), y=0.5, dx=0, dy=0, finger_id=0, touch_id=1)
              for x in np.linspace(0.02, 0.3, 20000)]
    kept = thin_flood(flood)
    assert len(kept) <= MAX_EVENTS and kept[0].type == pygame.FINGERDOWN
    frames(runner, 1, flood)
    assert len(runner.ex.drawing.strokes) == 1  # one stroke, however many events came
    garbage = [E(pygame.FINGERDOWN, x=float("nan"), y=1e300, dx=0, dy=0, finger_id=3, touch_id=1),
               E(pygame.MOUSEBUTTONDOWN, pos=(1e12, -1e12), button=1, touch=False),
               E(pygame.MOUSEMOTION, pos=(float("inf"), 0), buttons=(1, 0, 0), rel=(0, 0), touch=False)]
    fingers = [E(pygame.FINGERDOWN, x=0.1 + i / 40, y=0.5, dx=0, dy=0, finger_id=i, touch_id=1) for i in range(10)]
    frames(runner, 3, garbage + fingers)
    assert runner.errors == 0
    assert all(np.isfinite(np.asarray(s)).all() for s in runner.ex.drawing.strokes)


def test_window_events_are_handled(runner):
    for t in (pygame.WINDOWSIZECHANGED, pygame.WINDOWFOCUSLOST, pygame.WINDOWEXPOSED,
              pygame.WINDOWMINIMIZED, pygame.WINDOWRESTORED, pygame.JOYDEVICEREMOVED,
              pygame.QUIT):
        frames(runner, 1, [E(t, x=100, y=100, instance_id=0, device_index=0)])
    assert runner.errors == 0
    assert runner.quit  # QUIT closes a development window


def test_a_kiosk_ignores_window_close(runner):
    runner.fullscreen = True
    frames(runner, 1, [E(pygame.QUIT)])
    assert not runner.quit


def test_config_reload_keeps_running_and_shows_the_problem(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("ink:\n  stroke_width: wide\n")
    runner.reload(str(bad), [])
    frames(runner, 2)
    assert runner.ex.message is not None and "stroke_width" in runner.ex.message[0]
    banner = pygame.surfarray.array3d(runner.surface)[:, SIZE[1] * 3 // 4:]
    assert (banner.max(axis=-1) > 200).sum() > 200  # the message is on screen
    assert any(e["event"] == "error" and "config" in e["message"] for e in runner.log.events)
    good = tmp_path / "good.yaml"
    good.write_text("model: deep\n")
    runner.reload(str(good), [])
    frames(runner, 2)
    assert runner.ex.model_name == "deep"


def test_notify_protocol(tmp_path):
    path = str(tmp_path / "notify.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    server.settimeout(2)
    t = [0.0]
    n = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000"}, clock=lambda: t[0])
    n.ready()
    assert server.recv(100) == b"READY=1"
    pings = 0
    for _ in range(240):  # 4 seconds of frames
        t[0] += 1 / 60
        n.watchdog()
    server.settimeout(0.2)
    try:
        while True:
            assert server.recv(100) == b"WATCHDOG=1"
            pings += 1
    except socket.timeout:
        pass
    assert pings >= 2 * 2  # at least twice per WATCHDOG_USEC
    assert not Notifier({}).enabled
    assert Notifier({}).send("READY=1") is False


def test_run_sends_ready_and_watchdog(tmp_path):
    path = str(tmp_path / "n.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    server.settimeout(10)
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", NOTIFY_SOCKET=path,
               WATCHDOG_USEC="400000")
    p = subprocess.Popen([sys.executable, "-m", "exhibit", "run", "--windowed", "--size", "800x450",
                          "--max-seconds", "2"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    got = []
    try:
        while True:
            got.append(server.recv(100).decode())
            if got[-1] == "STOPPING=1":
                break
    finally:
        p.wait(timeout=30)
    assert p.returncode == 0
    assert got[0] == "READY=1" or "READY=1" in got[:3]
    assert got.count("WATCHDOG=1") >= 6  # 2 s at one ping per 0.1 s, give or take start-up
    from exhibit.version import package_version
    status = next(g for g in got if g.startswith("STATUS="))
    assert status.startswith(f"STATUS={package_version()}"), status  # which release is running


@pytest.mark.parametrize("content, message", [
    ("ink: [\n", "not valid YAML"),
    ("colors:\n  ink: white\n", "colors.ink: expected a colour"),
    ("- just\n- a list\n", "top level must be a mapping"),
    ("a: &a [1,2]\nb: [*a,*a]\n", "anchors and aliases"),
])
def test_run_refuses_a_broken_config_fast(tmp_path, content, message):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(content)
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    # refused before the window opens: with the 600 s run below, only a refusal returns
    p = subprocess.run([sys.executable, "-m", "exhibit", "run", "--config", str(cfg), "--max-seconds", "600"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr


def test_run_refuses_damaged_weights(tmp_path):
    # a copy of the project with one flipped byte in the default network
    dst = tmp_path / "proj"
    shutil.copytree(ROOT, dst, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "tests"))
    w = dst / "weights" / "explainer.npz"
    data = bytearray(w.read_bytes())
    data[1000] ^= 0x40
    w.write_bytes(bytes(data))
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYTHONPATH=str(dst))
    p = subprocess.run([sys.executable, "-m", "exhibit", "run", "--max-seconds", "3"], cwd=dst, env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, p.stderr
    assert "does not match its manifest" in p.stderr and "Traceback" not in p.stderr


def test_soak_short(capsys):
    from exhibit.cli import main
    assert main(["soak", "--frames", "1000", "--warmup", "200", "--seed", "4", "--vandal-points",
                 "2000", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["frames"] == 1000 and r["exceptions"] == 0
    assert r["vandal_frame_ms"]["frames"] >= 20  # the scribble ran, and nothing broke
    assert r["vandal_frame_ms"]["points"] > 500  # and it drew: the frame times are of real ink


def test_quit_needs_the_operator_chord_held_for_two_seconds(runner, monkeypatch):
    held = {"on": False}

    class Keys:
        def __getitem__(self, k):
            return held["on"] and k == pygame.K_q

    monkeypatch.setattr(pygame.key, "get_pressed", lambda: Keys())
    monkeypatch.setattr(pygame.key, "get_mods",
                        lambda: (pygame.KMOD_CTRL | pygame.KMOD_SHIFT) if held["on"] else 0)
    held["on"] = True
    for _ in range(60):  # one second
        runner.t[0] += 1 / 60
        runner.check_chord()
    assert not runner.quit
    held["on"] = False
    runner.check_chord()
    held["on"] = True
    for _ in range(150):  # two and a half seconds, held throughout
        runner.t[0] += 1 / 60
        runner.check_chord()
    assert runner.quit


def test_a_finger_whose_device_vanished_is_let_go(runner):
    c = runner.ex.canvas_rect
    fx, fy = c.centerx / SIZE[0], c.centery / SIZE[1]
    frames(runner, 1, [E(pygame.FINGERDOWN, x=fx, y=fy, dx=0, dy=0, finger_id=0, touch_id=1)])
    assert runner.ex.pointer.busy
    frames(runner, 60 * 9, [E(pygame.FINGERMOTION, x=fx, y=fy, dx=0, dy=0, finger_id=5, touch_id=2)])
    assert not runner.ex.pointer.busy  # the lost finger no longer blocks everyone else
    frames(runner, 1, [E(pygame.FINGERDOWN, x=fx, y=fy, dx=0, dy=0, finger_id=0, touch_id=3)])
    assert runner.ex.pointer.busy and runner.ex.drawing.active


def test_a_reload_names_the_settings_that_need_a_restart(runner, tmp_path, capsys):
    """Issue 23, finding 8: a reload changing log.* or window.fps was silently ignored."""
    cfg = tmp_path / "c.yaml"
    cfg.write_text("window:\n  fps: 30\nlog:\n  events: /tmp/elsewhere.jsonl\n")
    runner.reload(str(cfg), ["attract.idle_seconds=1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "restart" in err[0], err
    # log.* is read only at start (and says so); window.fps is applied live (below)
    assert "log.events" in err[0] and "window.fps" not in err[0], err
    assert "only at start" in err[0], err
    assert any(e["event"] == "config_warning" and "restart" in e["message"]
               for e in runner.log.events)


def test_a_reload_applies_window_fps_to_the_running_loop(runner, tmp_path, monkeypatch):
    """Issue 23, finding 8: the frame loop's cap follows a reload's window.fps at once."""
    from types import SimpleNamespace
    import exhibit.shell.loop as loop_mod
    from exhibit.shell.notify import Notifier
    from exhibit.shell.window import FrameStats
    cfg = tmp_path / "c.yaml"
    cfg.write_text("window:\n  fps: 30\n")
    signals = SimpleNamespace(quit=False, reload=False, polling=False, screenshot=False)
    caps = []

    class Clock:  # each tick records the cap; the second asks for a reload, the fifth quits
        def tick(self, cap):
            caps.append(cap)
            signals.reload = len(caps) == 2
            runner.quit = len(caps) >= 5
            return 1000 / 60

    monkeypatch.setattr(loop_mod.pygame.time, "Clock", Clock)
    window = SimpleNamespace(present=lambda areas: None)
    assert loop_mod.loop(runner, window, signals, Notifier(), FrameStats(), 0.0, None,
                         str(cfg), []) == 0
    assert caps[:2] == [60, 60] and caps[2:] == [30, 30, 30], caps
