"""``digit-exhibit soak``: the real exhibit, headless, on a simulated clock, with a random visitor.

The visitor comes and goes: draws with one or many fingers or the mouse, taps buttons and
neurons, presses teacher keys and stray keys, resizes the window, loses focus, floods the
queue, sends broken coordinates, and leaves it alone for long stretches (so attract mode and
the idle reset run too). Nothing sleeps: a frame's simulated time is 1/fps.
"""
from __future__ import annotations

import gc
import os
import time

import numpy as np
import pygame

from exhibit.tools.bench import headless
from exhibit.eventlog import EventLog
from exhibit.shell.loop import STEP, Runner
from exhibit.state.modes import Mode
from exhibit.shell.signals import install as install_signals
from exhibit.config import Config

E = pygame.event.Event
KEYPRESSES = [pygame.K_f, pygame.K_n, pygame.K_RIGHT, pygame.K_e, pygame.K_h, pygame.K_c, pygame.K_m,
        pygame.K_v, pygame.K_x, pygame.K_a, pygame.K_r, pygame.K_l, pygame.K_0, pygame.K_7, pygame.K_ESCAPE,
        pygame.K_TAB, pygame.K_F4, pygame.K_SPACE, pygame.K_RETURN, pygame.K_q, pygame.K_DELETE]


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Visitor:
    """A random but plausible stream of events, frame by frame."""

    def __init__(self, rng: np.random.Generator, size: tuple[int, int], canvas: pygame.Rect) -> None:
        self.rng, self.size, self.canvas = rng, size, canvas
        self.plan: list[list[E]] = []

    def finger(self, kind: str, x: float, y: float, fid: int = 0) -> E:
        t = {"down": pygame.FINGERDOWN, "move": pygame.FINGERMOTION, "up": pygame.FINGERUP}[kind]
        return E(t, x=x / self.size[0], y=y / self.size[1], dx=0.0, dy=0.0, finger_id=fid,
                 touch_id=1, pressure=1.0)

    def mouse(self, kind: str, x: float, y: float, touch: bool = False) -> E:
        t = {"down": pygame.MOUSEBUTTONDOWN, "move": pygame.MOUSEMOTION, "up": pygame.MOUSEBUTTONUP}[kind]
        return E(t, pos=(x, y), button=1, buttons=(1, 0, 0), rel=(0, 0), touch=touch)

    def next(self, size: tuple[int, int], button_rects: list[pygame.Rect],
             neurons: np.ndarray) -> list[E]:
        if self.plan:
            return self.plan.pop(0)
        r = self.rng
        c = self.canvas
        choice = r.random()
        if choice < 0.30:  # stay away for a while (sometimes long enough for attract mode)
            self.plan = [[] for _ in range(int(r.choice([30, 300, 3000, 6000])))]
        elif choice < 0.62:  # draw a stroke with a finger (and its mouse copy) or the mouse
            n = int(r.integers(5, 80))
            pts = np.cumsum(r.normal(0, 12, (n, 2)), axis=0) + (c.centerx, c.centery)
            pts = np.clip(pts, (c.x - 40, c.y - 40), (c.right + 40, c.bottom + 40))
            use_finger = r.random() < 0.6
            ev = self.finger if use_finger else self.mouse
            self.plan.append([ev("down", *pts[0])] + ([self.mouse("down", *pts[0], True)] if use_finger else []))
            for p in pts[1:]:
                self.plan.append([ev("move", *p)])
            self.plan.append([ev("up", *pts[-1])])
        elif choice < 0.72:  # tap a button or a neuron
            if r.random() < 0.5 and button_rects:
                target = button_rects[int(r.integers(len(button_rects)))].center
            else:
                target = tuple(neurons[int(r.integers(len(neurons)))])
            self.plan = [[self.mouse("down", *target)], [self.mouse("up", *target)]]
        elif choice < 0.85:  # a key, teacher's or stray
            k = KEYPRESSES[int(r.integers(len(KEYPRESSES)))]
            self.plan = [[E(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0)],
                         [E(pygame.KEYUP, key=k, mod=0, unicode="", scancode=0)]]
        elif choice < 0.89:  # the window changes or loses focus
            self.plan = [[E(r.choice([pygame.WINDOWSIZECHANGED, pygame.WINDOWFOCUSLOST,
                                      pygame.WINDOWEXPOSED, pygame.WINDOWFOCUSGAINED]), x=size[0], y=size[1])]]
        elif choice < 0.93:  # ten fingers at once
            downs = [self.finger("down", *r.uniform((c.x, c.y), (c.right, c.bottom)), fid=i) for i in range(10)]
            moves = [self.finger("move", *r.uniform((c.x, c.y), (c.right, c.bottom)), fid=i) for i in range(10)]
            ups = [self.finger("up", 0, 0, fid=i) for i in range(10)]
            self.plan = [downs, moves, moves, ups]
        elif choice < 0.97:  # a flood from a misbehaving driver
            x0, y0 = c.center
            self.plan = [[self.finger("down", x0, y0)] +
                         [self.finger("move", x0 + r.normal(0, 50), y0 + r.normal(0, 50)) for _ in range(3000)] +
                         [self.finger("up", x0, y0)]]
        else:  # garbage coordinates
            bad = [float("nan"), float("inf"), -1e12, 1e300]
            self.plan = [[self.finger("down", bad[int(r.integers(4))], 10),
                          self.mouse("down", 1e9, -1e9), self.mouse("up", 1e9, -1e9),
                          E(pygame.FINGERMOTION, x=float("nan"), y=0.5, dx=0, dy=0, finger_id=0, touch_id=1)]]
        return self.plan.pop(0) if self.plan else []


def vandal_session(runner: Runner, sim: list[float], steps_per_frame: int, signals,
                   points: int = 20000) -> dict:
    """One finger scribbles ``points`` points across the canvas (100 a frame), then the
    scribble stays on screen: frame times while it grows and while it is shown. A screen the
    random visitor left frozen (a teacher's freeze ignores touches) is unfrozen first."""
    ex = runner.ex
    if ex.mode == Mode.FROZEN:
        ex.act("freeze")
    c = ex.canvas_rect
    rng = np.random.default_rng(7)
    pts = np.stack([rng.uniform(c.x + 5, c.right - 5, points), rng.uniform(c.y + 5, c.bottom - 5, points)], 1)
    w, h = runner.size
    finger = lambda t, x, y: E(t, x=x / w, y=y / h, dx=0.0, dy=0.0, finger_id=0, touch_id=9,  # noqa: E731
                               pressure=1.0)
    plan = [[finger(pygame.FINGERDOWN, *pts[0])]]
    plan += [[finger(pygame.FINGERMOTION, *p) for p in pts[i:i + 100]] for i in range(1, points, 100)]
    plan += [[finger(pygame.FINGERUP, *pts[-1])]] + [[] for _ in range(300)]
    times = []
    drawn = 0
    for i, events in enumerate(plan):
        if signals.quit:
            break
        t0 = time.perf_counter()
        sim[0] += steps_per_frame * STEP
        runner.handle(events)
        runner.advance(steps_per_frame)
        times.append(time.perf_counter() - t0)
        if events:  # the points on the canvas as the finger lifts (it auto-clears later)
            drawn = int(sum(len(s) for s in runner.ex.drawing.strokes))
    ms = np.array(times or [0.0]) * 1000
    return {"frames": len(times), "points": drawn,
            "p50": round(float(np.percentile(ms, 50)), 2), "p99": round(float(np.percentile(ms, 99)), 2),
            "max": round(float(ms.max()), 2)}


def soak(cfg: Config, frames: int, seed: int, size: tuple[int, int] = (1280, 720),
         fps: float = 60.0, warmup: int = 10000, vandal_points: int = 20000) -> dict:
    signals = install_signals()
    signals.polling = True  # the soak checks the flag between frames
    headless()
    pygame.display.init()
    pygame.font.init()
    screen = pygame.display.set_mode(size)
    sim = [0.0]
    clock = lambda: sim[0]  # noqa: E731
    log = EventLog(None, clock=clock)
    runner = Runner(cfg, size, log, fullscreen=True, clock=clock)
    runner.surface = screen
    visitor = Visitor(np.random.default_rng(seed), size, runner.ex.canvas_rect)
    steps_per_frame = max(1, round(1.0 / fps / STEP))
    gc.collect()
    gc.freeze()

    def frame(events: list[E]) -> None:
        sim[0] += steps_per_frame * STEP
        runner.handle(events)
        runner.advance(steps_per_frame)

    # Warm-up, not counted: every feature once (fonts, text caches, all three models, both
    # languages, overlays, attract mode) and then some random use, so that the RSS figures
    # measure growth over time rather than first-use allocations.
    press = lambda k: [E(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0)]  # noqa: E731
    script = [press(k) for k in (pygame.K_3, pygame.K_m, pygame.K_m, pygame.K_m, pygame.K_l,
                                 pygame.K_l, pygame.K_h, pygame.K_h, pygame.K_e, pygame.K_e,
                                 pygame.K_x, pygame.K_x, pygame.K_a, pygame.K_r, pygame.K_a)]
    script += [press(pygame.K_f)] + [press(pygame.K_n)] * 8 + [press(pygame.K_f)]
    script += [press(pygame.K_0 + d) for d in range(10)]
    for events in script:
        frame(events)
    for _ in range(warmup):
        if signals.quit:
            break
        ex = runner.ex
        frame(visitor.next(size, [ex.layout.clear_button] + ex.layout.sample_buttons,
                           np.vstack(ex.layout.pos[1:])))
    gc.collect()
    errors_before = runner.errors
    times = np.empty(frames)
    rss_start = rss_mb()
    done = 0
    for i in range(frames):
        if signals.quit:  # SIGTERM: stop now and report what ran
            break
        done += 1
        ex = runner.ex
        buttons = [ex.layout.clear_button] + ex.layout.sample_buttons
        neurons = np.vstack(ex.layout.pos[1:])
        events = visitor.next(size, buttons, neurons)
        t0 = time.perf_counter()
        sim[0] += steps_per_frame * STEP
        runner.handle(events)
        runner.advance(steps_per_frame)
        times[i] = time.perf_counter() - t0
    times = times[:max(done, 1)]
    vandal = (vandal_session(runner, sim, steps_per_frame, signals, vandal_points)
              if vandal_points > 0 and not signals.quit else None)
    gc.collect()
    return {"frames": done, "interrupted": signals.quit, "vandal_frame_ms": vandal,
            "exceptions": runner.errors, "exceptions_in_warmup": errors_before,
            "warmup_frames": warmup + len(script), "rss_mb_start": round(rss_start, 1),
            "rss_mb_end": round(rss_mb(), 1), "frame_ms_p50": round(float(np.percentile(times, 50)) * 1000, 2),
            "frame_ms_p99": round(float(np.percentile(times, 99)) * 1000, 2),
            "frame_ms_max": round(float(times.max()) * 1000, 2),
            "simulated_hours": round(sim[0] / 3600, 2), "events": dict(sorted(log.counts.items()))}
