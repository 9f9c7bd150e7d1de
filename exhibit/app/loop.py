"""The window and the fixed-timestep loop, with the failsafe that keeps a kiosk up.

Input and simulation advance in fixed steps from an accumulator (so pulses move the same on 30,
60 and 120 Hz panels); rendering happens once per frame; catch-up is capped so that a stall
does not snowball. vsync where the display has it, a capped clock where not.

Any exception inside a frame is logged (its traceback once per kind), the exhibit falls back
to attract mode and carries on; if failures repeat within a short window the process exits
non-zero so that systemd restarts it. A visitor never sees a traceback.
"""
from __future__ import annotations

import gc
import os
import signal
import sys
import time
import traceback
from typing import Callable, Iterable

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402

from exhibit.app.eventlog import EventLog  # noqa: E402
from exhibit.app.exhibit import Exhibit  # noqa: E402
from exhibit.app.geometry import Viewport  # noqa: E402
from exhibit.app.notify import Notifier  # noqa: E402
from exhibit.config import Config, ConfigError  # noqa: E402

STEP = 1 / 120
MAX_STEPS = 8
QUIT_HOLD = 2.0  # seconds Ctrl+Shift+Q must be held
MAX_EVENTS = 400  # per frame; a flood keeps every press and release and the latest motion
FAILURES_ALLOWED = 5  # within FAILURE_WINDOW seconds; one more and the process exits
FAILURE_WINDOW = 60.0
EXIT_FAILING = 3
MOTION = (pygame.MOUSEMOTION, pygame.FINGERMOTION)


class RepeatedFailure(Exception):
    """Frames keep failing: let systemd start a fresh process."""


def open_window(size: tuple[int, int], fullscreen: bool, display: int, vsync: bool
                ) -> tuple[pygame.Surface, bool]:
    """(screen, has_vsync). SCALED keeps the layout's logical size on any display."""
    flags = pygame.SCALED | (pygame.FULLSCREEN if fullscreen else 0)
    n = pygame.display.get_num_displays() if pygame.display.get_init() else 1
    display = display if display < max(1, n) else 0
    if vsync:
        try:
            return pygame.display.set_mode(size, flags, display=display, vsync=1), True
        except pygame.error:
            pass  # no vsync here: fall back to a capped clock
    return pygame.display.set_mode(size, flags, display=display), False


def thin_flood(events: list[pygame.event.Event]) -> list[pygame.event.Event]:
    """At most MAX_EVENTS a frame: drop the oldest motion events first."""
    if len(events) <= MAX_EVENTS:
        return events
    others = [e for e in events if e.type not in MOTION]
    room = max(0, MAX_EVENTS - len(others))
    keep = {id(e) for e in [e for e in events if e.type in MOTION][-room:]} if room else set()
    kept = [e for e in events if e.type not in MOTION or id(e) in keep]
    return kept[-MAX_EVENTS * 4:]  # even presses cannot grow without bound


class Runner:
    """One exhibit in one window (or on a plain surface for tests and the soak)."""

    def __init__(self, cfg: Config, size: tuple[int, int], log: EventLog,
                 notifier: Notifier | None = None, fullscreen: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.cfg = cfg
        self.size = size
        self.log = log
        self.notifier = notifier or Notifier({})
        self.fullscreen = fullscreen
        self.clock = clock
        self.ex = Exhibit(cfg, size, log)
        self.surface: pygame.Surface | None = None
        self.failures: list[float] = []
        self.seen_errors: set[tuple] = set()
        self.errors = 0
        self.chord_since: float | None = None
        self.quit = False
        self.reload_requested = False
        self.message: tuple[str, float] | None = None  # an operator message on screen, until t

    # --- fault handling -----------------------------------------------------------------------
    def fail(self, exc: BaseException, where: str) -> None:
        """Log an exception (its traceback once per kind), count it, fall back to attract mode."""
        self.errors += 1
        tb = traceback.extract_tb(exc.__traceback__)
        site = (tb[-1].filename, tb[-1].lineno) if tb else ("?", 0)
        kind = (type(exc).__name__, site)  # the same fault reached from input or frame is one kind
        message = f"{where}: {type(exc).__name__}: {exc}"[:300]
        if kind not in self.seen_errors:
            self.seen_errors.add(kind)
            print(f"digit-exhibit: error in {where} (further ones of this kind are only counted):",
                  file=sys.stderr)
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        self.log.write("error", message=message)
        now = self.clock()
        self.failures = [t for t in self.failures if now - t < FAILURE_WINDOW] + [now]
        if len(self.failures) > FAILURES_ALLOWED:
            raise RepeatedFailure(f"{len(self.failures)} failures within {FAILURE_WINDOW:.0f} s; "
                                  f"last: {message}")
        try:
            self.ex.recover()
        except Exception as again:  # the exhibit itself is broken: build a fresh one
            self.log.write("error", message=f"recover: {type(again).__name__}: {again}"[:300])
            self.ex = Exhibit(self.cfg, self.size, self.log)
            self.update_viewport()  # the fresh exhibit must map touches as the old one did
            self.ex.recover()

    # --- one frame ----------------------------------------------------------------------------
    def handle(self, events: Iterable[pygame.event.Event]) -> None:
        for ev in thin_flood(list(events)):
            try:
                self._handle_one(ev)
            except RepeatedFailure:
                raise
            except Exception as e:
                self.fail(e, "input")

    def _handle_one(self, ev: pygame.event.Event) -> None:
        t = ev.type
        if t == pygame.QUIT:
            if not self.fullscreen:  # a development window closes; a kiosk needs the chord
                self.quit = True
            return
        if t in (pygame.WINDOWSIZECHANGED, pygame.WINDOWRESIZED, pygame.VIDEORESIZE):
            self.update_viewport()
            return
        if t in (pygame.WINDOWEXPOSED, pygame.WINDOWRESTORED, pygame.VIDEOEXPOSE,
                 pygame.WINDOWSHOWN, pygame.WINDOWDISPLAYCHANGED):
            self.ex.scene.invalidate()
            return
        if t in (pygame.WINDOWFOCUSLOST, pygame.WINDOWLEAVE, pygame.WINDOWMINIMIZED):
            for p in self.ex.pointer.reset():  # a finger lifted while we could not see it
                self.ex.on_pointer(p)
            return
        if t in (pygame.JOYDEVICEADDED, pygame.JOYDEVICEREMOVED, pygame.AUDIODEVICEADDED,
                 pygame.AUDIODEVICEREMOVED):
            self.log.write("device", kind=pygame.event.event_name(t))
            return
        self.ex.handle(ev)

    def update_viewport(self) -> None:
        try:
            window = pygame.display.get_window_size() if pygame.display.get_surface() else self.size
        except pygame.error:
            window = self.size
        if window[0] <= 0 or window[1] <= 0:
            return  # minimised: keep the last mapping
        self.ex.viewport = Viewport(self.size, window)
        self.ex.pointer.viewport = self.ex.viewport
        self.ex.scene.invalidate()

    def advance(self, steps: int) -> None:
        try:
            for _ in range(steps):
                self.ex.step(STEP)
            self.ex.frame()
            if self.surface is not None:
                self.ex.draw(self.surface)
                if self.message is not None:
                    self._draw_message()
        except RepeatedFailure:
            raise
        except Exception as e:
            self.fail(e, "frame")
        self.notifier.watchdog()

    def check_chord(self) -> None:
        keys = pygame.key.get_pressed()
        mods = pygame.key.get_mods()
        held = bool(keys[pygame.K_q] and mods & pygame.KMOD_CTRL and mods & pygame.KMOD_SHIFT)
        now = self.clock()
        if not held:
            self.chord_since = None
        elif self.chord_since is None:
            self.chord_since = now
        elif now - self.chord_since >= QUIT_HOLD:
            self.quit = True

    # --- config reload (SIGHUP) ----------------------------------------------------------------
    def reload(self, path: str | None, overrides: list[str]) -> None:
        from exhibit.config import load as load_config
        self.reload_requested = False
        try:
            cfg = load_config(path, overrides)
        except ConfigError as e:
            # keep running on the old settings, and tell whoever is looking at the screen
            print(f"digit-exhibit: config not reloaded: {e}", file=sys.stderr)
            self.log.write("error", message=f"config: {e}"[:300])
            self.message = (f"Config not loaded: {e}", self.clock() + 30.0)
            self.ex.scene.invalidate()
            return
        self.cfg = cfg
        self.ex = Exhibit(cfg, self.size, self.log)
        self.update_viewport()
        self.log.write("reload")

    def _draw_message(self) -> None:
        text, until = self.message
        if self.clock() > until:
            self.message = None
            self.ex.scene.invalidate()
            return
        th = self.ex.theme
        from exhibit.views import overlays
        w, h = self.size
        rect = pygame.Rect(w // 20, h - th.px(170), w - w // 10, th.px(140))
        overlays.banner(self.surface, th, text, rect)


def run(cfg: Config, size: tuple[int, int], fullscreen: bool, display: int,
        event_log: str | None, max_seconds: float | None,
        config_path: str | None = None, overrides: list[str] | None = None) -> int:
    t_start = time.monotonic()
    notifier = Notifier()
    log = EventLog(event_log)
    pygame.display.init()
    pygame.font.init()
    try:
        screen, vsync = open_window(size, fullscreen, display, cfg["window.vsync"])
    except pygame.error as e:
        print(f"digit-exhibit: cannot open the display: {e}", file=sys.stderr)
        log.write("error", message=f"display: {e}"[:300])
        return 1
    pygame.display.set_caption("Digit Exhibit")
    if fullscreen:
        pygame.mouse.set_visible(False)
    runner = Runner(cfg, size, log, notifier, fullscreen)
    runner.surface = screen
    runner.update_viewport()
    ex = runner.ex
    c = ex.canvas_rect
    (x0, y0), (x1, y1) = ex.viewport.to_window(c.x, c.y), ex.viewport.to_window(c.right, c.bottom)
    log.write("start", size=list(size), window=list(pygame.display.get_window_size()),
              canvas=[round(x0), round(y0), round(x1 - x0), round(y1 - y0)], model=ex.model_name)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, lambda *_: setattr(runner, "reload_requested", True))
    signal.signal(signal.SIGTERM, lambda *_: setattr(runner, "quit", True))
    clock = pygame.time.Clock()
    cap = 0 if vsync else cfg["window.fps"]
    gc.freeze()  # start-up objects never need collecting: shorter collector pauses
    acc = 0.0
    first = True
    code = 0
    try:
        while not runner.quit:
            acc += min(clock.tick(cap) / 1000.0, 0.25)
            runner.handle(pygame.event.get())
            runner.check_chord()
            if runner.reload_requested:
                runner.reload(config_path, overrides or [])
            steps = 0
            while acc >= STEP and steps < MAX_STEPS:
                acc -= STEP
                steps += 1
            if steps == MAX_STEPS:
                acc = 0.0
            runner.advance(steps)
            try:
                pygame.display.flip()
            except pygame.error as e:  # the display went away: a fresh process will find it
                runner.log.write("error", message=f"display: {e}"[:300])
                code = EXIT_FAILING
                break
            if first:
                first = False
                notifier.ready()
                log.write("first_frame", seconds=round(time.monotonic() - t_start, 3))
            if max_seconds is not None and time.monotonic() - t_start >= max_seconds:
                break
    except RepeatedFailure as e:
        print(f"digit-exhibit: giving up for a restart: {e}", file=sys.stderr)
        code = EXIT_FAILING
    finally:
        notifier.stopping()
        log.write("stop", code=code)
        log.close()
        pygame.display.quit()
    return code
