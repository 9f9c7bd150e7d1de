"""The whole screen, painted in layers so that a frame costs little, and painted exactly: an
incrementally drawn frame equals a full redraw, pixel for pixel.

- static: background, panels, captions, the faint fixed wiring (built once per layout, model
  and language);
- composed: static + what depends on the snapshot (picture, strong connections, glowing
  neurons, bars, title), redrawn in place only when that changes;
- per frame, in this order: composed, the canvas, the pulses and attract mode's hand, the
  teacher overlay.

Each frame repaints, in that same order, only the areas that changed (the composed regions
that were redrawn, new ink, the pulses' old and new places, overlays that came or went) and
returns them, so the caller can present just those.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pygame

from exhibit.ink.drawing import Drawing
from exhibit.model.mlp import MLP
from exhibit.recognize import Snapshot
from exhibit.views.answer import AnswerView, Look
from exhibit.views.dial import DialView
from exhibit.views.hand import HandView
from exhibit.layout.regions import Layout
from exhibit.views.network import Lines, NetworkView, Pulses, Wiring
from exhibit.views.panels import BarsView, ButtonsView, CanvasView, PreviewView, TitleView, panel
from exhibit.views.theme import BODY, TextBox, Theme

HAND_PX = 150  # the attract hand's height on a 1080-line screen


def disjoint(rects: list[pygame.Rect]) -> list[pygame.Rect]:
    """Merge overlapping rects until none overlap (a translucent layer is blended once)."""
    out: list[pygame.Rect] = []
    for r in rects:
        r = pygame.Rect(r)
        merged = True
        while merged:
            merged = False
            for i, o in enumerate(out):
                if o.colliderect(r):
                    r = r.union(out.pop(i))
                    merged = True
                    break
        out.append(r)
    return out


def cover(boxes: np.ndarray, bounds: pygame.Rect, cell: int = 32) -> list[pygame.Rect]:
    """Few rects covering many small overlapping boxes ((n, 4) x0, y0, x1, y1: pulses and
    their trails): the cells of a grid that any box touches, as one rect per run of cells in a
    row. Painting these costs far less than repainting each overlap again and again."""
    a = np.asarray(boxes, np.int64).reshape(-1, 4).copy()
    a[:, 0::2] = np.clip(a[:, 0::2], bounds.x, bounds.right)
    a[:, 1::2] = np.clip(a[:, 1::2], bounds.y, bounds.bottom)
    a = a[(a[:, 2] > a[:, 0]) & (a[:, 3] > a[:, 1])]
    if not len(a):
        return []
    x0, y0 = (a[:, 0] - bounds.x) // cell, (a[:, 1] - bounds.y) // cell
    x1, y1 = (a[:, 2] - 1 - bounds.x) // cell + 1, (a[:, 3] - 1 - bounds.y) // cell + 1
    nx, ny = -(-bounds.w // cell), -(-bounds.h // cell)
    w = nx + 1  # a 2-D difference array, one count per box corner
    idx = np.concatenate([y0 * w + x0, y0 * w + x1, y1 * w + x0, y1 * w + x1])
    sign = np.repeat(np.array([1, -1, -1, 1]), len(a))
    diff = np.bincount(idx, sign, minlength=(ny + 1) * w).reshape(ny + 1, w)
    on = diff.cumsum(0).cumsum(1)[:ny, :nx] > 0.5
    edges = np.diff(np.pad(on.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    out: list[pygame.Rect] = []
    above: dict[tuple[int, int], pygame.Rect] = {}  # the runs of the row above, to grow down
    for row in range(ny):
        if not on[row].any():
            above = {}
            continue
        cols = np.flatnonzero(edges[row])
        runs = {}
        for s0, e0 in zip(cols[0::2].tolist(), cols[1::2].tolist()):
            r = above.get((s0, e0))
            if r is not None and r.bottom == bounds.y + row * cell:
                r.h += cell  # the same run one row down: one taller rect
            else:
                r = pygame.Rect(bounds.x + s0 * cell, bounds.y + row * cell, (e0 - s0) * cell, cell)
                out.append(r)
            runs[(s0, e0)] = r
        above = runs
    return [r.clip(bounds) for r in out]


def answer_view(theme: Theme, layout: Layout):
    """The bars, or the dial (``answer.style``)."""
    r = layout.rects
    return (BarsView(theme, layout.inner_bars, r["bars"]) if layout.dial is None
            else DialView(theme, layout.dial, r["bars"]))


class Scene:
    def __init__(self, cfg, layout: Layout, theme: Theme, net: MLP, side: int,
                 say: Callable[..., str]) -> None:
        self.cfg = cfg
        self.layout = layout
        self.theme = theme
        self.say = say
        r = layout.rects
        self.rects = r
        self.canvas = CanvasView(theme, layout.canvas, layout.brush)
        self.buttons = ButtonsView(theme, layout)
        self.title = TitleView(theme, r["title"])
        self.answer = AnswerView(theme, r["answer"])
        self.answer_text: list[TextBox] = []  # the answer region's texts (painted on their own)
        self.answer_look: Look | None = None  # what the answer region shows now
        self.pulses = Pulses(theme, theme.px(cfg.pulses.size_px), cfg.pulses.max)
        self.hand = HandView(theme, theme.px(HAND_PX))
        self.hand_place: tuple[pygame.Surface, tuple[int, int]] | None = None  # set per frame
        size = layout.size
        theme.size = size
        self.setup(net, side)
        # the texts each layer drew (tests check them: in bounds, no overlaps, size, contrast)
        self.static_text: list[TextBox] = []
        self.composed_text: list[TextBox] = []
        self.overlay_text: list[TextBox] = []
        self.static = pygame.Surface(size)
        self.build_static()
        self.composed = self.static.copy()
        # teacher overlays go over everything, canvas and pulses included
        self.overlay = pygame.Surface(size, pygame.SRCALPHA)
        self.overlay_rects: list[pygame.Rect] = []
        self.lines: list[Lines] = []
        self.dynamic = self.areas()
        self.full_redraw = True  # the next frame paints everything
        self._pending: list[pygame.Rect] = []  # areas to repaint on the next frame
        self._pulse_boxes = np.zeros((0, 4), np.int64)  # where pulses were last frame
        self._hand: list[pygame.Rect] = []  # where the writing hand was

    def setup(self, net, side: int) -> None:
        """The parts that show the network (a CNN's or the comparison's scene has others)."""
        layout, theme = self.layout, self.theme
        self.wiring = Wiring(net, layout, self.cfg.network.background_lines)
        self.preview = PreviewView(theme, layout.picture_rect, side)
        self.network = NetworkView(theme, self.wiring)
        self.bars = answer_view(theme, layout)

    def areas(self) -> list[pygame.Rect]:
        """Where the snapshot draws: the bars, the title, the picture, the wiring and neurons."""
        layout, theme, r = self.layout, self.theme, self.rects
        pts = np.vstack(layout.pos[1:])
        reach = max(layout.radius[1:]) * 1.6 + theme.px(6)
        net_area = pygame.Rect(pts[:, 0].min() - reach, pts[:, 1].min() - reach,
                               pts[:, 0].max() - pts[:, 0].min() + 2 * reach,
                               pts[:, 1].max() - pts[:, 1].min() + 2 * reach)
        pic = layout.picture_rect
        self.pic_area = pic.inflate(6, 6)  # the 28x28 picture and its frame
        # where its lines start (left of the picture when mirrored)
        net_area.union_ip(pygame.Rect(pic.x - 4 if layout.mirror else pic.right + 3, pic.y, 1, pic.h))
        if net_area.colliderect(self.pic_area):  # a layout where they meet: always both at once
            self.pic_area = self.pic_area.union(net_area)
            net_area = self.pic_area
        # merged where they overlap (a dial's digits are the network's outputs): no area is
        # repainted twice
        return disjoint([r["bars"], r["title"], self.pic_area, net_area])

    def elements(self) -> list[tuple[pygame.Rect, str]]:
        """What text must never cover, in this scene."""
        return self.layout.elements()

    def background_signs(self) -> bytes:
        """The signs of the faint wiring's weights (its colours), to notice when they change."""
        net = self.wiring.net
        return b"".join((net.weights[l][src, dst] > 0).tobytes()
                        for l, (src, dst) in enumerate(self.wiring.background))

    def follow(self, net) -> bool:
        """New weights for the same network (live learning): the static layer is redrawn when
        the faint wiring's colours changed; True then (everything is repainted)."""
        self.wiring.net = net
        if self.background_signs() == self._signs:
            return False
        self.build_static()
        self.composed.blit(self.static, (0, 0))
        self.invalidate()
        return True

    def build_static(self) -> None:
        s, th, r = self.static, self.theme, self.rects
        self._signs = self.background_signs()
        th.record = self.static_text = []
        s.fill(th.c["background"])
        for name in ("preview", "network", "bars"):
            panel(s, th, r[name])
        for name, key in (("preview", "sees"), ("network", "network"), ("bars", "probabilities")):
            th.put(s, self.say(key), BODY, "muted", "panel", "caption", r[name], bold=True,
                   width=r[name].w - th.px(16), midtop=(r[name].centerx, r[name].y + th.px(12)))
        self.network.draw_static(s, self._column_caption, r["network"],
                                 lambda k, n: self.say("shown_of", shown=k, total=n))
        self.buttons.draw(s, self.say("clear"))
        th.record = None

    def _column_caption(self, l: int, n: int) -> str:
        return self.say("outputs") if l == n else self.say("hidden_layer", n=l)

    def compose(self, picture: Snapshot, layers: list[Snapshot], lines: list[Lines], title: str,
                sure: bool, masks=None, shown: list[np.ndarray] | None = None) -> None:
        """Redraw what depends on the readings, over a clean copy of the static layer:
        ``picture`` for the 28x28 preview (at once), ``layers[l]`` for layer l (as its wave
        arrives; the last one drives the bars and the answer); ``shown``: per layer, the
        neurons in view (wide layers show a subset)."""
        c = self.composed
        self.theme.record = self.composed_text = []
        for r in self.dynamic:
            c.blit(self.static, r, r)
        self.lines = lines
        out = layers[-1]
        acts = [None if s.forward is None else s.forward.columns[l] for l, s in enumerate(layers)]
        self.preview.draw(c, picture)
        self.network.draw_snapshot(c, acts, lines, out.digit if sure else None, masks, shown)
        self.bars.draw(c, out if not out.empty else None, sure)
        self.title.draw(c, title)
        self.theme.record = None
        self._pending += self.dynamic
        self._keep_answer(self.dynamic)

    def compose_picture(self, picture: Snapshot) -> None:
        """Only the 28x28 picture changed (a new reading whose wave has not left yet): redraw
        just its area, which no line or text enters."""
        self.composed.blit(self.static, self.pic_area, self.pic_area)
        self.preview.draw(self.composed, picture)
        self._pending.append(self.pic_area)
        self._keep_answer([self.pic_area])

    def _keep_answer(self, cleared: list[pygame.Rect]) -> None:
        """Areas just cleared to the static layer may reach into the answer region (merged
        areas do, in some layouts): paint the answer again over them, as a full redraw would."""
        if self.answer_look is not None and self.rects["answer"].collidelist(cleared) >= 0:
            self.compose_answer(self.answer_look)

    def compose_answer(self, look: Look) -> None:
        """Paint the answer region again (a new answer, or the next step of its glow)."""
        self.answer_look = look
        self.theme.record = self.answer_text = []
        self.repaint(self.rects["answer"], lambda surf: self.answer.draw(surf, look))
        self.theme.record = None

    def repaint(self, rect: pygame.Rect, paint: Callable[[pygame.Surface], None]) -> None:
        """Redraw one area of the composed layer: the static layer, then ``paint`` over it."""
        self.composed.blit(self.static, rect, rect)
        paint(self.composed)
        self._pending.append(pygame.Rect(rect))

    def set_overlay(self, draw: Callable[[pygame.Surface], list[pygame.Rect]]) -> None:
        """Replace the teacher overlay with what ``draw`` paints (it returns the rects used)."""
        for r in self.overlay_rects:
            self.overlay.fill((0, 0, 0, 0), r)
        self._pending += self.overlay_rects
        bounds = self.overlay.get_rect()
        self.theme.record = self.overlay_text = []
        drawn = draw(self.overlay)
        self.theme.record = None
        rects = [pygame.Rect(r).inflate(8, 8).clip(bounds) for r in drawn]
        self.overlay_rects = disjoint([r for r in rects if r.w and r.h])
        self._pending += self.overlay_rects

    def draw(self, surface: pygame.Surface, drawing: Drawing, sample=None, sample_id=None
             ) -> list[pygame.Rect]:
        """One frame onto ``surface``, which must hold the previous frame; returns the areas
        painted (empty when nothing changed)."""
        canvas_dirty = self.canvas.sync(drawing, sample, sample_id)
        cr = self.canvas.rect
        sprites, boxes = self.pulses.placements()
        boxes = np.asarray(boxes, np.int64).reshape(-1, 4)
        # where pulses were and are: one cover for both, so no area is painted twice
        pulse_rects = cover(np.concatenate([self._pulse_boxes, boxes]), surface.get_rect())
        self._pulse_boxes = boxes
        if self.hand_place is not None:
            sprites.append(self.hand_place)
            hand = pygame.Rect(self.hand_place[1], self.hand_place[0].get_size())
            pulse_rects += [hand] + self._hand
            self._hand = [hand]
        else:
            pulse_rects += self._hand
            self._hand = []
        if self.full_redraw:
            areas = [surface.get_rect()]
        else:
            areas = self._pending + pulse_rects
            if canvas_dirty is not None:
                areas.append(canvas_dirty.move(cr.topleft))
            # an overlay that anything changed under is painted again whole, once
            areas += [o for o in self.overlay_rects if o.collidelist(areas) >= 0]
        self.full_redraw = False
        self._pending = []
        if not areas:
            return []
        for r in areas:
            surface.blit(self.composed, r, r)
            clip = r.clip(cr)
            if clip.w and clip.h:
                surface.blit(self.canvas.surface, clip, clip.move(-cr.x, -cr.y))
        surface.fblits(sprites)
        for o in self.overlay_rects:
            if o.collidelist(areas) >= 0:
                surface.blit(self.overlay, o, o)
        return areas

    def invalidate(self) -> None:
        """Paint everything on the next frame (a new display surface, or after an error)."""
        self.full_redraw = True

    @property
    def text_boxes(self) -> list[TextBox]:
        """Every text on screen now, in the order painted."""
        return self.static_text + self.composed_text + self.answer_text + self.overlay_text

    @property
    def connections_drawn(self) -> int:
        return sum(len(ln.strength) for ln in self.lines)
