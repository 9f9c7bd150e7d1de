"""Limits on everything read from outside, checked before anything big is allocated.

A file handed to ``classify``, a config or a weights manifest may be broken or hostile: a
100 MB stroke file, a PNG whose header claims 30000x30000 pixels, a ``.npy`` header claiming
10^10 elements, JSON nested 100,000 levels deep, an integer with 5,000 digits, a config path
that is really a FIFO or ``/dev/zero``. Each is refused with one line that names the limit.

:func:`read_regular_file` opens without blocking (a FIFO does not hang), refuses anything that
is not a regular file (FIFO, device, directory, socket) and reads at most ``max_bytes``.
:func:`load_json` pre-scans the bytes (nesting depth, number of values) before ``json`` builds a
single object, and parses numbers with bounds: a number that is too long or not finite becomes
a :class:`BadNumber` the caller refuses in its place (so one bad digit costs only that digit).
"""
from __future__ import annotations

import errno
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import numpy as np

# --- the limits ------------------------------------------------------------------------------
STROKE_FILE_BYTES = 16 * 1024 * 1024  # a stroke JSON file
PNG_FILE_BYTES = 16 * 1024 * 1024
NPY_FILE_BYTES = 64 * 1024 * 1024
IMAGE_PIXELS = 4 * 1024 * 1024  # width x height of a PNG, elements of a .npy array
IMAGE_SIDE = 4096  # either side of a picture
POINTS_PER_DRAWING = 20_000  # all strokes of one digit in a file
POINTS_PER_FILE = 200_000  # all digits of one stroke file
DRAWINGS_PER_FILE = 10_000
JSON_DEPTH = 16  # a stroke file needs 6 levels, a manifest 3
JSON_VALUES = 1_000_000  # numbers, strings and containers in one JSON document
NUMBER_CHARS = 40  # a number written with more characters than this is refused
COORDINATE = 1e6  # |x|, |y| and the box's sides in a stroke file
BOX_MIN = 1e-3  # a smaller box scales its points past float32 (inf, then "nothing drawn")
MANIFEST_BYTES = 1024 * 1024
CONFIG_BYTES = 64 * 1024
YAML_DEPTH = 8  # the config needs 3
YAML_EVENTS = 5_000  # the shipped config has about 500


class LimitError(ValueError):
    """Input over a limit or unreadable; the message is one line for an operator."""


def describe_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular_file(path: str | Path, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; raises LimitError (message
    ``"PATH: ..."``) for a missing, unreadable, special or too large file. Never blocks on a
    FIFO and never reads more than ``max_bytes + 1`` bytes."""
    where = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise LimitError(f"{where}: {what} not found") from None
    except IsADirectoryError:
        raise LimitError(f"{where}: is a directory, not a {what}") from None
    except OSError as e:
        if e.errno == errno.ENXIO:  # a FIFO with no writer, or a socket
            raise LimitError(f"{where}: is not a regular file (a FIFO or socket)") from None
        raise LimitError(f"{where}: cannot read the {what} ({e.strerror or e})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise LimitError(f"{where}: is {describe_kind(st.st_mode)}, not a regular {what}")
        if st.st_size > max_bytes:
            raise LimitError(f"{where}: {st.st_size} bytes is over the limit for a {what} "
                             f"({max_bytes} bytes)")
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:  # it grew while we read
            raise LimitError(f"{where}: over the limit for a {what} ({max_bytes} bytes)")
        return b"".join(chunks)
    except OSError as e:
        raise LimitError(f"{where}: cannot read the {what} ({e.strerror or e})") from None
    finally:
        os.close(fd)


# --- JSON ------------------------------------------------------------------------------------
class BadNumber:
    """A number in a JSON document that was not turned into a float: too many digits, beyond
    the float range, NaN or Infinity. Code that reads numbers refuses it by name."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        t = self.text if len(self.text) <= 12 else self.text[:8] + f"...({len(self.text)} chars)"
        return f"<bad number {t}>"

    def reason(self) -> str:
        if len(self.text) > NUMBER_CHARS:
            return f"a number with {len(self.text)} characters (limit {NUMBER_CHARS})"
        return f"a number that is not finite ({self.text})"


def _parse_int(s: str) -> int | BadNumber:
    return int(s) if len(s) <= NUMBER_CHARS else BadNumber(s)


def _parse_float(s: str) -> float | BadNumber:
    if len(s) > NUMBER_CHARS:
        return BadNumber(s)
    v = float(s)
    return v if v - v == 0.0 else BadNumber(s)


_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_OPEN = (ord("["), ord("{"))
_CLOSE = (ord("]"), ord("}"))


def json_shape(data: bytes, chunk: int = 1 << 20) -> tuple[int, int]:
    """(deepest nesting, about how many values) of JSON bytes, strings ignored: a fast scan in
    1 MB blocks, so a deep or huge document is measured before anything is built."""
    stripped = _STRING.sub(b'""', data) if b'"' in data else data
    depth = deepest = 0
    values = 1
    for i in range(0, len(stripped), chunk):
        a = np.frombuffer(stripped, np.uint8, count=min(chunk, len(stripped) - i), offset=i)
        opens = (a == _OPEN[0]) | (a == _OPEN[1])
        step = opens.astype(np.int32) - ((a == _CLOSE[0]) | (a == _CLOSE[1]))
        run = np.cumsum(step, dtype=np.int64) + depth
        if len(run):
            deepest = max(deepest, int(run.max()))
            depth = int(run[-1])
        values += int(np.count_nonzero(a == ord(","))) + int(np.count_nonzero(opens))
    return deepest, values


def load_json(data: bytes, where: str, max_depth: int = JSON_DEPTH,
              max_values: int = JSON_VALUES) -> Any:
    """Parse JSON bytes within the limits; raises LimitError. Numbers that are too long or not
    finite (including NaN and Infinity) come back as :class:`BadNumber`."""
    depth, values = json_shape(data)
    if depth > max_depth:
        raise LimitError(f"{where}: JSON nested {depth} levels deep (limit {max_depth})")
    if values > max_values:
        raise LimitError(f"{where}: about {values} JSON values (limit {max_values})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise LimitError(f"{where}:{line}: not UTF-8 text (is this the right file?)") from None
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float,
                          parse_constant=BadNumber)
    except json.JSONDecodeError as e:
        raise LimitError(f"{where}:{e.lineno}: not valid JSON: {e.msg} (column {e.colno})") \
            from None
    except (ValueError, RecursionError, MemoryError) as e:
        raise LimitError(f"{where}: not usable JSON ({e.__class__.__name__}: "
                         f"{str(e)[:80]})") from None


def is_number(v: Any, limit: float | None = None) -> bool:
    """A finite int or float (not a bool), within +-limit when given; never raises."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        f = float(v)
    except OverflowError:
        return False
    if f - f != 0.0:
        return False
    return limit is None or abs(f) <= limit


def shown(v: Any, n: int = 40) -> str:
    """A short printable form of a JSON value of any size or depth (never raises)."""
    if isinstance(v, BadNumber):
        return repr(v)
    if isinstance(v, (list, dict)):
        kind = "list" if isinstance(v, list) else "object"
        return f"a {kind} of {len(v)}"
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10 ** 15:
        return f"an integer with {len(str(abs(v))) if abs(v) < 10 ** 4000 else 'thousands of'} digits"
    try:
        s = json.dumps(v, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        s = repr(type(v))
    return s if len(s) <= n else s[:n - 3] + "..."


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(s: Any) -> str:
    """Text (a file name, a message holding one) that any strict UTF-8 / JSON reader takes:
    the undecodable bytes of a file name (lone surrogates, from surrogateescape) become
    ``\\xNN`` escapes instead."""
    s = os.fspath(s) if isinstance(s, os.PathLike) else str(s)
    try:
        raw = s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no file name decoding made
        raw = s.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")


def one_line(s: Any) -> str:
    """:func:`printable`, with line breaks and other control characters escaped, so that a
    file name holding a newline cannot split a one-line message."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"),
                        printable(s))
