"""The exhibit's picture health: signature, whole frames when idle, exhibit-ctl screenshot."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pygame

from exhibit.shell.health import Health, signature

ROOT = Path(__file__).resolve().parents[1]
CTL = ROOT / "kiosk" / "exhibit-ctl"
BG = (11, 16, 32)


def test_signature_tells_black_blank_and_a_picture():
    s = pygame.Surface((1920, 1080))
    s.fill((0, 0, 0))
    assert signature(s, BG)["black"]
    s.fill(BG)
    sig = signature(s, BG)
    assert sig["blank"] and not sig["black"] and sig["ink"] == 0
    pygame.draw.rect(s, (220, 220, 220), (0, 0, 960, 1080))  # half the screen
    sig = signature(s, BG)
    assert 0.45 < sig["ink"] < 0.55 and not sig["blank"] and sig["luminance"] > 0.4


def test_a_whole_frame_is_due_every_period_and_the_file_has_wall_time(tmp_path):
    t = [100.0]
    h = Health(str(tmp_path / "health.json"), 30.0, BG, wall=lambda: 1.7e9 + t[0],
               clock=lambda: t[0])
    assert not h.full_due()
    t[0] += 29.9
    assert not h.full_due()
    h.presented(full=False)  # a changed area is not a whole frame
    t[0] += 0.2
    assert h.full_due()
    h.presented(full=True)
    assert not h.full_due()
    surf = pygame.Surface((64, 48))
    surf.fill((200, 0, 0))
    rec = h.write(surf)
    on_disk = json.loads((tmp_path / "health.json").read_text())
    assert on_disk == rec and rec["frame_time"] == round(1.7e9 + 130.1, 3) and rec["frames"] == 2
    assert rec["pid"] == os.getpid() and rec["size"] == [64, 48] and rec["ink"] == 1.0
    assert "frame 2 0 s ago" in h.status()


def test_exhibit_ctl_screenshot_saves_the_running_exhibits_own_frame(tmp_path):
    rundir = tmp_path / "run"
    rundir.mkdir()
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", RUNTIME_DIRECTORY=str(rundir))
    env.pop("DIGIT_EXHIBIT_HEALTH_FILE", None)
    cmd = [sys.executable, str(CTL), "session", sys.executable, "-m", "exhibit", "run",
           "--windowed", "--size", "800x500", "--max-seconds", "60"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (rundir / "health.json").exists():  # written after the first frame
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.05)
        out = tmp_path / "shot.png"
        r = subprocess.run([sys.executable, str(CTL), "screenshot", str(out)], env=env,
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        img = pygame.image.load(str(out))
        assert img.get_size() == (800, 500)
        sig = signature(img, BG)
        assert not sig["black"] and not sig["blank"] and sig["ink"] > 0.05
        st = subprocess.run([sys.executable, str(CTL), "status"], env=env, capture_output=True,
                            text=True, timeout=30)
        assert st.returncode == 0 and "running" in st.stdout and "ink" in st.stdout, st.stdout
        assert not list(rundir.glob("*.tmp*"))  # saved to a temp name, then renamed
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_screenshot_request_never_takes_a_path(tmp_path):
    h = Health(str(tmp_path / "health.json"), 30.0, BG)
    surf = pygame.Surface((10, 10))
    assert h.screenshot(surf) == str(tmp_path / "screenshot.png")
    assert Health(None, 30.0, BG).screenshot(surf) is None


def test_under_a_wayland_compositor_frames_present_the_whole_window(monkeypatch, display):
    """cage trial (issue 22): changed-area presents left parts of the compositor's frame black
    while animating; `auto` presents whole frames under Wayland, changed areas elsewhere."""
    import pygame

    from exhibit.shell.window import Window, whole_frames

    assert whole_frames("auto", {"WAYLAND_DISPLAY": "wayland-0"})
    assert not whole_frames("auto", {"DISPLAY": ":0"}) and not whole_frames("changed", {
        "WAYLAND_DISPLAY": "wayland-0"}) and whole_frames("whole", {})
    calls = []
    monkeypatch.setattr(pygame.display, "update", lambda *a: calls.append(("update", a)))
    monkeypatch.setattr(pygame.display, "flip", lambda: calls.append(("flip", ())))
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    Window((640, 400), False, 0, False, present="auto").present([pygame.Rect(0, 0, 8, 8)])
    monkeypatch.delenv("WAYLAND_DISPLAY")
    w = Window((640, 400), False, 0, False, present="auto")
    w.present([pygame.Rect(0, 0, 8, 8)])
    w.present([])  # nothing changed: nothing presented
    assert calls == [("flip", ()), ("update", ([pygame.Rect(0, 0, 8, 8)],))]
