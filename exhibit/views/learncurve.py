"""Watch it learn: a small panel under the network's picture with the live accuracy curve on
held-out digits (and, with ``learn.offer``, the visitors' button). Reads state only.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import pygame

from exhibit.layout.learnbox import box_rect, button_rect, design_button_rect
from exhibit.layout.regions import Layout
from exhibit.views.panels import panel
from exhibit.views.theme import BODY, SMALLEST, Theme

if TYPE_CHECKING:
    from exhibit.state.screenstate import ScreenState

MIN_SECONDS = 60.0  # the time axis spans at least this


def key(ex: "ScreenState") -> tuple | None:
    """What the panel shows; None: no panel."""
    lm = ex.learn
    offer = bool(ex.cfg.learn.offer) and lm.available
    design = design_offered(ex)
    if not lm.active and not offer and not design:
        return None
    return (lm.active, offer, design, ex.lang, lm.curve if lm.active else None,
            (lm.seen // 1000, lm.n_held_out) if lm.active else None)


def design_offered(ex: "ScreenState") -> bool:
    return bool(ex.cfg.learn.design_offer) and ex.design.available and not ex.comparing


def draw(surface: pygame.Surface, th: Theme, layout: Layout, ex: "ScreenState") -> None:
    box = box_rect(layout)
    if box is None or key(ex) is None:
        return
    lm, say = ex.learn, ex.say
    panel(surface, th, box)
    pad = th.px(10)
    offer = bool(ex.cfg.learn.offer) and lm.available
    button = button_rect(layout) if offer else None
    design = design_button_rect(layout, offer) if design_offered(ex) else None
    bottom = min([b.y for b in (button, design) if b is not None] + [box.bottom]) - pad
    curve = lm.curve if lm.active else ()
    if design is not None:
        pygame.draw.rect(surface, th.c["button"], design, border_radius=th.px(12))
        d = fit(th, say("design_offer"), BODY, design.w - 2 * pad, "text", bold=True)
        th.blit(surface, d, d.get_rect(center=design.center), "design offer")
    if lm.active:
        head = say("learn_accuracy", pct=f"{100 * curve[-1][1]:.0f}", n=lm.n_held_out) \
            if curve else say("learn_starting")
    else:
        head = say("learn_invite")
    t = fit(th, head, BODY, box.w - 2 * pad, "text", bold=True)
    if t.get_width() > box.w - 2 * pad:  # too long even at the floor size: two lines or more
        y = box.y + pad
        for line in th.wrap(head, SMALLEST, box.w - 2 * pad, bold=True):
            t = th.text(line, SMALLEST, "text", bold=True)
            th.blit(surface, t, t.get_rect(midtop=(box.centerx, y)), "learn head")
            y += t.get_height()
        head_bottom = y
    else:
        th.blit(surface, t, t.get_rect(midtop=(box.centerx, box.y + pad)), "learn head")
        head_bottom = box.y + pad + t.get_height()
    if lm.active:
        seen = say("learn_seen", seen=f"{lm.seen:,}".replace(",", "\u202f"))
        s = fit(th, seen, SMALLEST, box.w - 2 * pad, "muted")
        th.blit(surface, s, s.get_rect(midbottom=(box.centerx, bottom)), "learn seen")
        axis_w = th.text("100%", SMALLEST, "muted").get_width() + th.px(8)
        plot = pygame.Rect(box.x + pad + axis_w, head_bottom + th.px(10), 0, 0)
        plot.width = box.right - pad - plot.x
        plot.height = bottom - s.get_height() - th.px(8) - plot.y
        if plot.h > th.px(30):
            chart(surface, th, plot, curve)
    if button is not None:
        pygame.draw.rect(surface, th.c["button"], button, border_radius=th.px(12))
        label = say("learn_back") if lm.active else say("learn_start")
        b = fit(th, label, BODY, button.w - 2 * pad, "text", bold=True)
        th.blit(surface, b, b.get_rect(center=button.center), "learn button")


def fit(th: Theme, text: str, size: int, width: int, colour: str, bold: bool = False
        ) -> pygame.Surface:
    """Text at ``size``, smaller until it fits ``width`` (long translations)."""
    t = th.text(text, size, colour, bold=bold)
    while t.get_width() > width and size > SMALLEST:
        size -= 2
        t = th.text(text, size, colour, bold=bold)
    return t


def chart(surface: pygame.Surface, th: Theme, r: pygame.Rect, curve: Sequence[tuple[float, float]]
          ) -> None:
    """Accuracy (0-100 %) over seconds; grid lines at 50 %, 90 % and 100 % (labelled: 50, 100)."""
    grid = th.c["panel"].lerp(th.c["muted"], 0.35)
    for level in (0.5, 0.9, 1.0):
        y = r.bottom - level * r.h
        pygame.draw.line(surface, grid, (r.x, y), (r.right, y), 1)
        if level == 0.9:
            continue  # its line only: a label at the floor size would touch 100 %'s
        lab = th.text(f"{level * 100:.0f}%", SMALLEST, "muted")
        th.blit(surface, lab, lab.get_rect(midright=(r.x - th.px(4), y)), "learn axis")
    pygame.draw.line(surface, th.c["muted"], (r.x, r.bottom), (r.right, r.bottom), 1)
    if not curve:
        return
    span = max(MIN_SECONDS, curve[-1][0])
    pts = [(r.x + r.w * t / span, r.bottom - r.h * a) for t, a in curve]
    if len(pts) > 1:
        pygame.draw.lines(surface, th.c["answer"], False, pts, max(2, th.px(3)))
    pygame.draw.circle(surface, th.c["answer"], pts[-1], th.px(5))
