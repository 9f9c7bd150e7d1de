"""``digit-exhibit bench --learn``: the exhibit learning live while a scripted hand draws.

Unlike the plain frame benchmark this runs in real time (60 frames a second, each frame waits
for its turn), because the learning process needs the wall-clock seconds the frames leave it:
learning starts at once (the default design is what key T starts; another is what a visitor's
design starts), the scripted session draws for ``seconds``, every frame is timed (input,
steps, inference, composing and drawing), and at the end the network the exhibit shows is
scored on the full MNIST test set. The data and the pacing are the visitors'.
"""
from __future__ import annotations

import gc
import time

import numpy as np
import pygame

from exhibit.tools.bench import FPS, headless, play, script
from exhibit.state.exhibit import Exhibit
from exhibit.config import Config
from exhibit.views.screen import Screen


def full_test_accuracy(net) -> float:
    from exhibit.learn import data
    from exhibit.model.fit import accuracy

    x, y = data.held_out(None)
    return accuracy(net, x, y)


def visitors_design(design: dict | None) -> "Design | None":
    """The design card's value for ``design``, or None when the card does not offer it."""
    from exhibit.learn.design import Design

    if design is None or "hidden" not in design:
        return None
    try:
        return Design(tuple(design["hidden"]), design.get("activation", "relu"),
                      design.get("rate", "good"))
    except ValueError:
        return None


def bench_learn(cfg: Config, size: tuple[int, int], seconds: float,
                design: dict | None = None) -> dict:
    """``design``: {"hidden": [...], "activation", "rate"} (each optional: 25,25, relu, good)."""
    from exhibit.learn.worker import HIDDEN

    design = {"hidden": list(HIDDEN), "activation": "relu", "rate": "good", **(design or {})}
    headless()
    pygame.display.init()
    pygame.font.init()
    surface = pygame.Surface(size)
    visitors = visitors_design(design)
    cfg = cfg.replace(**{"timing__clear_after": 0.0,  # a design's run outlasts the benchmark
                         "learn__design_seconds": min(600.0, max(cfg.learn.design_seconds,
                                                                 seconds + 10))})
    ex = Exhibit(cfg, size)
    if not ex.learn.available:
        raise RuntimeError(ex.learn.off_reason or "live learning unavailable")
    screen = Screen(cfg)
    plan = script(ex.canvas_rect)
    gc.freeze()
    times: list[float] = []
    cpu: list[float] = []  # this thread's CPU time per frame: the work, without waiting for a core
    swaps = 0
    last = None
    try:
        start = time.monotonic()
        if visitors is not None:  # as a visitor's design runs: its box on screen
            ex.design.open(ex, ex.learn)
            ex.design.choose(ex, visitors)
            ex.design.tap(ex, "design.train")
            learner = ex.design.learner
        else:  # the explainer's shape (key T), or a shape the design card does not offer
            ex.learn.start(ex, design)
            learner = ex.learn.learner
        i = 0
        while True:
            due = start + i / FPS
            now = time.monotonic()
            if now - start >= seconds:
                break
            if due > now:
                time.sleep(due - now)
            t0, c0 = time.perf_counter(), time.thread_time()
            play(ex, plan[i % len(plan)])
            screen.draw(surface, ex)
            times.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
            if ex.recognizer.model is not last:
                last = ex.recognizer.model
                swaps += 1
            i += 1
        if learner is None:
            raise RuntimeError(ex.learn.off_reason or ex.design.off_reason
                               or "live learning stopped")
        elapsed = time.monotonic() - start
        net = ex.recognizer.model.net  # the trained-so-far network, as shown at the end
        curve = [[round(t, 2), a] for t, a in learner.curve]
        losses = [[round(t, 2), v] for t, v in learner.loss_curve]
        seen, diverged = learner.seen, learner.diverged
    finally:
        ex.close()
    acc = full_test_accuracy(net)
    ms = np.array(times) * 1000
    pct = lambda q: round(float(np.percentile(ms, q)), 2)  # noqa: E731
    return {"design": design, "seconds": round(elapsed, 2), "accuracy_final": round(acc, 4),
            "diverged": diverged, "accuracy_curve": curve, "loss_curve": losses,
            "frame_ms": {"p50": pct(50), "p99": pct(99), "max": round(float(ms.max()), 2)},
            "frame_cpu_ms": {"p50": round(float(np.percentile(cpu, 50)) * 1000, 2),
                             "p99": round(float(np.percentile(cpu, 99)) * 1000, 2)},
            "frames": len(times), "weight_swaps": swaps, "training_digits_seen": seen,
            "source": ex.learn.source[0]}
