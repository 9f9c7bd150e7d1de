"""Command-line argument types and the usage error, shared by ``digit-exhibit`` and its
``train`` subcommand (``exhibit_training/cli.py``)."""
from __future__ import annotations

import argparse


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
