"""``python -m exhibit.tools.teachbench [--size WxH] [--pen FILE] [--cases N] [--skip K]``: frame times while
"Teach it your 7" runs in the learning process, and what the copies read (issue 24).

For each of the first N real pen digits (after the first K such, with ``--skip K``: cases K+1 to
K+N, to check on digits the recipe was not tuned on) (pendigits JSON: box, digits[label, writer, strokes])
that the shipped explainer misreads when they are drawn on the canvas: draw it, answer "No"
and the digit meant, tap teach, and keep drawing frames in real time (60 a second, each one
timed: step, inference, composing and drawing) until the copy is in. Prints one JSON line:
frame-time percentiles over all teaching frames (wall and this thread's CPU time), seconds per teaching, and how many copies read
the drawing as meant. Nothing is written to disk.
"""
from __future__ import annotations

import argparse
import gzip
import json
import time

import numpy as np
import pygame

from exhibit.config import load
from exhibit.eventlog import EventLog
from exhibit.state.exhibit import Exhibit
from exhibit.tools.bench import FPS, headless
from exhibit.views.screen import Screen


def strokes_on(ex: Exhibit, strokes: list) -> list[np.ndarray]:
    st = [np.asarray(s, np.float32) for s in strokes]
    pts = np.concatenate(st)
    lo, hi = pts.min(0), pts.max(0)
    c = ex.canvas_rect
    k = 0.7 * min(c.w, c.h) / max(float((hi - lo).max()), 1.0)
    return [(a - (lo + hi) / 2) * k + np.array([c.w / 2, c.h / 2], np.float32) for a in st]


def finger(ex: Exhibit, kind: str, x: float, y: float) -> None:
    t = {"down": pygame.FINGERDOWN, "move": pygame.FINGERMOTION, "up": pygame.FINGERUP}[kind]
    w, h = ex.size
    ex.handle(pygame.event.Event(t, x=x / w, y=y / h, dx=0.0, dy=0.0, finger_id=0, touch_id=1,
                                 pressure=1.0))


def run(size: tuple[int, int], pen: str, cases: int, skip: int = 0) -> dict:
    headless()
    pygame.display.init()
    pygame.font.init()
    cfg = load(None, [])
    ex = Exhibit(cfg, size, EventLog(None))
    screen = Screen(cfg)
    surface = pygame.Surface(size)
    shipped = ex.recognizer
    before = [w.copy() for w in shipped.model.net.weights]
    doc = json.loads(gzip.decompress(open(pen, "rb").read()))
    c = ex.canvas_rect
    times: list[float] = []
    cpu: list[float] = []  # this thread's CPU time per frame: the work, without waiting for a core
    seconds: list[float] = []
    hits = tried = skipped = 0
    for d in doc["digits"]:
        if tried >= cases:
            break
        ink = strokes_on(ex, d["strokes"])
        snap = ex.recognizer.read(ink, ex.masks, centre=True, frame=(c.w, c.h), brush=ex.layout.brush)
        if snap.digit == d["label"] or not ex.sure(snap):
            continue  # read right (or "?"): a visitor would not correct it to teach
        ex.clear()
        for s in ink:
            for j, (x, y) in enumerate(s.tolist()):
                finger(ex, "down" if j == 0 else "move", c.x + x, c.y + y)
            finger(ex, "up", c.x + s[-1, 0], c.y + s[-1, 1])
        for _ in range(90):  # the reading settles, on screen (the scene is built here)
            ex.step(1 / FPS)
            ex.refresh()
            screen.draw(surface, ex)
        if ex.snapshot.digit == d["label"] or not ex.sure():
            continue  # as drawn on the canvas it reads right after all
        if skipped < skip:
            skipped += 1
            continue
        for name in ("feedback.wrong", f"meant.{d['label']}", "teach"):
            rect = dict(ex.talk.targets(ex)).get(name)
            if rect is None:
                raise RuntimeError(f"{name} not on screen: {ex.talk_view}")
            finger(ex, "down", *rect.center)
            finger(ex, "up", *rect.center)
            ex.step(1 / FPS)
        tried += 1
        start = time.monotonic()
        i = 0
        while ex.talk.job is not None:  # real time: the child needs the seconds frames leave
            due = start + i / FPS
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            t0, c0 = time.perf_counter(), time.thread_time()
            ex.step(1 / FPS)
            ex.refresh()
            screen.draw(surface, ex)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
            i += 1
            if now - start > 120:
                raise RuntimeError("teaching took over two minutes")
        seconds.append(time.monotonic() - start)
        hits += int(ex.talk.taught is not None and ex.snapshot.digit == d["label"])
    ex.clear()
    unchanged = ex.recognizer is shipped and all(
        np.array_equal(a, b) for a, b in zip(before, shipped.model.net.weights))
    ex.close()
    def pct(v: list[float]) -> dict:
        return {k: round(float(np.percentile(v, q)), 2) for k, q in
                (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))}

    return {"size": list(size), "skip": skip, "cases": tried, "read_as_meant": hits,
            "teach_seconds": [round(s, 2) for s in seconds], "frames": len(times),
            "frame_ms": pct(times), "frame_cpu_ms": pct(cpu),
            "shipped_unchanged": unchanged}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--pen", default="../shared/data/pendigits/pen-30-writers.json.gz")
    ap.add_argument("--cases", type=int, default=10)
    ap.add_argument("--skip", type=int, default=0, help="misread digits to pass over first")
    a = ap.parse_args()
    w, h = (int(v) for v in a.size.split("x"))
    print(json.dumps(run((w, h), a.pen, a.cases, a.skip)))


if __name__ == "__main__":
    main()
