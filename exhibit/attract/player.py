"""Attract mode's hand: replays real handwriting in the order it was written (pen trajectories
of the UCI pendigits writers, ``assets/attract.json``) at a human pace, point by point, into
the same Drawing a finger writes into. Between two digits it invites the passer-by ("Your
turn!") with a slow tap. ``pen`` is where the fingertip is (canvas pixels) at every moment, so
a view can show the hand: it glides to each stroke's start, writes, and steps aside to let
the answer be seen.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from exhibit import resources
from exhibit.ink.drawing import Drawing
from exhibit.ink.strokes import fit_box

ATTRACT = resources.ATTRACT


@dataclass
class Script:
    label: int
    strokes: list[np.ndarray]  # in the file's box units


Scripts = tuple[tuple[float, float], list[Script]]  # (box, digits)


def load_scripts(path: Path = ATTRACT) -> Scripts:
    doc = json.loads(path.read_text(encoding="utf-8"))
    box = (float(doc["box"][0]), float(doc["box"][1]))
    return box, [Script(int(d["label"]), [np.asarray(s, np.float32) for s in d["strokes"]])
                 for d in doc["digits"]]



def hand_profile(t: float) -> float:
    """How far along a stroke a hand is (0..1) at ``t`` (0..1) of its time: the minimum-jerk
    profile of a real hand's reach, slow at both ends and fastest in the middle."""
    t = min(max(t, 0.0), 1.0)
    return t * t * t * (10 - 15 * t + 6 * t * t)


def stroke_seconds(length: float, speed: float) -> float:
    """How long a stroke of ``length`` px takes at a mean of 0.8 x ``speed`` (its peak is
    1.5 x ``speed``); a dot still takes a moment."""
    return max(0.12, length / max(speed * 0.8, 1e-6))

class AttractPlayer:
    """Writes one digit after another: strokes at ``speed`` px/s, a short lift between strokes,
    a pause on the answer, then the next digit, cycling so that all ten come round."""

    TAP_PERIOD = 1.2  # seconds per invitation tap: a slow, calm movement

    def __init__(self, scripts: Scripts, canvas_size: tuple[int, int], speed: float = 650.0,
                 lift: float = 0.3, hold: float = 2.5, seed: int = 0, invite: float = 0.0) -> None:
        self.box, scripts = scripts
        self.speed, self.lift, self.hold, self.invite = speed, lift, hold, invite
        self.inviting = False
        self.tapping = False
        w, h = canvas_size
        self.rest = np.array([w * 0.86, h * 0.9], np.float32)  # out of the digit's way
        self.pen = self.rest.copy()
        self._from = self.rest.copy()
        rng = np.random.default_rng(seed)
        by_digit = {d: [s for s in scripts if s.label == d] for d in range(10)}
        for v in by_digit.values():
            rng.shuffle(v)
        # round-robin over the digits, so every ten in a row holds each digit once
        self.order: list[Script] = []
        for k in range(max(len(v) for v in by_digit.values())):
            for d in rng.permutation(10):
                if k < len(by_digit[d]):
                    self.order.append(by_digit[d][k])
        self.canvas_size = canvas_size
        self.index = -1
        self._next_digit()

    def _next_digit(self) -> None:
        self.index = (self.index + 1) % len(self.order)
        self.script = self.order[self.index]
        w, h = self.canvas_size
        margin = 0.12 * min(w, h)
        s, (ox, oy) = fit_box(self.box, (w - 2 * margin, h - 2 * margin))
        self.paths = [st * s + np.array([ox + margin, oy + margin], np.float32)
                      for st in self.script.strokes]
        self.stroke = 0
        self.dist = 0.0  # along the current stroke
        self.elapsed = 0.0  # seconds into it
        self.wait = self.approach = 0.6  # the hand glides in before the first stroke
        self._from = self.pen.copy()
        self.pen_down = False
        self.holding = False
        self.inviting = False
        self.tapping = False

    @property
    def label(self) -> int:
        return self.script.label

    def update(self, dt: float, drawing: Drawing) -> str | None:
        """Advance the hand by dt; returns "stroke_done", "digit_done", "cleared" (the digit is
        taken away) or "next" (a new digit begins) on those moments, else None."""
        if self.wait > 0:
            self.wait -= dt
            if self.inviting:
                phase = (self.invite - max(self.wait, 0.0)) / self.TAP_PERIOD
                w, h = self.canvas_size
                centre = np.array([w * 0.5, h * 0.55], np.float32)
                lift = (1 - np.cos(2 * np.pi * phase)) / 2
                self.pen = centre + np.array([0.0, -0.06 * min(w, h) * lift], np.float32)
                self.tapping = lift < 0.12  # the fingertip touches the glass: a touch cue
            elif self.holding:  # step aside so the answer can be seen
                self._glide(self.rest, 0.5)
            else:  # towards the next stroke's start
                self._glide(self.paths[self.stroke][0], self.approach)
            if self.wait > 0:
                return None
            if self.holding:
                self.holding = False
                if self.invite > 0:
                    self.inviting = True
                    self.wait = self.invite
                    return "cleared"
                self._next_digit()
                return "cleared"
            if self.inviting:
                self._next_digit()
                return "next"
        pts = self.paths[self.stroke]
        seg = np.hypot(*np.diff(pts, axis=0).T) if len(pts) > 1 else np.zeros(0)
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        if not self.pen_down:
            drawing.begin(float(pts[0, 0]), float(pts[0, 1]))
            self.pen_down = True
            self.dist = self.elapsed = 0.0
            self.pen = pts[0].copy()
        before = self.dist
        self.elapsed += dt
        self.dist = cum[-1] * hand_profile(self.elapsed / stroke_seconds(cum[-1], self.speed))
        passed = np.flatnonzero((cum > before) & (cum <= self.dist))
        for i in passed:
            drawing.extend(float(pts[i, 0]), float(pts[i, 1]))
            self.pen = pts[i].copy()
        if self.dist < cum[-1]:
            # the hand is between two points: show the ink up to where it is now
            i = int(np.searchsorted(cum, self.dist))
            f = (self.dist - cum[i - 1]) / max(seg[i - 1], 1e-6)
            x, y = pts[i - 1] + f * (pts[i] - pts[i - 1])
            drawing.extend(float(x), float(y))
            self.pen = np.array([x, y], np.float32)
            return None
        drawing.end()
        self.pen_down = False
        self._from = self.pen.copy()
        self.stroke += 1
        if self.stroke < len(self.paths):
            self.wait = self.approach = self.lift
            return "stroke_done"
        self.holding = True
        self.wait = self.hold
        return "digit_done"

    def _glide(self, target: np.ndarray, over: float) -> None:
        """The lifted hand on its way to ``target`` (eased), ``over`` seconds in all."""
        if self.holding:
            done = 1.0 - max(self.wait - (self.hold - over), 0.0) / over
        else:
            done = 1.0 - max(self.wait, 0.0) / max(over, 1e-6)
        f = min(max(done, 0.0), 1.0)
        f = f * f * (3 - 2 * f)
        self.pen = self._from + (np.asarray(target, np.float32) - self._from) * f
