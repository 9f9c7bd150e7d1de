"""JSON-lines event log for operators (visitor counts) and tests. It never stores drawings."""
from __future__ import annotations

import json
import sys
from collections import Counter
import time
from pathlib import Path
from typing import Any, Callable


class EventLog:
    def __init__(self, path: str | Path | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.t0 = clock()
        self._f = None
        self.events: list[dict[str, Any]] = []  # the last few, for tests and the failsafe
        self.counts: Counter[str] = Counter()  # every kind of event so far (and each mode)
        if path:
            try:
                self._f = open(path, "a", encoding="utf-8", buffering=1)
            except OSError as e:
                print(f"digit-exhibit: cannot open the event log {path}: {e.strerror}",
                      file=sys.stderr)

    def write(self, event: str, **fields: Any) -> dict[str, Any]:
        rec = {"t": round(self.clock() - self.t0, 3), "event": event, **fields}
        self.counts[event] += 1
        if event == "mode":
            self.counts[f"mode:{fields.get('mode')}"] += 1
        self.events.append(rec)
        if len(self.events) > 1000:
            del self.events[:500]
        if self._f is not None:
            try:
                self._f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            except (OSError, ValueError):
                self._f = None  # a full disk must not stop the exhibit
        return rec

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None
