"""Where the design screen sits (issue 25): the design card and the training box, and every
target in them. Pure geometry: the state hit-tests with these rects and
``exhibit.views.design`` draws them.

- The **card** covers what a visitor does not need while choosing (the canvas, its buttons and,
  in landscape, the preview column), and leaves the network's picture and the bars in view, so
  the picture follows the design as it is made.
- The **box** (while a design trains) sits under the preview, where "watch it learn" shows its
  curve, grown down to the network's bottom edge: the canvas stays free to test the network.
"""
from __future__ import annotations

from dataclasses import dataclass

import pygame

from exhibit.layout.learnbox import box_rect as learn_box
from exhibit.layout.regions import Layout
from exhibit.learn.design import ACTIVATIONS, MAX_LAYERS, RATES

BUTTON = 72  # px at 1080 lines: taller than a finger's 64
GAP = 14
HEADING = 40  # a control's heading line
TITLE = 60


@dataclass(frozen=True)
class Row:
    """One control: its heading's key and rect, its value's rect (between - and +, or None)
    and its targets."""
    heading: str
    head: pygame.Rect
    value: pygame.Rect | None
    targets: tuple[tuple[str, pygame.Rect], ...]


@dataclass(frozen=True)
class Card:
    rect: pygame.Rect
    title: pygame.Rect
    rows: tuple[Row, ...]
    chart_head: pygame.Rect
    chart: pygame.Rect
    info: pygame.Rect  # the design's size in parameters
    buttons: tuple[tuple[str, pygame.Rect], ...]  # design.train, design.close

    @property
    def targets(self) -> list[tuple[str, pygame.Rect]]:
        return [t for row in self.rows for t in row.targets] + list(self.buttons)


def card_rect(layout: Layout) -> pygame.Rect:
    r = layout.rects
    rect = r["canvas"].union(r["buttons"])
    wide = rect.union(r["preview"])
    if not wide.colliderect(r["network"]) and not wide.colliderect(r["bars"]):
        rect = wide
    return rect


def card(layout: Layout, n_hidden: int) -> Card:
    """The card for a design with ``n_hidden`` hidden layers (rows for layers it lacks are
    left out, the others keep their places)."""
    px = layout.px
    rect = card_rect(layout)
    pad, gap = px(18), px(GAP)
    bh, hh = px(BUTTON), px(HEADING)
    title = pygame.Rect(rect.x + pad, rect.y + pad, rect.w - 2 * pad, px(TITLE))
    foot = pygame.Rect(rect.x + pad, rect.bottom - pad - px(84), rect.w - 2 * pad, px(84))
    body_top = title.bottom + gap
    # controls on the left, the day's designs on the right (stacked when the card is narrow)
    side_by_side = rect.w >= px(700)
    cw = round((rect.w - 3 * pad) * 0.56) if side_by_side else rect.w - 2 * pad
    rows_h = 2 + MAX_LAYERS + 1  # layers, one per hidden layer, activation, rate
    need = rows_h * (hh + bh + gap)
    room = foot.y - gap - body_top
    if not side_by_side:
        room -= px(220)  # the chart below the controls
    k = min(1.0, room / need) if need > 0 else 1.0
    bh, hh = max(px(64), round(bh * k)), max(px(34), round(hh * k))
    x0, y = rect.x + pad, body_top
    rows: list[Row] = []

    def stepper(name: str, heading: str) -> None:
        nonlocal y
        head = pygame.Rect(x0, y, cw, hh)
        minus = pygame.Rect(x0, head.bottom, bh, bh)
        plus = pygame.Rect(x0 + cw - bh, head.bottom, bh, bh)
        value = pygame.Rect(minus.right + gap, head.bottom, plus.x - minus.right - 2 * gap, bh)
        rows.append(Row(heading, head, value, ((f"{name}.minus", minus), (f"{name}.plus", plus))))
        y = head.bottom + bh + gap

    def choice(name: str, heading: str, options: tuple[str, ...]) -> None:
        nonlocal y
        head = pygame.Rect(x0, y, cw, hh)
        w = (cw - gap * (len(options) - 1)) / len(options)
        targets = tuple((f"{name}.{o}", pygame.Rect(round(x0 + i * (w + gap)), head.bottom,
                                                     round(w), bh)) for i, o in enumerate(options))
        rows.append(Row(heading, head, None, targets))
        y = head.bottom + bh + gap

    stepper("design.layers", "design_layers")
    for layer in range(1, MAX_LAYERS + 1):
        if layer <= n_hidden:
            stepper(f"design.neurons.{layer}", "design_neurons")
        else:
            y += hh + bh + gap  # the row keeps its place: nothing jumps when a layer comes
    choice("design.activation", "design_activation", ACTIVATIONS)
    choice("design.rate", "design_rate", RATES)
    if side_by_side:
        cx = x0 + cw + pad
        chart_head = pygame.Rect(cx, body_top, rect.right - pad - cx, hh)
        info = pygame.Rect(cx, foot.y - gap - hh, chart_head.w, hh)
    else:
        chart_head = pygame.Rect(x0, y, cw, hh)
        info = pygame.Rect(x0, foot.y - gap - hh, cw, hh)
    chart = pygame.Rect(chart_head.x, chart_head.bottom + gap, chart_head.w,
                        max(1, info.y - gap - chart_head.bottom - gap))
    half = (foot.w - gap) // 2
    buttons = (("design.train", pygame.Rect(foot.x, foot.y, half, foot.h)),
               ("design.close", pygame.Rect(foot.x + half + gap, foot.y, foot.w - half - gap,
                                            foot.h)))
    return Card(rect, title, tuple(rows), chart_head, chart, info, buttons)


@dataclass(frozen=True)
class Box:
    rect: pygame.Rect
    head: pygame.Rect  # what the run is doing (training, paused, done, blew up)
    counters: pygame.Rect  # accuracy, images seen, loss
    plot: pygame.Rect  # the accuracy curve (when done: the day's designs)
    reference: pygame.Rect  # the shipped explainer's reading of the same drawing
    buttons: tuple[tuple[str, pygame.Rect], ...]


BOX_BUTTONS = ("design.pause", "design.step", "design.reset", "design.edit")


def box(layout: Layout) -> Box | None:
    """The training box, or None where there is no room (a CNN's layout)."""
    base = learn_box(layout)
    if base is None:
        return None
    px = layout.px
    r = layout.rects
    rect = pygame.Rect(base.x, base.y, base.w, max(base.h, r["network"].bottom - base.y))
    pad, gap = px(12), px(10)
    bh = px(BUTTON)
    inner = rect.inflate(-2 * pad, -2 * pad)
    bw = (inner.w - gap) // 2
    top = inner.bottom - 2 * bh - gap
    buttons = tuple((name, pygame.Rect(inner.x + (i % 2) * (bw + gap), top + (i // 2) * (bh + gap),
                                       bw, bh)) for i, name in enumerate(BOX_BUTTONS))
    line = px(44)
    head = pygame.Rect(inner.x, inner.y, inner.w, line)
    counters = pygame.Rect(inner.x, head.bottom, inner.w, px(100))
    reference = pygame.Rect(inner.x, top - gap - line, inner.w, line)
    plot = pygame.Rect(inner.x, counters.bottom + gap, inner.w,
                       max(1, reference.y - gap - counters.bottom - gap))
    return Box(rect, head, counters, plot, reference, buttons)
