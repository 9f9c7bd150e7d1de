"""Drawings that are not digits, for the 'not a digit' gate: our own stroke templates of
letters that look like no digit and of shapes and doodles, random scribbles, and digits left
unfinished. Every template is drawn with a random warp and a wobbly hand, like the real digits.

Coordinates are in a unit box, x to the right, y down. Families are named so that some can be
held out entirely to see how the gate does on kinds of drawing it never saw.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from exhibit_training.augment import random_affine

Strokes = list[np.ndarray]


def _p(*xy: float) -> np.ndarray:
    return np.asarray(xy, np.float32).reshape(-1, 2)


def arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 24) -> np.ndarray:
    """Points on an ellipse from angle a0 to a1 (degrees; 0 = right, 90 = down)."""
    t = np.deg2rad(np.linspace(a0, a1, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1).astype(np.float32)


def _cat(*parts: np.ndarray) -> np.ndarray:
    return np.concatenate(parts).astype(np.float32)


LETTERS: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "A": lambda r: [_p(0.1, 1, 0.5, 0, 0.9, 1), _p(0.28, 0.6, 0.72, 0.6)],
    "E": lambda r: [_p(0.8, 0, 0.2, 0, 0.2, 1, 0.8, 1), _p(0.2, 0.5, 0.65, 0.5)],
    "F": lambda r: [_p(0.8, 0, 0.2, 0, 0.2, 1), _p(0.2, 0.5, 0.65, 0.5)],
    "H": lambda r: [_p(0.2, 0, 0.2, 1), _p(0.8, 0, 0.8, 1), _p(0.2, 0.5, 0.8, 0.5)],
    "K": lambda r: [_p(0.2, 0, 0.2, 1), _p(0.8, 0, 0.2, 0.55, 0.8, 1)],
    "M": lambda r: [_p(0.1, 1, 0.15, 0, 0.5, 0.6, 0.85, 0, 0.9, 1)],
    "N": lambda r: [_p(0.2, 1, 0.2, 0, 0.8, 1, 0.8, 0)],
    "R": lambda r: [_p(0.2, 1, 0.2, 0), _cat(arc(0.2, 0.27, 0.5, 0.27, -90, 90), _p(0.2, 0.54)),
                    _p(0.35, 0.54, 0.8, 1)],
    "V": lambda r: [_p(0.1, 0, 0.5, 1, 0.9, 0)],
    "W": lambda r: [_p(0.0, 0, 0.25, 1, 0.5, 0.35, 0.75, 1, 1.0, 0)],
    "X": lambda r: [_p(0.1, 0, 0.9, 1), _p(0.9, 0, 0.1, 1)],
    "Y": lambda r: [_p(0.1, 0, 0.5, 0.5, 0.9, 0), _p(0.5, 0.5, 0.5, 1)],
    "T": lambda r: [_p(0.05, 0, 0.95, 0), _p(0.5, 0, 0.5, 1)],
    "P": lambda r: [_p(0.2, 1, 0.2, 0), _cat(arc(0.2, 0.27, 0.55, 0.27, -90, 90), _p(0.2, 0.54))],
    "L": lambda r: [_p(0.2, 0, 0.2, 1, 0.8, 1)],
    "U": lambda r: [_cat(_p(0.15, 0), arc(0.5, 0.65, 0.35, 0.35, 180, 0), _p(0.85, 0))],
    "C": lambda r: [arc(0.55, 0.5, 0.45, 0.5, -50, -310, 28)],
    "k": lambda r: [_p(0.2, 0, 0.2, 1), _p(0.75, 0.4, 0.2, 0.72, 0.8, 1)],
    "m": lambda r: [_cat(_p(0.05, 1, 0.05, 0.35), arc(0.27, 0.5, 0.22, 0.18, 180, 360, 10),
                         _p(0.49, 1)), _cat(_p(0.49, 0.5), arc(0.71, 0.5, 0.22, 0.18, 180, 360, 10),
                                            _p(0.93, 1))],
    "w": lambda r: [_p(0.0, 0.35, 0.22, 1, 0.5, 0.5, 0.78, 1, 1.0, 0.35)],
    "e": lambda r: [_cat(_p(0.15, 0.6, 0.85, 0.6), arc(0.5, 0.6, 0.35, 0.35, 0, -300, 24))],
    "h": lambda r: [_p(0.2, 0, 0.2, 1), _cat(arc(0.48, 0.62, 0.28, 0.2, 180, 360, 10), _p(0.76, 1))],
    "n": lambda r: [_cat(_p(0.2, 0.35, 0.2, 1)), _cat(_p(0.2, 0.6), arc(0.5, 0.6, 0.3, 0.25, 180, 360, 12),
                                                       _p(0.8, 1))],
    "r": lambda r: [_p(0.3, 0.3, 0.3, 1), _cat(_p(0.3, 0.55), arc(0.55, 0.55, 0.25, 0.2, 180, 300, 8))],
    "x": lambda r: [_p(0.2, 0.3, 0.8, 1), _p(0.8, 0.3, 0.2, 1)],
    "f": lambda r: [_cat(arc(0.6, 0.2, 0.2, 0.2, -10, -180, 10), _p(0.4, 1)), _p(0.15, 0.45, 0.7, 0.45)],
    "t": lambda r: [_cat(_p(0.45, 0), _p(0.45, 0.85), arc(0.6, 0.85, 0.15, 0.15, 180, 90, 6)),
                    _p(0.15, 0.3, 0.8, 0.3)],
    "@": lambda r: [_cat(arc(0.5, 0.5, 0.18, 0.2, 0, 360, 16), _p(0.7, 0.75),
                         arc(0.5, 0.5, 0.45, 0.48, 40, 330, 28))],
    "&": lambda r: [_cat(_p(0.9, 1, 0.3, 0.35), arc(0.45, 0.2, 0.15, 0.18, 140, -140, 14),
                         _p(0.2, 0.65), arc(0.4, 0.8, 0.2, 0.2, 180, 60, 10), _p(0.85, 0.5))],
}


def _poly(n: int, r0: float = 0.0) -> np.ndarray:
    t = np.deg2rad(np.arange(n + 1) * 360.0 / n + r0 - 90)
    return (np.stack([np.cos(t), np.sin(t)], axis=1) * 0.5 + 0.5).astype(np.float32)


def _star(r: np.random.Generator) -> Strokes:
    t = np.deg2rad(np.arange(6) * 144.0 - 90)
    return [(np.stack([np.cos(t), np.sin(t)], axis=1) * 0.5 + 0.5).astype(np.float32)]


def _heart(r: np.random.Generator) -> Strokes:
    t = np.linspace(0, 2 * np.pi, 40)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    return [np.stack([x / 34 + 0.5, y / 34 + 0.45], axis=1).astype(np.float32)]


def _smiley(r: np.random.Generator) -> Strokes:
    out = [arc(0.5, 0.5, 0.5, 0.5, 0, 360, 36), arc(0.35, 0.35, 0.04, 0.04, 0, 360, 6),
           arc(0.65, 0.35, 0.04, 0.04, 0, 360, 6), arc(0.5, 0.55, 0.25, 0.2, 20, 160, 12)]
    if r.random() < 0.3:  # eyes as dots
        out[1], out[2] = _p(0.35, 0.35), _p(0.65, 0.35)
    return out


def _sun(r: np.random.Generator) -> Strokes:
    out = [arc(0.5, 0.5, 0.22, 0.22, 0, 360, 20)]
    for a in np.deg2rad(np.arange(0, 360, 45) + r.uniform(0, 45)):
        c, s = np.cos(a), np.sin(a)
        out.append(_p(0.5 + 0.3 * c, 0.5 + 0.3 * s, 0.5 + 0.5 * c, 0.5 + 0.5 * s))
    return out


def _spiral(r: np.random.Generator) -> Strokes:
    turns = r.uniform(2.0, 3.5)
    t = np.linspace(0, 2 * np.pi * turns, int(30 * turns))
    rad = 0.5 * t / t[-1]
    return [np.stack([0.5 + rad * np.cos(t), 0.5 + rad * np.sin(t)], axis=1).astype(np.float32)]


def _house(r: np.random.Generator) -> Strokes:
    return [_p(0.1, 0.45, 0.1, 1, 0.9, 1, 0.9, 0.45, 0.1, 0.45, 0.5, 0, 0.9, 0.45),
            _p(0.4, 1, 0.4, 0.7, 0.6, 0.7, 0.6, 1)]


def _hut(r: np.random.Generator) -> Strokes:
    """A square with a roof and no door (read as a 0 by the digit networks): in one stroke, or
    walls and roof apart."""
    peak = (r.uniform(0.35, 0.65), 0.0)
    eave = r.uniform(0.3, 0.5)
    if r.random() < 0.5:
        return [_p(0.1, eave, 0.1, 1, 0.9, 1, 0.9, eave, 0.1, eave, *peak, 0.9, eave)]
    return [_p(0.1, eave, 0.1, 1, 0.9, 1, 0.9, eave, 0.1, eave), _p(0.1, eave, *peak, 0.9, eave)]


def _eaves(r: np.random.Generator) -> Strokes:
    """A house whose roof overhangs its walls (read as an 8), sometimes with a window."""
    eave = r.uniform(0.3, 0.5)
    over = r.uniform(0.08, 0.2)
    out = [_p(0.15, eave, 0.15, 1, 0.85, 1, 0.85, eave),
           _p(0.15 - over, eave + 0.03, r.uniform(0.4, 0.6), 0.0, 0.85 + over, eave + 0.03)]
    if r.random() < 0.4:
        out.append(_p(0.55, 0.6, 0.72, 0.6, 0.72, 0.78, 0.55, 0.78, 0.55, 0.6))
    return out


def _wave(r: np.random.Generator) -> Strokes:
    n = r.uniform(1.5, 3.5)
    x = np.linspace(0, 1, 40)
    return [np.stack([x, 0.5 + 0.2 * np.sin(2 * np.pi * n * x)], axis=1).astype(np.float32)]


def _zigzag(r: np.random.Generator) -> Strokes:
    k = int(r.integers(3, 7))
    x = np.linspace(0, 1, 2 * k + 1)
    y = np.where(np.arange(2 * k + 1) % 2 == 0, 0.3, 0.7)
    return [np.stack([x, y], axis=1).astype(np.float32)]


def _flower(r: np.random.Generator) -> Strokes:
    k = int(r.integers(5, 8))
    t = np.linspace(0, 2 * np.pi, 80)
    rad = 0.3 + 0.2 * np.abs(np.cos(k * t / 2))
    return [np.stack([0.5 + rad * np.cos(t), 0.5 + rad * np.sin(t)], axis=1).astype(np.float32),
            arc(0.5, 0.5, 0.1, 0.1, 0, 360, 10)]


def _stickman(r: np.random.Generator) -> Strokes:
    return [arc(0.5, 0.15, 0.12, 0.12, 0, 360, 12), _p(0.5, 0.27, 0.5, 0.65),
            _p(0.2, 0.45, 0.8, 0.45), _p(0.25, 1, 0.5, 0.65, 0.75, 1)]


def _fish(r: np.random.Generator) -> Strokes:
    return [_cat(arc(0.45, 0.5, 0.35, 0.22, 200, -20, 20), _p(0.95, 0.25, 0.95, 0.75),
                 arc(0.45, 0.5, 0.35, 0.22, 20, 160, 14))]


def _tree(r: np.random.Generator) -> Strokes:
    return [_p(0.5, 0, 0.1, 0.6, 0.9, 0.6, 0.5, 0), _p(0.45, 0.6, 0.45, 1), _p(0.55, 0.6, 0.55, 1)]


def _envelope(r: np.random.Generator) -> Strokes:
    return [_p(0, 0.2, 1, 0.2, 1, 0.8, 0, 0.8, 0, 0.2), _p(0, 0.2, 0.5, 0.55, 1, 0.2)]


def _arrow(r: np.random.Generator) -> Strokes:
    return [_p(0, 0.5, 1, 0.5), _p(0.75, 0.3, 1, 0.5, 0.75, 0.7)]


def _infinity(r: np.random.Generator) -> Strokes:
    t = np.linspace(0, 2 * np.pi, 50)
    return [np.stack([0.5 + 0.5 * np.sin(t), 0.5 + 0.25 * np.sin(2 * t)], axis=1).astype(np.float32)]


def _question(r: np.random.Generator) -> Strokes:
    return [_cat(arc(0.5, 0.3, 0.3, 0.28, 200, 400, 16), _p(0.5, 0.7)), _p(0.5, 0.95, 0.5, 0.97)]


def _cloud(r: np.random.Generator) -> Strokes:
    return [_cat(arc(0.25, 0.6, 0.2, 0.2, 90, 270, 10), arc(0.5, 0.45, 0.25, 0.25, 180, 360, 12),
                 arc(0.78, 0.6, 0.2, 0.2, 270, 450, 10), _p(0.25, 0.8))]


SHAPES: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "square": lambda r: [_poly(4, 45)],
    "triangle": lambda r: [_poly(3)],
    "pentagon": lambda r: [_poly(5)],
    "diamond": lambda r: [_poly(4)],
    "rectangle": lambda r: [_p(0, 0.25, 1, 0.25, 1, 0.75, 0, 0.75, 0, 0.25)],
    "star": _star,
    "heart": _heart,
    "smiley": _smiley,
    "sun": _sun,
    "spiral": _spiral,
    "house": _house,
    "hut": _hut,
    "eaves": _eaves,
    "wave": _wave,
    "zigzag": _zigzag,
    "flower": _flower,
    "stickman": _stickman,
    "fish": _fish,
    "tree": _tree,
    "envelope": _envelope,
    "arrow": _arrow,
    "infinity": _infinity,
    "cloud": _cloud,
    "plus": lambda r: [_p(0.5, 0, 0.5, 1), _p(0, 0.5, 1, 0.5)],
    "hash": lambda r: [_p(0.35, 0, 0.3, 1), _p(0.7, 0, 0.65, 1), _p(0, 0.35, 1, 0.35),
                       _p(0, 0.65, 1, 0.65)],
    "check": lambda r: [_p(0, 0.55, 0.35, 0.9, 1, 0)],
    "equals": lambda r: [_p(0, 0.35, 1, 0.35), _p(0, 0.65, 1, 0.65)],
    "circle_cross": lambda r: [arc(0.5, 0.5, 0.5, 0.5, 0, 360, 30), _p(0.15, 0.15, 0.85, 0.85),
                               _p(0.85, 0.15, 0.15, 0.85)],
    "bowtie": lambda r: [_p(0, 0, 1, 1, 1, 0, 0, 1, 0, 0)],
    "grid": lambda r: [_p(0, 0, 1, 0, 1, 1, 0, 1, 0, 0), _p(0.5, 0, 0.5, 1), _p(0, 0.5, 1, 0.5)],
}


def scribble(r: np.random.Generator) -> Strokes:
    """A random tangle, as a visitor scribbles: a long curly path that changes direction
    smoothly and crosses itself, or a few loops of random frequencies; sometimes two strokes."""
    out = []
    for _ in range(int(r.choice([1, 1, 1, 2]))):
        if r.random() < 0.6:
            n = int(r.integers(80, 260))
            turn = np.cumsum(r.normal(0, r.uniform(0.25, 0.6), n))
            step = np.stack([np.cos(turn), np.sin(turn)], axis=1)
            pts = np.cumsum(step, axis=0)
        else:
            t = np.linspace(0, 2 * np.pi, int(r.integers(120, 240)))
            f = r.integers(2, 7, (2, 2))
            ph = r.uniform(0, 2 * np.pi, (2, 2))
            amp = r.uniform(0.3, 1.0, (2, 2))
            pts = np.stack([sum(amp[d, k] * np.sin(f[d, k] * t + ph[d, k]) for k in (0, 1))
                            for d in (0, 1)], axis=1)
        out.append(pts.astype(np.float32))
    return out


def hatching(r: np.random.Generator) -> Strokes:
    """Back-and-forth shading or a coil, as a bored visitor does."""
    if r.random() < 0.5:
        k = int(r.integers(4, 12))
        y = np.linspace(0, 1, k) + r.normal(0, 0.03, k)
        x = np.where(np.arange(k) % 2 == 0, 0.0, 1.0) + r.normal(0, 0.05, k)
        return [np.stack([x, y], 1).astype(np.float32)]
    turns = r.uniform(3, 8)
    t = np.linspace(0, 2 * np.pi * turns, int(20 * turns))
    drift = np.linspace(0, 1, len(t))
    return [np.stack([drift + 0.2 * np.cos(t), 0.5 + 0.25 * np.sin(t)], 1).astype(np.float32)]


def random_lines(r: np.random.Generator) -> Strokes:
    return [r.uniform(0, 1, (int(r.integers(2, 4)), 2)).astype(np.float32)
            for _ in range(int(r.integers(3, 7)))]


GENERATORS: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "scribble": scribble, "hatching": hatching, "lines": random_lines}


def partial(strokes: Strokes, r: np.random.Generator, keep: tuple[float, float] = (0.25, 0.5)) -> Strokes:
    """The first part of a drawing (by arc length): a digit left unfinished."""
    lens = [np.hypot(*np.diff(s, axis=0).T).sum() if len(s) > 1 else 0.0 for s in strokes]
    total = float(sum(lens))
    budget = total * r.uniform(*keep)
    out = []
    for s, length in zip(strokes, lens):
        if budget <= 0:
            break
        if length <= budget:
            out.append(s)
            budget -= length
            continue
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(s, axis=0).T))])
        out.append(s[: max(2, int(np.searchsorted(cum, budget)) + 1)])
        break
    return out


def wobble(strokes: Strokes, r: np.random.Generator, rotation: float = 20.0) -> Strokes:
    """A random warp, points every ~1/40 of the size, and a smooth hand tremor."""
    pts = np.concatenate(strokes)
    c = pts.mean(axis=0)
    size = float((pts.max(axis=0) - pts.min(axis=0)).max()) or 1.0
    m = random_affine(r, rot=rotation, shear=0.3, aspect=0.25).astype(np.float32)
    amount = size * r.uniform(0.0, 0.02)
    out = []
    for s in strokes:
        s = (np.asarray(s, np.float32) - c) @ m.T
        if len(s) > 1:  # resample densely so that the tremor bends straight lines
            d = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(s, axis=0).T))])
            n = max(2, int(d[-1] / size * 40))
            t = np.linspace(0, d[-1], n)
            s = np.stack([np.interp(t, d, s[:, 0]), np.interp(t, d, s[:, 1])], 1)
            noise = r.normal(0, amount, s.shape)
            if len(s) >= 5:
                k = np.ones(5) / 5
                noise = np.stack([np.convolve(noise[:, j], k, mode="same") for j in (0, 1)], 1)
            s = s + noise
        out.append((s * (300.0 / size) + 250.0).astype(np.float32))
    return out


RASTER_FAMILIES = ("raster-solid", "raster-grey", "raster-grey-digit", "raster-blocks")


def rasters(n: int, seed: int, digits: list[list[np.ndarray]] | None = None,
            names: tuple[str, ...] = RASTER_FAMILIES) -> tuple[list[np.ndarray], list[str]]:
    """n pictures (2-D rasters, ink high in [0, 1]) that are not drawings of a digit: all ink
    (an all-white 28x28), a flat grey, a digit on a grey background (the crop to the ink then
    keeps the whole grey picture), and big filled blocks; and the family of each."""
    from exhibit.ink.normalize import InputSpec, preprocess

    r = np.random.default_rng(seed)
    names = tuple(k for k in names if k != "raster-grey-digit" or digits)
    out, kinds = [], []
    for _ in range(n):
        kind = names[int(r.integers(len(names)))]
        side = int(r.choice([28, 28, 56, 100]))
        if kind == "raster-solid":
            img = np.full((side, side), r.uniform(0.85, 1.0), np.float32)
        elif kind == "raster-grey":
            img = np.full((side, side), r.uniform(0.15, 0.85), np.float32)
        elif kind == "raster-grey-digit":
            st = digits[int(r.integers(len(digits)))]
            pic = preprocess(wobble(st, r), InputSpec(28, False), stroke_width=r.uniform(1.6, 3.2))
            img = np.full((28, 28), r.uniform(0.2, 0.7), np.float32)
            img = np.maximum(img, pic if pic is not None else img)
        else:  # a few filled rectangles
            img = np.zeros((side, side), np.float32)
            for _ in range(int(r.integers(1, 4))):
                a, b = np.sort(r.integers(0, side, 2)), np.sort(r.integers(0, side, 2))
                img[a[0]:a[1] + side // 4, b[0]:b[1] + side // 4] = r.uniform(0.6, 1.0)
        img = img + r.normal(0, r.uniform(0, 0.05), img.shape).astype(np.float32)
        out.append(np.clip(img, 0.0, 1.0))
        kinds.append(kind)
    return out, kinds


def families() -> dict[str, Callable[[np.random.Generator], Strokes]]:
    out = {f"letter-{k}": v for k, v in LETTERS.items()}
    out.update({f"shape-{k}": v for k, v in SHAPES.items()})
    out.update(GENERATORS)
    return out


def generate(n: int, seed: int, names: list[str] | None = None,
             digits: list[list[np.ndarray]] | None = None,
             digit_labels: np.ndarray | None = None,
             partial_share: float = 0.12) -> tuple[list[Strokes], list[str]]:
    """n non-digit drawings (strokes in a 500-px box) and the family of each.

    With ``digits`` (pen strokes) a share of them are unfinished digits (never of 1s, which
    are still 1s when cut short)."""
    r = np.random.default_rng(seed)
    fams = families()
    names = names or list(fams)
    out, kinds = [], []
    usable = None
    if digits is not None and digit_labels is not None:
        usable = np.flatnonzero(np.asarray(digit_labels) != 1)
    for _ in range(n):
        if usable is not None and r.random() < partial_share:
            i = int(r.choice(usable))
            st = partial(digits[i], r)
            kind = "partial"
        else:
            # letters, shapes and scribbles (three generators, so each gets more draws) about
            # equally often
            groups = [g for g in ([k for k in names if k.startswith("letter")],
                                  [k for k in names if k.startswith("shape")],
                                  [k for k in names if k in GENERATORS]) if g]
            group = groups[int(r.integers(len(groups)))]
            kind = group[int(r.integers(len(group)))]
            st = fams[kind](r)
        st = [s for s in st if len(s)]
        if not st:
            continue
        out.append(wobble(st, r))
        kinds.append(kind)
    return out, kinds
