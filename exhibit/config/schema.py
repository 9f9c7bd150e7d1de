"""Every setting a museum may change: one declarative table of keys, defaults, types and help.

Code reads values from a validated :class:`Config`, never literals; a new setting is one row.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Key:
    """One setting. ``kind``: int, float, bool, choice, str, size (two ints), rect (four
    fractions x, y, w, h), list (of numbers, ``length`` long)."""

    name: str
    default: Any
    kind: str
    help: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    length: int | None = None

    def expected(self) -> str:
        if self.kind == "int":
            return f"a whole number from {self.lo:g} to {self.hi:g}"
        if self.kind == "float":
            return f"a number from {self.lo:g} to {self.hi:g}"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "str":
            return "a text"
        if self.kind == "size":
            return f"[width, height] in pixels, each from {self.lo:g} to {self.hi:g}"
        if self.kind == "rect":
            return "[x, y, w, h] as fractions of the screen, each from 0 to 1, inside it"
        return f"a list of {self.length} numbers from {self.lo:g} to {self.hi:g}"


MODELS = ("explainer", "compact14", "deep")

KEYS: tuple[Key, ...] = (
    Key("model", "explainer", "choice",
        "Network the exhibit starts with (and returns to when idle).", choices=MODELS),
    Key("ink.stroke_width", 2.4, "float",
        "Brush width of the picture the network reads, in pixels of the 20 px digit box, "
        "whatever size the visitor draws at (MNIST strokes are about 2-2.5).", 1.0, 4.0),
    Key("ink.min_points", 1, "int",
        "Fewer points than this in all strokes together counts as an empty canvas.", 1, 1000),
    Key("answer.min_confidence", 0.5, "float",
        "Below this top probability the answer shows '?' instead of a digit.", 0.0, 1.0),
    Key("window.size", [1920, 1080], "size",
        "Logical screen size the layout is made for (and the windowed size).", 320, 7680),
    Key("layout.canvas", [0.02, 0.05, 0.40, 0.90], "rect",
        "Drawing canvas region: x, y, width, height as fractions of the screen."),
)

TABLE: dict[str, Key] = {k.name: k for k in KEYS}


def defaults() -> dict[str, Any]:
    return {k.name: k.default for k in KEYS}


def render_yaml(values: dict[str, Any] | None = None) -> str:
    """A commented config.yaml holding every key (the defaults unless values are given)."""
    import json
    import textwrap

    values = values or defaults()
    lines = ["# Digit Exhibit settings. Every key is optional; delete one to get its default.",
             "# Check a change with:  digit-exhibit check-config config.yaml", ""]
    current: list[str] = []
    for key in KEYS:
        *sections, leaf = key.name.split(".")
        common = 0
        while common < min(len(current), len(sections)) and current[common] == sections[common]:
            common += 1
        for depth in range(common, len(sections)):
            lines.append("  " * depth + f"{sections[depth]}:")
        current = sections
        pad = "  " * len(sections)
        for text in textwrap.wrap(f"{key.help} ({key.expected()})", 96 - len(pad)):
            lines.append(f"{pad}# {text}")
        lines.append(f"{pad}{leaf}: {json.dumps(values[key.name], ensure_ascii=False)}")
    return "\n".join(lines) + "\n"
