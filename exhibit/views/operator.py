"""What an operator without a keyboard sees: the touch teacher panel (its geometry is shared
with the state's hit test), the about card with the credits, and the countdown ring while the
quit chord is held. Reads state only.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pygame

from exhibit.app.modes import Mode
from exhibit.views import overlays
from exhibit.views.layout import Layout
from exhibit.views.theme import Theme
from exhibit.version import describe

if TYPE_CHECKING:
    from exhibit.app.exhibit import Exhibit

# the panel's buttons, in reading order: the same actions as the teacher keys
PANEL_ACTIONS = ("freeze", "step_back", "step", "explain", "help", "about", "clear", "model",
                 "compare", "centring", "ablation", "restore", "language", "close")
COLUMNS = 3
RING_STEPS = 24  # the chord ring is redrawn at most this many times while it fills


def corner(layout: Layout) -> pygame.Rect:
    """Where a long press opens the panel: the top-left corner, clear of the canvas."""
    side = min(layout.px(120), max(1, layout.canvas.y - 1))
    return pygame.Rect(0, 0, side, side)


CONFIRM_SECONDS = 5.0  # how long the confirm target waits for its tap after the hold


def confirm_rect(layout: Layout) -> pygame.Rect:
    """The target a hold in the corner brings up: away from the corner and from the canvas's
    middle, so a visitor's hold does not land on it by chance; a finger wide."""
    w, h = layout.size
    r = pygame.Rect(0, 0, min(w // 3, layout.px(420)), layout.px(110))
    r.center = (w // 2, h // 2)
    return r


def targets(ex: "Exhibit") -> list[tuple[str, pygame.Rect]]:
    """The operator targets live now, by name: ``panel.open`` (hold it), ``panel.confirm``
    (tap it, after the hold) and, while the panel is open, ``panel.<action>`` for each of its
    buttons (``panel.freeze``, ...)."""
    layout = ex.layout
    if ex.panel_open:
        return [(f"panel.{a}", pygame.Rect(r)) for a, r in panel_buttons(layout)]
    out = []
    if ex.cfg["operator.hold_seconds"] > 0:
        out.append(("panel.open", corner(layout)))
    if ex.confirm_left is not None:
        out.append(("panel.confirm", confirm_rect(layout)))
    return out


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


def key(ex: "Exhibit") -> tuple:
    q = ex.quit_progress
    return (ex.panel_open, ex.show_about, None if q is None else int(q * RING_STEPS),
            ex.confirm_left is not None)


def draw(surf: pygame.Surface, th: Theme, layout: Layout, ex: "Exhibit") -> list[pygame.Rect]:
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
    return out


def panel(surf: pygame.Surface, th: Theme, layout: Layout, ex: "Exhibit") -> pygame.Rect:
    rect = panel_rect(layout)
    card = pygame.Surface(rect.size, pygame.SRCALPHA)
    bg = th.c["background"]
    pygame.draw.rect(card, (*bg[:3], 250), card.get_rect(), border_radius=th.px(16))
    pygame.draw.rect(card, (*th.c["muted"][:3], 255), card.get_rect(), width=max(2, th.px(3)),
                     border_radius=th.px(16))
    surf.blit(card, rect)
    head = th.text(ex.say("panel_title"), 44, "neuron", bold=True)
    surf.blit(head, head.get_rect(midtop=(rect.centerx, rect.y + th.px(28))))
    on = {"freeze": ex.mode == Mode.FROZEN, "explain": ex.show_explain, "help": ex.show_help,
          "about": ex.show_about, "ablation": ex.ablating, "centring": ex.centring,
          "compare": ex.comparing}
    for action, r in panel_buttons(layout):
        lit = on.get(action, False)
        pygame.draw.rect(surf, th.c["neuron"] if lit else th.c["button"], r, border_radius=th.px(12))
        t = th.text(ex.say(f"panel_{action}"), 34, "background" if lit else "text", bold=lit)
        if t.get_width() > r.w - th.px(10):
            t = pygame.transform.smoothscale_by(t, (r.w - th.px(10)) / t.get_width())
        surf.blit(t, t.get_rect(center=r.center))
    return rect


def confirm(surf: pygame.Surface, th: Theme, layout: Layout, ex: "Exhibit") -> pygame.Rect:
    """The second step of opening the panel: a button to tap within CONFIRM_SECONDS."""
    r = confirm_rect(layout)
    pygame.draw.rect(surf, th.c["neuron"], r, border_radius=th.px(12))
    t = th.text(ex.say("panel_title"), 34, "background", bold=True)
    if t.get_width() > r.w - th.px(10):
        t = pygame.transform.smoothscale_by(t, (r.w - th.px(10)) / t.get_width())
    surf.blit(t, t.get_rect(center=r.center))
    return r


def about_card(surf: pygame.Surface, th: Theme, title: str, lines: list[str]) -> pygame.Rect:
    """Credits and licences: a modal card in the middle, like the help card."""
    return overlays.help_card(surf, th, title, lines)


def chord_ring(surf: pygame.Surface, th: Theme, progress: float, text: str) -> pygame.Rect:
    """A ring that fills while Ctrl+Shift+Q is held (anti-aliased by drawing it 3x and
    smoothing it down)."""
    size = th.px(180)
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
        col = th.c["negative"]
        pygame.draw.lines(big, col, False, pts, width)
        for x, y in (pts[0], pts[-1]):
            pygame.draw.circle(big, col, (x, y), width / 2)
    ring = pygame.transform.smoothscale(big, (size, size))
    sw, sh = surf.get_size()
    rect = ring.get_rect(center=(sw // 2, sh // 2))
    surf.blit(ring, rect)
    t = th.text(text, 36, "text", bold=True)
    label = t.get_rect(midtop=(rect.centerx, rect.bottom + th.px(12)))
    pygame.draw.rect(surf, (*th.c["background"][:3], 235), label.inflate(th.px(24), th.px(12)),
                     border_radius=th.px(10))
    surf.blit(t, label)
    return rect.union(label.inflate(th.px(24), th.px(12)))
