"""Which exhibit this is: the package version and, where known, the source revision.

Nothing here touches a network: the revision comes from the release's VERSION file (the
RELEASE line kiosk/wheelhouse.sh wrote, copied in by kiosk/install.sh) or, in a checkout,
from the local `git describe`.
"""
from __future__ import annotations

import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from exhibit import resources

CHECKOUT = resources.ROOT  # a checkout's top level; installed, the package's data (no .git there)


def package_version() -> str:
    """The installed distribution's version; in a bare checkout, pyproject.toml's."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("digit-exhibit")
    except PackageNotFoundError:
        m = re.search(r'^version\s*=\s*"([^"]+)"', _read(CHECKOUT / "pyproject.toml"), re.M)
        return m.group(1) if m else "unknown"


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def revision() -> str | None:
    """The release line (e.g. '0.1.0-905f48a') of an installed release, else the checkout's
    `git describe`, else None."""
    # a release is <release>/venv/...: its VERSION file sits beside the venv
    line = _read(Path(sys.prefix).parent / "VERSION").strip().splitlines()
    if line and re.fullmatch(r"[\w.+-]{1,80}", line[0]):
        return line[0]
    if (CHECKOUT / ".git").exists():
        try:
            out = subprocess.run(["git", "-C", str(CHECKOUT), "describe", "--always", "--dirty"],
                                 capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.SubprocessError):
            return None
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return None


@lru_cache(maxsize=1)
def describe() -> str:
    """'0.1.0' or '0.1.0 (0.1.0-905f48a)': one short string for logs, STATUS and screens."""
    v, rev = package_version(), revision()
    return f"{v} ({rev})" if rev and rev != v else v
