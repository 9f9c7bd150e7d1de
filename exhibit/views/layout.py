"""Where everything sits on screen: regions from config fractions, the buttons, and every
neuron's centre. Pure geometry (numpy and pygame.Rect, no drawing), so the exhibit's state can
hit-test taps with the same numbers the views draw with.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pygame

from exhibit.config import Config
from exhibit.config.schema import REGIONS

MAX_COLUMN = 32  # a layer with more neurons is drawn as a grid of small cells


def scale_for(cfg: Config, size: tuple[int, int]) -> float:
    """Sizes in the config are for a 1080-line screen; this screen's factor (by its short side)."""
    return cfg["sizes.text_scale"] * min(size) / 1080


def region(fractions: Sequence[float], size: tuple[int, int]) -> pygame.Rect:
    """[x, y, w, h] fractions of the screen -> an integer pixel rect."""
    x, y, w, h = fractions
    W, H = size
    return pygame.Rect(round(x * W), round(y * H), max(1, round(w * W)), max(1, round(h * H)))


def orientation(cfg: Config, size: tuple[int, int]) -> str:
    o = cfg["layout.orientation"]
    if o == "auto":
        return "portrait" if size[1] > size[0] else "landscape"
    return o


def regions(cfg: Config, size: tuple[int, int]) -> dict[str, pygame.Rect]:
    """Every region's pixel rect for a screen of ``size``, from the config's layout."""
    o = orientation(cfg, size)
    return {name: region(cfg[f"layout.{o}.{name}"], size) for name in REGIONS}


class Layout:
    """One screen size, one network shape (``sizes``, e.g. (784, 25, 25, 10)) and ``side`` (the
    input picture's side): every rect and neuron position."""

    def __init__(self, cfg: Config, size: tuple[int, int], sizes: Sequence[int], side: int) -> None:
        self.size = size
        self.scale = scale_for(cfg, size)
        self.rects = regions(cfg, size)
        r = self.rects
        pad, head = self.px(18), self.px(46)  # head: room for each region's caption
        self.inner_preview = pygame.Rect(r["preview"].x + pad, r["preview"].y + head,
                                         r["preview"].w - 2 * pad, r["preview"].h - head - pad)
        self.inner_network = pygame.Rect(r["network"].x + pad, r["network"].y + head,
                                         r["network"].w - 2 * pad, r["network"].h - 2 * head)
        self.inner_bars = pygame.Rect(r["bars"].x + pad // 2, r["bars"].y + head,
                                      r["bars"].w - pad, r["bars"].h - 2 * head)
        self.brush = max(2, round(cfg["sizes.brush_px"] * self.scale))  # canvas ink width
        self._buttons(r["buttons"])
        self._neurons(list(sizes), side, self.px(cfg["sizes.neuron_px"]))

    def px(self, size: float) -> int:
        """A size given for a 1080-line screen, at this screen's scale."""
        return max(1, round(size * self.scale))

    @property
    def canvas(self) -> pygame.Rect:
        return self.rects["canvas"]

    def _buttons(self, rect: pygame.Rect) -> None:
        gap = self.px(8)
        clear_w = round(rect.w * 0.22)
        self.clear_button = pygame.Rect(rect.x, rect.y + gap, clear_w - gap, rect.h - 2 * gap)
        bw = (rect.w - clear_w) / 10
        self.sample_buttons = [pygame.Rect(round(rect.x + clear_w + i * bw), rect.y + gap,
                                           max(4, round(bw) - gap), rect.h - 2 * gap)
                               for i in range(10)]

    def _neurons(self, sizes: list[int], side: int, neuron_px: int) -> None:
        """``pos[l]``: (n, 2) centres of layer l (layer 0: the picture's pixels); ``radius[l]``."""
        preview, network, bars = self.inner_preview, self.inner_network, self.inner_bars
        cell = min(preview.w, preview.h) / side
        ox = preview.x + (preview.w - cell * side) / 2
        oy = preview.y + (preview.h - cell * side) / 2
        rows, cols = np.divmod(np.arange(side * side), side)
        self.picture_rect = pygame.Rect(round(ox), round(oy), round(cell * side), round(cell * side))
        self.pos: list[np.ndarray] = [np.stack([ox + (cols + 0.5) * cell, oy + (rows + 0.5) * cell], 1)]
        self.radius: list[float] = [cell / 2]
        hidden = sizes[1:-1]
        ncols = len(hidden) + 1
        colw = network.w / ncols
        for i, n in enumerate(hidden):
            self.pos.append(self._column(n, network.x + (i + 0.5) * colw, network, colw, neuron_px))
        # outputs line up with the probability bars
        ys = bars.y + (np.arange(10) + 0.5) * bars.h / 10
        self.pos.append(np.stack([np.full(10, network.x + (ncols - 0.5) * colw), ys], 1))
        self.radius.append(neuron_px * 1.15)

    def _column(self, n: int, cx: float, rect: pygame.Rect, colw: float, neuron_px: int) -> np.ndarray:
        if n <= MAX_COLUMN:
            step = rect.h / n
            self.radius.append(min(neuron_px, step * 0.42))
            ys = rect.y + (np.arange(n) + 0.5) * step
            return np.stack([np.full(n, cx), ys], 1)
        rows = MAX_COLUMN
        cols = math.ceil(n / rows)
        step = min(rect.h / rows, colw * 0.8 / cols)
        self.radius.append(step * 0.45)
        i = np.arange(n)
        x = cx + (i // rows - (cols - 1) / 2) * step
        y = rect.y + rect.h / 2 + (i % rows - (rows - 1) / 2) * step
        return np.stack([x, y], 1)

    def neuron_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(layer, neuron) under a tap (with a forgiving margin), else None."""
        best = None
        for l in range(1, len(self.pos)):
            d = np.hypot(self.pos[l][:, 0] - x, self.pos[l][:, 1] - y)
            j = int(d.argmin())
            reach = max(self.radius[l] * 1.6, 12.0)
            if d[j] <= reach and (best is None or d[j] < best[2]):
                best = (l, j, float(d[j]))
        return None if best is None else best[:2]

    def hit(self, x: float, y: float) -> tuple[str, int | tuple[int, int]] | None:
        """What a tap at (x, y) touches: ("clear", -1), ("sample", digit), ("neuron", (l, j)),
        ("canvas", -1) or None."""
        if self.clear_button.collidepoint(x, y):
            return ("clear", -1)
        for d, r in enumerate(self.sample_buttons):
            if r.collidepoint(x, y):
                return ("sample", d)
        neuron = self.neuron_at(x, y)
        if neuron is not None:
            return ("neuron", neuron)
        if self.canvas.collidepoint(x, y):
            return ("canvas", -1)
        return None
