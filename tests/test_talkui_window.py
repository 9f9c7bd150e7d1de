"""Talk-back's done-when (issue 24), in a real window: the exhibit runs under Xvfb, a real
pointer (xdotool) draws a 1 and taps feedback.wrong then meant.7 at the coordinates that
``digit-exhibit shots`` reports; the log then holds one feedback event with "meant": 7 and no
event holds a drawing; ``digit-exhibit report`` on that log writes the page with the tally
and its charts. Needs Xvfb and xdotool (the kiosk image and CI have them)."""
import json
import os
import subprocess
import sys
import time

import pytest

SIZE = (1920, 1080)
SCALARS = (str, int, float, bool, type(None))


def small(v) -> bool:
    """A scalar, a pair such as the screen size, a few named figures (frame times): nothing a
    drawing would fit in."""
    return isinstance(v, SCALARS) or (isinstance(v, (list, dict)) and len(v) <= 8 and all(
        isinstance(x, SCALARS) for x in (v.values() if isinstance(v, dict) else v)))


def xvfb():
    """A fresh X server: (process, display name)."""
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0",
                             f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"], pass_fds=(w,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        number = f.readline().strip()
    assert number, "Xvfb did not start"
    return proc, f":{number}"


def xdo(env, *args):
    subprocess.run(["xdotool", *map(str, args)], env=env, check=True, timeout=20)


def centre(inv, state, name):
    (t,) = [t for t in inv["states"][state]["targets"] if t["name"] == name]
    x, y, w, h = t["rect"]
    return x + w // 2, y + h // 2, t["rect"]


@pytest.mark.slow
def test_a_real_pointer_answers_no_seven_and_the_report_shows_it(tmp_path):
    shots_dir = tmp_path / "shots"
    run = [sys.executable, "-m", "exhibit"]
    subprocess.run(run + ["shots", str(shots_dir), "--size", f"{SIZE[0]}x{SIZE[1]}"], check=True,
                   timeout=600, env=dict(os.environ, SDL_VIDEODRIVER="dummy"))
    inv = json.loads((shots_dir / "inventory.json").read_text(encoding="utf-8"))
    assert inv["size"] == list(SIZE)
    wrong = centre(inv, "feedback", "feedback.wrong")
    seven = centre(inv, "feedback-meant", "meant.7")
    _, _, (cx, cy, cw, ch) = centre(inv, "idle", "canvas")
    server, display = xvfb()
    log = tmp_path / "events.jsonl"
    env = dict(os.environ, DISPLAY=display, SDL_VIDEODRIVER="x11")
    env.pop("WAYLAND_DISPLAY", None)
    app = None
    try:
        app = subprocess.Popen(run + ["run", "--size", f"{SIZE[0]}x{SIZE[1]}", "--event-log",
                                      str(log), "--max-seconds", "60", "--set",
                                      f"tally.file={tmp_path / 'tally.json'}"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not (log.exists() and '"event": "start"' in log.read_text()):
            assert time.monotonic() < deadline and app.poll() is None, app.stderr.read()
            time.sleep(0.2)
        time.sleep(2.0)  # the first frames are up
        # a 1: one vertical stroke down the middle of the canvas, as a finger (mouse) draws it
        x = cx + cw // 2
        xdo(env, "mousemove", x, cy + ch // 5)
        xdo(env, "mousedown", 1)
        for k in range(1, 31):
            xdo(env, "mousemove", x, cy + ch // 5 + k * (3 * ch // 5) // 30)
            time.sleep(0.02)
        xdo(env, "mouseup", 1)
        time.sleep(2.0)  # read, and the wave has reached the answer: "Was I right?"
        subprocess.run(["import", "-display", display, "-window", "root",
                        str(tmp_path / "window-asks.png")], check=True, timeout=30)
        xdo(env, "mousemove", wrong[0], wrong[1], "click", 1)
        time.sleep(1.0)
        subprocess.run(["import", "-display", display, "-window", "root",
                        str(tmp_path / "window-meant.png")], check=True, timeout=30)
        xdo(env, "mousemove", seven[0], seven[1], "click", 1)
        time.sleep(1.0)
        subprocess.run(["import", "-display", display, "-window", "root",
                        str(tmp_path / "window-answered.png")], check=True, timeout=30)
        app.terminate()
        assert app.wait(timeout=30) == 0
    finally:
        if app is not None and app.poll() is None:
            app.kill()
        server.terminate()
        server.wait(timeout=10)
    evs = [json.loads(line) for line in log.read_text().splitlines()]
    reads = [e for e in evs if e["event"] == "prediction" and e["source"] == "visitor"]
    assert reads and reads[-1]["digit"] == 1, reads
    fb = [e for e in evs if e["event"] == "feedback"]
    assert len(fb) == 1 and (fb[0]["read"], fb[0]["meant"], fb[0]["right"]) == (1, 7, False), fb
    for e in evs:  # no event holds a drawing: scalars (and the screen's size)
        assert all(small(v) for v in e.values()), e
        assert not {"strokes", "points", "pixels", "picture", "image"} & set(e), e
    assert log.stat().st_size < 64 * 1024
    page = tmp_path / "report.html"
    out = subprocess.run(run + ["report", str(log), "--out", str(page)], check=True, timeout=120,
                         capture_output=True, text=True).stdout
    assert "0 of 1 confirmed right" in out, out
    html = page.read_text(encoding="utf-8")
    assert "0 of 1 read right (0 %)" in html and html.count("data:image/png;base64,") >= 2
