"""The real loop in a (dummy) window, and the frame benchmark's report."""
import json
import os
import subprocess
import sys

from support import ROOT


def test_run_starts_and_quits_cleanly(tmp_path):
    log = tmp_path / "events.jsonl"
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    p = subprocess.run([sys.executable, "-m", "exhibit", "run", "--windowed", "--size", "960x540",
                        "--max-seconds", "1.5", "--event-log", str(log)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    rows = [json.loads(l) for l in log.read_text().splitlines()]
    start = rows[0]
    assert start["event"] == "start" and start["size"] == [960, 540] and start["model"] == "explainer"
    from exhibit.version import package_version
    assert start["version"].startswith(package_version())
    x, y, w, h = start["canvas"]
    assert 0 <= x < 960 and 0 <= y < 540 and w > 100 and h > 100
    first = next(r for r in rows if r["event"] == "first_frame")
    assert first["seconds"] < 1.5
    assert rows[-1]["event"] == "stop"


def test_bench_frames_reports(capsys):
    from exhibit.cli import main
    assert main(["bench", "--size", "960x540", "--seconds", "2", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["frames"] == 120
    assert set(r["frame_ms"]) == {"p50", "p95", "p99", "max"}
    assert r["connections_drawn"] >= 300 and r["pulses_peak"] >= 60


def test_plain_command_runs_the_exhibit_with_run_options(tmp_path):
    log = tmp_path / "events.jsonl"
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    p = subprocess.run([sys.executable, "-m", "exhibit", "--windowed", "--size", "800x450",
                        "--max-seconds", "1", "--event-log", str(log)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(log.read_text().splitlines()[0])["event"] == "start"
