"""What an operator without a keyboard sees: the touch teacher panel (its geometry,
shared with the state's hit test, is in ``exhibit.layout.panel``), the about card with the credits, and the countdown ring while the
quit chord is held. Reads state only.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pygame

from exhibit.state.modes import Mode
from exhibit.views import overlays
from exhibit.layout import panel as panel_geo
from exhibit.layout.panel import panel_buttons, panel_rect
from exhibit.layout.regions import Layout
from exhibit.views.theme import Theme
from exhibit.version import describe

if TYPE_CHECKING:
    from exhibit.state.screenstate import ScreenState

RING_STEPS = 24  # the chord ring is redrawn at most this many times while it fills


def key(ex: "ScreenState") -> tuple:
    q = ex.quit_progress
    h = ex.hold_progress
    return (ex.panel_open, ex.show_about, None if q is None else int(q * RING_STEPS),
            ex.confirm_left is not None, None if h is None else int(h * RING_STEPS))


def draw(surf: pygame.Surface, th: Theme, layout: Layout, ex: "ScreenState") -> list[pygame.Rect]:
    out = []
    if ex.panel_open:
        out.append(panel(surf, th, layout, ex))
    elif ex.confirm_left is not None:
        out.append(confirm(surf, th, layout, ex))
    if ex.show_about:
        lines = ex.say("about_lines").split("|") + [ex.say("about_version", version=describe())]
        out.append(about_card(surf, th, ex.say("about_title"), lines))
    if ex.quit_progress is not None:
        out.append(chord_ring(surf, th, ex.quit_progress, ex.say("quit_hold")))
    if ex.hold_progress is not None and not ex.panel_open:  # the corner hold: how far it is
        corner = panel_geo.corner(layout)
        out.append(ring(surf, th, ex.hold_progress, corner.center, max(8, corner.w - th.px(16))))
    return out


def panel(surf: pygame.Surface, th: Theme, layout: Layout, ex: "ScreenState") -> pygame.Rect:
    rect = panel_rect(layout)
    card = pygame.Surface(rect.size, pygame.SRCALPHA)
    bg = th.c["background"]
    pygame.draw.rect(card, (*bg[:3], 250), card.get_rect(), border_radius=th.px(16))
    pygame.draw.rect(card, (*th.c["muted"][:3], 255), card.get_rect(), width=max(2, th.px(3)),
                     border_radius=th.px(16))
    surf.blit(card, rect)
    th.cover(surf, rect)
    head = th.text(ex.say("panel_title"), 44, "answer", bold=True)
    th.blit(surf, head, head.get_rect(midtop=(rect.centerx, rect.y + th.px(28))), "panel title")
    on = {"freeze": ex.mode == Mode.FROZEN, "explain": ex.show_explain, "help": ex.show_help,
          "about": ex.show_about, "ablation": ex.ablating, "centring": ex.centring,
          "compare": ex.comparing}
    for action, r in panel_buttons(layout):
        lit = on.get(action, False)
        pygame.draw.rect(surf, th.c["answer"] if lit else th.c["button"], r, border_radius=th.px(12))
        t = th.text(ex.say(f"panel_{action}"), 34, "background" if lit else "text", bold=lit)
        if t.get_width() > r.w - th.px(10):
            t = th.shrink(t, r.w - th.px(10))
        th.blit(surf, t, t.get_rect(center=r.center), "panel button")
    return rect


def confirm(surf: pygame.Surface, th: Theme, layout: Layout, ex: "ScreenState") -> pygame.Rect:
    """``panel.confirm``: the gesture's second step, a button to tap within CONFIRM_SECONDS."""
    r = panel_geo.confirm_rect(layout)
    pygame.draw.rect(surf, th.c["answer"], r, border_radius=th.px(12))
    t = th.text(ex.say("panel_title"), 34, "background", bold=True)
    if t.get_width() > r.w - th.px(10):
        t = pygame.transform.smoothscale_by(t, (r.w - th.px(10)) / t.get_width())
    surf.blit(t, t.get_rect(center=r.center))
    return r


def about_card(surf: pygame.Surface, th: Theme, title: str, lines: list[str]) -> pygame.Rect:
    """Credits and licences: a modal card in the middle, like the help card."""
    return overlays.help_card(surf, th, title, lines)


def chord_ring(surf: pygame.Surface, th: Theme, progress: float, text: str) -> pygame.Rect:
    """A ring that fills while Ctrl+Shift+Q is held, with what holding it does."""
    sw, sh = surf.get_size()
    rect = ring(surf, th, progress, (sw // 2, sh // 2), th.px(180))
    t = th.text(text, 36, "text", bold=True)
    label = t.get_rect(midtop=(rect.centerx, rect.bottom + th.px(12)))
    pygame.draw.rect(surf, (*th.c["background"][:3], 235), label.inflate(th.px(24), th.px(12)),
                     border_radius=th.px(10))
    th.cover(surf, label.inflate(th.px(24), th.px(12)))
    th.blit(surf, t, label, "quit ring")
    return rect.union(label.inflate(th.px(24), th.px(12)))


def ring(surf: pygame.Surface, th: Theme, progress: float, center: tuple[int, int],
         size: int) -> pygame.Rect:
    """A progress ring of ``size`` px around ``center`` (anti-aliased by drawing it 3x and
    smoothing it down)."""
    ss = 3
    big = pygame.Surface((size * ss, size * ss), pygame.SRCALPHA)
    c = size * ss / 2
    width = th.px(16) * ss
    pygame.draw.circle(big, (*th.c["background"][:3], 235), (c, c), c)
    pygame.draw.circle(big, (*th.c["muted"][:3], 255), (c, c), c - width, width=width // 3)
    p = min(max(progress, 0.0), 1.0)
    if p > 0:
        n = max(2, int(90 * p))
        pts = [(c + (c - width * 1.2) * math.sin(2 * math.pi * p * i / n),
                c - (c - width * 1.2) * math.cos(2 * math.pi * p * i / n)) for i in range(n + 1)]
        col = th.c["text"]  # not an accent: the four accents each mean one thing
        pygame.draw.lines(big, col, False, pts, width)
        for x, y in (pts[0], pts[-1]):
            pygame.draw.circle(big, col, (x, y), width / 2)
    out = pygame.transform.smoothscale(big, (size, size))
    rect = out.get_rect(center=center)
    surf.blit(out, rect)
    th.cover(surf, rect)
    return rect
