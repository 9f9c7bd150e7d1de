"""The answer, the largest thing on screen: one glyph (the digit, or "?") in its own region
(``layout.<orientation>.answer``), a soft glow that fades in when the wave reaches the outputs
(none for "?"), and, when the runner-up is close (``answer.close_margin``), a second, smaller
line that names it ("... or 1?").

What it shows is one value, :func:`look`, computed from the read-only state; the scene paints
the region again only when that value changes (the glow in a few steps), so an incrementally
drawn frame still equals a full redraw.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pygame

from exhibit.state.modes import Mode
from exhibit.views.theme import BODY, LABEL, Theme

if TYPE_CHECKING:
    from exhibit.state.screenstate import ScreenState

GLOW_SECONDS = 0.75  # the glow's fade-in after the wave arrives
GLOW_STEPS = 8  # it is painted again this many times while it fades in
GLOW_REACH = 0.22  # how far the glow reaches beyond the ink, as a share of the cap height
GLYPHS = "0123456789?"  # what the region can show


class Look(NamedTuple):
    glyph: str  # "" when there is nothing to say
    runner_up: str  # the close call's line, or ""
    glow: int  # 0..GLOW_STEPS


def look(ex: "ScreenState") -> Look:
    """What the answer region shows now."""
    none = Look("", "", 0)
    if ex.mode == Mode.FAILSAFE or ex.comparing or ex.inviting:
        return none
    out = ex.waves.output
    if out.empty:
        return none
    if not ex.sure(out):
        return Look("?", "", 0)
    runner = ""
    if out.probs is not None:
        order = np.argsort(-np.asarray(out.probs, np.float64), kind="stable")
        p = np.asarray(out.probs, np.float64)[order]
        if len(p) > 1 and p[0] - p[1] <= ex.cfg.answer.close_margin:
            runner = ex.say("or_runner_up", digit=int(order[1]))
    t = (ex.now - ex.waves.changed_at) / GLOW_SECONDS
    glow = GLOW_STEPS if not np.isfinite(t) else int(np.clip(t, 0.0, 1.0) * GLOW_STEPS)
    return Look(str(out.digit), runner, glow)


class AnswerView:
    def __init__(self, theme: Theme, rect: pygame.Rect) -> None:
        self.theme = theme
        self.rect = rect
        self._size = self._fit()
        self._glows: dict[str, pygame.Surface] = {}
        self._ink: dict[str, pygame.Rect] = {}  # per glyph, its ink within its text surface
        self._unprepared = list(GLYPHS)

    def _fit(self) -> int:
        """The font size (for a 1080-line screen) whose glyph, its glow and the runner-up's
        line below it fill the region (the line's room is kept, so the glyph never jumps)."""
        th, r = self.theme, self.rect
        ref = 100
        box = th.text("8", ref, "text", True).get_bounding_rect()
        wide = max(th.text(g, ref, "text", True).get_bounding_rect().w for g in "0123456789?")
        self.line_h = th.font(LABEL).get_linesize()
        cap = (r.h - self.line_h) / (1 + 2 * GLOW_REACH)
        k = min(cap / max(1, box.h), 0.8 * r.w / max(1, wide))
        size = max(BODY, int(ref * k))
        self.reach = round(GLOW_REACH * th.text("8", size, "text", True).get_bounding_rect().h)
        return size

    def prepare(self, glyph: str | None = None) -> bool:
        """Render ``glyph`` (default: the next one not yet rendered) and its glow ahead of
        need: a few ms on a 4K screen, better spent in a quiet frame, or as a reading's wave
        sets off, than in the frame where the answer arrives. False when it was ready."""
        if glyph is None:
            glyph = self._unprepared[0] if self._unprepared else None
        if glyph not in self._unprepared:
            return False
        self._unprepared.remove(glyph)
        self.ink_of(glyph)
        if glyph != "?":
            self._glow(glyph, self.theme.text(glyph, self._size, "text", True))
        return True

    def ink_of(self, glyph: str) -> pygame.Rect:
        """Where the ink lies in ``glyph``'s text surface (found once per glyph: a scan of a
        large surface costs milliseconds on a 4K screen)."""
        if glyph not in self._ink:
            self._ink[glyph] = self.theme.text(glyph, self._size, "text", True).get_bounding_rect()
        return pygame.Rect(self._ink[glyph])

    def glyph_box(self, glyph: str) -> pygame.Rect:
        """Where ``glyph``'s ink lies (centred across, its glow's reach below the top)."""
        ink = self.ink_of(glyph)
        cap = self.ink_of("8")
        ink.centerx = self.rect.centerx
        ink.bottom = self.rect.y + self.reach + cap.h  # on the baseline of the digits
        return ink

    def _glow(self, glyph: str, t: pygame.Surface) -> tuple[pygame.Surface, int]:
        """A blurred copy of the glyph in the answer colour, and how far it reaches out."""
        pad = self.reach
        if glyph not in self._glows:
            th = self.theme
            base = pygame.Surface((t.get_width() + 2 * pad, t.get_height() + 2 * pad), pygame.SRCALPHA)
            base.blit(th.text(glyph, self._size, th.c["answer"], True), (pad, pad))
            small = pygame.transform.smoothscale(base, (max(1, base.get_width() // 12),
                                                        max(1, base.get_height() // 12)))
            self._glows[glyph] = pygame.transform.smoothscale(small, base.get_size())
        return self._glows[glyph], pad

    def draw(self, surface: pygame.Surface, lk: Look) -> None:
        th, r = self.theme, self.rect
        if not lk.glyph:
            return
        t = th.text(lk.glyph, self._size, "text", True)
        ink = self.glyph_box(lk.glyph)
        bounds = self.ink_of(lk.glyph)
        at = (ink.x - bounds.x, ink.y - bounds.y)
        box = ink.inflate(2 * self.reach, 2 * self.reach).clip(r)  # the glyph and its glow
        if lk.glyph != "?" and lk.glow > 0:
            glow, pad = self._glow(lk.glyph, t)
            glow.set_alpha(round(160 * lk.glow / GLOW_STEPS))
            clip = surface.get_clip()
            surface.set_clip(box)
            surface.blit(glow, (at[0] - pad, at[1] - pad))
            surface.set_clip(clip)
        th.blit(surface, t, pygame.Rect(at, t.get_size()), "answer")
        th.note(box, "answer", "text", "background", r, th.font(self._size, True).get_linesize(),
                lk.glyph)
        if lk.runner_up:
            size, width = LABEL, r.w - th.px(12)
            while th.font(size).size(lk.runner_up)[0] > width and size > BODY:
                size -= 2
            th.put(surface, lk.runner_up, size, "text", "background", "runner-up", r,
                   midtop=(r.centerx, box.bottom))
