"""`digit-exhibit --version` and where the version comes from: never a network."""
import re
import subprocess
import sys
import tomllib

from support import ROOT
from exhibit import version


def test_version_prints_the_package_version():
    want = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    p = subprocess.run([sys.executable, "-m", "exhibit", "--version"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert re.fullmatch(rf"digit-exhibit {re.escape(want)}( \(\S+\))?\n", p.stdout), p.stdout
    assert version.package_version() == want


def test_an_installed_release_names_itself_from_its_version_file(tmp_path, monkeypatch):
    """kiosk/install.sh copies wheelhouse.sh's RELEASE line to <release>/VERSION, beside the venv."""
    (tmp_path / "venv").mkdir()
    (tmp_path / "VERSION").write_text("0.1.0-abc1234\n")
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    assert version.revision() == "0.1.0-abc1234"
    (tmp_path / "VERSION").write_text("$(rm -rf /)\n")  # a tampered file is not shown
    monkeypatch.setattr(version, "CHECKOUT", tmp_path)  # and no checkout to fall back on
    assert version.revision() is None
