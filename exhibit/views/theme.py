"""Colours, fonts and cached text surfaces, all from config."""
from __future__ import annotations

from functools import lru_cache

import pygame

from exhibit.config import Config


class Theme:
    """Colours by name (``c["ink"]``), and text rendered at sizes given for a 1080-line screen."""

    def __init__(self, cfg: Config, scale: float) -> None:
        self.c = {k.split(".", 1)[1]: pygame.Color(v) for k, v in cfg.as_dict().items()
                  if k.startswith("colors.")}
        self.scale = scale
        # per theme, so a rebuilt theme takes its surfaces with it
        self.font = lru_cache(maxsize=None)(self._font)
        self._render = lru_cache(maxsize=256)(self._render_text)

    def px(self, size: float) -> int:
        """A size given for a 1080-line screen, at this screen's scale."""
        return max(1, round(size * self.scale))

    def _font(self, size: int) -> pygame.font.Font:
        return pygame.font.Font(None, self.px(size))

    def _render_text(self, s: str, size: int, col: tuple[int, ...], bold: bool) -> pygame.Surface:
        f = self.font(size)
        f.bold = bold
        surf = f.render(s, True, col)
        f.bold = False
        return surf

    def text(self, s: str, size: int, colour: pygame.Color | str = "text",
             bold: bool = False) -> pygame.Surface:
        col = self.c[colour] if isinstance(colour, str) else colour
        return self._render(s, size, tuple(col), bold)
