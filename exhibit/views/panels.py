"""The simpler regions: canvas, preview picture, probability bars, buttons and the title line.

Each draws onto the surface it is given and reads only a Snapshot and the drawing; none of them
computes the model.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from exhibit.ink.drawing import Drawing
from exhibit.recognize import Snapshot
from exhibit.layout.regions import Layout
from exhibit.views.theme import BODY, HEAD, LABEL, Theme


def panel(surface: pygame.Surface, theme: Theme, rect: pygame.Rect, colour: str = "panel") -> None:
    pygame.draw.rect(surface, theme.c[colour], rect, border_radius=theme.px(14))
    theme.cover(surface, rect)


class CanvasView:
    """The visitor's drawing, exactly where the fingers went; new segments are added
    incrementally, so drawing costs the same however long the stroke already is."""

    def __init__(self, theme: Theme, rect: pygame.Rect, brush: int) -> None:
        self.theme = theme
        self.rect = rect
        self.brush = brush
        self.surface = pygame.Surface(rect.size)
        self._drawn: tuple[int, int] = (0, 0)  # strokes fully drawn, points of the next one
        self._version = -1
        self._sample_id: int | None = None
        self.dirty: pygame.Rect | None = None
        self.reset()

    def reset(self) -> None:
        self.surface.fill(self.theme.c["canvas"])
        self.blank = True  # all canvas colour: a frame may fill the screen with it instead
        self._drawn = (0, 0)
        self.dirty = self.surface.get_rect()

    def sync(self, drawing: Drawing, sample: np.ndarray | None = None,
             sample_id: int | None = None) -> pygame.Rect | None:
        """Bring the canvas up to date; returns the changed area (canvas coordinates) or None."""
        self.dirty = None
        if sample is not None:
            if sample_id != self._sample_id:
                self._show_raster(sample)
                self._sample_id = sample_id
            self._version = drawing.version
            return self.dirty
        if self._sample_id is not None:
            self._sample_id = None
            self.reset()
        if drawing.version == self._version:
            return self.dirty
        if drawing.empty or drawing.version < self._version:
            self.reset()
        self._version = drawing.version
        si, pi = self._drawn
        if si > len(drawing.strokes):
            self.reset()
            si, pi = 0, 0
        ink, r = self.theme.c["ink"], self.brush / 2
        touched: list[pygame.Rect] = []
        for s in range(si, len(drawing.strokes)):
            pts = drawing.strokes[s]
            start = pi if s == si else 0
            for i in range(max(start, 0), len(pts)):
                x, y = pts[i]
                if i > 0:
                    touched.append(self._segment(pts[i - 1], (x, y), ink, r))
                touched.append(pygame.draw.aacircle(self.surface, ink, (x, y), r))
                pygame.draw.circle(self.surface, ink, (x, y), r)
        last = len(drawing.strokes) - 1
        self._drawn = (max(last, 0), len(drawing.strokes[last]) if last >= 0 else 0)
        if touched:
            self.blank = False
            area = touched[0].unionall(touched[1:]).inflate(4, 4)
            self.dirty = area if self.dirty is None else self.dirty.union(area)
        return self.dirty

    def _segment(self, a: tuple[float, float], b: tuple[float, float], ink: pygame.Color,
                 r: float) -> pygame.Rect:
        """A round-capped thick segment: a quad of the full width (pygame's thick lines are
        thinner on diagonals) with anti-aliased long edges."""
        dx, dy = b[0] - a[0], b[1] - a[1]
        n = math.hypot(dx, dy)
        if n < 1e-6:
            return pygame.Rect(round(a[0]), round(a[1]), 1, 1)
        ox, oy = -dy / n * r, dx / n * r
        quad = [(a[0] + ox, a[1] + oy), (b[0] + ox, b[1] + oy), (b[0] - ox, b[1] - oy),
                (a[0] - ox, a[1] - oy)]
        rect = pygame.draw.polygon(self.surface, ink, quad)
        pygame.draw.aaline(self.surface, ink, quad[0], quad[1])
        pygame.draw.aaline(self.surface, ink, quad[2], quad[3])
        return rect

    def _show_raster(self, img: np.ndarray) -> None:
        """A sample picture, blown up with crisp square pixels (whole screen pixels per input
        pixel) into the canvas (ink = the ink colour)."""
        self.reset()  # marks the whole canvas dirty
        h, w = img.shape
        k = max(1, int(min(self.rect.w, self.rect.h) * 0.8) // max(h, w))
        grey = np.clip(img, 0, 1)
        ink = np.array(self.theme.c["ink"][:3], np.float32)
        bg = np.array(self.theme.c["canvas"][:3], np.float32)
        t = grey.T[:, :, None]
        rgb = (bg * (1 - t) + ink * t).astype(np.uint8)
        big = pygame.transform.scale(pygame.surfarray.make_surface(rgb), (w * k, h * k))
        self.surface.blit(big, big.get_rect(center=(self.rect.w // 2, self.rect.h // 2)))
        self.blank = False


class PreviewView:
    """The picture the network reads, pixel by pixel."""

    def __init__(self, theme: Theme, picture_rect: pygame.Rect, side: int) -> None:
        self.theme = theme
        self.rect = picture_rect
        self.side = side

    def draw(self, surface: pygame.Surface, snap: Snapshot | None) -> None:
        th = self.theme
        # straight into the picture's place when it lies wholly inside the surface's clip
        # (the composed layer): no surface made and copied per reading, the same pixels
        inside = surface.get_clip().contains(self.rect)
        if snap is not None and snap.picture is not None:
            pic = np.clip(snap.picture, 0, 1)
            ink, bg = np.array(th.c["ink"][:3]), np.array(th.c["canvas"][:3])
            rgb = (bg * (1 - pic.T[:, :, None]) + ink * pic.T[:, :, None]).astype(np.uint8)
            small = pygame.surfarray.make_surface(rgb)
            if inside and (small.get_bitsize(), small.get_masks()) == (surface.get_bitsize(),
                                                                      surface.get_masks()):
                pygame.transform.scale(small, self.rect.size, surface.subsurface(self.rect))
            else:  # (the scaled picture covers the whole rect: nothing under it shows)
                surface.blit(pygame.transform.scale(small, self.rect.size), self.rect)
        else:
            pygame.draw.rect(surface, th.c["canvas"], self.rect)
        if inside:
            self._grid_lines(surface.subsurface(self.rect))
        else:
            surface.blit(self._grid(), self.rect)
        pygame.draw.rect(surface, th.c["muted"], self.rect.inflate(4, 4), width=2)

    def _grid_lines(self, place: pygame.Surface) -> None:
        """Lines between the pixels, onto ``place`` (the picture's own area)."""
        th = self.theme
        col = th.c["canvas"].lerp(th.c["muted"], 0.25)
        if col[:3] == (0, 0, 0):
            col = pygame.Color(1, 1, 1)  # (black is the grid surface's transparent colour)
        cell = self.rect.w / self.side
        if cell >= 6:
            for i in range(1, self.side):
                pygame.draw.line(place, col, (i * cell, 0), (i * cell, self.rect.h - 1))
                pygame.draw.line(place, col, (0, i * cell), (self.rect.w - 1, i * cell))

    def _grid(self) -> pygame.Surface:
        """The grid lines on their own surface, drawn once (black is transparent)."""
        if getattr(self, "_grid_surf", None) is None:
            g = pygame.Surface(self.rect.size)
            g.set_colorkey((0, 0, 0))
            self._grid_lines(g)
            self._grid_surf = g
        return self._grid_surf


class BarsView:
    """Ten rows: the digit, a bar, the percentage; the top digit ringed in green."""

    def __init__(self, theme: Theme, rect: pygame.Rect, panel_rect: pygame.Rect) -> None:
        self.theme = theme
        self.rect = rect
        self.panel = panel_rect
        # every text the rows can show, for prepare (the digits in three looks, each percentage)
        self._unrendered = ([(str(d), LABEL, c, b) for d in range(10)
                             for c, b in (("muted", False), ("text", False), ("text", True))]
                            + [(f"{v}%", BODY, "text", False) for v in range(101)])

    def prepare(self, n: int = 8) -> bool:
        """Render up to ``n`` of the row texts ahead of need (in a quiet frame, not in the one
        where a new reading's bars arrive); False when all are."""
        for args in self._unrendered[:n]:
            self.theme.text(*args)
        del self._unrendered[:n]
        return bool(self._unrendered)

    def row_y(self, i: int) -> float:
        return self.rect.y + (i + 0.5) * self.rect.h / 10

    def draw(self, surface: pygame.Surface, snap: Snapshot | None, sure: bool) -> None:
        th = self.theme
        row_h = self.rect.h / 10
        if not hasattr(self, "_pct_w"):
            self._pct_w = th.font(BODY).size("100%")[0]
        pct_w = self._pct_w
        label_x = self.rect.x + th.px(22)
        bar_x = self.rect.x + th.px(48)
        bar_w = max(th.px(8), self.rect.right - bar_x - pct_w - th.px(12))
        bg = th.c["panel"]
        for d in range(10):
            y = self.row_y(d)
            p = None if snap is None or snap.probs is None else float(snap.probs[d])
            top = p is not None and sure and d == snap.digit
            th.put(surface, str(d), LABEL, "text" if p is not None else "muted", bg, "bar label",
                   self.panel, bold=top, center=(label_x, y))
            if top:
                pygame.draw.aacircle(surface, th.c["answer"], (label_x, y), min(row_h * 0.45, th.px(26)),
                                     max(3, th.px(4)))
            track = pygame.Rect(bar_x, round(y - row_h * 0.16), bar_w, max(4, round(row_h * 0.32)))
            pygame.draw.rect(surface, bg.lerp(th.c["muted"], 0.25), track, border_radius=th.px(6))
            if p is not None:
                fill = track.copy()
                fill.w = max(0, round(bar_w * p))
                if fill.w:
                    pygame.draw.rect(surface, th.c["answer"] if top else th.c["neuron"], fill,
                                     border_radius=th.px(6))
                th.put(surface, f"{p * 100:.0f}%", BODY, "text", bg, "percentage", self.panel,
                       midright=(self.rect.right, y))


class ButtonsView:
    """A Clear button and ten sample-digit buttons, where the layout put them."""

    def __init__(self, theme: Theme, layout: Layout) -> None:
        self.theme = theme
        self.clear = layout.clear_button
        self.samples = layout.sample_buttons

    def draw(self, surface: pygame.Surface, clear_label: str) -> None:
        th = self.theme
        rad = th.px(12)
        bg = th.c["button"]
        pygame.draw.rect(surface, bg, self.clear, border_radius=rad)
        size = LABEL
        while th.font(size).size(clear_label)[0] > self.clear.w - th.px(12) and size > BODY:
            size -= 2  # a long translation of "Clear" still fits its button
        th.put(surface, clear_label, size, "text", bg, "button", self.clear, bold=True,
               width=self.clear.w - th.px(12), center=self.clear.center)
        for d, r in enumerate(self.samples):
            pygame.draw.rect(surface, bg, r, border_radius=rad)
            th.put(surface, str(d), LABEL, "text", bg, "button", r, center=r.center)


class TitleView:
    """The title line: small and calm. It says what is happening (the mode, or the answer as a
    sentence); the answer itself is the large glyph in its own region (views/answer.py)."""

    def __init__(self, theme: Theme, rect: pygame.Rect) -> None:
        self.theme = theme
        self.rect = rect

    def draw(self, surface: pygame.Surface, line: str, colour: str = "text") -> None:
        th = self.theme
        size = HEAD
        while th.font(size).size(line)[0] > self.rect.w and size > BODY:
            size -= 2  # a long translation: smaller, but never below the body text
        th.put(surface, line, size, colour, "background", "title", self.rect,
               width=self.rect.w, center=self.rect.center)
