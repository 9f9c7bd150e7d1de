"""Primitives for what the teacher keys put over the screen: cards placed in free space with a
leader line to what they explain, badges, outlines, the help card and a neuron's card.

Nothing here covers what it explains: notes and badges go where :func:`free_spot` finds room
next to the things on screen (``occupied``), and each placed box is added to ``occupied`` so
the next one does not land on it. Every text is recorded through ``Theme.put``; opaque cards
that hide what is under them on purpose (help, a neuron's card) are recorded as "cover".
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from exhibit.layout.regions import free_spot
from exhibit.views.theme import BODY, HEAD, LABEL, Theme


def card(surface: pygame.Surface, theme: Theme, rect: pygame.Rect, edge: str = "muted") -> None:
    """An opaque card (text on it has exactly the background colour behind it)."""
    rad = theme.px(16)
    pygame.draw.rect(surface, theme.c["background"], rect, border_radius=rad)
    pygame.draw.rect(surface, theme.c[edge], rect, width=max(2, theme.px(3)), border_radius=rad)
    theme.cover(surface, rect)


def _nearest(r: pygame.Rect, p: tuple[float, float]) -> tuple[float, float]:
    return (min(max(p[0], r.x), r.right - 1), min(max(p[1], r.y), r.bottom - 1))


def leader(surface: pygame.Surface, theme: Theme, box: pygame.Rect, target: pygame.Rect,
           colour: str = "muted") -> pygame.Rect:
    """A line from a note to the nearest point of what it explains, ending in a dot."""
    end = _nearest(target, box.center)
    start = _nearest(box, end)
    col = theme.c[colour]
    r = pygame.draw.line(surface, col, start, end, max(2, theme.px(3)))
    return r.union(pygame.draw.circle(surface, col, end, theme.px(7)))


def note(surface: pygame.Surface, theme: Theme, text: str, target: pygame.Rect,
         occupied: list[pygame.Rect], kind: str, size: int = BODY, edge: str = "muted",
         line_to: bool = True, fill: str | None = None) -> list[pygame.Rect]:
    """A card holding ``text`` in the free space nearest ``target``, joined to it by a line
    (``fill``: a coloured badge instead, text in the background colour)."""
    pad, gap = theme.px(12), theme.px(14)
    bounds = surface.get_rect().inflate(-2 * gap, -2 * gap)
    lh = theme.font(size).get_linesize()
    bold = fill is not None
    f = theme.font(size, bold, theme.face_of(text))  # the font put() will set it in
    best = None
    # the widest unbreakable run (a formula is joined by no-break spaces): no shape splits it
    longest = 0 if any(ord(c) > 0x2e80 for c in text) else max(
        f.size(word)[0] for word in text.replace("\n", " ").split(" "))
    for width in range(220, 940, 40):  # the nearest spot over a sweep of shapes
        w = min(theme.px(width), bounds.w)
        if longest > w - 2 * pad and w < bounds.w:
            continue
        lines = theme.wrap(text, size, w - 2 * pad, bold)
        inner_w = max(f.size(l)[0] for l in lines)
        box_w, box_h = inner_w + 2 * pad, lh * len(lines) + 2 * pad
        spot = free_spot([o.inflate(2 * gap, 2 * gap) for o in occupied], bounds, box_w, box_h,
                         target, max(4, theme.px(8)))
        if spot is None:
            continue
        # near its target, and not a tall thin column of words (that would crowd the others)
        d = math.dist(_nearest(spot, target.center), _nearest(target, spot.center)) + box_h * 0.6
        if best is None or d < best[0] - theme.px(20):
            best = (d, spot, w - 2 * pad)
    if best is None:  # no room anywhere: keep it on screen, beside its target (tests catch this)
        w = min(theme.px(520), bounds.w)
        lines = theme.wrap(text, size, w - 2 * pad, bold)
        spot = pygame.Rect(0, 0, w, lh * len(lines) + 2 * pad)
        spot.midtop = target.midbottom
        spot.clamp_ip(bounds)
        best = (0, spot, w - 2 * pad)
    _, box, text_w = best
    out = [box]
    if fill is not None:
        pygame.draw.rect(surface, theme.c[fill], box, border_radius=theme.px(12))
        theme.cover(surface, box)
        theme.put(surface, text, size, "background", fill, kind, box, bold=True, width=text_w,
                  center=box.center)
    else:
        if line_to and not box.colliderect(target):
            out.append(leader(surface, theme, box, target, edge))
        card(surface, theme, box, edge)
        theme.put(surface, text, size, "text", "background", kind, box, width=text_w,
                  align="left", center=box.center)
    occupied.append(box)
    return out


def badge(surface: pygame.Surface, theme: Theme, text: str, target: pygame.Rect,
          occupied: list[pygame.Rect], colour: str = "answer") -> pygame.Rect:
    """A short coloured label (PAUSED, centring off) in free space near ``target``."""
    return note(surface, theme, text, target, occupied, "badge", LABEL, fill=colour)[0]


def highlight(surface: pygame.Surface, theme: Theme, rect: pygame.Rect) -> pygame.Rect:
    pygame.draw.rect(surface, theme.c["answer"], rect, width=max(3, theme.px(5)),
                     border_radius=theme.px(14))
    return rect


def help_card(surface: pygame.Surface, theme: Theme, title: str, lines: list[str]) -> pygame.Rect:
    """The teacher's key list, over the middle of the screen (a modal card: it hides what is
    under it, on purpose)."""
    sw, sh = surface.get_size()
    pad = theme.px(36)
    width = min(sw - theme.px(40), theme.px(1100))
    f = theme.font(BODY)
    wrapped = [theme.wrap(l, BODY, width - 2 * pad) for l in lines]
    lh = f.get_linesize()
    head_h = theme.font(HEAD).get_linesize()
    h = head_h + theme.px(18) + sum(len(w) * lh + theme.px(6) for w in wrapped) + 2 * pad
    rect = pygame.Rect(0, 0, width, min(h, sh - theme.px(20)))
    rect.center = (sw // 2, sh // 2)
    card(surface, theme, rect)
    theme.note(rect, "cover", "text", "background", None, 0)
    y = rect.y + pad
    theme.put(surface, title, HEAD, "answer", "background", "help", rect, bold=True,
              width=width - 2 * pad, midtop=(rect.centerx, y))
    y += head_h + theme.px(18)
    for l in lines:
        box = theme.put(surface, l, BODY, "text", "background", "help", rect,
                        width=width - 2 * pad, align="left", topleft=(rect.x + pad, y))
        y = box.bottom + theme.px(6)
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
    side = size // v.shape[0] * v.shape[0] or size  # whole pixels per weight: crisp
    return pygame.transform.scale(surf, (side, side))


def weight_bars(values: np.ndarray, theme: Theme, size: tuple[int, int]) -> pygame.Surface:
    """Incoming weights from a hidden layer as bars (orange up, blue down), in neuron order: a
    hidden layer has no picture, so no image either."""
    w, h = size
    v = np.asarray(values, np.float32).reshape(-1)
    m = float(np.abs(v).max()) or 1.0
    surf = pygame.Surface(size)
    surf.fill(theme.c["background"])
    mid = h // 2
    pygame.draw.line(surf, theme.c["muted"], (0, mid), (w - 1, mid))
    step = w / len(v)
    for i, x in enumerate(v.tolist()):
        bh = round(abs(x) / m * (h / 2 - 2))
        if bh == 0:
            continue
        x0 = round(i * step)
        bw = max(1, round((i + 1) * step) - x0 - (1 if step >= 4 else 0))
        r = pygame.Rect(x0, mid - bh if x > 0 else mid + 1, bw, bh)
        pygame.draw.rect(surf, theme.c["positive" if x > 0 else "negative"], r)
    return surf


def neuron_card(surface: pygame.Surface, theme: Theme, rect: pygame.Rect, title: str,
                weights: np.ndarray, product: np.ndarray, labels: tuple[str, str], values: str,
                side: int | None) -> pygame.Rect:
    """``side``: the input picture's side for a first-layer neuron (weights shown as images),
    None for deeper ones (weights shown as bars)."""
    card(surface, theme, rect, "answer")
    theme.note(rect, "cover", "text", "background", None, 0)
    pad = theme.px(24)
    inner = rect.w - 2 * pad
    head = theme.put(surface, title, HEAD, "answer", "background", "card title", rect, bold=True,
                     width=inner, midtop=(rect.centerx, rect.y + pad))
    lh = theme.font(BODY).get_linesize()
    vals_h = theme.font(LABEL).get_linesize()
    y = head.bottom + pad
    if side is not None:  # two pictures side by side, each under its label
        cell = min((inner - pad) // 2, rect.bottom - pad - vals_h - pad - y - 2 * lh - theme.px(8))
        for i, (vals, label) in enumerate(((weights, labels[0]), (product, labels[1]))):
            x = rect.x + pad + i * ((inner + pad) // 2)
            t = theme.put(surface, label, BODY, "muted", "background", "card label", rect,
                          width=(inner - pad) // 2, midtop=(x + (inner - pad) // 4, y))
            img = heatmap(vals.reshape(side, side), theme, cell)
            surface.blit(img, img.get_rect(midtop=(x + (inner - pad) // 4, y + 2 * lh + theme.px(8))))
        bottom = y + 2 * lh + theme.px(8) + cell
    else:  # two bar charts, one above the other
        chart_h = (rect.bottom - pad - vals_h - pad - y - 2 * (lh + theme.px(8))) // 2
        for vals, label in ((weights, labels[0]), (product, labels[1])):
            t = theme.put(surface, label, BODY, "muted", "background", "card label", rect,
                          width=inner, midtop=(rect.centerx, y))
            y = t.bottom + theme.px(8)
            surface.blit(weight_bars(vals, theme, (inner, max(8, chart_h))), (rect.x + pad, y))
            y += chart_h
        bottom = y
    theme.put(surface, values, LABEL, "text", "background", "card values", rect, bold=True,
              width=inner, midtop=(rect.centerx, bottom + pad // 2))
    return rect


def explain_card(surface: pygame.Surface, theme: Theme, canvas: pygame.Rect, texts: list[str],
                 kind: str = "explain", edge: str = "answer") -> pygame.Rect:
    """Texts on one card over the middle of the canvas, as tall as they need, for views whose
    panels leave no free space for notes beside them (the CNN's, the compare view)."""
    pad = theme.px(28)
    width = canvas.w - theme.px(20)
    lh = theme.font(BODY).get_linesize()
    wrapped = [theme.wrap(t, BODY, width - 2 * pad) for t in texts]
    h = sum(len(w) for w in wrapped) * lh + (len(texts) + 1) * pad
    rect = pygame.Rect(0, 0, width, min(h, canvas.h - theme.px(20)))
    rect.center = canvas.center
    card(surface, theme, rect, edge)
    theme.note(rect, "cover", "text", "background", None, 0)
    y = rect.y + pad
    for t in texts:
        box = theme.put(surface, t, BODY, "text", "background", kind, rect,
                        width=width - 2 * pad, align="left", topleft=(rect.x + pad, y))
        y = box.bottom + pad
    return rect
