"""Where everything sits on screen: regions from config fractions, the buttons, every neuron's
slot, and free space for captions. Pure geometry (numpy and pygame.Rect, no drawing), so the
exhibit's state can hit-test taps with the same numbers the views draw with.

A layer wider than ``network.max_column`` gets a fixed number of slots (``network.shown``);
:meth:`Layout.subset` says which neurons fill them for one forward pass (the most active, plus
pinned ones), so the state's hit tests and the views' drawing map slots to neurons alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pygame

from exhibit.config import Config
from exhibit.config.schema import LOWER_REGIONS, REGIONS


# the screen shapes every layout is checked at (check-config, a reload, install.sh)
SCREEN_SHAPES: tuple[tuple[int, int], ...] = ((1920, 1080), (1080, 1920), (1920, 1200),
                                              (1280, 720), (1280, 1024), (3840, 2160))


def scale_for(cfg: Config, size: tuple[int, int]) -> float:
    """Sizes in the config are for a 1080-line screen; this screen's factor (by its short side)."""
    return cfg.sizes.text_scale * min(size) / 1080


def region(fractions: Sequence[float], size: tuple[int, int], top: float = 0.0,
           height: float = 1.0) -> pygame.Rect:
    """[x, y, w, h] fractions -> an integer pixel rect; y and h are fractions of the band
    [top, top + height] of the screen's height."""
    x, y, w, h = fractions
    W, H = size
    y0 = (top + y * height) * H
    return pygame.Rect(round(x * W), round(y0), max(1, round(w * W)), max(1, round(h * height * H)))


def orientation(cfg: Config, size: tuple[int, int]) -> str:
    o = cfg.layout.orientation
    if o == "auto":
        return "portrait" if size[1] > size[0] else "landscape"
    return o


def regions(cfg: Config, size: tuple[int, int]) -> dict[str, pygame.Rect]:
    """Every region's pixel rect for a screen of ``size``, from the config's layout. In portrait
    the screen is split at ``layout.portrait.split``: what visitors touch (title, canvas,
    buttons) below, within reach; the network above."""
    o = orientation(cfg, size)
    if o == "landscape":
        out = {name: region(getattr(getattr(cfg.layout, o), name), size) for name in REGIONS}
    else:
        split = cfg.layout.portrait.split
        out = {name: region(getattr(getattr(cfg.layout, o), name), size, *((split, 1 - split)
                            if name in LOWER_REGIONS else (0.0, split))) for name in REGIONS}
    if cfg.answer.style == "dial":
        _room_for_dial(out["network"], out["bars"])
    if cfg.layout.mirror:  # left-handed: every region mirrored left-right
        for r in out.values():
            r.x = size[0] - r.right
    return out


def _room_for_dial(net: pygame.Rect, bars: pygame.Rect) -> None:
    """The dial's digits are the network's outputs, so the network needs no column for them:
    that room (a third of its panel) goes to the dial, which a ring in the narrow bars region
    would leave small. Only where the bars sit beside the network, on its right."""
    if bars.x >= net.right - 1 and bars.y < net.bottom and net.y < bars.bottom:
        shift = max(0, min(net.w // 3, bars.h - bars.w))  # no wider than tall
        net.w -= shift
        bars.x -= shift
        bars.w += shift


MIN_RADIUS = 2  # px: a neuron or an output smaller than this is not seen


def inner(r: pygame.Rect, left: int, top: int, right: int, bottom: int) -> pygame.Rect:
    """``r`` less its margins, at least 1x1 (kept inside ``r`` where it can be)."""
    return pygame.Rect(r.x + min(left, r.w - 1), r.y + min(top, r.h - 1),
                       max(1, r.w - left - right), max(1, r.h - top - bottom))


@dataclass(frozen=True)
class Dial:
    """The ten digits around a ring, 0 at the top and clockwise (a clock's order, mirrored
    layout or not): ``pos[d]`` is digit d's centre, ``digit_r`` its disc's radius."""

    centre: tuple[float, float]
    radius: float
    digit_r: float
    pos: np.ndarray

    @property
    def rect(self) -> pygame.Rect:
        """The ring with its discs (and the winner's outline)."""
        reach = self.radius + self.digit_r * 1.3
        r = pygame.Rect(0, 0, round(2 * reach), round(2 * reach))
        r.center = (round(self.centre[0]), round(self.centre[1]))
        return r


def dial_in(rect: pygame.Rect, digit_px: float) -> Dial:
    """The largest ring that fits ``rect``, its discs at most ``digit_px`` in radius and 2.3
    radii apart along the ring (so the winner's outline touches no neighbour)."""
    half = min(rect.w, rect.h) / 2
    r = min(digit_px, half / 4.9)  # ring radius >= 3.66 r (spacing), plus 1.25 r outside it
    ring = half - 1.25 * r
    angle = np.arange(10) * 2 * np.pi / 10
    cx, cy = rect.centerx, rect.centery
    pos = np.stack([cx + ring * np.sin(angle), cy - ring * np.cos(angle)], 1)
    return Dial((float(cx), float(cy)), float(ring), float(r), pos)


class Layout:
    """One screen size, one network shape (``sizes``, e.g. (784, 25, 25, 10)) and ``side`` (the
    input picture's side): every rect and neuron slot."""

    def __init__(self, cfg: Config, size: tuple[int, int], sizes: Sequence[int], side: int) -> None:
        self.size = size
        self.scale = scale_for(cfg, size)
        self.rects = regions(cfg, size)
        self.sizes = list(sizes)
        # region -> what did not fit in it, as the views measure it (check_layout reports these)
        self.cramped: dict[str, str] = {}
        r = self.rects
        pad, head, foot = self.px(18), self.px(88), self.px(84)  # 2-line captions above, labels below
        # never below 1x1: a region too small for its captions degrades, it does not raise
        # (check-config refuses such layouts; see minimum_problems)
        self.inner_preview = inner(r["preview"], pad, head, pad, pad)
        self.inner_network = inner(r["network"], pad, head, pad, foot)
        self.inner_bars = inner(r["bars"], pad // 2, head, pad // 2, foot)
        self.brush = max(2, round(cfg.sizes.brush_px * self.scale))  # canvas ink width
        self.mirror: bool = cfg.layout.mirror  # the network then flows right to left
        # the dial, if the answer is one: the outputs' slots are its digits
        self.dial = dial_in(self.inner_bars, self.px(26)) if cfg.answer.style == "dial" else None
        self.max_column = cfg.network.max_column
        self.shown = cfg.network.shown
        self._buttons(r["buttons"])
        self._neurons(side, self.px(cfg.sizes.neuron_px))

    def px(self, size: float) -> int:
        """A size given for a 1080-line screen, at this screen's scale."""
        return max(1, round(size * self.scale))

    @property
    def canvas(self) -> pygame.Rect:
        return self.rects["canvas"]

    @property
    def answer_rect(self) -> pygame.Rect:
        """Where the ten probabilities are drawn (the dial's ring, or the bars)."""
        return self.inner_bars if self.dial is None else self.dial.rect

    def _buttons(self, rect: pygame.Rect) -> None:
        """Clear on the outer side (left; right when mirrored), the ten samples in one row, or
        in two when one row would make them narrower than a finger (64 px at 1080 lines);
        the samples read 0-9 from left to right either way."""
        gap = self.px(10)
        clear_w = round(rect.w * 0.3)
        # mirrored exactly: the gap that follows each button comes before it
        clear_x, first = ((rect.right - clear_w + gap, rect.x + gap) if self.mirror
                          else (rect.x, rect.x + clear_w))
        self.clear_button = pygame.Rect(clear_x, rect.y + gap, clear_w - gap, rect.h - 2 * gap)
        rows = 1 if (rect.w - clear_w) / 10 - gap >= self.px(64) else 2
        per = 10 // rows
        bw, bh = (rect.w - clear_w) / per, (rect.h - gap) / rows
        self.sample_buttons = [pygame.Rect(round(first + (i % per) * bw),
                                           round(rect.y + gap + (i // per) * bh),
                                           max(4, round(bw) - gap), max(4, round(bh) - gap))
                               for i in range(10)]

    def _neurons(self, side: int, neuron_px: int) -> None:
        """``pos[l]``: (slots, 2) centres of layer l (layer 0: the picture's pixels);
        ``radius[l]``; ``more_at[l]``: where a subset layer says how many are not shown."""
        preview, network, bars = self.inner_preview, self.inner_network, self.inner_bars
        # whole screen pixels per input pixel, so the picture is crisp
        if min(preview.w, preview.h) < side:  # fewer screen pixels than the picture has
            self.need("preview", f"{side} x {side} px for the picture inside its captions")
        cell = max(1, int(min(preview.w, preview.h) // side))
        ox = preview.x + (preview.w - cell * side) // 2
        oy = preview.y + (preview.h - cell * side) // 2
        rows, cols = np.divmod(np.arange(side * side), side)
        self.picture_rect = pygame.Rect(ox, oy, cell * side, cell * side)
        self.pos: list[np.ndarray] = [np.stack([ox + (cols + 0.5) * cell, oy + (rows + 0.5) * cell], 1)]
        self.radius: list[float] = [cell / 2]
        self.more_at: dict[int, tuple[float, float]] = {}
        hidden = self.sizes[1:-1]
        ncols = len(hidden) + (self.dial is None)  # with a dial the outputs are its digits
        # no hidden layer and a dial: no column at all, the lines cross the panel to the dial
        self.colw = network.w / max(1, ncols)

        def column_x(i: int) -> float:  # columns leave the picture's side
            off = (i + 0.5) * self.colw
            return network.right - off if self.mirror else network.x + off

        for i, n in enumerate(hidden):
            cx = column_x(i)
            k = n if n <= self.max_column else self.shown
            h = network.h if k == n else network.h - self.px(40)  # room for "+488"
            step = h / k
            self.radius.append(min(neuron_px, step * 0.42, self.colw * 0.3))
            if self.radius[-1] < MIN_RADIUS or h < 1:
                self.need("network", f"room for {k} neurons of {MIN_RADIUS} px in each column")
            self.pos.append(np.stack([np.full(k, cx), network.y + (np.arange(k) + 0.5) * step], 1))
            if k < n:
                self.more_at[i + 1] = (cx, network.y + h + self.px(20))
        if self.dial is not None:  # the pulses end at the dial's digits
            if self.dial.digit_r < MIN_RADIUS * 2:
                self.need("bars", f"room for the dial's ten digits of {MIN_RADIUS * 2} px")
            self.pos.append(self.dial.pos.copy())
            self.radius.append(self.dial.digit_r)
            return
        # outputs line up with the probability bars
        ys = bars.y + (np.arange(10) + 0.5) * bars.h / 10
        self.pos.append(np.stack([np.full(10, column_x(ncols - 1)), ys], 1))
        self.radius.append(min(neuron_px * 1.15, bars.h / 10 * 0.4))
        if self.radius[-1] < MIN_RADIUS:
            self.need("bars", f"room for ten rows of outputs of {MIN_RADIUS} px")

    def need(self, region: str, what: str) -> None:
        """A region too small for what its view draws there (the view still draws, smaller)."""
        self.cramped.setdefault(region, what)

    def label_x(self, l: int) -> float:
        return float(self.pos[l][0, 0])

    def subset(self, activations: Sequence[np.ndarray] | None, pinned: Sequence[Sequence[int]] = ()
               ) -> list[np.ndarray]:
        """Per layer, the neuron in each slot: everything for layers that fit; for wider layers
        ``pinned[l]`` (switched off, opened, ...) and then the most active, in index order."""
        out = []
        for l, n in enumerate(self.sizes):
            k = len(self.pos[l])
            if k >= n:
                out.append(np.arange(n))
                continue
            a = (np.zeros(n) if activations is None
                 else np.asarray(activations[l], np.float64).reshape(-1))
            pin = [int(j) for j in (pinned[l] if l < len(pinned) else ()) if 0 <= j < n][:k]
            order = np.argsort(-a, kind="stable")  # ties (all zero) keep index order
            rest = order[~np.isin(order, pin)][:k - len(pin)]
            out.append(np.sort(np.concatenate([np.asarray(pin, np.int64), rest]).astype(np.int64)))
        return out

    def neuron_at(self, x: float, y: float, shown: Sequence[np.ndarray] | None = None
                  ) -> tuple[int, int] | None:
        """(layer, neuron) under a tap (with a forgiving margin), else None."""
        best = None
        for l in range(1, len(self.pos)):
            d = np.hypot(self.pos[l][:, 0] - x, self.pos[l][:, 1] - y)
            j = int(d.argmin())
            reach = max(self.radius[l] * 1.6, 12.0)
            if d[j] <= reach and (best is None or d[j] < best[2]):
                best = (l, j, float(d[j]))
        if best is None:
            return None
        l, slot = best[:2]
        ids = self.subset(None)[l] if shown is None else shown[l]
        return l, int(ids[slot])

    def slot_of(self, shown: Sequence[np.ndarray], layer: int, neuron: int) -> int | None:
        hit = np.flatnonzero(shown[layer] == neuron)
        return int(hit[0]) if len(hit) else None

    def hit(self, x: float, y: float, shown: Sequence[np.ndarray] | None = None
            ) -> tuple[str, int | tuple[int, int]] | None:
        """What a tap at (x, y) touches: ("clear", -1), ("sample", digit), ("neuron", (l, j)),
        ("canvas", -1) or None."""
        if self.clear_button.collidepoint(x, y):
            return ("clear", -1)
        for d, r in enumerate(self.sample_buttons):
            if r.collidepoint(x, y):
                return ("sample", d)
        neuron = self.neuron_at(x, y, shown)
        if neuron is not None:
            return ("neuron", neuron)
        if self.canvas.collidepoint(x, y):
            return ("canvas", -1)
        return None

    def elements(self) -> list[tuple[pygame.Rect, str]]:
        """What text must never cover: the canvas, the buttons, the picture and the wiring up
        to the last column, the bars (or the dial)."""
        net, pic = self.inner_network, self.picture_rect
        cols = slice(1, None if self.dial is None else -1)  # a dial is an element of its own
        if self.pos[cols]:
            pts = np.vstack(self.pos[cols])
            reach = max(self.radius[cols]) * 1.3
            # from the picture's edge to the far column (mirrored: from the far column)
            x0, x1 = ((round(pts[:, 0].min() - reach), pic.x) if self.mirror
                      else (pic.right, round(pts[:, 0].max() + reach)))
            wires = pygame.Rect(x0, round(pts[:, 1].min() - reach), x1 - x0,
                                round(pts[:, 1].max() - pts[:, 1].min() + 2 * reach))
        else:  # no hidden layer, a dial: the lines leave the picture's edge for the dial
            wires = pygame.Rect(pic.x - 1 if self.mirror else pic.right, pic.y, 1, pic.h)
        if self.dial is not None:
            wires.union_ip(net)
        else:
            wires.union_ip(pygame.Rect(net.right - 1 if self.mirror else net.x, net.y, 1, net.h))
        out = [(self.canvas, "canvas"), (self.picture_rect, "picture"), (wires, "network"),
               (self.clear_button, "button")]
        if self.dial is None:
            out.append((self.inner_bars, "bars"))
        else:  # the wiring reaches the ring's near side
            d = self.dial.rect
            wires.union_ip(pygame.Rect(d.right if self.mirror else d.x, d.y, 1, d.h))
            out.append((d, "dial"))
        out += [(r, "button") for r in self.sample_buttons]
        return out


def free_spot(occupied: Sequence[pygame.Rect], bounds: pygame.Rect, w: int, h: int,
              near: pygame.Rect, cell: int) -> pygame.Rect | None:
    """The ``w`` x ``h`` box inside ``bounds`` that overlaps none of ``occupied``, as close as
    possible to ``near`` (on a grid of ``cell`` px), or None when there is no room."""
    gw, gh = bounds.w // cell, bounds.h // cell
    cw, ch = -(-w // cell), -(-h // cell)
    if cw > gw or ch > gh:
        return None
    busy = np.zeros((gh, gw), np.int32)
    for r in occupied:
        x0 = max(0, (r.x - bounds.x) // cell)
        y0 = max(0, (r.y - bounds.y) // cell)
        x1 = min(gw, -(-(r.right - bounds.x) // cell))
        y1 = min(gh, -(-(r.bottom - bounds.y) // cell))
        if x1 > x0 and y1 > y0:
            busy[y0:y1, x0:x1] = 1
    sat = np.zeros((gh + 1, gw + 1), np.int32)
    sat[1:, 1:] = busy.cumsum(0).cumsum(1)
    win = sat[ch:, cw:] - sat[:-ch, cw:] - sat[ch:, :-cw] + sat[:-ch, :-cw]  # (gh-ch+1, gw-cw+1)
    ys, xs = np.nonzero(win == 0)
    if len(ys) == 0:
        return None
    bx = bounds.x + xs * cell
    by = bounds.y + ys * cell
    # distance from the box to the rect it belongs to (0 when touching), then to its centre
    dx = np.maximum(0, np.maximum(near.x - (bx + w), bx - near.right))
    dy = np.maximum(0, np.maximum(near.y - (by + h), by - near.bottom))
    centre = np.hypot(bx + w / 2 - near.centerx, by + h / 2 - near.centery)
    i = int(np.argmin(np.hypot(dx, dy) * 4 + centre * 0.05))
    return pygame.Rect(int(bx[i]), int(by[i]), w, h)

