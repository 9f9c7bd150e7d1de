"""Colours, fonts and cached text surfaces, all from config; and the record of every text box
drawn, so tests can check that no text covers another or leaves its panel, and that each is
big enough and has enough contrast against what is behind it.

Text is set in the fonts shipped in ``assets/fonts`` (see its README.md): Noto Sans for the
Latin-script languages and Noto Sans JP (Noto Sans CJK JP) for Japanese, each with its own
Bold file. A string that the language's font cannot show whole (an English fallback text, an
operator message) is set in the other shipped font if that one can. A missing or broken font
file costs only its looks: pygame's built-in font stands in, and the problem is kept in
:func:`font_problems` for the exhibit to log once.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pygame

from exhibit import resources
from exhibit.config import Config

# text sizes, for a 1080-line screen (pygame's default font: line height about 0.75 x size)
SMALLEST = 30  # no text smaller: opened at 20 px per 1080 lines of the short side (issue 21)
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


@dataclass
class Ink:
    """One thing painted while an ink recorder is on (``Theme.ink``, see exhibit/tools/shots.py):
    a text's rendered surface blitted at ``rect`` (``font`` set it, at ``px``), or an opaque
    ``cover`` (a card, a panel) that hides what was painted under it before."""

    surface: pygame.Surface  # where it was painted (a layer of the scene)
    rect: pygame.Rect  # the text's ink on that surface, or the cover's box
    text: str | None = None  # None: a cover
    px: int = 0
    kind: str = ""
    clip: pygame.Rect | None = None  # the surface's clip when it was painted
    rendered: pygame.Surface | None = None
    at: tuple[int, int] = (0, 0)  # where ``rendered`` was blitted
    font: pygame.font.Font | None = None


# face -> (regular file, bold file), in assets/fonts
FACES: dict[str, tuple[str, str]] = {
    "latin": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "ja": ("NotoSansJP-Regular.otf", "NotoSansJP-Bold.otf"),
}
LANG_FACE = {"ja": "ja"}  # every other language is set in "latin"
# The sizes given to Theme.text were chosen with pygame's built-in font, which renders a
# size-n request at 0.6875 n points; the shipped fonts get the same factor, so that text keeps
# the size (letter height and width within a few per cent) the layout was made for.
POINTS_PER_SIZE = 0.6875
PROBE = "Ag0%…あ字"  # rendered once per file when it is first used

_problems: dict[str, str] = {}


def face_for(lang: str) -> str:
    return LANG_FACE.get(lang, "latin")


@lru_cache(maxsize=None)
def font_file(name: str) -> Path | None:
    """A shipped font file's path if FreeType can open it and render with it, else None (and
    the problem noted once)."""
    path = resources.FONTS / name
    try:
        if not pygame.font.get_init():
            pygame.font.init()
        pygame.font.Font(path, 12).render(PROBE, True, (255, 255, 255))
        return path
    except Exception as e:  # noqa: BLE001 - any failure costs this font only
        _problems[name] = (f"font {name} unusable, pygame's default font used instead: "
                           f"{type(e).__name__}: {e}")[:300]
        return None


def font_problems() -> list[str]:
    """Every shipped font that cannot be used (each tried once), for the exhibit's log."""
    for files in FACES.values():
        for name in files:
            font_file(name)
    return list(_problems.values())


@lru_cache(maxsize=4096)
def has_glyphs(name: str, text: str) -> bool:
    """Whether the font file ``name`` has a glyph for every character of ``text``."""
    path = font_file(name)
    if path is None:
        return False
    try:
        import pygame.freetype as ft
        if not ft.get_init():
            ft.init()
        return all(m is not None for m in _ft_font(path).get_metrics(text, size=12))
    except Exception:  # noqa: BLE001 - cannot tell: trust the language's own font
        return True


@lru_cache(maxsize=None)
def _ft_font(path: Path):
    import pygame.freetype as ft
    return ft.Font(path, 12)


# Japanese line breaking (kinsoku): no line starts with these, none ends with the openers
NO_START = set("、。，．・：；？！）」』】〕〉》ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々…‥%％,.:;?!)]}")
NO_END = set("（「『【〔〈《([{")


def _is_cjk(c: str) -> bool:
    return "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef"


def break_lines(font: pygame.font.Font, text: str, width: int) -> str:
    """``text`` with line breaks so that each line fits ``width`` pixels, breaking at spaces
    and, in Japanese, between any two characters except where kinsoku forbids it (no 。、）
    at a line's start, no （ at its end); Latin words and numbers such as 28×28 stay whole.
    SDL_ttf breaks only at spaces, which leaves Japanese lines broken at the wrong places."""
    out = []
    for para in text.split("\n"):
        units: list[str] = []  # pieces that may not be split; a space is a break opportunity
        for c in para:
            prev = units[-1] if units else ""
            glue = prev and prev != " " and c != " " and (
                c in NO_START or prev[-1] in NO_END
                or not (_is_cjk(c) or _is_cjk(prev[-1])))
            if glue:
                units[-1] += c
            else:
                units.append(c)
        line = ""
        for u in units:
            trial = line + u
            if line.strip() and u != " " and font.size(trial.rstrip())[0] > width:
                out.append(line.rstrip())
                line = u.lstrip()
            else:
                line = trial
        out.append(line.rstrip())
    return "\n".join(out)


class _Font(pygame.font.Font):
    """A font whose wrapped rendering breaks Japanese lines properly (see break_lines)."""

    def render(self, text, antialias, color, bgcolor=None, wraplength=0):  # noqa: D102
        if not (wraplength and any(_is_cjk(c) for c in str(text))):
            return super().render(text, antialias, color, bgcolor, wraplength)
        # set line by line: SDL_ttf would break the lines again at their spaces
        lines = [super(_Font, self).render(line, antialias, color, bgcolor)
                 for line in break_lines(self, str(text), wraplength).split("\n")]
        if len(lines) == 1:
            return lines[0]  # as SDL_ttf: a line that fits is as wide as its text
        step = self.get_linesize()
        w = max(wraplength, max(ln.get_width() for ln in lines))
        out = pygame.Surface((w, step * (len(lines) - 1) + lines[-1].get_height()), pygame.SRCALPHA)
        if bgcolor is not None:
            out.fill(bgcolor)
        for i, ln in enumerate(lines):
            x = {pygame.FONT_CENTER: (w - ln.get_width()) // 2,
                 pygame.FONT_RIGHT: w - ln.get_width()}.get(self.align, 0)
            out.blit(ln, (x, i * step))
        return out


ACCENTS = {"positive": "positive weight", "negative": "negative weight", "neuron": "activation",
           "answer": "the answer, the learning curve, the selection"}


class Theme:
    """Colours by name (``c["ink"]``), and text rendered at sizes given for a 1080-line screen
    in the fonts for ``lang``.

    Four colours are not neutral, each with one meaning (``ACCENTS``): ``positive`` and
    ``negative`` weights, ``neuron`` (activation) and ``answer`` (the answer, the learning curve
    and a teacher's selection). Everything else is background, panel, text or muted."""

    def __init__(self, cfg: Config, scale: float, lang: str = "en") -> None:
        self.c = {k: pygame.Color(v) for k, v in vars(cfg.colors).items()}
        self.scale = scale
        self.size: tuple[int, int] = (0, 0)  # the screen, for text drawn with no panel
        self.face = face_for(lang)
        # per theme, so a rebuilt theme takes its surfaces with it
        self.font = lru_cache(maxsize=None)(self._font)
        self._render = lru_cache(maxsize=512)(self._render_text)  # (the bars prepare 131)
        self._wrapped = lru_cache(maxsize=512)(self._wrap)  # a title, a note: set again and again
        self.record: list[TextBox] | None = None  # the layer being drawn collects its texts here
        # an ink recorder (tools): every text blit and cover, in paint order; None costs nothing
        self.ink: list[Ink] | None = None
        # where text went, while a scene notes what it paints (None: not noted)
        self.painted: list[pygame.Rect] | None = None
        self._made: dict[int, tuple[pygame.Surface, str, pygame.font.Font]] = {}

    def px(self, size: float) -> int:
        """A size given for a 1080-line screen, at this screen's scale."""
        return max(1, round(size * self.scale))

    def _font(self, size: int, bold: bool = False, face: str | None = None) -> pygame.font.Font:
        """The font for text of ``size`` (for a 1080-line screen): the language's face, or
        ``face``; its Bold file for bold. pygame's built-in font if the file is unusable."""
        regular, heavy = FACES[face or self.face]
        path = font_file(heavy if bold else regular)
        if path is None and bold:
            path = font_file(regular)  # then a synthetic bold of the regular file
        if path is not None:
            try:
                f = _Font(path, max(1, round(size * self.scale * POINTS_PER_SIZE)))
                f.bold = bold and path.name != heavy
                f.opened_at = max(1, round(size * self.scale * POINTS_PER_SIZE))
                return f
            except Exception as e:  # noqa: BLE001 - the file went bad since it was probed
                _problems.setdefault(path.name, f"font {path.name} unusable: "
                                                f"{type(e).__name__}: {e}"[:300])
        f = _Font(None, self.px(size))
        f.bold = bold
        f.opened_at = self.px(size)
        return f

    def face_of(self, s: str) -> str:
        """The face that sets ``s``: the language's, unless only another one has every glyph."""
        if has_glyphs(FACES[self.face][0], s):
            return self.face
        for face, (regular, _) in FACES.items():
            if face != self.face and has_glyphs(regular, s):
                return face
        return self.face

    def _render_text(self, s: str, size: int, col: tuple[int, ...], bold: bool) -> pygame.Surface:
        f = self.font(size, bold, self.face_of(s))
        t = f.render(s, True, col)
        if self.ink is not None:  # what each surface says, for the recorder (kept alive here)
            self._made[id(t)] = (t, s, f)
        return t

    def blit(self, surface: pygame.Surface, t: pygame.Surface, rect: pygame.Rect,
             kind: str = "") -> pygame.Rect:
        """Blit a surface from :meth:`text` (or :meth:`shrink`): every text reaches the screen
        here, so an ink recorder sees each one with its ink box."""
        surface.blit(t, rect)
        if self.painted is not None:
            self.painted.append(pygame.Rect((rect[0], rect[1]), t.get_size()))
        if self.ink is not None and id(t) in self._made:
            _, s, f = self._made[id(t)]
            at = (rect[0], rect[1])
            self.ink.append(Ink(surface, t.get_bounding_rect().move(at), s,
                                getattr(f, "opened_at", 0), kind, surface.get_clip(), t, at, f))
        return pygame.Rect(rect)

    def cover(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        """An opaque card or panel painted at ``rect`` (for the ink recorder)."""
        if self.ink is not None:
            self.ink.append(Ink(surface, pygame.Rect(rect)))

    def shrink(self, t: pygame.Surface, width: int) -> pygame.Surface:
        """A text surface scaled down to ``width`` px (a label too long for its button)."""
        small = pygame.transform.smoothscale_by(t, width / t.get_width())
        if self.ink is not None and id(t) in self._made:
            self._made[id(small)] = (small, *self._made[id(t)][1:])
        return small

    def text(self, s: str, size: int, colour: pygame.Color | str = "text",
             bold: bool = False) -> pygame.Surface:
        col = self.c[colour] if isinstance(colour, str) else colour
        return self._render(s, size, tuple(col), bold)

    def colour(self, c: pygame.Color | str) -> pygame.Color:
        return self.c[c] if isinstance(c, str) else pygame.Color(c)

    def wrap(self, s: str, size: int, width: int, bold: bool = False) -> list[str]:
        """Lines of ``s`` that each fit ``width`` px (at spaces; a word too long for a line, or
        text without spaces such as Japanese, breaks between characters)."""
        return list(self._wrapped(s, size, width, bold))

    def _wrap(self, s: str, size: int, width: int, bold: bool) -> tuple[str, ...]:
        return tuple(self._wrap_lines(s, size, width, bold))

    def _wrap_lines(self, s: str, size: int, width: int, bold: bool) -> list[str]:
        f = self.font(size, bold, self.face_of(s))
        if any(_is_cjk(c) for c in s):  # Japanese runs on to the line's end (with kinsoku)
            return break_lines(f, s, width).split("\n")
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
            self.blit(surface, t, r, kind)
        self.note(box, kind, colour, bg, panel, lh, s)
        return box

    def note(self, rect: pygame.Rect, kind: str, colour: pygame.Color | str,
             bg: pygame.Color | str, panel: pygame.Rect | None, line: int, text: str = "") -> None:
        if self.record is not None:
            self.record.append(TextBox(pygame.Rect(rect), kind, self.colour(colour),
                                       self.colour(bg), pygame.Rect(panel or ((0, 0), self.size)),
                                       line, text))
