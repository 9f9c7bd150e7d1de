"""The package as pip installs it: every package listed, the data inside the wheel, and
exhibit.resources finding it there from any folder (and in the checkout)."""
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from exhibit import resources

ROOT = Path(__file__).resolve().parents[1]
DATA = ["config.yaml", "weights", "assets"]


def data_files() -> list[str]:
    files = ["config.yaml"]
    for top in ("weights", "assets"):
        files += [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / top).rglob("*"))
                  if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
                  and not p.name.endswith(".tmp.npz")  # .gitignore'd scratch files
                  and not p.relative_to(ROOT).as_posix().startswith(README_PICTURES)]
    return files


README_PICTURES = "assets/screens/"  # the README's shots: not run-time data, not in the wheel


def test_every_package_is_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for top in ("exhibit", "exhibit_training")
             for p in (ROOT / top).rglob("__init__.py")}
    assert found | {"exhibit.data"} == listed, "add new packages to [tool.setuptools] packages"


def test_resources_in_the_checkout():
    assert resources.ROOT == ROOT
    for p in (resources.WEIGHTS, resources.ASSETS, resources.MNIST, resources.STRINGS):
        assert p.is_dir(), p
    for p in (resources.DEFAULT_CONFIG, resources.SAMPLES, resources.ATTRACT, resources.EXAMPLES,
              resources.BENCH_DIGIT):
        assert p.is_file(), p


def test_no_paths_built_from_file():
    offenders = []
    for py in (ROOT / "exhibit").rglob("*.py"):
        text = py.read_text()
        if py.name != "resources.py" and ("parents[" in text or "__file__" in text):
            offenders.append(py.relative_to(ROOT).as_posix())
    assert not offenders, f"use exhibit.resources instead: {offenders}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The real wheel, built (no network) from a clean copy of the checkout."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "config.yaml"):
        shutil.copy(ROOT / name, src / name)
    for name in ("exhibit", "exhibit_training", "weights", "assets"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    env = dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                        "--quiet", "--wheel-dir", str(tmp / "dist"), str(src)],
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    (whl,) = (tmp / "dist").glob("digit_exhibit-*.whl")
    return whl


def test_wheel_carries_weights_assets_and_config(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [f for f in data_files() if f"exhibit/data/{f}" not in names]
    assert not missing, missing
    assert "exhibit/resources.py" in names and "exhibit/shell/outoforder.py" in names
    # nothing else from the repository's top level comes along
    stray = [n for n in names if n.startswith("exhibit/data/")
             and n[len("exhibit/data/"):].split("/")[0] not in DATA]
    assert not stray, stray
    assert not [n for n in names if n.startswith(("tests/", "kiosk/", "exhibit/data/" + README_PICTURES))]


def test_installed_layout_works_from_any_folder(wheel, tmp_path):
    """The wheel unpacked as pip would into site-packages; run from an unrelated folder."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = "\n".join([
        "import exhibit, json",
        "from exhibit import resources",
        "from exhibit.model.store import load_model, MODEL_NAMES",
        "from exhibit import strings",
        "from exhibit.state.samples import load_samples",
        "from exhibit.attract.player import load_scripts",
        "from exhibit.config import load",
        "assert exhibit.__file__.startswith(%r), exhibit.__file__" % str(site),
        "assert resources.ROOT == resources.Path(%r) / 'exhibit' / 'data', resources.ROOT" % str(site),
        "[load_model(n) for n in MODEL_NAMES]",
        "assert strings.languages() and strings.table('en')",
        "from exhibit.views import theme",
        "assert not theme.font_problems(), theme.font_problems()",
        "assert all(p.is_file() for p in resources.FONTS.glob('*')) and (resources.FONTS / 'OFL.txt').is_file()",
        "load_samples(); load_scripts()",
        "assert load(None).source.endswith('config.yaml')",
    ])
    env = dict(os.environ, PYTHONPATH=str(site), SDL_VIDEODRIVER="dummy")
    r = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    r = subprocess.run([sys.executable, "-m", "exhibit.cli", "classify", str(ROOT / "assets/examples/digits.json")],
                       cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.count('"prediction"') >= 10


def _pins(path: Path) -> dict[str, str]:
    """name -> version of every `name==version` line (hash continuation lines skipped)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip().rstrip("\\").strip()
        if "==" in line and not line.startswith("--"):
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def test_constraints_pin_exactly_what_the_lock_ships():
    lock = _pins(ROOT / "kiosk" / "requirements.lock")
    assert lock and _pins(ROOT / "kiosk" / "constraints.txt") == lock
    readme = (ROOT / "README.md").read_text()
    assert "pip install -q -c kiosk/constraints.txt -e '.[test]'" in readme
    assert "-c kiosk/constraints.txt" in (ROOT / ".ci" / "run").read_text()


def test_the_tests_run_the_shipped_versions():
    from importlib.metadata import version
    lock = _pins(ROOT / "kiosk" / "requirements.lock")
    assert {n: version(n) for n in lock} == lock, "reinstall with -c kiosk/constraints.txt"
