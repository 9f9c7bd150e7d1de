"""JSON-lines event log for operators (visitor counts) and tests. It never stores drawings.

Each event has ``t`` (seconds since the start, monotonic) and ``time`` (local wall-clock time
with its UTC offset, for the day's tally and ``digit-exhibit report``).

A log must never stop the exhibit, and must not go silent either:

* each event is one ``write`` of a whole line; a line the disk only took part of is cut off
  again, so the file holds whole lines or nothing (a broken last line left by a crash or an
  older release is closed off before the next line);
* a failing write (full disk, ``/dev/full``, a vanished directory, a pipe nobody reads) is
  reported once on stderr (the journal under systemd); events wait in memory (the last
  :data:`PENDING_MAX`) and the write is retried every :data:`RETRY_SECONDS`; when it works
  again that is reported once too, a ``log_gap`` event records how many lines were lost and
  the waiting ones follow;
* the file rotates by size: past ``max_bytes`` it becomes ``FILE.1`` (``FILE.1`` becomes
  ``FILE.2`` ...), and ``keep`` old files are kept (config keys ``log.max_mb``, ``log.keep``).
"""
from __future__ import annotations

import errno
import json
import os
import stat
import sys
import time
from collections import Counter, deque
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, TextIO

RETRY_SECONDS = 10.0
PENDING_MAX = 1000
MAX_BYTES = 5_000_000
KEEP = 3


def local_time(wall: float) -> str:
    """ISO 8601 local time with its UTC offset, to the second: "2026-12-07T14:03:09+01:00"."""
    try:
        return datetime.fromtimestamp(wall).astimezone().isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):  # a clock far off: still one valid line
        return "invalid"


class EventLog:
    def __init__(self, path: str | Path | None, clock: Callable[[], float] = time.monotonic,
                 max_bytes: int = MAX_BYTES, keep: int = KEEP,
                 stderr: TextIO | None = None, wall: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.wall = wall  # seconds since the epoch: each event's local "time" (tests inject it)
        self.t0 = clock()
        self.path = str(path) if path else None
        self.max_bytes = max(1024, int(max_bytes))
        self.keep = max(0, int(keep))
        self._stderr = stderr
        self._fd: int | None = None
        self._regular = False
        self._pending: deque[str] = deque()
        self._retry_at = 0.0
        self.failing = False  # the last write failed; retried every RETRY_SECONDS
        self.lost = 0  # lines dropped since the last successful write (memory is bounded)
        self.failures = 0  # failure episodes reported so far
        self.events: list[dict[str, Any]] = []  # the last few, for tests and the failsafe
        self.counts: Counter[str] = Counter()  # every kind of event so far (and each mode)
        if self.path:
            self._open()

    @classmethod
    def from_config(cls, path: str | Path | None, cfg: Any, **kw: Any) -> "EventLog":
        """An event log with the rotation settings of a Config (``log.max_mb``, ``log.keep``)."""
        return cls(path, max_bytes=int(cfg.log.max_mb * 1_000_000), keep=cfg.log.keep, **kw)

    # --- public -------------------------------------------------------------------------------
    def write(self, event: str, **fields: Any) -> dict[str, Any]:
        rec = {"t": round(self.clock() - self.t0, 3), "time": local_time(self.wall()),
               "event": event, **fields}
        self.counts[event] += 1
        if event == "mode":
            self.counts[f"mode:{fields.get('mode')}"] += 1
        self.events.append(rec)
        if len(self.events) > 1000:
            del self.events[:500]
        if self.path is not None:
            try:
                line = json.dumps(rec, ensure_ascii=False, default=str) + "\n"
            except (TypeError, ValueError, RecursionError):
                line = json.dumps({"t": rec["t"], "event": event, "unloggable": True}) + "\n"
            self._pending.append(line)
            if len(self._pending) > PENDING_MAX:
                self._pending.popleft()
                self.lost += 1
            self._flush()
        return rec

    def close(self) -> None:
        if self._fd is not None:
            if self._pending and not self.failing:
                self._flush()
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None
        self.path = None  # like a closed file: later events are kept in memory only

    # --- the file -----------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        try:
            print(f"digit-exhibit: {text}", file=self._stderr or sys.stderr, flush=True)
        except (OSError, ValueError):
            pass

    def _open(self) -> bool:
        assert self.path is not None
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) \
            | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as e:
            self._fail(e, opening=True)
            return False
        self._fd = fd
        try:
            st = os.fstat(fd)
            self._regular = stat.S_ISREG(st.st_mode)
            if self._regular and st.st_size > 0 and not self._ends_with_newline(st.st_size):
                self._pending.appendleft("\n")  # close off a broken last line
        except OSError:
            self._regular = False
        return True

    def _ends_with_newline(self, size: int) -> bool:
        assert self.path is not None
        try:
            with open(self.path, "rb") as f:
                f.seek(size - 1)
                return f.read(1) == b"\n"
        except OSError:
            return True

    def _fail(self, e: OSError, opening: bool = False) -> None:
        self._retry_at = self.clock() + RETRY_SECONDS
        if not self.failing:
            self.failing = True
            self.failures += 1
            what = "open" if opening else "write"
            self._say(f"cannot {what} the event log {self.path}: "
                      f"{e.strerror or e}; the exhibit goes on, events wait in memory "
                      f"(the last {PENDING_MAX}) and writing is retried every "
                      f"{RETRY_SECONDS:g} s")

    def _flush(self) -> None:
        if self.failing and self.clock() < self._retry_at:
            return
        if self._fd is None and not self._open():
            return
        was_failing = self.failing
        if self.lost:
            gap = json.dumps({"t": round(self.clock() - self.t0, 3), "event": "log_gap",
                              "lost": self.lost}) + "\n"
            if not self._write_line(gap):
                return
            lost, self.lost = self.lost, 0
        else:
            lost = 0
        while self._pending:
            if not self._write_line(self._pending[0]):
                return
            self._pending.popleft()
        if was_failing:
            self.failing = False
            self._say(f"the event log {self.path} is written again"
                      + (f" ({lost} events were lost)" if lost else ""))

    def _write_line(self, line: str) -> bool:
        """Write one whole line, or nothing; False (and the failure noted) when it failed."""
        assert self._fd is not None
        data = line.encode("utf-8")
        try:
            before = os.fstat(self._fd).st_size if self._regular else 0
            if self._regular and before > 0 and before + len(data) > self.max_bytes:
                self._rotate()
                before = 0
            n = os.write(self._fd, data)
        except OSError as e:
            self._fail(e)
            return False
        if n < len(data):  # the disk took part of the line: take it back
            if self._regular:
                try:
                    os.ftruncate(self._fd, before)
                except OSError:
                    pass
            self._fail(OSError(errno.ENOSPC, "No space left on device (a partial line was "
                                             "taken back)"))
            return False
        return True

    def _rotate(self) -> None:
        """FILE -> FILE.1 -> FILE.2 ... (``keep`` old files), then a fresh FILE."""
        assert self.path is not None and self._fd is not None
        if self.keep == 0:
            os.ftruncate(self._fd, 0)
            return
        for i in range(self.keep - 1, 0, -1):
            older = f"{self.path}.{i}"
            if os.path.exists(older):
                os.replace(older, f"{self.path}.{i + 1}")
        os.replace(self.path, f"{self.path}.1")
        os.close(self._fd)
        self._fd = None
        if not self._open():
            raise OSError(errno.EIO, "cannot reopen the event log after rotating it")
