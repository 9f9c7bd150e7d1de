"""The CNN's own view: its feature maps as small glowing images for the current drawing (the 16
conv1 maps, the 16 most active of the 32 conv2 maps), the dense units and the outputs, with the
strongest connections between columns and the pulses that travel along them, sized by
weight x activation as in the MLP view. The card of a tapped map is in ``cnncard.py``.

It plugs into :class:`exhibit.views.scene.Scene` (static, composed and overlay layers, exact
incremental frames) and the pulse and wave machinery unchanged: :class:`CNNWiring` gives the
same :class:`Lines` per column pair as the MLP's wiring, from
:meth:`exhibit.model.cnn.CNN.contributions`. Reads snapshots and weights only.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pygame

from exhibit.model.cnn import CNN
from exhibit.layout.cnn import CNNLayout
from exhibit.views.network import Lines, NetworkView, cross_out, disc, ring, strongest_links
from exhibit.views.panels import PreviewView, panel
from exhibit.views.scene import Scene, answer_view
from exhibit.views.theme import BODY, Theme

GAMMA = 0.6  # lifts faint responses, so a map that fired a little still glows a little


def glow_rgb(values: np.ndarray, theme: Theme, top: float) -> np.ndarray:
    """(h, w) responses >= 0 -> (w, h, 3) uint8 (surfarray order): panel colour at 0, the
    neuron colour at ``top``."""
    bg = np.array(theme.c["panel"][:3], np.float32)
    hot = np.array(theme.c["neuron"][:3], np.float32)
    g = np.clip(np.asarray(values, np.float32) / max(top, 1e-6), 0, 1) ** GAMMA
    return (bg + (hot - bg) * g.T[..., None]).astype(np.uint8)


def image(rgb: np.ndarray, size: tuple[int, int]) -> pygame.Surface:
    return pygame.transform.scale(pygame.surfarray.make_surface(rgb), size)


class CNNWiring:
    """Which connections the CNN's view shows: a fixed faint sample, and per snapshot the
    strongest contributions between columns (same interface as :class:`Wiring`)."""

    def __init__(self, net: CNN, layout: CNNLayout, background_lines: int = 120) -> None:
        self.net = net
        self.layout = layout
        self.effective = net.effective_weights()
        self._contrib: tuple | None = None
        rng = np.random.default_rng(3)
        slots = [len(p) for p in layout.pos]
        self.background = []
        for l in range(4):
            n_in, n_out = (1 if l == 0 else slots[l]), slots[l + 1]
            k = min(background_lines, n_in * n_out)
            self.background.append(np.divmod(rng.choice(n_in * n_out, size=k, replace=False), n_out))

    def ends(self, l: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where lines from column l to l+1 start and end (the picture's leave level with the
        conv1 row they go to)."""
        lay = self.layout
        p0 = lay.outs[0][dst] if l == 0 else lay.outs[l][src]
        return p0, lay.ins[l + 1][dst]

    def contributions(self, x, p1, p2, a3) -> list[np.ndarray]:
        """The net's contributions for one reading, worked out once (each wave asks again
        at every column it reaches, with a new set of units in view)."""
        hit = self._contrib
        if hit is None or hit[0] is not x or hit[1] is not self.net:
            hit = self._contrib = (x, self.net, self.net.contributions(x, p1, p2, a3))
        return hit[2]

    def select(self, activations: list[np.ndarray], per_neuron: int, cap: int,
               shown: list[np.ndarray] | None = None) -> list[Lines]:
        """Per target the ``per_neuron`` strongest incoming |contribution|, at most ``cap`` a
        column pair; ``activations``: the forward pass's (x, a1, p1, a2, p2, a3, probs)."""
        x, _, p1, a2, p2, a3, _ = activations
        if shown is None:
            shown = self.layout.subset([x, activations[1], a2, a3, activations[6]])
        out = []
        for l, c in enumerate(self.contributions(x, p1, p2, a3)):
            ids_in = np.arange(1) if l == 0 else shown[l]
            contrib = c[np.ix_(ids_in, shown[l + 1])]
            src, dst, m = strongest_links(contrib, per_neuron, cap)
            strongest = float(m.max()) if len(m) else 1.0
            p0, p1_ = self.ends(l, src, dst)
            # tiles of one grid row share where their lines leave: of lines that coincide on
            # screen only the strongest is drawn (and pulsed), as painting them all would show
            order = np.argsort(-m, kind="stable")
            e = np.round(np.hstack([p0, p1_])[order]).astype(np.int64) & 0x3FFF  # 14 bits each
            key = ((e[:, 0] << 42) | (e[:, 1] << 28) | (e[:, 2] << 14) | e[:, 3])
            first = np.sort(order[np.unique(key, return_index=True)[1]])
            src, dst, m, p0, p1_ = src[first], dst[first], m[first], p0[first], p1_[first]
            out.append(Lines(l + 1, p0, p1_, m / strongest, contrib[src, dst] > 0, contrib[src, dst]))
        return out


class CNNNetworkView(NetworkView):
    """Map tiles, dense dots and outputs, their wiring and labels."""

    def tile_bg(self) -> pygame.Color:
        return self.theme.c["panel"].lerp(self.theme.c["muted"], 0.12)

    def draw_static(self, surface: pygame.Surface, caption: Callable[[int, int], str],
                    panel_rect: pygame.Rect, shown_of: Callable[[int, int], str] | None = None
                    ) -> None:
        th, w, wiring = self.theme, self.layout, self.wiring
        panel(surface, th, w.maps_panel)  # the conv1 maps' own panel, under the picture
        ids = w.subset(None)
        faint = {s: th.c["panel"].lerp(th.c["positive" if s else "negative"], 0.22)
                 for s in (True, False)}
        for l, (src, dst) in enumerate(wiring.background):
            eff = wiring.effective[l]
            sign = eff[(np.zeros_like(src) if l == 0 else ids[l][src]), ids[l + 1][dst]] > 0
            p0, p1 = wiring.ends(l, src, dst)
            for a, b, sg in zip(p0.tolist(), p1.tolist(), sign.tolist()):
                pygame.draw.aaline(surface, faint[sg], a, b)
        self.draw_cells(surface, [None] * len(w.pos), ids)
        for l, (x, y) in w.more_at.items():  # a subset column says how many it does not show
            th.put(surface, f"+{w.sizes[l] - len(w.pos[l])}", BODY, "muted", th.c["panel"],
                   "more", panel_rect, center=(x, y))
        self.draw_labels(surface, caption, panel_rect)

    def draw_labels(self, surface: pygame.Surface, caption: Callable[[int, int], str],
                    panel_rect: pygame.Rect) -> None:
        """Each column's label under it (conv1's in its own panel, under its grid)."""
        th, w, bg = self.theme, self.layout, self.theme.c["panel"]
        last = len(w.pos) - 1
        cols = range(2, last + (w.dial is None))  # a dial labels the outputs itself
        lh = th.font(BODY).get_linesize()
        stagger = any(len(th.wrap(caption(l, last), BODY, w.label_w[l])) > 2 for l in cols)
        y = self.rect.bottom + th.px(8)
        th.put(surface, caption(1, last), BODY, "muted", bg, "column label", w.maps_panel,
               width=w.label_w[1], midtop=(w.label_x(1), w.maps_inner.bottom + th.px(8)))
        for i, l in enumerate(cols):
            th.put(surface, caption(l, last), BODY, "muted", bg, "column label", panel_rect,
                   width=w.label_w[l] * (2 if stagger else 1),
                   midtop=(w.label_x(l), y + (i % 2) * lh * stagger))

    def draw_cells(self, surface: pygame.Surface, acts: list[np.ndarray | None],
                   shown: list[np.ndarray], cols: tuple[int, ...] = (1, 2, 3, 4),
                   masks: list[np.ndarray] | None = None) -> None:
        """The tiles and dots of columns ``cols``, glowing with ``acts[l]`` (None: dark);
        ``masks[l - 1]``: 0 marks a map or unit switched off (crossed out)."""
        th, w = self.theme, self.layout
        bg = th.c["panel"]
        off = bg.lerp(th.c["muted"], 0.35)
        edge = max(1, th.px(2))
        def dead(l: int) -> list[bool]:
            if masks is None or l - 1 >= len(masks):
                return [False] * len(w.pos[l])
            return (masks[l - 1][shown[l]] == 0).tolist()
        for l, rects in w.tiles.items():
            if l not in cols:
                continue
            a = acts[l]
            if a is None or float(np.max(a)) <= 0:
                for rect in rects:
                    pygame.draw.rect(surface, self.tile_bg(), rect)
            else:
                surface.blit(self.grid_image(l, a), w.maps_box(l))
            for rect, gone in zip(rects, dead(l)):
                pygame.draw.rect(surface, off, rect.inflate(2 * edge, 2 * edge), width=edge)
                if gone:  # a map switched off is all zeros: dark, and crossed out
                    pygame.draw.rect(surface, th.c["background"], rect)
                    cross_out(surface, th, rect.center, min(rect.w, rect.h) / 2)
        for l in (3, 4):
            if l not in cols or (l == 4 and w.dial is not None):  # a dial draws the outputs
                continue
            r = w.radius[l]
            a = None if acts[l] is None else np.asarray(acts[l]).reshape(-1)
            levels = (np.zeros(len(w.pos[l])) if a is None
                      else (a if l == 4 else a / max(1.0, float(a.max())))[shown[l]])
            for (x, y), v, gone in zip(w.pos[l].tolist(), levels.tolist(), dead(l)):
                if gone:
                    pygame.draw.circle(surface, th.c["background"], (x, y), r)
                    cross_out(surface, th, (x, y), r)
                    continue
                if v > 0.02:  # 32 glow levels, as in the MLP view
                    disc(surface, bg.lerp(th.c["neuron"], round(min(1.0, 0.25 + 0.75 * v) * 32) / 32),
                         (x, y), r)
                ring(surface, off, (x, y), r, max(1, round(r / 5)))

    def grid_image(self, l: int, a: np.ndarray) -> pygame.Surface:
        """Column l's maps, every tile at once, as one image of its grid (gaps in the panel's
        colour); made once per reading (a wave recomposes the screen at each column)."""
        cache = self.__dict__.setdefault("_grids", {})
        hit = cache.get((l, id(a)))
        if hit is not None and hit[0] is a:
            return hit[1]
        th, lay = self.theme, self.layout
        rects, box = lay.tiles[l], lay.maps_box(l)
        maps = np.moveaxis(np.asarray(a, np.float32), -1, 0)  # (n, side, side), slot order
        side = maps.shape[1]
        level = (np.clip(maps / float(maps.max()), 0, 1) * 255).astype(np.uint8)  # per cell
        lut = glow_rgb(np.arange(256)[None, :], th, 255.0)[:, 0]  # (256, 3): 256 glow colours
        cells = lut[level]  # (n, y, x, 3), small: pygame scales each tile up
        surf = pygame.Surface(box.size)
        surf.fill(th.c["panel"])
        for cell, r in zip(cells, rects):
            tile = pygame.image.frombytes(cell.tobytes(), (side, side), "RGB")
            surf.blit(pygame.transform.scale(tile, r.size), (r.x - box.x, r.y - box.y))
        if len(cache) >= 6:
            cache.pop(next(iter(cache)))
        cache[(l, id(a))] = (a, surf)
        return surf

    def draw_snapshot(self, surface: pygame.Surface, activations: list[np.ndarray | None],
                      lines: list[Lines], top: int | None, masks=None,
                      shown: list[np.ndarray] | None = None) -> None:
        w = self.layout
        if shown is None:
            shown = w.subset(None if any(a is None for a in activations) else activations)
        self.draw_lines(surface, lines)
        self.draw_cells(surface, activations, shown, masks=masks)
        self.draw_ring(surface, top)

    def draw_ring(self, surface: pygame.Surface, top: int | None) -> None:
        """The answer's ring around its output."""
        w = self.layout
        if top is not None and w.dial is None:
            x, y = w.pos[-1][top].tolist()
            ring(surface, self.theme.c["answer"], (x, y), w.radius[-1] * 1.5,
                 max(2, round(w.radius[-1] / 3)))


class CNNScene(Scene):
    """The exhibit's scene with the CNN's network view (no live learning: its wiring's
    colours never change)."""

    def setup(self, net: CNN, side: int) -> None:
        layout, theme = self.layout, self.theme
        self.wiring = CNNWiring(net, layout, self.cfg.network.background_lines)
        self.preview = PreviewView(theme, layout.picture_rect, side)
        self.network = CNNNetworkView(theme, self.wiring)
        self.bars = answer_view(theme, layout)

    def background_signs(self) -> bytes:
        return b""

    def follow(self, net) -> bool:
        self.wiring.net = net
        return False

    def areas(self) -> list[pygame.Rect]:
        """Disjoint areas, each redrawn only when what paints in it changes (a wave reaches
        the five columns one by one): the bars, the title, the picture, the conv1 panel with
        the picture's lines into it, and the network right of the conv1 grid."""
        lay, r, th = self.layout, self.rects, self.theme
        pic = lay.picture_rect
        self.pic_area = pic.inflate(6, 6)
        box1 = lay.maps_box(1)
        edge = max(1, th.px(2)) + 1  # beyond the conv1 tiles' outlines
        pre, pa = r["preview"], self.pic_area
        bottom_maps = lay.maps_panel.bottom - pa.bottom
        pts = np.vstack([lay.pos[2], lay.pos[3], lay.outs[1]]
                        + ([lay.pos[4]] if lay.dial is None else []))
        reach = max(lay.radius[2:]) * 1.6 + th.px(6)
        top, bottom = pts[:, 1].min() - reach, pts[:, 1].max() + reach
        if lay.mirror:  # the network lies left of the conv1 grid
            split = box1.x - edge
            maps = pygame.Rect(split, pa.bottom, pre.right - split, bottom_maps)
            left = max(pts[:, 0].min() - reach, r["bars"].right)
            net = [pygame.Rect(left, top, split - left, bottom - top)]
            if pa.x < split and pa.bottom > top:  # around the picture
                net = [pygame.Rect(left, top, pa.x - left, bottom - top),
                       pygame.Rect(pa.x, pa.bottom, split - pa.x, bottom - pa.bottom)]
        else:
            split = box1.right + edge
            maps = pygame.Rect(pre.x, pa.bottom, split - pre.x, bottom_maps)
            right = min(pts[:, 0].max() + reach, r["bars"].x)
            net = [pygame.Rect(split, top, right - split, bottom - top)]
            if pa.right > split and pa.bottom > top:  # around the picture
                net = [pygame.Rect(pa.right, top, right - pa.right, bottom - top),
                       pygame.Rect(split, pa.bottom, pa.right - split, bottom - pa.bottom)]
        self.parts = {"bars": [r["bars"]], "title": [r["title"]], "pic": [pa],
                      "maps": [maps], "net": net}
        if lay.dial is not None:  # its digits end the network's lines: one area with it
            self.parts["net"] += self.parts.pop("bars")
        self._keys: dict[str, tuple] = {}
        self._texts: dict[str, list] = {"bars": [], "net": [], "title": []}
        return [a for rects in self.parts.values() for a in rects]

    def compose(self, picture, layers, lines, title: str, sure: bool, masks=None,
                shown: list[np.ndarray] | None = None) -> None:
        """As :meth:`Scene.compose`, but only the areas whose readings changed are painted
        again (each clipped to its area, over the static layer)."""
        out = layers[-1]
        acts = [None if s.forward is None else s.forward.columns[l] for l, s in enumerate(layers)]
        if shown is None:
            shown = self.layout.subset(None if any(a is None for a in acts) else acts)
        into = {ln.layer: ln for ln in lines}
        top = out.digit if sure else None
        off = b"|".join(m.tobytes() for m in masks or ())  # the crosses of ablation
        keys = {"bars": (id(out), sure), "title": (title,), "pic": (id(picture),),
                "maps": (id(layers[1]), id(into.get(1)), off),
                "net": (tuple(id(s) for s in layers[2:]), tuple(id(into.get(l)) for l in (2, 3, 4)),
                        top, sure, b"|".join(a.tobytes() for a in shown[2:]), off)}
        self._held = (picture, layers, lines)  # the ids above stay theirs while compared
        c, th, net = self.composed, self.theme, self.network
        paint = {
            "bars": lambda: self.bars.draw(c, out if not out.empty else None, sure),
            "title": lambda: self.title.draw(c, title),
            "pic": lambda: self.preview.draw(c, picture),
            "maps": lambda: (net.draw_lines(c, [ln for ln in lines if ln.layer == 1]),
                             net.draw_cells(c, acts, shown, (1,), masks)),
            "net": lambda: (net.draw_lines(c, [ln for ln in lines if ln.layer > 1]),
                            net.draw_cells(c, acts, shown, (2, 3, 4), masks), net.draw_ring(c, top),
                            self.layout.dial is not None and paint["bars"]()),
        }
        self.lines = lines
        for name, rects in self.parts.items():
            if self._keys.get(name) == keys[name]:
                continue
            self._keys[name] = keys[name]
            texts = th.record = [] if name in self._texts else None
            for r in rects:
                if texts is not None:
                    del texts[:]  # a text that spans two rects of one area is recorded once
                c.set_clip(r)
                c.blit(self.static, r, r)
                paint[name]()
            c.set_clip(None)
            if texts is not None:
                self._texts[name] = texts
            self._pending += rects
        th.record = None
        self.composed_text = self._texts["net"] + self._texts["bars"] + self._texts["title"]

    def _column_caption(self, l: int, n: int) -> str:
        if l == n:
            return self.say("outputs")
        return self.say("maps_layer", n=l) if l in self.layout.tiles else self.say("hidden_layer", n=l)
