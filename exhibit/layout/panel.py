"""The touch teacher panel's geometry: where a long press opens it and where its buttons are.
The state hit-tests with these rects and ``exhibit.views.operator`` draws them."""
from __future__ import annotations

import math

import pygame

from exhibit.layout.regions import Layout

# the panel's buttons, in reading order: the same actions as the teacher keys
PANEL_ACTIONS = ("freeze", "step_back", "step", "explain", "learn", "design", "help", "about",
                 "clear", "model", "compare", "centring", "ablation", "restore", "language",
                 "close")
COLUMNS = 3


def corner(layout: Layout) -> pygame.Rect:
    """Where a long press opens the panel: the top-left corner, clear of the canvas."""
    side = min(layout.px(120), max(1, layout.canvas.y - 1))
    return pygame.Rect(0, 0, side, side)


CONFIRM_SECONDS = 5.0  # how long panel.confirm waits for its tap after the hold


def confirm_rect(layout: Layout) -> pygame.Rect:
    """``panel.confirm``: the target a hold on ``panel.open`` brings up, in the middle of the
    screen (far from the corner and off the canvas's middle), so that a visitor's stray hold
    does not open the panel; a finger wide."""
    w, h = layout.size
    r = pygame.Rect(0, 0, min(w // 3, layout.px(420)), layout.px(110))
    r.center = (w // 2, h // 2)
    return r


def panel_rect(layout: Layout) -> pygame.Rect:
    w, h = layout.size
    rows = math.ceil(len(PANEL_ACTIONS) / COLUMNS)
    pw = min(w - layout.px(40), layout.px(900))
    ph = min(h - layout.px(40), layout.px(120) + rows * layout.px(104))
    r = pygame.Rect(0, 0, pw, ph)
    r.center = (w // 2, h // 2)
    return r


def panel_buttons(layout: Layout) -> list[tuple[str, pygame.Rect]]:
    """Every panel button's action and rect (the state hit-tests with these)."""
    r = panel_rect(layout)
    pad = layout.px(16)
    top = r.y + layout.px(100)
    rows = math.ceil(len(PANEL_ACTIONS) / COLUMNS)
    bw = (r.w - pad * (COLUMNS + 1)) / COLUMNS
    bh = (r.bottom - top - pad * rows) / rows
    out = []
    for i, action in enumerate(PANEL_ACTIONS):
        row, col = divmod(i, COLUMNS)
        out.append((action, pygame.Rect(round(r.x + pad + col * (bw + pad)), round(top + row * (bh + pad)),
                                        round(bw), round(bh))))
    return out


def panel_hit(layout: Layout, x: float, y: float) -> str | None:
    """The panel action under a tap, "outside" off the panel, None on its frame."""
    for action, rect in panel_buttons(layout):
        if rect.collidepoint(x, y):
            return action
    return None if panel_rect(layout).collidepoint(x, y) else "outside"
