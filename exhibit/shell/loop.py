"""The frame loop and the failsafe ladder that keeps a kiosk up.

Input and simulation advance in fixed steps from an accumulator (so pulses move the same on 30,
60 and 120 Hz panels); a frame that changes nothing is neither composed nor presented, and
while nothing moves the loop waits for input; catch-up is capped so a stall does not snowball.

The failsafe ladder: (1) an exception in a frame or in input handling is logged (its traceback
once per kind) and the exhibit enters FAILSAFE (a calm screen, then attract mode); (2) if
recovering fails too, a fresh exhibit is built and enters FAILSAFE; if that fails, or after
more than FAILURES_ALLOWED failures within FAILURE_WINDOW seconds, the process exits with
EXIT_FAILING (3); (3) systemd restarts it; past the unit's start limit, the out-of-order screen
takes over and a timer tries again later (kiosk/README.md). A visitor never sees a traceback;
the ``stop`` event logs the real exit code.
"""
from __future__ import annotations

import gc
import sys
import time
import traceback
from typing import Callable, Iterable

import pygame

from exhibit.eventlog import EventLog
from exhibit.state.exhibit import Exhibit
from exhibit.shell.health import Health, health_path
from exhibit.shell.notify import Notifier
from exhibit.shell.window import FrameStats, NoScreen, Window, check_screen, prefer_dirty_rects
from exhibit.shell.signals import Signals, Terminated
from exhibit.shell.signals import install as install_signals
from exhibit.config import Config, ConfigError
from exhibit.model.store import WeightsError
from exhibit.version import describe
from exhibit.views.screen import Screen
from exhibit.views.theme import font_problems

STEP = 1 / 120
RESTART_ONLY = ("log.", "window.")  # settings a SIGHUP reload does not apply ...
LIVE = ("window.fps",)  # ... except these: the loop reads the frame cap every frame
MAX_STEPS = 8
IDLE_WAIT_MS = 30  # nothing on screen moves: wait this long for input between ticks
STATUS_EVERY = 10.0  # seconds between STATUS= lines for systemctl status
QUIT_HOLD = 2.0  # seconds Ctrl+Shift+Q must be held
MAX_EVENTS = 400  # per frame; a flood keeps every press and release and the latest motion
FAILURES_ALLOWED = 5  # within FAILURE_WINDOW seconds; one more and the process exits
FAILURE_WINDOW = 60.0
EXIT_FAILING = 3
MOTION = (pygame.MOUSEMOTION, pygame.FINGERMOTION)


def _display_surface() -> pygame.Surface | None:
    try:
        return pygame.display.get_surface()
    except pygame.error:
        return None


class RepeatedFailure(Exception):
    """Frames keep failing: let systemd start a fresh process."""


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
    """One exhibit (its state) and its screen (the views), in one window or on a plain surface
    for tests and the soak. Owns the fault handling: an error anywhere in a frame sends the
    exhibit to its failsafe state; repeated errors end the process for a restart."""

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
        self.screen = Screen(cfg)
        for problem in font_problems():  # a broken font is reported once, here
            self.log.write("error", message=problem[:300])
        self._surface: pygame.Surface | None = None
        self._on_display = False  # the surface is the window's: it follows a resize
        self.failures: list[float] = []
        self.seen_errors: set[tuple] = set()
        self.errors = 0
        self.chord_since: float | None = None
        self.quit = False

    @property
    def surface(self) -> pygame.Surface | None:  # a plain surface, or the display surface
        return self._surface

    @surface.setter
    def surface(self, value: pygame.Surface | None) -> None:
        self._surface = value
        self._on_display = value is not None and value is _display_surface()

    def follow_display(self) -> None:
        """After a resize SDL frees the display surface and pygame makes a new one; a blit into
        the old one was the resize storm's segfault (issue 23, finding 4): draw into the new."""
        if not self._on_display:
            return
        current = _display_surface()
        if current is not None and current is not self._surface:
            self._surface = current
            self.update_viewport()

    # --- fault handling -----------------------------------------------------------------------
    def fail(self, exc: BaseException, where: str) -> None:
        """Log an exception (its traceback once per kind), count it, enter the failsafe state."""
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
            try:
                window = self.ex.viewport.window
                self.ex.close()
                self.ex = Exhibit(self.cfg, self.size, self.log, models=self.ex.models)
                self.ex.set_window(window)  # it must map touches as the old one did
                self.ex.recover()
            except Exception as third:
                raise RepeatedFailure(f"recovery failed: {type(third).__name__}: {third}") from None
        self.screen.invalidate()

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
            self.screen.invalidate()
            return
        if t in (pygame.WINDOWFOCUSLOST, pygame.WINDOWLEAVE, pygame.WINDOWMINIMIZED):
            self.ex.release_all()  # a finger lifted while we could not see it
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
        self.ex.set_window(window)
        self.screen.invalidate()

    def advance(self, steps: int) -> list[pygame.Rect]:
        """Step the state, read the network if needed, draw; returns the areas changed."""
        areas: list[pygame.Rect] = []
        try:
            for _ in range(steps):
                self.ex.step(STEP)
            self.ex.refresh()
            self.follow_display()  # never a display surface a resize has freed
            if self.surface is not None:
                areas = self.screen.draw(self.surface, self.ex)
        except RepeatedFailure:
            raise
        except Exception as e:
            self.fail(e, "frame")
            areas = [pygame.Rect((0, 0), self.size)]
        self.notifier.watchdog()
        return areas

    def status(self, uptime: float, stats: FrameStats, health: Health | None = None) -> str:
        """One line for ``systemctl status``: model, uptime, predictions, frames, last frame."""
        h, m = divmod(int(uptime) // 60, 60)
        f = stats.summary()
        return (f"{describe()} · {self.ex.model_name} · {self.ex.mode.value} · up {h}h{m:02d} · "
                f"{self.log.counts['prediction']} predictions · {self.errors} errors · "
                f"{stats.moving_fps:.0f} fps while moving, frame p99 {f['p99']} ms"
                + (f" · {health.status()}" if health is not None else ""))

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
        # the countdown ring on screen (state the views draw; None hides it)
        self.ex.quit_progress = (None if self.chord_since is None
                                 else min(1.0, (now - self.chord_since) / QUIT_HOLD))

    # --- config reload (SIGHUP) ----------------------------------------------------------------
    def reload(self, path: str | None, overrides: list[str]) -> None:
        """Re-read the config (SIGHUP). Everything new is built aside first; on any failure the
        running exhibit keeps its settings, one error is logged and shown, and drawing goes on.
        The networks already loaded are reused, so a reload reads no weights file."""
        from exhibit.config import load as load_config
        from exhibit.layout.check import check_layout
        try:
            cfg = load_config(path, overrides, strict=False)
            check_layout(cfg, self.ex.models)  # a layout too small for its views: kept out
            ex = Exhibit(cfg, self.size, self.log, models=self.ex.models)
            screen = Screen(cfg)
        except Exception as e:  # noqa: BLE001 - whatever went wrong, the old exhibit stays
            text = str(e) if isinstance(e, ConfigError) else f"{type(e).__name__}: {e}"
            print(f"digit-exhibit: config not reloaded: {text}", file=sys.stderr)
            self.log.write("error", message=f"config: {text}"[:300])
            self.ex.show_message(f"Config not loaded: {text}"[:200])
            return
        ex.set_window(self.ex.viewport.window)
        self.ex.close()
        # read once at start (the event log's file, the frame cap, the window): say so
        old_v, new_v = self.cfg.as_dict(), cfg.as_dict()
        later = sorted(k for k in new_v if k.startswith(RESTART_ONLY) and k not in LIVE
                       and new_v[k] != old_v.get(k))
        if later:
            text = (f"reloaded, but these are read only at start and take effect after a "
                    f"restart (systemctl restart): {', '.join(later)}")
            print(f"digit-exhibit: {text}", file=sys.stderr)
            self.log.write("config_warning", message=text[:300])
        self.cfg, self.ex, self.screen = cfg, ex, screen
        for w in cfg.warnings:
            self.log.write("config_warning", message=w[:300])
        self.log.write("reload")


def run(cfg: Config, size: tuple[int, int] | None, fullscreen: bool, display: int,
        event_log: str | None, max_seconds: float | None,
        config_path: str | None = None, overrides: list[str] | None = None) -> int:
    """The exhibit in a window until quit; returns the exit code. ``size`` None: the display's."""
    t_start = time.monotonic()
    signals = install_signals()
    notifier = Notifier()
    log = EventLog.from_config(event_log, cfg)
    for w in cfg.warnings:
        log.write("config_warning", message=w[:300])
    code = 1  # until the loop says otherwise, an exit is a failure
    stats = FrameStats()
    runner = None
    try:
        try:
            pygame.display.init()
            check_screen()
            prefer_dirty_rects()
            pygame.font.init()
            window = Window(size, fullscreen, display, cfg.window.vsync, present=cfg.window.present)
        except (pygame.error, NoScreen, IndexError) as e:
            print(f"digit-exhibit: cannot open the display: {e}", file=sys.stderr)
            log.write("error", message=f"display: {e}"[:300])
            code = 2
            return code
        pygame.display.set_caption("Digit Exhibit")
        if fullscreen:
            pygame.mouse.set_visible(False)
        runner = Runner(cfg, window.size, log, notifier, fullscreen)
        runner.surface = window.surface
        runner.update_viewport()
        ex = runner.ex
        c = ex.canvas_rect
        (x0, y0), (x1, y1) = ex.viewport.to_window(c.x, c.y), ex.viewport.to_window(c.right, c.bottom)
        log.write("start", size=list(window.size), window=list(pygame.display.get_window_size()),
                  canvas=[round(x0), round(y0), round(x1 - x0), round(y1 - y0)],
                  model=ex.model_name, scaled=window.scaled, version=describe())
        code = loop(runner, window, signals, notifier, stats, t_start, max_seconds, config_path,
                    overrides or [])
    except Terminated:
        code = 0  # asked to stop while starting: a clean stop
    except KeyboardInterrupt:
        code = 130
    except (ConfigError, WeightsError):
        code = 2  # what the command line will exit with (exhibit/cli.py): the stop event says so
        raise
    finally:
        signals.polling = False
        if runner is not None:
            runner.ex.close()  # no learning process outlives the exhibit
        notifier.stopping()
        seconds = time.monotonic() - t_start
        log.write("stop", code=code, frames=stats.frames, seconds=round(seconds, 2),
                  fps=round(stats.frames / max(seconds, 1e-9), 1),
                  fps_moving=round(stats.moving_fps, 1), frame_ms=stats.summary())
        log.close()
        pygame.display.quit()
    return code


def loop(runner: Runner, window: Window, signals: Signals, notifier: Notifier, stats: FrameStats,
         t_start: float, max_seconds: float | None, config_path: str | None,
         overrides: list[str]) -> int:
    """The frame loop; returns the exit code. A frame that changes nothing is neither composed
    nor presented; while nothing moves, the loop waits for input instead of ticking at full rate."""
    clock = pygame.time.Clock()
    signals.polling = True
    if signals.quit:
        return 0
    health = Health(health_path(runner.cfg.log.health_file), runner.cfg.window.full_frame_seconds,
                    tuple(pygame.Color(runner.cfg.colors.background))[:3])
    gc.freeze()  # start-up objects never need collecting: shorter collector pauses
    acc = 0.0
    first = True
    still = False  # the last frame painted nothing
    next_status = 0.0
    try:
        while not (runner.quit or signals.quit):
            if still:
                ev = pygame.event.wait(IDLE_WAIT_MS)  # returns at once when input comes
                events = ([] if ev.type == pygame.NOEVENT else [ev]) + pygame.event.get()
            else:
                events = pygame.event.get()
            # the cap always (a vsync that does not wait must not spin), read afresh: a
            # reload applies window.fps at once
            acc += min(clock.tick(runner.cfg.window.fps) / 1000.0, 0.25)
            t0 = time.perf_counter()
            runner.handle(events)
            runner.check_chord()
            if signals.reload:
                signals.reload = False
                runner.reload(config_path, overrides)
            steps = 0
            while acc >= STEP and steps < MAX_STEPS:
                acc -= STEP
                steps += 1
            if steps == MAX_STEPS:
                acc = 0.0
            areas = runner.advance(steps)
            full = first or health.full_due()  # idle or not, the whole screen now and then
            if full:
                areas = [runner.surface.get_rect()]
            try:
                window.present(areas)
            except pygame.error as e:  # the display went away: a fresh process will find it
                runner.log.write("error", message=f"display: {e}"[:300])
                return EXIT_FAILING
            if areas:
                health.presented(full)
            if signals.screenshot:
                signals.screenshot = False
                saved = health.screenshot(runner.surface)
                runner.log.write("screenshot", saved=saved is not None)
            still = not areas and not events and not runner.chord_since
            if areas:
                done = time.perf_counter()
                stats.add((done - t0) * 1000, done)
            now = time.monotonic()
            if first:
                first = False
                notifier.ready()
                runner.log.write("first_frame", seconds=round(now - t_start, 3))
            if now >= next_status:
                next_status = now + STATUS_EVERY
                health.write(runner.surface)
                notifier.status(runner.status(now - t_start, stats, health))
            if max_seconds is not None and now - t_start >= max_seconds:
                break
    except RepeatedFailure as e:
        print(f"digit-exhibit: giving up for a restart: {e}", file=sys.stderr)
        return EXIT_FAILING
    return 0
