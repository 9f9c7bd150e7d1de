"""The network: the input picture's pixels, hidden neurons that glow, the ten outputs, and a
representative subset of connections chosen by |weight x activation| of this forward pass.

Geometry is computed once per layout. ``Wiring.select`` picks the lines for a snapshot (pure
numpy, testable without a screen); the view draws them into the composed layer only when the
snapshot changes, and pulses travel along them every frame.

The pulses that travel along the lines are in ``exhibit.views.pulses``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import pygame

from exhibit.model.mlp import MLP
from exhibit.layout.regions import Layout
from exhibit.views.theme import BODY, Theme

LINE_GAP = 8  # px from the picture to where its lines start: frame 3 px, half a line 3 px


AA_MIN_RADIUS = 4  # smaller cells (the deep network's grids) gain nothing from smoothing


@lru_cache(maxsize=512)
def _circle(rgb: tuple[int, int, int], r8: int, width: int) -> tuple[pygame.Surface, float]:
    """An anti-aliased circle (filled when width is 0) on a transparent sprite whose every
    pixel has the circle's colour, so that blending it gives exact smooth edges; drawn once
    per colour and radius (r8: the radius in eighths of a pixel)."""
    r = r8 / 8
    side = int(math.ceil(2 * r)) + 4
    s = pygame.Surface((side, side), pygame.SRCALPHA)
    s.fill((*rgb, 0))
    pygame.draw.aacircle(s, rgb, (side / 2, side / 2), r, width)
    return s, side / 2


def _blit_circle(surface: pygame.Surface, colour, centre: tuple[float, float], r: float,
                 width: int) -> None:
    sprite, half = _circle(tuple(pygame.Color(colour)[:3]), round(r * 8), width)
    surface.blit(sprite, (round(centre[0] - half), round(centre[1] - half)))


def disc(surface: pygame.Surface, colour, centre: tuple[float, float], r: float) -> None:
    """A filled circle with a smooth edge."""
    if r >= AA_MIN_RADIUS:
        _blit_circle(surface, colour, centre, r, 0)
    else:
        pygame.draw.circle(surface, colour, centre, r)


def ring(surface: pygame.Surface, colour, centre: tuple[float, float], r: float, width: int) -> None:
    """A circle outline with smooth edges."""
    if r >= AA_MIN_RADIUS:
        _blit_circle(surface, colour, centre, r, width)
    else:
        pygame.draw.circle(surface, colour, centre, r, width=width)


def strongest_links(contrib: np.ndarray, per_neuron: int, cap: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The links worth drawing from a (n_in, n_out) table of what each source adds to each
    target's z: each target's ``per_neuron`` strongest, at most ``cap`` in all (the strongest),
    none that adds nothing. Returns (source index, target index, |contribution|)."""
    mag = np.abs(contrib)
    k = min(per_neuron, mag.shape[0])
    src = np.argpartition(-mag, k - 1, axis=0)[:k]  # (k, n_out)
    dst = np.broadcast_to(np.arange(mag.shape[1]), src.shape)
    src, dst = src.ravel(), dst.ravel()
    m = mag[src, dst]
    keep = m > 0
    src, dst, m = src[keep], dst[keep], m[keep]
    if len(m) > cap:
        top = np.argpartition(-m, cap - 1)[:cap]
        src, dst, m = src[top], dst[top], m[top]
    return src, dst, m


@dataclass
class Lines:
    """Connections to draw between layer l-1 and l: endpoints, strength in [0, 1], sign."""

    layer: int
    src: np.ndarray  # (n, 2) pixel positions
    dst: np.ndarray
    strength: np.ndarray  # |w*a| / the layer's strongest
    positive: np.ndarray  # bool: sign of the weight
    value: np.ndarray  # w*a, the real contribution


class Wiring:
    """Which connections a network shows: a fixed faint sample, and per snapshot the strongest."""

    def __init__(self, net: MLP, layout: Layout, background_lines: int = 120) -> None:
        self.net = net
        self.layout = layout
        self.background = self._background_sample(background_lines)

    def _background_sample(self, per_layer: int, seed: int = 3) -> list[tuple[np.ndarray, np.ndarray]]:
        """A fixed random choice of (source, target) slot pairs per column pair: the faint wiring."""
        rng = np.random.default_rng(seed)
        out = []
        slots = [len(p) for p in self.layout.pos]
        for l in range(len(self.net.weights)):
            n_in, n_out = slots[l], slots[l + 1]
            k = min(per_layer, n_in * n_out)
            flat = rng.choice(n_in * n_out, size=k, replace=False)
            out.append(np.divmod(flat, n_out))
        return out

    def from_picture(self, p0: np.ndarray) -> np.ndarray:
        """Where lines from the picture's pixels ((n, 2) centres) start: on the picture's edge
        facing the network, clear of its frame, at each pixel's own row, so they fan out of
        the picture itself (never out of the empty space beside or below it)."""
        pic = self.layout.picture_rect
        edge = pic.x - LINE_GAP if self.layout.mirror else pic.right + LINE_GAP
        return np.stack([np.full(len(p0), float(edge)), np.asarray(p0, np.float64)[:, 1]], 1)

    def select(self, activations: list[np.ndarray], per_neuron: int, cap: int,
               shown: list[np.ndarray] | None = None) -> list[Lines]:
        """Per target neuron the ``per_neuron`` strongest incoming |w*a|, at most ``cap`` a layer;
        only among the neurons ``shown`` (per layer, the neuron in each slot)."""
        shown = self.layout.subset(activations) if shown is None else shown
        out = []
        for l, w in enumerate(self.net.weights):
            ids_in, ids_out = shown[l], shown[l + 1]
            w = w[np.ix_(ids_in, ids_out)]
            a = np.asarray(activations[l]).reshape(-1)[ids_in]
            contrib = a[:, None] * w  # (n_in, n_out): what each source adds to each z
            src, dst, m = strongest_links(contrib, per_neuron, cap)
            strongest = float(m.max()) if len(m) else 1.0
            pos = self.layout.pos
            p0, p1 = pos[l][src], pos[l + 1][dst]
            if l == 0:
                p0 = self.from_picture(p0)
            out.append(Lines(l + 1, p0, p1, m / strongest, w[src, dst] > 0, contrib[src, dst]))
        return out


class NetworkView:
    """Draws the wiring, the neurons and the pulses for one network in one layout."""

    def __init__(self, theme: Theme, wiring: Wiring) -> None:
        self.theme = theme
        self.wiring = wiring
        self.layout = wiring.layout
        self.rect = wiring.layout.inner_network

    def _palette(self) -> dict[bool, list[pygame.Color]]:
        """Line colours by sign and 16 strength levels: faint lines blend into the panel."""
        if not hasattr(self, "_pal"):
            th = self.theme
            self._pal = {sg: [th.c["panel"].lerp(th.c["positive" if sg else "negative"],
                                                 0.3 + 0.7 * (i + 0.5) / 16) for i in range(16)]
                         for sg in (True, False)}
        return self._pal

    def draw_static(self, surface: pygame.Surface, caption: Callable[[int, int], str],
                    panel_rect: pygame.Rect,
                    shown_of: Callable[[int, int], str] = lambda k, n: f"{k} / {n}") -> None:
        """Faint fixed wiring, the empty neurons and the column labels: what never changes."""
        th, w = self.theme, self.layout
        ids = w.subset(None)
        faint = {s: th.c["panel"].lerp(th.c["positive" if s else "negative"], 0.22) for s in (True, False)}
        for l, (src, dst) in enumerate(self.wiring.background):
            sign = self.wiring.net.weights[l][ids[l][src], ids[l + 1][dst]] > 0
            starts = self.wiring.from_picture(w.pos[0][src]) if l == 0 else w.pos[l][src]
            for a, b, sg in zip(starts.tolist(), w.pos[l + 1][dst].tolist(), sign.tolist()):
                pygame.draw.aaline(surface, faint[sg], a, b)
        off = th.c["panel"].lerp(th.c["muted"], 0.35)
        last = len(w.pos) - (w.dial is not None)  # a dial draws the outputs itself
        for l in range(1, last):
            r = w.radius[l]
            for x, y in w.pos[l].tolist():
                ring(surface, off, (x, y), r, max(1, round(r / 5)))
        bg = th.c["panel"]
        room = round(w.colw) - th.px(8)
        for l, (x, y) in w.more_at.items():  # a subset layer says how many of how many it shows
            text = shown_of(len(w.pos[l]), w.sizes[l])
            if th.font(BODY).size(text)[0] > room:  # a narrow column: the figures alone
                text = f"{len(w.pos[l])}/{w.sizes[l]}"
            th.put(surface, text, BODY, "muted", bg, "more",
                   panel_rect, center=(x, y))
        self.draw_labels(surface, caption, panel_rect)

    def draw_labels(self, surface: pygame.Surface, caption: Callable[[int, int], str],
                    panel_rect: pygame.Rect) -> None:
        """Each column's label under it (a dial labels the outputs itself)."""
        th, w, bg = self.theme, self.layout, self.theme.c["panel"]
        last = len(w.pos) - (w.dial is not None)
        labels = [caption(l, len(w.pos) - 1) for l in range(1, last)]
        width = round(w.colw) - th.px(8)
        # labels too wide for their column alternate between two rows, each twice as wide
        stagger = any(len(th.wrap(t, BODY, width)) > 1 for t in labels)
        lh = th.font(BODY).get_linesize()
        for i, text in enumerate(labels):
            th.put(surface, text, BODY, "muted", bg, "column label", panel_rect,
                   width=2 * width if stagger else width,
                   midtop=(w.label_x(i + 1), self.rect.bottom + th.px(8) + (i % 2) * lh * stagger))

    def draw_lines(self, surface: pygame.Surface, lines: list[Lines]) -> None:
        """The strong connections: wider and brighter by strength, the strongest on top."""
        palette = self._palette()
        draw_line = pygame.draw.line
        clip = surface.get_clip()
        for ln in lines:
            order = np.argsort(ln.strength)  # strongest on top
            level = np.minimum(15, (ln.strength[order] * 16).astype(np.int64))
            width = (1.5 + 3 * ln.strength[order]).astype(np.int64)
            sign = ln.positive[order]
            src, dst = ln.src[order], ln.dst[order]
            if clip != surface.get_rect():  # a part of the screen: only the lines that reach it
                lo, hi = np.minimum(src, dst) - (width[:, None] + 2), np.maximum(src, dst) + (width[:, None] + 2)
                near = ((lo[:, 0] < clip.right) & (hi[:, 0] > clip.left)
                        & (lo[:, 1] < clip.bottom) & (hi[:, 1] > clip.top))
                src, dst, level, width, sign = src[near], dst[near], level[near], width[near], sign[near]
            for a, b, lv, wd, sg in zip(src.tolist(), dst.tolist(), level.tolist(), width.tolist(),
                                         sign.tolist()):
                draw_line(surface, palette[sg][lv], a, b, wd)

    def draw_snapshot(self, surface: pygame.Surface, activations: list[np.ndarray | None],
                      lines: list[Lines], top: int | None, masks=None,
                      shown: list[np.ndarray] | None = None) -> None:
        """Strong connections, glowing neurons and the outputs: ``activations[l]`` is what
        layer l shows (None: dark), each from the wave that last reached it.
        ``masks``: per hidden layer, 0 marks a neuron switched off (drawn crossed out);
        ``shown``: per layer, the neuron in each slot (wide layers show a subset)."""
        th, w = self.theme, self.layout
        if shown is None:
            shown = w.subset(None if any(a is None for a in activations) else activations)
        bg = th.c["panel"]
        self.draw_lines(surface, lines)
        off = bg.lerp(th.c["muted"], 0.35)
        clip = surface.get_clip()
        for l in range(1, len(w.pos) - (w.dial is not None)):  # a dial draws the outputs
            r = w.radius[l]
            pos = w.pos[l]
            if len(pos) and not clip.colliderect(pygame.Rect(
                    pos[:, 0].min() - 2 * r - 4, pos[:, 1].min() - 2 * r - 4,
                    np.ptp(pos[:, 0]) + 4 * r + 8, np.ptp(pos[:, 1]) + 4 * r + 8)):
                continue  # a column wholly outside the part of the screen being painted
            if activations[l] is None:
                levels = np.zeros(len(w.pos[l]))
            else:
                a = np.asarray(activations[l]).reshape(-1)
                levels = (a if l == len(w.pos) - 1 else a / max(1.0, float(a.max())))[shown[l]]
            dead = (masks[l - 1][shown[l]] == 0) if masks is not None and l - 1 < len(masks) else None
            if r >= AA_MIN_RADIUS:  # sprites: placed here, blitted in one call, in this order
                self._sprite_column(surface, l, levels, dead, off)
                continue
            for j, ((x, y), v) in enumerate(zip(w.pos[l].tolist(), levels.tolist())):
                if dead is not None and dead[j]:
                    pygame.draw.circle(surface, th.c["background"], (x, y), r)
                    cross_out(surface, th, (x, y), r)
                    continue
                if v > 0.02:  # 32 glow levels: few sprites, no visible steps
                    glow = round(min(1.0, 0.25 + 0.75 * v) * 32) / 32
                    disc(surface, bg.lerp(th.c["neuron"], glow), (x, y), r)
                ring(surface, off, (x, y), r, max(1, round(r / 5)))
        if top is not None and w.dial is None:
            x, y = w.pos[-1][top].tolist()
            ring(surface, th.c["answer"], (x, y), w.radius[-1] * 1.5, max(2, round(w.radius[-1] / 3)))

    def _sprite_column(self, surface: pygame.Surface, l: int, levels: np.ndarray,
                       dead: np.ndarray | None, off: pygame.Color) -> None:
        """Column l's neurons as :func:`disc` and :func:`ring` draw them (their radius is
        large enough for sprites), each neuron's sprites in turn, with one ``fblits``."""
        th, w, bg = self.theme, self.layout, self.theme.c["panel"]
        r = w.radius[l]
        rim, rim_half = _circle(tuple(off[:3]), round(r * 8), max(1, round(r / 5)))
        glows = self.__dict__.setdefault("_glows", {})
        seq: list[tuple[pygame.Surface, tuple[int, int]]] = []
        for j, ((x, y), v) in enumerate(zip(w.pos[l].tolist(), levels.tolist())):
            if dead is not None and dead[j]:
                surface.fblits(seq)
                seq = []
                pygame.draw.circle(surface, th.c["background"], (x, y), r)
                cross_out(surface, th, (x, y), r)
                continue
            if v > 0.02:  # 32 glow levels: few sprites, no visible steps
                glow = round(min(1.0, 0.25 + 0.75 * v) * 32) / 32
                if (glow, r) not in glows:
                    glows[glow, r] = _circle(tuple(bg.lerp(th.c["neuron"], glow)[:3]), round(r * 8), 0)
                sprite, half = glows[glow, r]
                seq.append((sprite, (round(x - half), round(y - half))))
            seq.append((rim, (round(x - rim_half), round(y - rim_half))))
        surface.fblits(seq)


def cross_out(surface: pygame.Surface, th: Theme, centre: tuple[float, float], r: float) -> None:
    """The X over a neuron or map switched off (ablation), ``r`` from its centre."""
    x, y = centre
    d, width = r * 0.8, max(2, round(r / 4))
    pygame.draw.line(surface, th.c["negative"], (x - d, y - d), (x + d, y + d), width)
    pygame.draw.line(surface, th.c["negative"], (x - d, y + d), (x + d, y - d), width)
