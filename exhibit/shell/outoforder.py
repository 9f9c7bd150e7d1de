"""The calm "temporarily out of order" screen that a kiosk shows when the exhibit keeps failing.

systemd starts it (``digit-exhibit out-of-order`` under cage, kiosk/digit-exhibit-out-of-order.service)
once the exhibit has used up its start limit. It needs neither a config nor weights nor
assets: only pygame, its built-in font and the notify protocol. It sends READY=1 after the
first frame and WATCHDOG=1 while it draws, redraws a few times a second (a slowly moving
dot shows that the machine is alive and keeps the text from burning in), and exits with 0 on
SIGTERM or SIGINT. Window-close requests and keys are ignored when full screen.
"""
from __future__ import annotations

import math
import os
import signal
import sys
import time

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402

from exhibit.shell.notify import Notifier  # noqa: E402

BACKGROUND = (18, 22, 30)
TITLE = (226, 230, 238)
TEXT = (150, 160, 176)
DOT = (88, 140, 200)
FPS = 5
LINES = (
    ("Temporarily out of order", "title"),
    ("Vorübergehend außer Betrieb", "title"),
    ("", "gap"),
    ("We are working on it. Please come back a little later.", "text"),
    ("Wir kümmern uns darum. Bitte schauen Sie später wieder vorbei.", "text"),
)


_FONTS: dict[int, pygame.font.Font] = {}


def _font(size: int) -> pygame.font.Font:
    """pygame's built-in font: no system fonts needed."""
    if size not in _FONTS:
        _FONTS[size] = pygame.font.Font(None, size)
    return _FONTS[size]


def render(surface: pygame.Surface, t: float) -> None:
    """One frame at time t (seconds): the message, centred, and a dot drifting below it."""
    w, h = surface.get_size()
    surface.fill(BACKGROUND)
    unit = max(8, min(w, h) // 18)
    fonts = {"title": _font(int(unit * 1.6)), "text": _font(unit)}
    rows = []
    for text, kind in LINES:
        if kind == "gap":
            rows.append((None, unit))
        else:
            img = fonts[kind].render(text, True, TITLE if kind == "title" else TEXT)
            if img.get_width() > w * 0.92:  # a narrow (portrait) screen: shrink to fit
                scale = w * 0.92 / img.get_width()
                img = pygame.transform.smoothscale(
                    img, (max(1, int(img.get_width() * scale)), max(1, int(img.get_height() * scale))))
            rows.append((img, img.get_height() + unit // 4))
    total = sum(r[1] for r in rows)
    drift = int(math.sin(t / 40.0) * h * 0.04)  # a few percent of the height over minutes
    y = (h - total) // 2 - unit + drift
    for img, height in rows:
        if img is not None:
            surface.blit(img, ((w - img.get_width()) // 2, y))
        y += height
    x = w // 2 + int(math.sin(t * 0.5) * w * 0.12)
    pygame.draw.circle(surface, DOT, (x, y + unit), max(3, unit // 5))


def run(fullscreen: bool = True, size: tuple[int, int] = (1280, 720),
        max_seconds: float | None = None, notifier: Notifier | None = None) -> int:
    notifier = notifier or Notifier()
    stop = {"requested": False}

    def on_signal(*_: object) -> None:
        stop["requested"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # nothing to reload
    pygame.display.init()
    pygame.font.init()
    try:
        if fullscreen:
            screen = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
            pygame.mouse.set_visible(False)
        else:
            screen = pygame.display.set_mode(size)
    except pygame.error as e:
        print(f"digit-exhibit: cannot open the display: {e}", file=sys.stderr)
        return 1
    pygame.display.set_caption("Digit Exhibit: out of order")
    print("digit-exhibit: showing the out-of-order screen", file=sys.stderr, flush=True)
    notifier.status("out of order: the exhibit failed repeatedly; see journalctl -u digit-exhibit")
    clock = pygame.time.Clock()
    start = time.monotonic()
    first = True
    try:
        while not stop["requested"]:
            for event in pygame.event.get():
                if event.type == pygame.QUIT and not fullscreen:
                    stop["requested"] = True
            screen = pygame.display.get_surface() or screen
            render(screen, time.monotonic() - start)
            pygame.display.flip()
            if first:
                first = False
                notifier.ready()
            notifier.watchdog()
            if max_seconds is not None and time.monotonic() - start >= max_seconds:
                break
            clock.tick(FPS)
    except pygame.error as e:  # the display went away: systemd starts a fresh one
        print(f"digit-exhibit: display: {e}", file=sys.stderr)
        return 1
    finally:
        notifier.stopping()
        pygame.display.quit()
    return 0
