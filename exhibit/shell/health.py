"""What the kiosk's health check reads about the picture: when the last frame was presented and
a cheap signature of it (share of non-background pixels, mean luminance, black or blank), in
the STATUS line and in a small JSON file; and a technician's screenshot on SIGUSR1.

An idle exhibit presents nothing (only changed areas are presented), so the loop also presents
one whole frame every ``window.full_frame_seconds``: a live exhibit's frame is never older.
"""
from __future__ import annotations

import json
import os
import time
from typing import Callable

import numpy as np
import pygame

from exhibit.version import describe

SAMPLES = 160  # about SAMPLES x SAMPLES*h/w pixels sampled, whatever the screen size
INK_DIFF = 24  # |r-bg|+|g-bg|+|b-bg| above this: not background
BLACK_LUM = 0.02  # mean luminance (0..1) below this, with no bright sample: a black screen
BLANK_INK = 0.005  # share of non-background samples below this: a blank (background-only) screen
SCREENSHOT = "screenshot.png"


def health_path(setting: str, environ: dict[str, str] | None = None) -> str | None:
    """The health file's path for ``log.health_file`` (None: no file)."""
    env = os.environ if environ is None else environ
    if setting != "auto":
        return setting or None
    if env.get("DIGIT_EXHIBIT_HEALTH_FILE"):
        return env["DIGIT_EXHIBIT_HEALTH_FILE"]
    run_dir = env.get("RUNTIME_DIRECTORY", "").split(":")[0]
    return os.path.join(run_dir, "health.json") if run_dir else None


def signature(surface: pygame.Surface, background: tuple[int, int, int]) -> dict:
    """A strided sample of ``surface`` (w x h): ink (share of samples that differ from the
    background), luminance (mean Rec. 601 luma, 0..1), black and blank flags."""
    w, h = surface.get_size()
    step = max(1, w // SAMPLES)
    rgb = pygame.surfarray.pixels3d(surface)  # (w, h, 3) view: no copy of the frame
    try:
        s = rgb[step // 2::step, step // 2::step].astype(np.int32)  # (w/step, h/step, 3)
    finally:
        del rgb  # unlocks the surface
    diff = np.abs(s - np.asarray(background, np.int32)).sum(axis=2)
    ink = float(np.count_nonzero(diff > INK_DIFF)) / max(1, diff.size)
    luma = float((s[..., 0] * 299 + s[..., 1] * 587 + s[..., 2] * 114).mean()) / 255000
    black = luma < BLACK_LUM and int(s.max(initial=0)) < 64
    return {"ink": round(ink, 4), "luminance": round(luma, 4), "black": black,
            "blank": ink < BLANK_INK}


def write_atomic(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class Health:
    """Counts presented frames, knows when the next whole frame is due, writes the file.

    ``wall`` is the clock written into the file (the health check runs in another process, so
    monotonic time would mean nothing there); ``clock`` paces the whole frames."""

    def __init__(self, path: str | None, full_every: float, background: tuple[int, int, int],
                 wall: Callable[[], float] = time.time,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self.full_every = full_every
        self.background = tuple(background)
        self.wall, self.clock = wall, clock
        self.frames = 0
        self.frame_wall: float | None = None
        self.frame_mono: float | None = None
        self.last_full = clock()
        self.sig: dict | None = None
        self.screenshot_asked = False  # set by the SIGUSR1 handler only

    def full_due(self) -> bool:
        """A whole frame is due (idle for ``full_every`` seconds since the last one)."""
        return self.full_every > 0 and self.clock() - self.last_full >= self.full_every

    def presented(self, full: bool) -> None:
        self.frames += 1
        self.frame_wall, self.frame_mono = self.wall(), self.clock()
        if full:
            self.last_full = self.frame_mono

    def report(self, surface: pygame.Surface) -> dict:
        """The health record of the frame now on ``surface`` (the last one presented)."""
        self.sig = signature(surface, self.background)
        return {"pid": os.getpid(), "version": describe(), "written": round(self.wall(), 3),
                "frame_time": None if self.frame_wall is None else round(self.frame_wall, 3),
                "frames": self.frames, "size": list(surface.get_size()), **self.sig}

    def status(self) -> str:
        """A few words for the STATUS line (after ``report``)."""
        if self.frame_mono is None or self.sig is None:
            return "no frame yet"
        age = self.clock() - self.frame_mono
        flag = " BLACK" if self.sig["black"] else " BLANK" if self.sig["blank"] else ""
        return (f"frame {self.frames} {age:.0f} s ago, ink {self.sig['ink']:.0%}, "
                f"luminance {self.sig['luminance']:.2f}{flag}")

    def write(self, surface: pygame.Surface) -> dict:
        rec = self.report(surface)
        if self.path:
            try:
                write_atomic(self.path, (json.dumps(rec) + "\n").encode())
            except OSError:
                pass  # a full or missing run dir must not stop the exhibit; the check sees it
        return rec

    def screenshot(self, surface: pygame.Surface) -> str | None:
        """Save ``surface`` as screenshot.png beside the health file (only there: the path is
        never taken from a request). Returns the path, or None without a health dir."""
        self.screenshot_asked = False
        if not self.path:
            return None
        target = os.path.join(os.path.dirname(self.path) or ".", SCREENSHOT)
        tmp = f"{target}.tmp{os.getpid()}.png"  # pygame picks the format by the ending
        try:
            pygame.image.save(surface, tmp)
            os.replace(tmp, target)
        except (OSError, pygame.error):
            return None
        return target
