"""``digit-exhibit bench``: render a scripted session headless and time every frame.

A hand draws the example digits stroke by stroke at a human pace (mouse events through the real
input path), the network re-runs live, pulses flow and bars update; each digit is held for a
moment and cleared. Time is simulated at 60 Hz, so no frame waits for a clock: what is timed is
input handling + simulation steps + inference + composing + drawing one frame (not the final
copy to the display, which the dummy video driver does not have).
"""
from __future__ import annotations

import gc
import json
import os
import time

import numpy as np
import pygame

from exhibit import resources
from exhibit.state.exhibit import Exhibit
from exhibit.config import Config
from exhibit.ink.strokes import fit_box
from exhibit.views.screen import Screen

EXAMPLES = resources.EXAMPLES
FPS = 60
SPEED = 900.0  # px/s of a finger


def script(canvas: pygame.Rect) -> list[list[tuple[str, float, float]]]:
    """Per frame, the pointer actions of a hand drawing the examples over and over."""
    with open(EXAMPLES, encoding="utf-8") as f:
        doc = json.load(f)
    margin = 0.1 * min(canvas.w, canvas.h)
    scale, (ox, oy) = fit_box(doc["box"], (canvas.w - 2 * margin, canvas.h - 2 * margin))
    frames: list[list[tuple[str, float, float]]] = []
    step = SPEED / FPS
    for digit in doc["digits"]:
        for stroke in digit["strokes"]:
            pts = [(canvas.x + margin + ox + x * scale, canvas.y + margin + oy + y * scale)
                   for x, y in stroke]
            frames.append([("down", *pts[0])])
            acc, cur = 0.0, []
            for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
                acc += float(np.hypot(x1 - x0, y1 - y0))
                cur.append(("move", x1, y1))
                if acc >= step:
                    frames.append(cur)
                    acc, cur = 0.0, []
            frames.append(cur + [("up", *pts[-1])])
            frames += [[] for _ in range(FPS // 6)]  # the pen lifts for a moment
        frames += [[] for _ in range(FPS)]  # look at the answer
        frames.append([("key", 0, 0)])  # C clears
    return frames


BUTTONS = {"down": pygame.MOUSEBUTTONDOWN, "move": pygame.MOUSEMOTION, "up": pygame.MOUSEBUTTONUP}


def play(ex: Exhibit, actions: list[tuple[str, float, float]]) -> None:
    """One frame of the script: its pointer actions (or C), the time steps, the reading."""
    for kind, x, y in actions:
        if kind == "key":
            ex.handle(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_c, mod=0, unicode="c"))
        else:
            ex.handle(pygame.event.Event(BUTTONS[kind], pos=(x, y), button=1, touch=False,
                                         buttons=(1, 0, 0), rel=(0, 0)))
    for _ in range(120 // FPS):
        ex.step(1 / 120)
    ex.refresh()


def headless() -> None:
    """The dummy video and audio drivers, unless the caller chose others (before pygame starts)."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


def bench_frames(cfg: Config, size: tuple[int, int], seconds: float, present: bool = False,
                 scaled: bool = False) -> dict:
    """Time every frame of the scripted session. ``present``: in a real full-screen window,
    each frame timed whole (input, steps, inference, composing and the copy to the screen);
    ``scaled``: through SDL's SCALED renderer (the layout at ``size`` scaled to the display)
    instead of drawing at the display's own size and copying only what changed."""
    from exhibit.shell.window import Window, check_screen, prefer_dirty_rects

    if not present:
        headless()
    pygame.display.init()
    if present and not scaled:
        prefer_dirty_rects()
    pygame.font.init()
    window = None
    if present:
        check_screen()
        window = Window(size, True, 0, False, scaled=scaled)
        size = window.size
        surface = window.surface
    else:
        surface = pygame.Surface(size)
    cfg = cfg.replace(**{"timing__clear_after": 0.0})
    ex = Exhibit(cfg, size)
    screen = Screen(cfg)
    plan = script(ex.canvas_rect)
    gc.freeze()  # as the exhibit does after start-up: no collector pauses over start-up objects
    n = int(seconds * FPS)
    times = np.empty(n)
    conns = pulses = 0
    for i in range(n):
        actions = plan[i % len(plan)]
        if window is not None:
            pygame.event.pump()
        t0 = time.perf_counter()
        play(ex, actions)
        areas = screen.draw(surface, ex)
        if window is not None:
            window.present(areas if i else [surface.get_rect()])
        times[i] = time.perf_counter() - t0
        conns = max(conns, screen.scene.connections_drawn)
        pulses = max(pulses, screen.scene.pulses.in_flight())
    ms = times * 1000
    pct = lambda q: round(float(np.percentile(ms, q)), 2)  # noqa: E731
    out = {"frames": n, "size": list(size), "model": ex.model_name,
           "frame_ms": {"p50": pct(50), "p95": pct(95), "p99": pct(99), "max": round(float(ms.max()), 2)},
           "connections_drawn": conns, "pulses_peak": pulses}
    if window is not None:
        out["present"] = {"path": "scaled" if window.scaled else "native dirty rects",
                          "display": list(pygame.display.get_desktop_sizes()[0]),
                          "driver": pygame.display.get_driver()}
    return out
