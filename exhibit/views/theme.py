"""Colours, fonts and cached text surfaces, all from config; and the record of every text box
drawn, so tests can check that no text covers another or leaves its panel, and that each is
big enough and has enough contrast against what is behind it."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pygame

from exhibit.config import Config

# text sizes, for a 1080-line screen (pygame's default font: line height about 0.75 x size)
BODY = 34  # the least a visitor or teacher must read from 3 m: 26 px lines at 1080
LABEL = 40
HEAD = 48
TITLE = 110  # the answer line: about 8 % of the screen's height


@dataclass
class TextBox:
    """Where one text was drawn: its box, what it is, its colour and the colour behind it, the
    panel it must stay in, and its line height in pixels."""

    rect: pygame.Rect
    kind: str
    fg: pygame.Color
    bg: pygame.Color
    panel: pygame.Rect
    line: int
    text: str = ""


class Theme:
    """Colours by name (``c["ink"]``), and text rendered at sizes given for a 1080-line screen."""

    def __init__(self, cfg: Config, scale: float) -> None:
        self.c = {k.split(".", 1)[1]: pygame.Color(v) for k, v in cfg.as_dict().items()
                  if k.startswith("colors.")}
        self.scale = scale
        self.size: tuple[int, int] = (0, 0)  # the screen, for text drawn with no panel
        # per theme, so a rebuilt theme takes its surfaces with it
        self.font = lru_cache(maxsize=None)(self._font)
        self._render = lru_cache(maxsize=256)(self._render_text)
        self.record: list[TextBox] | None = None  # the layer being drawn collects its texts here

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

    def colour(self, c: pygame.Color | str) -> pygame.Color:
        return self.c[c] if isinstance(c, str) else pygame.Color(c)

    def wrap(self, s: str, size: int, width: int, bold: bool = False) -> list[str]:
        """Lines of ``s`` that each fit ``width`` px (at spaces; a word too long for a line, or
        text without spaces such as Japanese, breaks between characters)."""
        f = self.font(size)
        f.bold = bold
        lines: list[str] = []
        for para in s.split("\n"):
            cur = ""
            for word in para.split(" "):
                trial = f"{cur} {word}" if cur else word
                if f.size(trial)[0] <= width:
                    cur = trial
                    continue
                if cur:
                    lines.append(cur)
                cur = ""
                if f.size(word)[0] <= width:
                    cur = word
                    continue
                parts = word.replace("-", "- ").split(" ")  # break after hyphens first
                if all(f.size(p)[0] <= width for p in parts):
                    for p in parts:
                        if cur and f.size(cur + p)[0] > width:
                            lines.append(cur)
                            cur = ""
                        cur += p
                    continue
                for ch in word:
                    if cur and f.size(cur + ch)[0] > width:
                        lines.append(cur)
                        cur = ""
                    cur += ch
            lines.append(cur)
        f.bold = False
        return lines

    def put(self, surface: pygame.Surface, s: str, size: int, colour: pygame.Color | str,
            bg: pygame.Color | str, kind: str, panel: pygame.Rect | None = None,
            bold: bool = False, width: int | None = None, align: str = "center",
            **where: object) -> pygame.Rect:
        """Draw ``s`` (wrapped to ``width`` if given) placed by a Rect keyword (``center=...``)
        and record its box; returns the box."""
        lines = [s] if width is None else self.wrap(s, size, width, bold)
        surfs = [self.text(l, size, colour, bold) for l in lines]
        lh = self.font(size).get_linesize()
        box = pygame.Rect(0, 0, max(t.get_width() for t in surfs), max(lh * len(surfs), surfs[0].get_height()))
        setattr(box, *next(iter(where.items())))
        for i, t in enumerate(surfs):
            r = t.get_rect(top=box.y + i * lh)
            setattr(r, {"center": "centerx", "left": "x", "right": "right"}[align],
                    {"center": box.centerx, "left": box.x, "right": box.right}[align])
            surface.blit(t, r)
        self.note(box, kind, colour, bg, panel, lh, s)
        return box

    def note(self, rect: pygame.Rect, kind: str, colour: pygame.Color | str,
             bg: pygame.Color | str, panel: pygame.Rect | None, line: int, text: str = "") -> None:
        if self.record is not None:
            self.record.append(TextBox(pygame.Rect(rect), kind, self.colour(colour),
                                       self.colour(bg), pygame.Rect(panel or ((0, 0), self.size)),
                                       line, text))
