"""Turning a thinned digit (a skeleton) into ordered pen strokes, as a hand might write it.

Used to redraw real MNIST digits as strokes: for attract mode, benchmarks and our proxies
for finger-drawn input. The order is a heuristic: start at the free end nearest the top
left, keep going as straight as the skeleton allows, lift the pen when stuck.
"""
from __future__ import annotations

import numpy as np

_STEPS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def _neighbours(skel: np.ndarray) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """8-connected adjacency, skipping a diagonal where an orthogonal path joins the pixels."""
    h, w = skel.shape
    on = {(int(r), int(c)) for r, c in zip(*np.nonzero(skel))}
    adj: dict[tuple[int, int], list[tuple[int, int]]] = {p: [] for p in on}
    for r, c in on:
        for dr, dc in _STEPS:
            q = (r + dr, c + dc)
            if q not in on:
                continue
            if dr and dc and ((r + dr, c) in on or (r, c + dc) in on):
                continue
            adj[(r, c)].append(q)
    return adj


def trace(skel: np.ndarray, min_points: int = 2) -> list[np.ndarray]:
    """Ordered strokes (lists of (x, y) pixel centres) covering every skeleton edge once."""
    adj = _neighbours(skel)
    used: set[frozenset] = set()

    def free(p: tuple[int, int]) -> list[tuple[int, int]]:
        return [q for q in adj[p] if frozenset((p, q)) not in used]

    def start_key(p: tuple[int, int]) -> tuple[int, float]:
        # free ends first (a pen starts at an end), then nearest the top left
        return (0 if len(adj[p]) == 1 else 1, p[0] + 0.6 * p[1])

    strokes: list[np.ndarray] = []
    isolated = [p for p in adj if not adj[p]]
    while True:
        cands = [p for p in adj if free(p)]
        if not cands:
            break
        p = min(cands, key=start_key)
        path = [p]
        direction = None
        while True:
            nxt = free(p)
            if not nxt:
                break
            if direction is None:
                q = min(nxt, key=lambda q: (q[0], q[1]))
            else:
                q = max(nxt, key=lambda q: (q[0] - p[0]) * direction[0] + (q[1] - p[1]) * direction[1])
            used.add(frozenset((p, q)))
            d = (q[0] - p[0], q[1] - p[1])
            direction = d if direction is None else (0.5 * direction[0] + d[0], 0.5 * direction[1] + d[1])
            p = q
            path.append(p)
        if len(path) >= min_points:
            strokes.append(np.array([[c + 0.5, r + 0.5] for r, c in path], np.float32))
    for r, c in isolated:
        strokes.append(np.array([[c + 0.5, r + 0.5]], np.float32))
    return strokes


def smooth(stroke: np.ndarray, passes: int = 2) -> np.ndarray:
    """Soften the pixel staircase with a [1 2 1]/4 filter, keeping the end points."""
    s = stroke.astype(np.float32)
    for _ in range(passes):
        if len(s) < 3:
            break
        s = np.vstack([s[:1], (s[:-2] + 2 * s[1:-1] + s[2:]) / 4, s[-1:]])
    return s
