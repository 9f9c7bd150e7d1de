"""Where the exhibit's bundled files are: the one place that knows.

The networks (``weights/``), the assets (``assets/``: MNIST test set, samples, attract strokes,
example and benchmark strokes, string tables, fonts) and the default ``config.yaml`` are found with
:mod:`importlib.resources`, relative to the installed ``exhibit`` package:

- installed from a wheel (``pip install .``, ``pipx``, a kiosk release): inside the package, as
  ``exhibit/data/weights``, ``exhibit/data/assets`` and ``exhibit/data/config.yaml``
  (``pyproject.toml`` maps the repository's top-level folders there);
- a checkout (editable install, the tests, ``python -m exhibit.cli``): the repository's top
  level, beside the ``exhibit`` package.

Everything else imports its paths from here; nothing builds paths from ``__file__``.
A kiosk's own config lives outside the install (``/etc/digit-exhibit/config.yaml``, given with
``--config``); :data:`DEFAULT_CONFIG` is only the commented template and the default.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _package_dir() -> Path:
    pkg = files("exhibit")
    if not isinstance(pkg, Path):  # a zip import: numpy and pygame cannot read from there
        raise RuntimeError(f"digit-exhibit must be installed as files, not imported from {pkg}")
    return pkg


def data_root() -> Path:
    """The folder holding ``weights/``, ``assets/`` and ``config.yaml``."""
    pkg = _package_dir()
    installed = pkg / "data"
    if (installed / "weights").is_dir():
        return installed
    return pkg.parent  # a checkout: the repository's top level


ROOT = data_root()
WEIGHTS = ROOT / "weights"
ASSETS = ROOT / "assets"
DEFAULT_CONFIG = ROOT / "config.yaml"

MNIST = ASSETS / "mnist"
STRINGS = ASSETS / "strings"
FONTS = ASSETS / "fonts"
SAMPLES = ASSETS / "samples.npz"
ATTRACT = ASSETS / "attract.json"
EXAMPLES = ASSETS / "examples" / "digits.json"
BENCH_DIGIT = ASSETS / "bench" / "digit.json"


def describe() -> dict[str, str]:
    """Every location, for diagnostics (``python -m exhibit.resources``)."""
    return {k: str(v) for k, v in {
        "root": ROOT, "weights": WEIGHTS, "assets": ASSETS, "default_config": DEFAULT_CONFIG,
    }.items()}


if __name__ == "__main__":
    import json
    print(json.dumps(describe(), indent=1))
