"""Where talk-back's buttons sit (issue 24): inside the region ``layout.<orientation>.talk``, a
line of text on top and, below it, one button, two, or the ten digits. Pure geometry, like
:mod:`exhibit.layout.regions`: the state hit-tests taps with the very rects the views draw.

Kinds of panel: ``one`` (a single button: fool, teach), ``two`` (feedback.right and
feedback.wrong), ``ten`` (meant.0-9 or whatif.0-9: one row when that gives the larger buttons,
else two rows of five) and ``text`` (lines only: the tally, an invitation, a result).
"""
from __future__ import annotations

from typing import NamedTuple

import pygame

from exhibit.layout.regions import Layout

LINE = 34  # px at 1080 lines kept for the panel's one line of text above its buttons
GAP = 6
WIDE = 5  # a region this many times wider than tall puts the text beside one or two buttons


class Panel(NamedTuple):
    line: pygame.Rect  # where the panel's text goes
    buttons: tuple[pygame.Rect, ...]  # in order: [right, wrong], [0..9], or [the button]


def region(layout: Layout) -> pygame.Rect:
    return layout.rects["talk"]


def panel(layout: Layout, kind: str) -> Panel:
    """The text line and the buttons of a panel of ``kind`` (one, two, ten, text)."""
    r = region(layout)
    gap = layout.px(GAP)
    if kind == "text":
        return Panel(pygame.Rect(r), ())
    if kind in ("one", "two") and r.w >= WIDE * r.h:  # a long strip: the text beside them
        line = pygame.Rect(r.x, r.y, int(r.w * 0.38), r.h)
        room = pygame.Rect(line.right + gap, r.y, r.right - line.right - gap, r.h)
        if kind == "one":
            return Panel(line, (room,))
        w = max(1, (room.w - gap) // 2)
        return Panel(line, (pygame.Rect(room.x, room.y, w, room.h),
                            pygame.Rect(room.right - w, room.y, w, room.h)))
    lines = 2 if kind == "one" else 1  # a single button leaves room for a longer question
    line = pygame.Rect(r.x, r.y, r.w, min(layout.px(LINE) * lines, r.h // 2 if lines > 1 else r.h // 3))
    room = pygame.Rect(r.x, line.bottom + gap // 2, r.w, max(1, r.bottom - line.bottom - gap // 2))
    if kind == "one":
        return Panel(line, (room,))
    if kind == "two":
        w = max(1, (room.w - gap) // 2)
        return Panel(line, (pygame.Rect(room.x, room.y, w, room.h),
                            pygame.Rect(room.right - w, room.y, w, room.h)))
    best: tuple[int, list[pygame.Rect]] | None = None
    for rows in (1, 2):
        per = 10 // rows
        bw = (room.w - (per - 1) * gap) / per
        bh = (room.h - (rows - 1) * gap) / rows
        rects = [pygame.Rect(round(room.x + (i % per) * (bw + gap)),
                             round(room.y + (i // per) * (bh + gap)),
                             max(1, int(bw)), max(1, int(bh))) for i in range(10)]
        side = int(min(bw, bh))
        if best is None or side > best[0]:
            best = (side, rects)
    return Panel(line, tuple(best[1]))


def names(kind: str, family: str) -> list[str]:
    """The targets' names of a panel: ``family`` is feedback, meant, whatif, fool or teach."""
    if kind == "two":
        return ["feedback.right", "feedback.wrong"]
    if kind == "ten":
        return [f"{family}.{d}" for d in range(10)]
    if kind == "one":
        return [family]
    return []


def targets(layout: Layout, kind: str, family: str) -> list[tuple[str, pygame.Rect]]:
    return list(zip(names(kind, family), panel(layout, kind).buttons))


def hit(layout: Layout, kind: str, family: str, x: float, y: float) -> str | None:
    for name, r in targets(layout, kind, family):
        if r.collidepoint(x, y):
            return name
    return None
