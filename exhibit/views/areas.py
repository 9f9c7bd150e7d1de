"""Where a frame is painted: the areas of the composed layer (the parts the readings paint,
each repainted only when its inputs change) and the rectangle arithmetic behind dirty rects.

Pure geometry on pygame.Rects and numpy; no drawing here.
"""
from __future__ import annotations

import numpy as np
import pygame

from exhibit.layout.regions import Layout

PAINT_ORDER = ("pic", "net", "bars", "title")  # what the readings paint, in this order


def paint_rank(name: str) -> int:
    """Where a part paints in PAINT_ORDER (the network's strips, "net:...", as the network)."""
    return PAINT_ORDER.index(name.split(":")[0])


def minus(r: pygame.Rect, o: pygame.Rect) -> list[pygame.Rect]:
    """What of ``r`` lies outside ``o``: up to four rects (above, below, left, right)."""
    if not r.colliderect(o):
        return [r]
    c = r.clip(o)
    parts = [pygame.Rect(r.x, r.y, r.w, c.y - r.y), pygame.Rect(r.x, c.bottom, r.w, r.bottom - c.bottom),
             pygame.Rect(r.x, c.y, c.x - r.x, c.h), pygame.Rect(c.right, c.y, r.right - c.right, c.h)]
    return [q for q in parts if q.w > 0 and q.h > 0]


def separate(rects: list[pygame.Rect]) -> list[pygame.Rect]:
    """Disjoint rects covering exactly what ``rects`` cover (no more, unlike merging them):
    the largest first, each later one less what is already there, so no pixel of a frame is
    copied or blended twice and small boxes inside a large area cost nothing."""
    out: list[pygame.Rect] = []
    for r in sorted((pygame.Rect(r) for r in rects), key=lambda r: -r.w * r.h):
        if r.w <= 0 or r.h <= 0:
            continue
        pieces = [r]
        for i in r.collidelistall(out):
            o = out[i]
            pieces = [q for p in pieces for q in minus(p, o)]
            if not pieces:
                break
        out += pieces
    return out


def cover(boxes: np.ndarray, bounds: pygame.Rect, cell: int = 32) -> list[pygame.Rect]:
    """Few rects covering many small overlapping boxes ((n, 4) x0, y0, x1, y1: pulses and
    their trails): the cells of a grid that any box touches, as one rect per run of cells in a
    row. Painting these costs far less than repainting each overlap again and again."""
    a = np.asarray(boxes, np.int64).reshape(-1, 4).copy()
    a[:, 0::2] = np.clip(a[:, 0::2], bounds.x, bounds.right)
    a[:, 1::2] = np.clip(a[:, 1::2], bounds.y, bounds.bottom)
    a = a[(a[:, 2] > a[:, 0]) & (a[:, 3] > a[:, 1])]
    if not len(a):
        return []
    x0, y0 = (a[:, 0] - bounds.x) // cell, (a[:, 1] - bounds.y) // cell
    x1, y1 = (a[:, 2] - 1 - bounds.x) // cell + 1, (a[:, 3] - 1 - bounds.y) // cell + 1
    nx, ny = -(-bounds.w // cell), -(-bounds.h // cell)
    w = nx + 1  # a 2-D difference array, one count per box corner
    idx = np.concatenate([y0 * w + x0, y0 * w + x1, y1 * w + x0, y1 * w + x1])
    sign = np.repeat(np.array([1, -1, -1, 1]), len(a))
    diff = np.bincount(idx, sign, minlength=(ny + 1) * w).reshape(ny + 1, w)
    on = diff.cumsum(0).cumsum(1)[:ny, :nx] > 0.5
    edges = np.diff(np.pad(on.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    out: list[pygame.Rect] = []
    above: dict[tuple[int, int], pygame.Rect] = {}  # the runs of the row above, to grow down
    for row in range(ny):
        if not on[row].any():
            above = {}
            continue
        cols = np.flatnonzero(edges[row])
        runs = {}
        for s0, e0 in zip(cols[0::2].tolist(), cols[1::2].tolist()):
            r = above.get((s0, e0))
            if r is not None and r.bottom == bounds.y + row * cell:
                r.h += cell  # the same run one row down: one taller rect
            else:
                r = pygame.Rect(bounds.x + s0 * cell, bounds.y + row * cell, (e0 - s0) * cell, cell)
                out.append(r)
            runs[(s0, e0)] = r
        above = runs
    return [r.clip(bounds) for r in out]

def group(named: list[tuple[str, pygame.Rect]]) -> list[tuple[pygame.Rect, list[str]]]:
    """Named areas merged where they overlap (a dial's digits are the network's outputs), so
    that no pixel belongs to two parts; each part with its names in paint order, the parts in
    paint order."""
    parts: list[tuple[pygame.Rect, list[str]]] = []
    for name, rect in named:
        rect, names = pygame.Rect(rect), [name]
        for i in reversed(range(len(parts))):
            if parts[i][0].colliderect(rect):
                other, more = parts.pop(i)
                rect, names = rect.union(other), more + names
        parts.append((rect, sorted(names, key=paint_rank)))
    parts.sort(key=lambda part: paint_rank(part[1][0]))
    return parts


def net_strips(lay: Layout, edge: float, area: pygame.Rect, reach: float
               ) -> list[tuple[pygame.Rect, str, int]] | None:
    """The network's area cut across into strips that tile it: ``("C", l)`` around column
    l (its neurons, the ends of the lines into and out of it; column 0 is where the
    picture's lines start) and ``("G", l)`` between columns l-1 and l (only the lines into
    layer l pass there). None where the columns do not stand apart in x (a dial, a
    layout whose columns are not upright lines)."""
    if lay.dial is not None or not len(lay.pos[0]):
        return None
    xs = [edge]
    for p in lay.pos[1:]:
        if not len(p) or float(np.ptp(p[:, 0])) > 0.5:
            return None
        xs.append(float(p[0, 0]))
    order = sorted(range(len(xs)), key=lambda l: xs[l])
    gaps = np.diff([xs[l] for l in order])
    if not (order == list(range(len(xs))) or order == list(range(len(xs)))[::-1]) or \
            (gaps <= 2 * reach + 2).any():
        return None
    cuts, kinds = [area.left], []
    for i, l in enumerate(order):  # from the left: column, gap, column, ..., column
        if i:
            cuts.append(round(xs[l] - reach))
            kinds.append(("G", max(l, order[i - 1])))
        kinds.append(("C", l))
        cuts.append(round(xs[l] + reach) if i < len(order) - 1 else area.right)
    if any(b <= a for a, b in zip(cuts, cuts[1:])) or cuts[1] <= area.left:
        return None
    return [(pygame.Rect(x0, area.y, x1 - x0, area.h), kind, l)
            for (x0, x1), (kind, l) in zip(zip(cuts, cuts[1:]), kinds)]
