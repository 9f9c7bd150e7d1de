"""The day's tally: of the digits visitors drew themselves and then confirmed or corrected, how
many the exhibit read right, per digit they meant; and the day's designs (issue 25): each
finished network a visitor designed and trained, as its numbers (layers, activation, speed,
parameters, accuracy). Counts and numbers only, never a drawing; kept in a small JSON file
(``tally.file``) so that a restart keeps the day, and started afresh at ``tally.day_starts``
o'clock, local time.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

MAX_DESIGNS = 200  # the day's designs kept (the oldest go first): the chart stays legible
MAX_BYTES = 65536  # counts and 200 designs are a few kilobytes; anything bigger is not ours


def day_of(wall: float, starts: int = 0) -> str:
    """The tally's day (local date, "2026-12-07") of the moment ``wall`` (epoch seconds); the day
    begins at ``starts`` o'clock."""
    return (datetime.fromtimestamp(wall) - timedelta(hours=starts)).date().isoformat()


@dataclass
class Tally:
    """``right[d]`` of ``answered[d]`` drawings meant as digit d were read as d."""
    day: str
    right: list[int] = field(default_factory=lambda: [0] * 10)
    answered: list[int] = field(default_factory=lambda: [0] * 10)
    designs: list[dict] = field(default_factory=list)  # the day's finished designs, oldest first

    @property
    def total(self) -> tuple[int, int]:
        """(read right, answered) over all digits."""
        return sum(self.right), sum(self.answered)

    def add(self, meant: int, right: bool) -> None:
        self.answered[meant] += 1
        self.right[meant] += int(right)

    def add_design(self, record: dict) -> None:
        self.designs = (self.designs + [record])[-MAX_DESIGNS:]

    def to_json(self) -> str:
        return json.dumps({"day": self.day, "right": self.right, "answered": self.answered,
                           "designs": self.designs})

    @classmethod
    def from_json(cls, text: str) -> "Tally":
        """Raises ValueError for anything that is not a well-formed tally."""
        d = json.loads(text)
        right, answered = d["right"], d["answered"]
        ok = (isinstance(d["day"], str) and len(d["day"]) == 10 and len(right) == len(answered) == 10
              and all(isinstance(v, int) and 0 <= r <= v < 10 ** 9 for r, v in zip(right, answered)))
        if not ok:
            raise ValueError("not a tally")
        designs = d.get("designs", [])  # files written before issue 25 have none
        if not isinstance(designs, list) or not all(map(_is_design, designs)):
            raise ValueError("not a tally")
        return cls(d["day"], list(right), list(answered), list(designs)[-MAX_DESIGNS:])


def _is_design(r: object) -> bool:
    """A design record holds its numbers only (see exhibit.state.design.Design.record)."""
    return (isinstance(r, dict) and set(r) == {"hidden", "activation", "rate", "params", "accuracy"}
            and isinstance(r["hidden"], list) and len(r["hidden"]) <= 4
            and all(isinstance(n, int) and 0 < n <= 1024 for n in r["hidden"])
            and isinstance(r["activation"], str) and len(r["activation"]) <= 16
            and isinstance(r["rate"], str) and len(r["rate"]) <= 16
            and isinstance(r["params"], int) and 0 < r["params"] < 10 ** 8
            and isinstance(r["accuracy"], (int, float)) and 0.0 <= r["accuracy"] <= 1.0)


class TallyStore:
    """The tally, on disk where ``path`` is set; a broken or foreign file starts the day afresh
    (the exhibit never stops over its tally)."""

    def __init__(self, path: str | None, starts: int, wall: float) -> None:
        self.path = Path(path) if path else None
        self.starts = starts
        self.tally = self._load(day_of(wall, starts))
        self.problem: str | None = None

    def _load(self, today: str) -> Tally:
        if self.path is None:
            return Tally(today)
        try:
            with open(self.path, "rb") as f:
                t = Tally.from_json(f.read(MAX_BYTES + 1)[:MAX_BYTES].decode("utf-8"))
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
            return Tally(today)
        return t if t.day == today else Tally(today)

    def today(self, wall: float) -> Tally:
        """The tally of the day ``wall`` falls in (a new day starts at zero)."""
        day = day_of(wall, self.starts)
        if day != self.tally.day:
            self.tally = Tally(day)
        return self.tally

    def add(self, wall: float, meant: int, right: bool) -> None:
        self.today(wall).add(meant, right)
        self._save()

    def add_design(self, wall: float, record: dict) -> None:
        """A finished design (its numbers) joins the day's designs."""
        if _is_design(record):
            self.today(wall).add_design(record)
            self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(self.tally.to_json())
            os.replace(tmp, self.path)  # whole or not at all
            self.problem = None
        except OSError as e:
            self.problem = f"tally file {self.path}: {e.strerror or e}"
