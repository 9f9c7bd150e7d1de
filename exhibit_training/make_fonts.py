"""Build the exhibit's fonts (assets/fonts/) from Debian's Noto packages, subset to the
characters the string tables use. A build-time tool: it needs fontTools, which the exhibit
itself never imports.

    apt-get install fonts-noto-core fonts-noto-cjk
    .venv/bin/pip install fonttools
    .venv/bin/python -m exhibit_training.make_fonts

Run it again after changing a string table (tests/test_fonts.py fails, naming the character,
when a table uses one that no shipped font has). The output is reproducible: the same sources
and fontTools give the same bytes. Sources and licence: assets/fonts/README.md, OFL.txt.

- NotoSans-{Regular,Bold}.ttf: Latin text (every language but Japanese): printable ASCII,
  Latin-1, general punctuation and the symbols of the explanations, plus every character of
  every table that the font has.
- NotoSansJP-{Regular,Bold}.otf: Japanese (Noto Sans CJK JP, font 0 of the CJK collections):
  every character of ja.yaml, printable ASCII and the same symbols, so a Japanese screen never
  needs a second font.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from exhibit import resources

NOTO = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")

# (output name, source file, font number in a collection, face)
FONTS = (
    ("NotoSans-Regular.ttf", NOTO / "NotoSans-Regular.ttf", 0, "latin"),
    ("NotoSans-Bold.ttf", NOTO / "NotoSans-Bold.ttf", 0, "latin"),
    ("NotoSansJP-Regular.otf", NOTO_CJK / "NotoSansCJK-Regular.ttc", 0, "ja"),
    ("NotoSansJP-Bold.otf", NOTO_CJK / "NotoSansCJK-Bold.ttc", 0, "ja"),
)
ASCII = "".join(chr(c) for c in range(0x20, 0x7F))
LATIN1 = "".join(chr(c) for c in range(0xA0, 0x100))
SYMBOLS = "…–—‘’“”«»‹›·•×÷−±Σσ°€\u00a0\u202f"


def table_chars() -> dict[str, str]:
    """Every character each string table uses, by language."""
    out = {}
    for path in sorted(resources.STRINGS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[path.stem] = "".join(sorted({c for v in data.values() for c in str(v)}))
    return out


def wanted(face: str, tables: dict[str, str]) -> str:
    if face == "latin":
        chars = ASCII + LATIN1 + SYMBOLS + "".join(t for lang, t in tables.items() if lang != "ja")
    else:
        chars = ASCII + SYMBOLS + "".join(tables.values())
    return "".join(sorted(set(chars)))


def add_minus(font) -> None:
    """Noto Sans (Debian's 2.004) has no U+2212 MINUS SIGN, which the explanations use
    ("orange +, blue −"). Give it one the way type designers draw it: the horizontal bar of
    the font's own plus sign, with the plus sign's width."""
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    cmap = font.getBestCmap()
    if 0x2212 in cmap or "glyf" not in font:
        return
    plus = cmap[ord("+")]
    pts = list(font["glyf"][plus].getCoordinates(font["glyf"])[0])
    x0, x1 = min(x for x, _ in pts), max(x for x, _ in pts)
    bar = sorted({y for x, y in pts if x == x0})  # the bar's bottom and top, at its left end
    y0, y1 = bar[0], bar[-1]
    pen = TTGlyphPen(None)
    pen.moveTo((x0, y1))
    pen.lineTo((x1, y1))
    pen.lineTo((x1, y0))
    pen.lineTo((x0, y0))
    pen.closePath()
    name = "uni2212"
    font.setGlyphOrder(font.getGlyphOrder() + [name])
    font["glyf"][name] = pen.glyph()
    font["hmtx"][name] = (font["hmtx"][plus][0], x0)
    for t in font["cmap"].tables:
        if t.isUnicode():
            t.cmap[0x2212] = name


def subset(src: Path, number: int, chars: str, out: Path) -> tuple[int, list[str]]:
    """Write the subset; returns (glyphs kept, characters the source font lacks)."""
    from fontTools import subset as fts
    from fontTools.ttLib import TTFont

    font = TTFont(src, fontNumber=number, recalcTimestamp=False, lazy=False)
    add_minus(font)
    cmap = font.getBestCmap()
    have = [c for c in chars if ord(c) in cmap]
    missing = [c for c in chars if ord(c) not in cmap]
    opts = fts.Options()
    opts.layout_features = ["kern", "liga", "calt", "ccmp", "locl", "mark", "mkmk", "palt"]
    opts.name_IDs = ["*"]  # keep the copyright, licence and trademark notices
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    sub = fts.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in have])
    sub.subset(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(out)
    return len(font.getGlyphOrder()), missing


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=resources.FONTS, help="output folder")
    args = ap.parse_args(argv)
    tables = table_chars()
    for name, src, number, face in FONTS:
        if not src.is_file():
            print(f"missing {src}: apt-get install fonts-noto-core fonts-noto-cjk", file=sys.stderr)
            return 2
        chars = wanted(face, tables)
        glyphs, missing = subset(src, number, chars, args.out / name)
        size = (args.out / name).stat().st_size
        print(f"{name}: {glyphs} glyphs, {size // 1024} KB"
              + (f"; not in the source: {''.join(missing)!r}" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
