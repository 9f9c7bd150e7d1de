"""What every command line shares: argument types, the usage error, --size parsing and the
recognizer a command reads with. Used by ``exhibit/cli.py``, the tools' commands
(``exhibit/tools/commands.py``) and ``digit-exhibit train`` (``exhibit_training/cli.py``)."""
from __future__ import annotations

import argparse

from exhibit.config import Config

REFERENCE_SIZE = (1920, 1080)  # where no screen decides: classify, bench, soak


class UsageError(Exception):
    """Bad input from the command line; printed without a traceback, exit 2."""


def number(kind: type = float, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False):
    """An argparse type: a finite int or float within bounds, else a one-line usage error
    (exit 2) naming the bound; ``--fps 0`` or ``--max-seconds nan`` never reach the code."""
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'a whole number' if kind is int else 'a number'}, got {text!r}") \
                from None
        if v != v or v in (float("inf"), float("-inf")):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        if low is not None and (v <= low if low_open else v < low):
            raise argparse.ArgumentTypeError(
                f"must be {'greater than' if low_open else 'at least'} {low:g}, got {text}")
        if high is not None and (v >= high if high_open else v > high):
            raise argparse.ArgumentTypeError(
                f"must be {'less than' if high_open else 'at most'} {high:g}, got {text}")
        return v
    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


POSITIVE = number(float, 0, low_open=True)
NONNEG = number(float, 0)
SHARE = number(float, 0, 1)
COUNT = number(int, 1)  # at least one
NONNEG_INT = number(int, 0)


def parse_size(text: str | None, cfg: Config, auto: bool = False) -> tuple[int, int] | None:
    """--size WxH, else window.size; "auto" is None where ``auto`` (the display decides),
    else the reference size."""
    if not text:
        if cfg.window.size == "auto":
            return None if auto else REFERENCE_SIZE
        w, h = cfg.window.size
        return int(w), int(h)
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {text}: expected WIDTHxHEIGHT, e.g. 1920x1080") from None
    if not (320 <= w <= 7680 and 320 <= h <= 7680):
        raise UsageError(f"--size {text}: each side must be from 320 to 7680")
    return w, h


def canvas_size(cfg: Config) -> tuple[float, float]:
    """The drawing canvas in pixels at the configured screen size."""
    from exhibit.layout.regions import regions

    _, _, w, h = regions(cfg, parse_size(None, cfg))["canvas"]
    return w, h


def recognizer(cfg: Config, model: str | None = None, weights: str | None = None):
    from exhibit.model.store import load_model
    from exhibit.recognize import Recognizer

    lm = load_model(model or (None if weights else cfg.model), weights)
    return Recognizer(lm, stroke_width=cfg.ink.stroke_width, min_points=cfg.ink.min_points,
                      min_size=cfg.ink.min_size_px, min_confidence=cfg.answer.min_confidence)
