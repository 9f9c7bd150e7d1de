"""Where "watch it learn" sits: its curve's box below the preview, and its button (hit-tested by
the state, drawn by ``exhibit.views.learncurve``)."""
from __future__ import annotations

import pygame

from exhibit.layout.regions import Layout


def box_rect(layout: Layout) -> pygame.Rect | None:
    """Free room below the preview panel, above the network's bottom edge, clear of the lines
    that leave the picture toward the network (None if too small)."""
    if hasattr(layout, "maps_panel"):
        return None  # the CNN's view shows its first maps there
    r = layout.rects
    px = lambda v: max(1, round(v * layout.scale))  # noqa: E731
    pre, pic = r["preview"], layout.picture_rect
    if layout.mirror:  # the lines leave the picture's left side
        left, right = max(pre.x, pic.x - px(4)), pre.right
    else:
        left, right = pre.x, min(pre.right, pic.right + px(4))
    top = pre.bottom + px(16)
    bottom = r["network"].bottom
    if bottom - top < px(150) or right - left < px(200):
        return None
    return pygame.Rect(left, top, right - left, min(bottom - top, px(330)))


def button_rect(layout: Layout) -> pygame.Rect | None:
    box = box_rect(layout)
    if box is None:
        return None
    h = max(1, round(64 * layout.scale))
    pad = max(1, round(10 * layout.scale))
    return pygame.Rect(box.x + pad, box.bottom - h - pad, box.w - 2 * pad, h)


def design_button_rect(layout: Layout, learn_offer: bool) -> pygame.Rect | None:
    """The visitors' "design your own network" button (``learn.design_offer``): where the
    learn button is, or just above it when that one is offered too."""
    b = button_rect(layout)
    if b is None or not learn_offer:
        return b
    return b.move(0, -(b.h + max(1, round(10 * layout.scale))))
