"""What the teacher keys put over the screen: the paused badge, the step-through highlight and
its one-line explanation, the explain captions, the help card and a neuron's detail."""
from __future__ import annotations

import math

import numpy as np
import pygame

from exhibit.views.theme import Theme


def _card(surface: pygame.Surface, theme: Theme, rect: pygame.Rect, alpha: int = 235) -> None:
    card = pygame.Surface(rect.size, pygame.SRCALPHA)
    bg = theme.c["background"]
    pygame.draw.rect(card, (bg.r, bg.g, bg.b, alpha), card.get_rect(), border_radius=theme.px(16))
    pygame.draw.rect(card, (*theme.c["muted"][:3], 255), card.get_rect(), width=max(2, theme.px(3)),
                     border_radius=theme.px(16))
    surface.blit(card, rect)


def wrapped(theme: Theme, text: str, size: int, width: int, colour: str = "text") -> pygame.Surface:
    f = theme.font(size)
    col = theme.c[colour]
    return f.render(text, True, col, wraplength=max(50, width))


def badge(surface: pygame.Surface, theme: Theme, text: str, midtop: tuple[int, int],
          colour: str = "neuron") -> pygame.Rect:
    t = theme.text(text, 34, "background", bold=True)
    r = t.get_rect(midtop=midtop).inflate(theme.px(28), theme.px(14))
    r.clamp_ip(surface.get_rect())
    pygame.draw.rect(surface, theme.c[colour], r, border_radius=theme.px(12))
    surface.blit(t, t.get_rect(center=r.center))
    return r


def banner(surface: pygame.Surface, theme: Theme, text: str, rect: pygame.Rect) -> pygame.Rect:
    _card(surface, theme, rect, 255)
    t = wrapped(theme, text, 36, rect.w - theme.px(40))
    surface.blit(t, t.get_rect(center=rect.center))
    return rect


def highlight(surface: pygame.Surface, theme: Theme, rect: pygame.Rect) -> pygame.Rect:
    pygame.draw.rect(surface, theme.c["neuron"], rect, width=max(3, theme.px(5)),
                     border_radius=theme.px(14))
    return rect


def captions(surface: pygame.Surface, theme: Theme, items: list[tuple[pygame.Rect, str]]
             ) -> list[pygame.Rect]:
    out = []
    for rect, text in items:
        w = max(theme.px(220), rect.w - theme.px(24))
        t = wrapped(theme, text, 28, w - theme.px(24))
        box = pygame.Rect(0, 0, w, t.get_height() + theme.px(24))
        box.midbottom = (rect.centerx, rect.bottom - theme.px(12))
        box.clamp_ip(surface.get_rect())
        _card(surface, theme, box, 245)
        surface.blit(t, t.get_rect(center=box.center))
        out.append(box)
    return out


def help_card(surface: pygame.Surface, theme: Theme, title: str, lines: list[str]) -> pygame.Rect:
    sw, sh = surface.get_size()
    rows = [theme.text(l, 34, "text") for l in lines]
    head = theme.text(title, 48, "neuron", bold=True)
    w = max([head.get_width()] + [r.get_width() for r in rows]) + theme.px(80)
    h = head.get_height() + sum(r.get_height() + theme.px(8) for r in rows) + theme.px(80)
    rect = pygame.Rect(0, 0, min(w, sw - 20), min(h, sh - 20))
    rect.center = (sw // 2, sh // 2)
    _card(surface, theme, rect, 245)
    y = rect.y + theme.px(30)
    surface.blit(head, head.get_rect(midtop=(rect.centerx, y)))
    y += head.get_height() + theme.px(18)
    for r in rows:
        surface.blit(r, (rect.x + theme.px(40), y))
        y += r.get_height() + theme.px(8)
    return rect


def heatmap(values: np.ndarray, theme: Theme, size: int) -> pygame.Surface:
    """A weight grid: orange positive, blue negative, black zero, scaled by the largest |w|."""
    v = np.asarray(values, np.float32)
    m = float(np.abs(v).max()) or 1.0
    t = np.clip(v / m, -1, 1)
    pos = np.array(theme.c["positive"][:3], np.float32)
    neg = np.array(theme.c["negative"][:3], np.float32)
    rgb = (np.clip(t, 0, 1)[..., None] * pos + np.clip(-t, 0, 1)[..., None] * neg).astype(np.uint8)
    surf = pygame.surfarray.make_surface(rgb.transpose(1, 0, 2))
    return pygame.transform.scale(surf, (size, size))


def square(vec: np.ndarray) -> np.ndarray:
    """Lay a weight vector out as the squarest grid (28x28, 14x14, 5x5, ...), zero-padded."""
    n = len(vec)
    side = math.isqrt(n)
    if side * side == n:
        return vec.reshape(side, side)
    side += 1
    out = np.zeros(side * side, vec.dtype)
    out[:n] = vec
    return out.reshape(side, side)


def neuron_card(surface: pygame.Surface, theme: Theme, rect: pygame.Rect, title: str,
                weights: np.ndarray, product: np.ndarray, labels: tuple[str, str], values: str
                ) -> pygame.Rect:
    _card(surface, theme, rect, 245)
    pad = theme.px(24)
    head = theme.text(title, 40, "neuron", bold=True)
    surface.blit(head, head.get_rect(midtop=(rect.centerx, rect.y + pad)))
    side = min((rect.w - 3 * pad) // 2, rect.h - head.get_height() - theme.px(170))
    y = rect.y + pad + head.get_height() + theme.px(50)
    for i, (vals, label) in enumerate(((weights, labels[0]), (product, labels[1]))):
        x = rect.x + pad + i * (side + pad)
        t = theme.text(label, 30, "muted")
        surface.blit(t, t.get_rect(midbottom=(x + side // 2, y - theme.px(8))))
        surface.blit(heatmap(square(vals), theme, side), (x, y))
        pygame.draw.rect(surface, theme.c["background"].lerp(theme.c["muted"], 0.6),
                         pygame.Rect(x, y, side, side), width=2)
    v = theme.text(values, 38, "text", bold=True)
    surface.blit(v, v.get_rect(midtop=(rect.centerx, y + side + theme.px(24))))
    return rect
