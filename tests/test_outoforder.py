"""The kiosk's out-of-order screen: draws headless, speaks the notify protocol, quits on SIGTERM,
and reads neither a config nor weights."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pygame
import pytest

from exhibit.shell import outoforder
from exhibit.shell.notify import Notifier

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (640, 480)])
def test_renders_a_calm_frame(display, size):
    surface = pygame.Surface(size)
    outoforder.render(surface, 12.0)
    px = pygame.surfarray.array3d(surface).reshape(-1, 3)
    background = (px == outoforder.BACKGROUND).all(axis=1)
    assert 0.6 < background.mean() < 0.99  # mostly calm background, with text on it
    bright = (px.sum(axis=1) > 500).mean()  # the title's pixels
    assert bright > 0.001
    # the text stays on screen, also on a narrow portrait panel
    cols = (~background.reshape(size)).any(axis=1)
    assert cols[0] == cols[-1] == False  # noqa: E712


def test_run_sends_ready_and_watchdog(display, tmp_path):
    path = str(tmp_path / "n.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    server.settimeout(5)
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "800000"})
    assert outoforder.run(fullscreen=False, size=(640, 360), max_seconds=1.0, notifier=notifier) == 0
    got = []
    server.settimeout(0.2)
    try:
        while True:
            got.append(server.recv(200).decode())
    except socket.timeout:
        pass
    assert "READY=1" in got and got[-1] == "STOPPING=1"
    assert got.count("WATCHDOG=1") >= 3  # 1 s at one ping per 0.2 s, give or take
    assert got.index("READY=1") < got.index("WATCHDOG=1")


def test_quits_on_sigterm_without_config_or_weights(tmp_path):
    """A subprocess like the kiosk's: broken config given, READY over the socket, then SIGTERM."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("colors: [\n")  # run would refuse this; out-of-order never reads it
    path = str(tmp_path / "n.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    server.settimeout(20)
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", NOTIFY_SOCKET=path)
    code = ("import sys, exhibit.cli as cli, exhibit.model.store as w\n"
            "def boom(*a, **k): raise SystemExit('out-of-order read a config or weights')\n"
            "cli.load_config = w.load = w.load_model = boom\n"
            "sys.exit(cli.main(sys.argv[1:]))")
    p = subprocess.Popen([sys.executable, "-c", code, "out-of-order", "--windowed", "--size",
                          "800x480", "--config", str(broken), "--max-seconds", "60"],
                         cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        msgs = []
        while "READY=1" not in msgs:
            msgs.append(server.recv(200).decode())
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
    err = p.stderr.read()
    assert p.returncode == 0, err
    assert time.monotonic() - t0 < 3
    assert "Traceback" not in err and "broken.yaml" not in err
