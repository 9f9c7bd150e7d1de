"""Pulses along the network's lines: each wave's strongest connections carry a soft dot from
the picture to the outputs, sized by |weight x activation| and eased (exhibit.views.network
chooses the lines; the scene moves and draws these every frame)."""
from __future__ import annotations

import math

import numpy as np
import pygame

from exhibit.views.theme import Theme

NO_BOXES = np.zeros((0, 4), np.int64)


class Pulses:
    """Dots that travel along the drawn connections, layer after layer, sized and brightened by
    |weight x activation| of their source. Positions are computed for all at once."""

    LEVELS = 8
    TRAIL = ((0.09, 0.55, 0.8), (0.18, 0.25, 0.6))  # (fraction of the trip behind, alpha, size)

    def __init__(self, theme: Theme, size_px: int, max_pulses: int) -> None:
        self.max = max_pulses
        self.sprites = {sign: [self._sprite(theme, sign, i, size_px) for i in range(self.LEVELS)]
                        for sign in (True, False)}
        # a short comet tail: fainter, smaller copies a little behind the head
        self._half = np.array([s.get_width() / 2 + 1 for s in self.sprites[True]], np.float32)
        self.trail = [{sign: [self._fade(self._sprite(theme, sign, i, size_px * size), alpha)
                              for i in range(self.LEVELS)] for sign in (True, False)}
                      for _, alpha, size in self.TRAIL]
        # one flat table: [head, trail 1, trail 2, ...] x [negative, positive] x levels
        self._table = [spr for kind in [self.sprites] + self.trail for sign in (False, True)
                       for spr in kind[sign]]
        self._halves = np.array([[s.get_width() / 2, s.get_height() / 2] for s in self._table],
                                np.float64)
        self.clear()

    @staticmethod
    def _fade(sprite: pygame.Surface, alpha: float) -> pygame.Surface:
        s = sprite.copy()
        s.fill((255, 255, 255, round(255 * alpha)), special_flags=pygame.BLEND_RGBA_MULT)
        return s

    def _sprite(self, theme: Theme, positive: bool, level: int, size_px: int) -> pygame.Surface:
        col = theme.c["positive" if positive else "negative"]
        f = (level + 1) / self.LEVELS
        r = max(1.5, size_px / 2 * (0.35 + 0.65 * f))
        side = int(math.ceil(r * 2 + 2))
        s = pygame.Surface((side, side), pygame.SRCALPHA)
        c = side / 2
        for k, alpha in ((1.0, 0.35), (0.7, 0.7), (0.45, 1.0)):
            glow = col.lerp(pygame.Color(255, 255, 255), 0.5 * (1 - k) * f)
            pygame.draw.circle(s, (*glow[:3], int(255 * alpha * (0.45 + 0.55 * f))), (c, c), r * k)
        return s

    def clear(self) -> None:
        self.p0 = np.zeros((0, 2), np.float32)
        self.p1 = np.zeros((0, 2), np.float32)
        self.t0 = np.zeros(0, np.float32)
        self.dur = np.ones(0, np.float32)
        self.level = np.zeros(0, np.int16)
        self.sign = np.zeros(0, bool)
        self.now = 0.0

    @property
    def count(self) -> int:
        return len(self.t0)

    def wave(self, lines: list, gap_seconds: float, start: float | None = None) -> None:
        """Launch pulses along ``lines``: those into layer l leave at ``start`` + (l-1) gaps and
        arrive one gap later (``start``: on this clock, default now)."""
        start = self.now if start is None else start
        for ln in lines:
            n = len(ln.strength)
            if n == 0:
                continue
            self.p0 = np.concatenate([self.p0, ln.src.astype(np.float32)])
            self.p1 = np.concatenate([self.p1, ln.dst.astype(np.float32)])
            self.t0 = np.concatenate([self.t0, np.full(n, start + (ln.layer - 1) * gap_seconds,
                                                       np.float32)])
            self.dur = np.concatenate([self.dur, np.full(n, gap_seconds, np.float32)])
            lv = np.minimum(self.LEVELS - 1, (ln.strength * self.LEVELS).astype(np.int16))
            self.level = np.concatenate([self.level, lv])
            self.sign = np.concatenate([self.sign, ln.positive])
        if self.count > self.max:  # the oldest go first
            keep = slice(self.count - self.max, None)
            for name in ("p0", "p1", "t0", "dur", "level", "sign"):
                setattr(self, name, getattr(self, name)[keep])

    def update(self, dt: float) -> None:
        self.now += dt
        if self.count:
            alive = self.now < self.t0 + self.dur
            if not alive.all():
                for name in ("p0", "p1", "t0", "dur", "level", "sign"):
                    setattr(self, name, getattr(self, name)[alive])

    def in_flight(self) -> int:
        return int(((self.now >= self.t0) & (self.now < self.t0 + self.dur)).sum())

    def placements(self) -> tuple[list[tuple[pygame.Surface, tuple[int, int]]], np.ndarray]:
        """The pulses in flight now: (sprite, position) pairs, and per pulse the box it covers
        with its trail, (n, 4) x0, y0, x1, y1."""
        if not self.count:
            return [], NO_BOXES
        f = (self.now - self.t0) / self.dur
        on = (f >= 0) & (f < 1)
        if not on.any():
            return [], NO_BOXES
        f = f[on][:, None]
        p0, d = self.p0[on], self.p1[on] - self.p0[on]
        heads = p0 + d * f
        tails = [p0 + d * np.maximum(f - back, 0.0) for back, _, _ in self.TRAIL]
        # every sprite, faintest trail first and the heads on top, chosen and placed in numpy
        base = self.sign[on].astype(np.int64) * self.LEVELS + self.level[on]
        layers = [(len(self.TRAIL) - k) for k in range(len(self.TRAIL))] + [0]
        points = tails[::-1] + [heads]
        idx = np.concatenate([base + layer * 2 * self.LEVELS for layer in layers])
        xy = np.floor(np.vstack(points) - self._halves[idx]).astype(np.int64)
        table = self._table
        seq = list(zip([table[i] for i in idx.tolist()], map(tuple, xy.tolist())))
        levels = self.level[on]
        # one box per pulse covers its head and its whole tail: x0, y0, x1, y1 (exclusive)
        half = self._half[levels.astype(np.int64)][:, None]
        lo = np.floor(np.minimum(heads, tails[-1]) - half)
        hi = np.ceil(np.maximum(heads, tails[-1]) + half) + 1
        return seq, np.hstack([lo, hi]).astype(np.int64)
