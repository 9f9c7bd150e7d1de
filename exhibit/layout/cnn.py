"""Where the CNN's view puts things: the same regions, canvas, buttons, picture, bars and
outputs as the MLP view, plus:

- a panel under the picture (free in the MLP view) with the 16 conv1 maps as a 4 x 4 grid of
  small images (tiles): the picture's lines go down into it;
- in the network panel, the 32 conv2 maps as a 4 x 8 grid, then the dense units as dots (the
  most active of them, as the MLP view does) and the outputs beside the bars.

Pure geometry, like :mod:`exhibit.layout.regions` (the state hit-tests taps with it): a tile is
a slot whose ``pos`` is its centre and ``radius`` half its side, so the MLP's hit test, subset
and text checks work unchanged. Lines never cross an image: they enter a grid at its edge,
level with the tile's column (from the picture) or row, and leave it at its right edge.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pygame

from exhibit.config import Config
from exhibit.model.cnn import CNN
from exhibit.layout.regions import Layout

LINE_GAP = 8  # px from the picture's frame to where its lines start
CONV2_X, DENSE_X, OUT_X = 0.25, 0.66, 0.92  # column centres, fractions of the network's width
CONV2_SHARE = 0.46
MIN_TILE = 6  # px: the smallest map tile that still shows a pattern
FREE_PX = 170  # room kept free under the conv1 panel (at 1080 lines)  # the conv2 grid's width at most, as a fraction of that width


def grid(rect: pygame.Rect, n: int, cols: int, cells: int, gap: int
         ) -> list[pygame.Rect]:
    """``n`` square tiles in ``cols`` columns, as large as fit ``rect`` (whole screen pixels per
    map cell where that costs little), centred in it."""
    rows = -(-n // cols)
    room = min((rect.w - (cols - 1) * gap) / cols, (rect.h - (rows - 1) * gap) / rows)
    crisp = room // cells * cells
    t = max(1, int(crisp if crisp >= 0.8 * room else room))  # a tiny region: 1 px tiles
    w, h = cols * t + (cols - 1) * gap, rows * t + (rows - 1) * gap
    x0, y0 = rect.x + (rect.w - w) // 2, rect.y + (rect.h - h) // 2
    return [pygame.Rect(x0 + (i % cols) * (t + gap), y0 + (i // cols) * (t + gap), t, t)
            for i in range(n)]


class CNNLayout(Layout):
    """``tiles[l]``: per map column (1: conv1, 2: conv2) the tile rects by slot;
    ``maps_panel``: the panel under the picture; ``ins[l]`` / ``outs[l]``: per slot, where
    lines into and out of column l end and start (``outs[0]``: the picture's, per conv1 slot)."""

    def __init__(self, cfg: Config, size: tuple[int, int], net: CNN, side: int) -> None:
        self.channels = net.channels
        super().__init__(cfg, size, net.sizes, side)

    def _neurons(self, side: int, neuron_px: int) -> None:
        super()._neurons(side, neuron_px)  # the picture's pixels, the outputs beside the bars
        r, net, gap = self.rects, self.inner_network, self.px(8)
        c1, c2, _ = self.channels
        pre = r["preview"]
        top = pre.bottom + self.px(16)
        self.maps_panel = pygame.Rect(pre.x, top, pre.w, r["network"].bottom - top)
        pad, foot = self.px(18), self.px(56)  # a one-line label under the grid
        # the grid leaves FREE_PX under its panel for the teacher's notes and badges
        self.maps_inner = pygame.Rect(self.maps_panel.x + pad, self.maps_panel.y + pad,
                                      max(1, self.maps_panel.w - 2 * pad),
                                      max(1, self.maps_panel.h - pad - foot - self.px(FREE_PX)))
        cols1 = 4 if c1 > 8 else 2
        if self.maps_panel.h - pad - foot - self.px(FREE_PX) < 1:
            self.need("network", "room below the preview for the CNN's maps panel")
        tiles = grid(self.maps_inner, c1, cols1, 24, gap)
        # the panel only as tall as its grid: the room below stays free for notes and badges
        box = tiles[0].unionall(tiles[1:])
        self.tiles = {1: [t.move(0, self.maps_inner.y - box.y) for t in tiles]}
        self.maps_inner.h = box.h
        self.maps_panel.h = pad + box.h + foot
        # columns leave the picture's side (mirrored: right to left); a dial holds the outputs
        xs = (0.30, 0.82, None) if self.dial is not None else (CONV2_X, DENSE_X, OUT_X)
        mx = (lambda f: net.right - f * net.w) if self.mirror else (lambda f: net.x + f * net.w)
        box2 = pygame.Rect(0, net.y, round(net.w * CONV2_SHARE), net.h)
        box2.centerx = round(mx(xs[0]))
        self.tiles[2] = grid(box2, c2, 4, 8, gap)
        for l, cells, where in ((1, 24, "preview"), (2, 8, "network")):
            if self.tiles[l][0].w < MIN_TILE:  # a map smaller than this shows nothing
                self.need(where, f"map tiles of {MIN_TILE} px for the CNN's layer {l}")
        self.col_x = {l: float(pygame.Rect.unionall(t[0], t[1:]).centerx) for l, t in self.tiles.items()}
        ins, outs = [None] * 5, [None] * 5
        for l, rects in self.tiles.items():
            self.pos[l] = np.array([t.center for t in rects], np.float64)
            self.radius[l] = rects[0].w / 2
            box = rects[0].unionall(rects[1:])
            ys = self.pos[l][:, 1]
            near, far = (box.right + self.px(4), box.x - self.px(4))  # toward the outputs, back
            if self.mirror:
                near, far = far, near
            outs[l] = np.stack([np.full(len(rects), near), ys], 1)
            if l == 2:
                ins[l] = np.stack([np.full(len(rects), far), ys], 1)
            else:  # from the picture above: in at the grid's top, over the tile's column,
                # one point per row of that column so that no two lines coincide
                t = rects[0].w
                n_rows = -(-len(rects) // len({r.x for r in rects}))
                row = np.array([(r.y - box.y) // (t + gap) for r in rects], np.float64)
                x = np.array([r.x for r in rects], np.float64) + (row + 0.5) / n_rows * t
                ins[l] = np.stack([x, np.full(len(rects), box.y - self.px(4))], 1)
        self.more_at = {}
        # the dense units: a column of dots, the most active of them (as the MLP view does)
        cx = mx(xs[1])
        n = self.sizes[3]
        k = n if n <= self.max_column else self.shown
        hh = net.h if k == n else net.h - self.px(40)
        step = hh / k
        self.pos[3] = np.stack([np.full(k, cx), net.y + (np.arange(k) + 0.5) * step], 1)
        self.radius[3] = min(neuron_px, step * 0.42, net.w * 0.05)
        if k < n:
            self.more_at[3] = (cx, net.y + hh + self.px(20))
        self.col_x[3] = cx
        if self.dial is None:  # else the outputs are the dial's digits (as laid out already)
            self.col_x[4] = mx(xs[2])
            self.pos[4] = np.stack([np.full(10, self.col_x[4]), self.pos[4][:, 1]], 1)
        for l in (3, 4):
            ins[l] = outs[l] = self.pos[l]
        # the picture's lines leave its bottom edge, over the conv1 tile they go to
        pic = self.picture_rect
        x = pic.x + (ins[1][:, 0] - self.maps_inner.x) / self.maps_inner.w * pic.w
        outs[0] = np.stack([x, np.full(len(x), pic.bottom + LINE_GAP)], 1)
        self.ins, self.outs = ins, outs
        # labels: under the conv1 grid, and under the network's three columns
        self.label_w = {1: self.maps_inner.w, 2: self.maps_box(2).w + self.px(16)}
        self.label_w[3] = self.label_w[4] = round(
            ((1 - xs[1]) * 2 if self.dial is not None else OUT_X - DENSE_X) * net.w) - self.px(8)
        self.colw = min(self.label_w.values())

    def label_x(self, l: int) -> float:
        return float(self.col_x[l])

    def maps_box(self, l: int) -> pygame.Rect:
        t = self.tiles[l]
        return t[0].unionall(t[1:])

    def subset(self, activations: Sequence[np.ndarray] | None, pinned: Sequence[Sequence[int]] = ()
               ) -> list[np.ndarray]:
        """As for an MLP; each map is scored by its strongest place (every map has a tile)."""
        if activations is not None:
            activations = [np.asarray(a).max(axis=(0, 1)) if np.ndim(a) == 3 else a
                           for a in activations]
        return super().subset(activations, pinned)

    def elements(self) -> list[tuple[pygame.Rect, str]]:
        """What text must never cover: as for an MLP, with the network as the picture's lines
        down into the conv1 grid, that grid, the lines from it to the conv2 grid, and the
        network's three columns."""
        out = [e for e in super().elements() if e[1] != "network"]
        b1, b2, pic = self.maps_box(1), self.maps_box(2), self.picture_rect
        cols = b2.copy()
        for l in ((3,) if self.dial is not None else (3, 4)):  # a dial is an element itself
            reach = self.radius[l] * 1.3
            p = self.pos[l]
            cols.union_ip(pygame.Rect(p[:, 0].min() - reach, p[:, 1].min() - reach,
                                      p[:, 0].max() - p[:, 0].min() + 2 * reach,
                                      p[:, 1].max() - p[:, 1].min() + 2 * reach))
        if self.dial is not None:  # the wiring reaches the ring's near side
            d = self.dial.rect
            cols.union_ip(pygame.Rect(d.right if self.mirror else d.x, d.y, 1, d.h))
        top, bottom = min(b1.y, b2.y), max(b1.bottom, b2.bottom)
        x0, x1 = (b2.right, b1.x) if self.mirror else (b1.right, b2.x)
        return out + [(pygame.Rect(pic.x, pic.bottom, pic.w, b1.y - pic.bottom), "network"),
                      (b1.inflate(4, 4), "network"),
                      (pygame.Rect(x0, top, x1 - x0, bottom - top), "network"),
                      (cols, "network")]


def layout_for(cfg: Config, size: tuple[int, int], net, side: int) -> Layout:
    """The layout that draws ``net``: the CNN's own, or the MLP view's."""
    if isinstance(net, CNN):
        return CNNLayout(cfg, size, net, side)
    return Layout(cfg, size, net.sizes, side)
