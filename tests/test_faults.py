"""Faults while running: reload with broken input, missing assets, a forgotten freeze, signals."""
import json
import os
import signal
import subprocess
import sys
import time

import pygame
import pytest

from support import ROOT, sim_frames, sim_runner
from exhibit.state.modes import Mode

E = pygame.event.Event
pytestmark = pytest.mark.usefixtures("display")
SIZE = (960, 540)


def make_runner(*sets):
    return sim_runner(*sets, size=SIZE)


frames = sim_frames


def stroke(r):
    c = r.ex.canvas_rect
    frames(r, 1, [E(pygame.MOUSEBUTTONDOWN, pos=(c.centerx, c.y + 30), button=1, touch=False)])
    for y in range(c.y + 30, c.bottom - 30, 12):
        frames(r, 1, [E(pygame.MOUSEMOTION, pos=(c.centerx, y), buttons=(1, 0, 0), rel=(0, 0), touch=False)])
    frames(r, 1, [E(pygame.MOUSEBUTTONUP, pos=(c.centerx, c.bottom - 30), button=1, touch=False)])


def broken_configs(tmp_path):
    nested = tmp_path / "nested.yaml"
    nested.write_text("model: " + "[" * 1000 + "]" * 1000 + "\n")
    huge = tmp_path / "huge.yaml"
    huge.write_text("attract:\n  idle_seconds: " + "9" * 5000 + "\n")
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    return {"nested": nested, "huge integer": huge, "fifo": fifo, "dev-zero": "/dev/zero",
            "directory": tmp_path}


def test_a_broken_reload_keeps_the_old_settings_and_the_exhibit_drawing(tmp_path):
    r = make_runner("model=compact14")
    frames(r, 2)
    before = r.ex
    for name, path in broken_configs(tmp_path).items():
        t0 = time.monotonic()
        r.reload(str(path), [])
        assert time.monotonic() - t0 < 5, name  # a FIFO or a device never blocks the loop
        assert r.ex is before and r.ex.model_name == "compact14", name
        assert r.log.events[-1]["event"] == "error" and r.log.events[-1]["message"].startswith("config:")
        frames(r, 2)
    assert r.errors == 0
    stroke(r)
    assert r.ex.snapshot.digit == 1  # still reading


def test_reload_reads_no_weights_file(tmp_path, monkeypatch):
    r = make_runner()
    import exhibit.model.store as weights

    def refuse(*a, **k):
        raise AssertionError("a reload must not read weights")

    monkeypatch.setattr(weights, "load_model", refuse)
    monkeypatch.setattr("exhibit.state.exhibit.load_model", refuse)
    good = tmp_path / "good.yaml"
    good.write_text("model: deep\nlanguage: de\n")
    r.reload(str(good), [])
    assert r.ex.model_name == "deep" and r.ex.lang == "de"
    assert r.log.events[-1]["event"] == "reload"


def test_missing_attract_strokes_cost_attract_mode_only(tmp_path, monkeypatch):
    from exhibit.attract import player
    monkeypatch.setattr("exhibit.state.exhibit.load_scripts",
                        lambda: player.load_scripts(tmp_path / "missing.json"))
    r = make_runner("attract.idle_seconds=1")
    errors = [e for e in r.log.events if e["event"] == "error"]
    assert len(errors) == 1 and "attract strokes unavailable" in errors[0]["message"]
    frames(r, 60 * 5)
    assert r.ex.mode == Mode.IDLE and r.errors == 0  # no attract, no failure
    stroke(r)
    assert r.ex.snapshot.digit == 1


def test_a_broken_string_table_falls_back_to_english(tmp_path, monkeypatch):
    from exhibit import strings
    (tmp_path / "en.yaml").write_bytes((ROOT / "assets/strings/en.yaml").read_bytes())
    (tmp_path / "de.yaml").write_text("draw_prompt: [not, a, text]\n")
    monkeypatch.setattr(strings, "STRINGS_DIR", tmp_path)
    monkeypatch.setattr(strings, "_problems", {})
    strings.table.cache_clear()
    try:
        r = make_runner("language=de")
        assert any("de.yaml unusable" in e["message"] for e in r.log.events if e["event"] == "error")
        assert r.ex.say("draw_prompt") == "Draw a digit"
        frames(r, 2)
        assert r.errors == 0
    finally:
        strings.table.cache_clear()


def test_a_forgotten_freeze_ends_and_attract_and_visitors_follow():
    r = make_runner("timing.freeze_timeout=20", "attract.idle_seconds=5")
    frames(r, 1, [E(pygame.KEYDOWN, key=pygame.K_f, mod=0, unicode="f")])
    assert r.ex.mode == Mode.FROZEN
    c = r.ex.canvas_rect
    for _ in range(3):  # visitors' touches do not keep it frozen
        frames(r, 60 * 5, [E(pygame.MOUSEBUTTONDOWN, pos=c.center, button=1, touch=False)])
        frames(r, 1, [E(pygame.MOUSEBUTTONUP, pos=c.center, button=1, touch=False)])
    assert r.ex.mode == Mode.FROZEN
    frames(r, 60 * 6)
    assert r.ex.mode != Mode.FROZEN
    assert any(e["event"] == "freeze_timeout" for e in r.log.events)
    frames(r, 60 * 6)
    assert r.ex.mode == Mode.ATTRACT
    stroke(r)
    assert r.ex.snapshot.digit == 1 and r.ex.mode == Mode.IDLE


def test_teacher_keys_keep_a_frozen_screen_frozen():
    r = make_runner("timing.freeze_timeout=10")
    frames(r, 1, [E(pygame.KEYDOWN, key=pygame.K_f, mod=0, unicode="f")])
    for _ in range(4):
        frames(r, 60 * 6, [E(pygame.KEYDOWN, key=pygame.K_n, mod=0, unicode="n")])
    assert r.ex.mode == Mode.FROZEN


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (from /proc)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize("command", ["run", "soak"])
def test_sigterm_soon_after_launch_ends_the_process_cleanly(tmp_path, command):
    log = tmp_path / "events.jsonl"
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    args = {"run": ["run", "--windowed", "--size", "640x480", "--max-seconds", "60",
                    "--event-log", str(log)],
            "soak": ["soak", "--frames", "10000000", "--json"]}[command]
    p = subprocess.Popen([sys.executable, "-m", "exhibit", *args], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # once start-up has begun (the log's first line, or a moment for soak), a clean stop
    deadline = time.monotonic() + 30
    while command == "run" and not (log.exists() and log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    if command == "run":
        time.sleep(0.2)
    else:  # in the soak's loop: the child's own CPU time, not the wall clock (the load varies)
        while cpu_seconds(p.pid) < 3.0 and p.poll() is None and time.monotonic() < deadline + 90:
            time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=30)  # generous: a hang fails here, speed is benchmarked
    assert p.returncode == 0, err
    assert "Traceback" not in err
    if command == "run":
        last = json.loads(log.read_text().splitlines()[-1])
        assert last["event"] == "stop" and last["code"] == 0
    else:
        assert json.loads(out.splitlines()[-1])["interrupted"] is True
