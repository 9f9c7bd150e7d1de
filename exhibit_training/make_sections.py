"""Writes ``exhibit/config/sections.py`` from the settings table: ``python -m exhibit_training.make_sections``.

The table (``schema.py``) stays the one place a setting is declared; the generated, typed and
frozen sections let code read ``cfg.ink.stroke_width``, so "find usages" follows a setting from
its row to every reader. A test fails when the file and the table disagree.
"""
from __future__ import annotations

import sys
from pathlib import Path

from exhibit.config.schema import TABLE

OUT = Path(__file__).resolve().parents[1] / "exhibit" / "config" / "sections.py"
TYPES = {"int": "int", "float": "float", "bool": "bool", "choice": "str", "str": "str",
         "color": "str", "choices": "tuple[str, ...]", "keys": "tuple[str, ...]",
         "size": "str | tuple[int, int]", "rect": "tuple[float, float, float, float]",
         "list": "tuple[float, ...]"}


def class_name(path: str) -> str:
    return "".join(p.capitalize() for p in path.split("."))


def tree() -> dict:
    """{name: Setting | subtree} in table order."""
    root: dict = {}
    for key, s in TABLE.items():
        node = root
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = s
    return root


def render() -> str:
    lines = ['"""Typed, frozen sections of the settings. GENERATED from schema.py by',
             '``python -m exhibit_training.make_sections``: do not edit by hand."""',
             "from __future__ import annotations", "", "from dataclasses import dataclass",
             "from typing import Any, Mapping"]
    classes: list[str] = []

    def emit(path: str, node: dict) -> None:
        for name, child in node.items():
            if isinstance(child, dict):
                emit(f"{path}.{name}" if path else name, child)
        body = []
        for name, child in node.items():
            if isinstance(child, dict):
                body.append(f"    {name}: {class_name(f'{path}.{name}' if path else name)}")
            else:
                line = f"    {name}: {TYPES[child.kind]}"
                note = child.help.split(". ")[0].rstrip(".")
                room = 99 - len(line) - 4
                if room >= 20:
                    line += "  # " + (note if len(note) <= room else note[:room - 1] + "…")
                body.append(line)
        cls = class_name(path) if path else "Sections"
        classes.append("\n".join(["", "", "@dataclass(frozen=True)", f"class {cls}:", *body]))

    emit("", tree())
    lines += classes
    lines += ["", "", "def _frozen(v: Any) -> Any:",
              "    return tuple(_frozen(x) for x in v) if isinstance(v, list) else v", "", "",
              "def build(values: Mapping[str, Any]) -> Sections:",
              '    """The sections from validated flat values ({"ink.stroke_width": 2.4, ...})."""',
              "    v = {k: _frozen(x) for k, x in values.items()}"]

    def construct(path: str, node: dict, indent: int) -> str:
        cls = class_name(path) if path else "Sections"
        pad = " " * (indent + 4)
        parts = []
        for name, child in node.items():
            full = f"{path}.{name}" if path else name
            if isinstance(child, dict):
                parts.append(f"{pad}{name}={construct(full, child, indent + 4)}")
            else:
                parts.append(f'{pad}{name}=v["{full}"]')
        return f"{cls}(\n" + ",\n".join(parts) + ")"

    lines.append("    return " + construct("", tree(), 4))
    lines += ["", "", "class Typed:",
              '    """Read-only typed access for Config: ``cfg.ink.stroke_width``."""',
              "", "    _sections: Sections"]
    for name, child in tree().items():
        kind = class_name(name) if isinstance(child, dict) else TYPES[child.kind]
        lines += ["", "    @property", f"    def {name}(self) -> {kind}:",
                  f"        return self._sections.{name}"]
    return "\n".join(lines) + "\n"


def main() -> int:
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
