"""Colours, fonts and cached text surfaces, all from config."""
from __future__ import annotations

from collections import OrderedDict

import pygame

from exhibit.config import Config


def colour(hex_: str) -> pygame.Color:
    return pygame.Color(hex_)


def mix(a: pygame.Color, b: pygame.Color, t: float) -> pygame.Color:
    """a blended towards b by t in [0, 1] (how faint lines look without per-pixel alpha)."""
    t = min(1.0, max(0.0, t))
    return pygame.Color(round(a.r + (b.r - a.r) * t), round(a.g + (b.g - a.g) * t),
                        round(a.b + (b.b - a.b) * t))


class Theme:
    def __init__(self, cfg: Config, short_side: int) -> None:
        self.cfg = cfg
        self.c = {k.split(".", 1)[1]: colour(v) for k, v in cfg.as_dict().items()
                  if k.startswith("colors.")}
        self.scale = cfg["sizes.text_scale"] * short_side / 1080
        self._fonts: dict[int, pygame.font.Font] = {}
        self._text: OrderedDict[tuple, pygame.Surface] = OrderedDict()

    def px(self, size: float) -> int:
        """A size given for a 1080-line screen, at this screen's scale."""
        return max(1, round(size * self.scale))

    def font(self, size: int) -> pygame.font.Font:
        size = self.px(size)
        if size not in self._fonts:
            self._fonts[size] = pygame.font.Font(None, size)
        return self._fonts[size]

    def text(self, s: str, size: int, colour_: pygame.Color | str = "text",
             bold: bool = False) -> pygame.Surface:
        col = self.c[colour_] if isinstance(colour_, str) else colour_
        key = (s, size, tuple(col), bold)
        surf = self._text.get(key)
        if surf is None:
            f = self.font(size)
            f.bold = bold
            surf = f.render(s, True, col)
            f.bold = False
            self._text[key] = surf
            if len(self._text) > 256:
                self._text.popitem(last=False)
        else:
            self._text.move_to_end(key)
        return surf
