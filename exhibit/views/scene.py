"""The whole screen, composed in three layers so that a frame costs little:

- static: background, panels, captions, the faint fixed wiring (redrawn on layout, model or
  language change);
- composed: static + everything that depends on the snapshot (picture, strong connections,
  glowing neurons, bars, title), redrawn only when the snapshot changes;
- per frame: the composed layer, the canvas, the pulses and any overlay.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pygame

from exhibit.ink.drawing import Drawing
from exhibit.recognize import Snapshot
from exhibit.views.network import Lines, NetworkView, Pulses, Wiring
from exhibit.views.panels import BarsView, ButtonsView, CanvasView, PreviewView, TitleView, panel
from exhibit.views.theme import Theme


class Scene:
    def __init__(self, cfg, size: tuple[int, int], rects: dict[str, tuple[int, int, int, int]],
                 theme: Theme, wiring_for: Callable[[pygame.Rect, pygame.Rect, pygame.Rect], Wiring],
                 say: Callable[..., str]) -> None:
        self.cfg = cfg
        self.size = size
        self.theme = theme
        self.say = say
        self.rects = {k: pygame.Rect(v) for k, v in rects.items()}
        r = self.rects
        pad = theme.px(18)
        head = theme.px(46)  # room for each region's caption
        self.inner_preview = pygame.Rect(r["preview"].x + pad, r["preview"].y + head,
                                         r["preview"].w - 2 * pad, r["preview"].h - head - pad)
        self.inner_network = pygame.Rect(r["network"].x + pad, r["network"].y + head,
                                         r["network"].w - 2 * pad, r["network"].h - 2 * head)
        self.inner_bars = pygame.Rect(r["bars"].x + pad // 2, r["bars"].y + head,
                                      r["bars"].w - pad, r["bars"].h - 2 * head)
        self.wiring = wiring_for(self.inner_preview, self.inner_network, self.inner_bars)
        self.canvas = CanvasView(theme, r["canvas"], cfg["sizes.brush_px"])
        self.preview = PreviewView(theme, self.wiring.picture_rect, self.wiring.side)
        self.network = NetworkView(theme, self.wiring, self.inner_network)
        self.bars = BarsView(theme, self.inner_bars)
        self.buttons = ButtonsView(theme, r["buttons"])
        self.title = TitleView(theme, r["title"])
        self.pulses = Pulses(theme, theme.px(cfg["pulses.size_px"]), cfg["pulses.max"])
        self.static = pygame.Surface(size)
        self.composed = pygame.Surface(size)
        # teacher overlays go over everything, canvas and pulses included; only the rects
        # they cover are copied each frame
        self.overlay = pygame.Surface(size, pygame.SRCALPHA)
        self.overlay_rects: list[pygame.Rect] = []
        self.lines: list[Lines] = []
        # what changes when the snapshot does; the canvas, title-free, never lies inside
        w = self.wiring
        pts = np.vstack(w.pos[1:])
        reach = max(w.radius[1:]) * 1.6 + theme.px(6)
        net = pygame.Rect(pts[:, 0].min() - reach, pts[:, 1].min() - reach,
                          pts[:, 0].max() - pts[:, 0].min() + 2 * reach,
                          pts[:, 1].max() - pts[:, 1].min() + 2 * reach)
        # only where the snapshot draws: the picture, the wiring and neurons, the bars
        self.dynamic = [r["bars"], w.picture_rect.inflate(6, 6).union(net)]
        self._title = None
        self.full_redraw = True  # the next frame paints everything
        self._changed: list[pygame.Rect] | None = None
        self._pulse_rects: list[pygame.Rect] = []
        self._stale: list[pygame.Rect] = []  # where overlays were, to paint over
        self.build_static()

    def build_static(self) -> None:
        s, th, r = self.static, self.theme, self.rects
        s.fill(th.c["background"])
        for name in ("preview", "network", "bars"):
            panel(s, th, r[name])
        for name, key in (("preview", "sees"), ("network", "network"), ("bars", "probabilities")):
            size = 30
            t = th.text(self.say(key), size, "muted", bold=True)
            while t.get_width() > r[name].w - th.px(12) and size > 14:  # long translations fit
                size -= 2
                t = th.text(self.say(key), size, "muted", bold=True)
            s.blit(t, t.get_rect(midtop=(r[name].centerx, r[name].y + th.px(8))))
        self.network.draw_static(s, self._column_caption)
        self.buttons.draw(s, self.say("clear"))

    def _column_caption(self, l: int, n: int) -> str:
        return self.say("outputs") if l == n else self.say("hidden_layer", n=l)

    def compose(self, snap: Snapshot, lines: list[Lines], title: str, sure: bool, masks=None) -> None:
        c = self.composed
        self._changed = list(self.dynamic)
        if title != self._title:
            self._title = title
            self._changed.append(self.rects["title"])
        if self.full_redraw:
            c.blit(self.static, (0, 0))
        else:
            for r in self._changed:
                c.blit(self.static, r, r)
        self.lines = lines
        acts = None if snap.forward is None else snap.forward.activations
        self.preview.draw(c, snap)
        self.network.draw_snapshot(c, acts, lines, snap.digit if sure else None, masks)
        self.bars.draw(c, snap if not snap.empty else None, sure)
        self.title.draw(c, title)

    def draw(self, surface: pygame.Surface, drawing: Drawing, sample=None, sample_id=None) -> int:
        """One frame onto ``surface``, which must hold the previous frame: only what changed is
        painted again (the snapshot's regions, new ink, the pulses' old and new places).
        Returns the number of pulses drawn."""
        canvas_dirty = self.canvas.sync(drawing, sample, sample_id)
        cr = self.canvas.rect
        if self.full_redraw:
            surface.blit(self.composed, (0, 0))
            restore = []
            canvas_dirty = self.canvas.surface.get_rect()
        else:
            restore = self._pulse_rects + self._stale + (self._changed or [])
            for r in restore:
                surface.blit(self.composed, r, r)
        self.full_redraw = False
        self._changed = None
        self._stale = []
        if canvas_dirty is not None:
            surface.blit(self.canvas.surface, canvas_dirty.move(cr.topleft), canvas_dirty)
        for r in restore:  # a restored area over the canvas needs its ink back
            clip = r.clip(cr)
            if clip.w and clip.h:
                surface.blit(self.canvas.surface, clip, clip.move(-cr.x, -cr.y))
        self._pulse_rects = self.pulses.draw(surface)
        for r in self.overlay_rects:
            surface.blit(self.overlay, r, r)
        return len(self._pulse_rects)

    def invalidate(self) -> None:
        """Paint everything on the next frame (a new display surface, or after an error)."""
        self.full_redraw = True

    def begin_overlay(self) -> pygame.Surface:
        for r in self.overlay_rects:
            self.overlay.fill((0, 0, 0, 0), r)
        self._stale += self.overlay_rects
        self.overlay_rects = []
        return self.overlay

    def add_overlay(self, rect: pygame.Rect | list[pygame.Rect] | None) -> None:
        if rect is None:
            return
        for r in rect if isinstance(rect, list) else [rect]:
            r = pygame.Rect(r).inflate(8, 8).clip(self.overlay.get_rect())
            if r.w and r.h:
                self.overlay_rects.append(r)

    @property
    def connections_drawn(self) -> int:
        return sum(len(ln.strength) for ln in self.lines)
