"""The ten probabilities as a dial (``answer.style: dial``): the digits around a ring, where the
network's pulses end, each disc glowing by its probability; the winner at full brightness and
ringed in the answer colour, its percentage in the middle ('?' there when unsure).

Drop-in for :class:`exhibit.views.panels.BarsView` (same ``draw``); the geometry is the
layout's (:class:`exhibit.layout.regions.Dial`), so taps and pulses use the same digit centres.
"""
from __future__ import annotations

import math

import pygame

from exhibit.recognize import Snapshot
from exhibit.layout.regions import Dial
from exhibit.views.network import disc, ring
from exhibit.views.theme import BODY, HEAD, LABEL, Theme

MIN_CONTRAST = 4.6  # a digit on its glowing disc stays readable (WCAG AA is 4.5)


def _luminance(c: pygame.Color) -> float:
    v = [x / 255 for x in c[:3]]
    v = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in v]
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]


def contrast(a: pygame.Color, b: pygame.Color) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)))
    return (lb + 0.05) / (la + 0.05)


class DialView:
    def __init__(self, theme: Theme, dial: Dial, panel_rect: pygame.Rect) -> None:
        self.theme = theme
        self.dial = dial
        self.panel = panel_rect
        th = self.theme
        bg, glow, text = th.c["panel"], th.c["neuron"], th.c["text"]
        # the brightest a loser's disc may glow with light text on it; only the winner's disc
        # goes beyond, to full brightness, with dark text
        steps = [i / 64 for i in range(65)]
        self.cap = max([t for t in steps if contrast(text, bg.lerp(glow, t)) >= MIN_CONTRAST],
                       default=0.0)
        # the biggest digit size whose box still fits inside its disc
        r = dial.digit_r
        self.size = next((s for s in (LABEL, BODY)
                          if math.hypot(*th.font(s, True).size("8")) / 2 <= r), BODY)

    def _face(self) -> pygame.Surface:
        """The dial's face inside the ring: the panel's colour, a little translucent."""
        if getattr(self, "_face_surf", None) is None:
            rad = self.dial.radius - self.dial.digit_r * 1.25
            side = int(2 * rad) + 2
            s = pygame.Surface((side, side), pygame.SRCALPHA)
            pygame.draw.aacircle(s, (*self.theme.c["panel"][:3], 225), (side / 2, side / 2), rad, 0)
            self._face_surf = s
        return self._face_surf

    def _ink(self, fill: pygame.Color) -> str:
        """Light or dark text, whichever reads better on ``fill``."""
        th = self.theme
        return max(("text", "background"), key=lambda c: contrast(th.c[c], fill))

    def draw(self, surface: pygame.Surface, snap: Snapshot | None, sure: bool) -> None:
        th, d = self.theme, self.dial
        bg = th.c["panel"]
        off = bg.lerp(th.c["muted"], 0.35)
        r = d.digit_r
        probs = None if snap is None or snap.probs is None else snap.probs.reshape(-1)
        top = snap.digit if probs is not None and sure else None
        centre = (round(d.centre[0]), round(d.centre[1]))
        # the face dims the wiring that crosses it to the far digits (the pulses fly over it)
        surface.blit(self._face(), self._face().get_rect(center=centre))
        ring(surface, off, centre, d.radius + max(1, th.px(2)) / 2, max(1, th.px(2)))
        for k, (x, y) in enumerate(d.pos.tolist()):
            p = None if probs is None else float(probs[k])
            if p is None:
                fill, ink = bg, "muted"
            else:
                level = 1.0 if k == top else self.cap * math.sqrt(p)
                fill = bg.lerp(th.c["neuron"], level)
                ink = self._ink(fill)
                if p > 0.02:  # a soft halo, wider the likelier
                    halo = bg.lerp(th.c["neuron"], 0.15 + 0.35 * min(1.0, p))
                    disc(surface, halo, (x, y), r * (1.0 + 0.18 * math.sqrt(p)))
            disc(surface, fill, (x, y), r)  # also hides where the wiring ends
            # the outline glows too (it holds no text, so it may go as bright as it likes)
            edge = off if p is None else off.lerp(th.c["neuron"], min(1.0, math.sqrt(p)))
            ring(surface, edge, (x, y), r, max(1, round(r / 8)))
            if k == top:
                ring(surface, th.c["answer"], (x, y), r * 1.22, max(2, th.px(4)))
            th.put(surface, str(k), self.size, ink, fill, "dial digit", self.panel,
                   bold=k == top, center=(x, y))
        if probs is None:
            return
        # the winner's share, or '?', as big as the face holds
        text = "?" if top is None else f"{float(probs[top]) * 100:.0f}%"
        room = 1.5 * (d.radius - r * 1.25)  # across the face, clear of its edge
        size = next((s for s in (72, 60, HEAD, LABEL)
                     if max(th.font(s, True).size("100%")[0], th.font(s, True).get_linesize() * 0.8)
                     <= room), BODY)
        th.put(surface, text, size, "text", bg, "percentage", self.panel, bold=True, center=centre)
