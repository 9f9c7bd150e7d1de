"""The kiosk's units, scripts and lock file (kiosk/): static checks, systemd-analyze verify when
it is there, and exhibit-ctl's signalling and exit-status handling with stand-in processes."""
import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KIOSK = ROOT / "kiosk"
CTL = KIOSK / "exhibit-ctl"
UNITS = ["digit-exhibit.service", "digit-exhibit-out-of-order.service", "digit-exhibit-retry.timer",
         "digit-exhibit-health.service", "digit-exhibit-health.timer"]


def unit(name: str) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    cp.optionxform = str
    cp.read(KIOSK / name)
    return cp


def test_main_unit_has_a_bounded_start_limit_and_a_fallback():
    u = unit("digit-exhibit.service")
    interval = u["Unit"]["StartLimitIntervalSec"]
    assert interval not in ("0", "infinity") and int(u["Unit"]["StartLimitBurst"]) >= 2
    on_failure = u["Unit"]["OnFailure"].split()
    assert "digit-exhibit-out-of-order.service" in on_failure
    assert "digit-exhibit-retry.timer" in on_failure
    for name in on_failure:
        assert (KIOSK / name).is_file(), name
    assert "digit-exhibit-out-of-order.service" in u["Unit"]["Conflicts"].split()
    retry = unit("digit-exhibit-retry.timer")["Timer"]
    assert retry["Unit"] == "digit-exhibit.service" and retry["RemainAfterElapse"] == "no"
    # the retry comes after the start limit's window, or systemd would refuse the start
    assert int(retry["OnActiveSec"].rstrip("min")) > int(interval.rstrip("min"))
    ooo = unit("digit-exhibit-out-of-order.service")["Service"]
    assert "digit-exhibit out-of-order" in ooo["ExecStart"] and "--config" not in ooo["ExecStart"]


@pytest.mark.parametrize("name", ["digit-exhibit.service", "digit-exhibit-out-of-order.service"])
def test_reload_and_stop_never_signal_cage(name):
    s = unit(name)["Service"]
    cage, _, child = s["ExecStart"].partition(" -- ")
    assert cage.startswith("/usr/bin/cage") and child.split()[0].endswith("/kiosk/exhibit-ctl")
    assert child.split()[1] == "session"
    for key in ("ExecReload", "ExecStop", "ExecStopPost"):
        if key in s:
            assert "pkill" not in s[key] and "killall" not in s[key] and " -f" not in s[key]
            assert s[key].split()[0].endswith("/kiosk/exhibit-ctl")
    assert s["ExecStop"].split()[1:] == ["stop"] and s["ExecStopPost"].split()[1:] == ["result"]
    assert s["RuntimeDirectory"] and s["Type"] == "notify" and s["NotifyAccess"] == "all"


@pytest.mark.parametrize("name", ["digit-exhibit.service", "digit-exhibit-out-of-order.service"])
def test_sdl_draws_through_xwayland(name):
    """SDL2's Wayland backend has no framebuffer of its own (the exhibit's dirty-rectangle
    presents need one) and crashes without GL; X11 through cage's Xwayland has one."""
    env = unit(name)["Service"]["Environment"]
    assert "SDL_VIDEODRIVER=x11" in env and "SDL_VIDEODRIVER=wayland" not in env


def test_packages_include_xwayland_and_the_seat():
    text = (KIOSK / "install.sh").read_text()
    apt = re.search(r"apt-get install[^\n]*\\\n(?:[^\n]*\\\n)*[^\n]*", text).group(0).split()
    for pkg in ("cage", "xwayland", "python3-venv", "libpam-systemd", "dbus", "libgl1-mesa-dri",
                "libwayland-cursor0", "libx11-6", "libxext6", "libxi6"):
        assert pkg in apt, pkg


def test_shell_scripts_parse():
    for script in ("install.sh", "wheelhouse.sh"):
        subprocess.run(["sh", "-n", str(KIOSK / script)], check=True)
    assert os.access(KIOSK / "install.sh", os.X_OK) and os.access(CTL, os.X_OK)
    assert os.access(KIOSK / "wheelhouse.sh", os.X_OK)


def test_lock_pins_every_runtime_dependency_with_hashes():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[<>=!~ ;\[]", d)[0].lower().replace("_", "-") for d in deps}
    text = (KIOSK / "requirements.lock").read_text()
    reqs = [b for b in re.split(r"\n(?=\S)", text) if b.strip() and not b.startswith("#")]
    pinned = {}
    for block in reqs:
        m = re.match(r"([A-Za-z0-9_.-]+)==([^\s\\]+)", block)
        assert m, f"not pinned with ==: {block.splitlines()[0]}"
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})\b", block)
        assert hashes, f"no hash for {m.group(1)}"
        pinned[m.group(1).lower().replace("_", "-")] = m.group(2)
    assert names <= set(pinned), names - set(pinned)
    # the lock agrees with pyproject's lower bounds
    for d in deps:
        name, _, low = d.partition(">=")
        if low:
            have = tuple(int(x) for x in re.findall(r"\d+", pinned[name.lower()])[:3])
            want = tuple(int(x) for x in re.findall(r"\d+", low)[:3])
            assert have >= want, (name, have, want)


def test_units_parse_and_systemd_analyze_verify_is_clean(tmp_path):
    """Every unit parses as systemd's INI dialect; where systemd-analyze is installed (a kiosk,
    CI here), verify in a stand-in root: the units as installed, with the programs they name."""
    import configparser
    for name in UNITS:
        ini = configparser.ConfigParser(strict=False, interpolation=None)
        ini.optionxform = str
        ini.read_string((KIOSK / name).read_text())
        assert {"Unit"} <= set(ini.sections()), name
    if shutil.which("systemd-analyze") is None:
        return
    root = tmp_path / "root"
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    etc = root / "etc/systemd/system"
    etc.mkdir(parents=True)
    for name in UNITS:
        shutil.copy(KIOSK / name, etc / name)
    for prog in ("usr/bin/cage", "opt/digit-exhibit/current/kiosk/exhibit-ctl",
                 "usr/local/sbin/digit-exhibit-release"):
        p = root / prog
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("#!/bin/sh\n")
        p.chmod(0o755)
    r = subprocess.run(["systemd-analyze", "verify", f"--root={root}", *UNITS], cwd=etc,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "" and r.stderr.strip() == "", r.stderr


# --------------------------------------------------------------------------------- exhibit-ctl

FAKE_EXHIBIT = r"""
import os, signal, sys, time
log = sys.argv[1]
def note(text):
    with open(log, "a") as f:
        f.write(text + "\n")
signal.signal(signal.SIGHUP, lambda *_: note("exhibit HUP"))
signal.signal(signal.SIGTERM, lambda *_: (note("exhibit TERM"), sys.exit(0)))
note(f"exhibit up {os.environ.get('WATCHDOG_PID', '-')}")
mode = sys.argv[2]
if mode == "crash":
    time.sleep(0.3)
    os.kill(os.getpid(), signal.SIGSEGV)
if mode == "error":
    time.sleep(0.3)
    sys.exit(3)
while True:
    time.sleep(0.05)
"""

# a stand-in for cage: runs its client, exits 0 whatever the client did (as cage 0.1.4 does),
# and notes any signal it gets; its command line names the exhibit, like cage's
FAKE_CAGE = r"""
import signal, subprocess, sys
log = sys.argv[1]
def note(text):
    with open(log, "a") as f:
        f.write(text + "\n")
for s in (signal.SIGHUP, signal.SIGTERM):
    signal.signal(s, lambda n, _f: note(f"cage {signal.Signals(n).name}"))
child = subprocess.Popen(sys.argv[sys.argv.index("--") + 1:])
child.wait()
note("cage done")
sys.exit(0)
"""


def ctl(rundir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    e = dict(os.environ, RUNTIME_DIRECTORY=str(rundir), **env)
    return subprocess.run([sys.executable, str(CTL), *args], env=e, capture_output=True,
                          text=True, timeout=30)


def start_session(tmp_path: Path, mode: str):
    rundir = tmp_path / "run"
    rundir.mkdir()
    log = tmp_path / "log"
    log.touch()
    (tmp_path / "exhibit.py").write_text(FAKE_EXHIBIT)
    (tmp_path / "cage.py").write_text(FAKE_CAGE)
    env = dict(os.environ, RUNTIME_DIRECTORY=str(rundir), WATCHDOG_PID="1")
    cage = subprocess.Popen([sys.executable, str(tmp_path / "cage.py"), str(log), "digit-exhibit run",
                             "--", sys.executable, str(CTL), "session", sys.executable,
                             str(tmp_path / "exhibit.py"), str(log), mode], env=env,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while "exhibit up" not in log.read_text():
        assert time.monotonic() < deadline and cage.poll() is None, "the session did not start"
        time.sleep(0.05)
    return cage, rundir, log


def wait_for(cond, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not cond():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_reload_and_stop_reach_the_exhibit_only(tmp_path):
    cage, rundir, log = start_session(tmp_path, "serve")
    try:
        assert int((rundir / "exhibit.pid").read_text()) > 0
        assert "exhibit up -" in log.read_text()  # WATCHDOG_PID (cage's) is not passed down
        # what the old ExecReload matched: cage's command line names the exhibit too
        assert "digit-exhibit run" in " ".join(Path(f"/proc/{cage.pid}/cmdline").read_text().split("\0"))
        assert ctl(rundir, "reload").returncode == 0
        wait_for(lambda: "exhibit HUP" in log.read_text())
        r = ctl(rundir, "stop", MAINPID=str(cage.pid))
        assert r.returncode == 0, r.stderr
        assert cage.poll() == 0  # stop waits until cage has followed its client out
    finally:
        if cage.poll() is None:
            cage.kill()
    lines = log.read_text().splitlines()
    assert lines.index("exhibit TERM") < lines.index("cage done")
    assert not [x for x in lines if x.startswith("cage SIG")]
    assert (rundir / "exit-status").read_text().strip() == "0"
    assert not (rundir / "exhibit.pid").exists()
    r = ctl(rundir, "result")
    assert r.returncode == 0
    assert ctl(rundir, "reload").returncode == 1  # nothing running: says so


@pytest.mark.parametrize("mode, status, words", [("crash", 139, "SIGSEGV"), ("error", 3, "repeated")])
def test_a_failed_exhibit_fails_the_unit_although_cage_exits_0(tmp_path, mode, status, words):
    cage, rundir, log = start_session(tmp_path, mode)
    cage.wait(timeout=20)
    assert cage.returncode == 0  # what systemd would see without exhibit-ctl
    assert (rundir / "exit-status").read_text().strip() == str(status)
    r = ctl(rundir, "result", SERVICE_RESULT="success", EXIT_STATUS="0")
    assert r.returncode == status and words in r.stderr


def test_result_without_a_status_is_a_failure(tmp_path):
    r = ctl(tmp_path, "result", SERVICE_RESULT="success", EXIT_STATUS="0")
    assert r.returncode == 1 and "no exit status" in r.stderr
    # cage itself failed (e.g. no Xwayland): systemd already knows; nothing to add
    assert ctl(tmp_path, "result", SERVICE_RESULT="exit-code", EXIT_STATUS="1").returncode == 0


# ------------------------------------------------- probation, rollback and pruning (install.sh)

FAKE_SYSTEMCTL = """#!/bin/sh
echo "$*" >> "$FAKE_LOG"
case "$1" in
  show) case "$3" in
          ActiveState) echo "$FAKE_ACTIVE" ;;
          SubState) echo "$FAKE_SUB" ;;
          ActiveEnterTimestampMonotonic) echo "$FAKE_SINCE" ;;
          NRestarts) echo "$FAKE_RESTARTS" ;;
          ExecMainStatus) echo "$FAKE_STATUS" ;;
        esac ;;
  is-active) [ "$2" = --quiet ] || echo "$FAKE_ACTIVE"; [ "$FAKE_ACTIVE" = active ]; exit $? ;;
esac
exit 0
"""


class Kiosk:
    """A stand-in machine for install.sh: releases under tmp, a fake systemctl."""

    def __init__(self, tmp: Path) -> None:
        self.root = tmp / "root"
        self.releases = self.root / "opt/digit-exhibit/releases"
        self.releases.mkdir(parents=True)
        (self.root / "etc/systemd/system").mkdir(parents=True)
        (self.root / "usr/local/sbin").mkdir(parents=True)
        self.bin = tmp / "bin"
        self.bin.mkdir()
        (self.bin / "systemctl").write_text(FAKE_SYSTEMCTL)
        (self.bin / "systemctl").chmod(0o755)
        self.log = tmp / "systemctl.log"
        self.log.touch()

    def release(self, name: str, good: bool = False) -> Path:
        rel = self.releases / name
        shutil.copytree(KIOSK, rel / "kiosk")
        if good:
            (rel / "GOOD").write_text("2026-01-01T00:00:00Z\n")
        return rel

    def switch(self, name: str, pending: bool = False) -> None:
        (self.root / "opt/digit-exhibit/current").symlink_to(self.releases / name)
        if pending:
            (self.root / "opt/digit-exhibit/pending").write_text(name + "\n")

    @property
    def current(self) -> str:
        return os.readlink(self.root / "opt/digit-exhibit/current").rsplit("/", 1)[1]

    WALL = 1_800_000_000.0  # the "now" of the wall clock the health file's times are read by

    def health(self, rec: dict | None) -> None:
        """The exhibit's health file (None: none), as the running exhibit would write it."""
        path = self.root / "run/digit-exhibit/health.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        if rec is not None:
            path.write_text(json.dumps(rec))

    def run(self, *args: str, active: str = "active", up: float | None = 300.0,
            restarts: int = 0, status: int = 0, health: dict | None | str = "fresh", **extra: str):
        # systemd's monotonic timestamps against a "now" given to install.sh: no test depends
        # on how long this machine has been up
        now = 10_000 * 10**6
        if health == "fresh":  # a live exhibit presented a normal frame 5 s ago
            health = {"pid": 1, "version": "t", "frame_time": self.WALL - 5, "frames": 9,
                      "ink": 0.4, "luminance": 0.1, "black": False, "blank": False}
        self.health(health)
        extra.setdefault("DIGIT_EXHIBIT_TEST_NOW", str(self.WALL))
        since = now - int(up * 1e6) if up is not None else 0
        env = dict(os.environ, DIGIT_EXHIBIT_TEST_ROOT=str(self.root), FAKE_LOG=str(self.log),
                   FAKE_ACTIVE=active, FAKE_SUB="running" if active == "active" else "dead",
                   FAKE_SINCE=str(since), DIGIT_EXHIBIT_TEST_NOW_US=str(now),
                   FAKE_RESTARTS=str(restarts), FAKE_STATUS=str(status),
                   PATH=f"{self.bin}:{os.environ['PATH']}", **extra)
        return subprocess.run(["sh", str(KIOSK / "install.sh"), *args], env=env,
                              capture_output=True, text=True, timeout=60)


@pytest.fixture
def kiosk(tmp_path):
    return Kiosk(tmp_path)


def test_a_release_that_stays_up_is_marked_good(kiosk):
    kiosk.release("20260101-000000-a", good=True)
    kiosk.release("20260201-000000-b")
    kiosk.switch("20260201-000000-b", pending=True)
    r = kiosk.run("--check", up=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (kiosk.releases / "20260201-000000-b/GOOD").is_file()
    assert not (kiosk.root / "opt/digit-exhibit/pending").exists()
    assert kiosk.current == "20260201-000000-b"
    assert "restart" not in kiosk.log.read_text()


@pytest.mark.parametrize("active, up, restarts", [("failed", None, 0), ("active", 30.0, 2),
                                                   ("active", 300.0, 1), ("activating", None, 3)])
def test_a_release_that_fails_or_restarted_goes_back_to_the_last_good(kiosk, active, up, restarts):
    kiosk.release("20260101-000000-a", good=True)
    kiosk.release("20260115-000000-x")  # never good: not a target
    kiosk.release("20260201-000000-b")
    kiosk.switch("20260201-000000-b", pending=True)
    r = kiosk.run("--check", active=active, up=up, restarts=restarts, status=2)
    assert r.returncode == 1, r.stdout + r.stderr
    assert kiosk.current == "20260101-000000-a"
    assert (kiosk.releases / "20260201-000000-b/BAD").is_file()
    assert not (kiosk.releases / "20260201-000000-b/GOOD").exists()
    calls = kiosk.log.read_text()
    assert "reset-failed digit-exhibit.service" in calls
    assert "restart --no-block digit-exhibit.service" in calls
    # the good release's own units and tool are back in place
    assert (kiosk.root / "etc/systemd/system/digit-exhibit.service").is_file()
    assert (kiosk.root / "usr/local/sbin/digit-exhibit-release").is_file()


def test_without_a_good_release_a_failing_one_stays(kiosk):
    kiosk.release("20260201-000000-b")
    kiosk.switch("20260201-000000-b", pending=True)
    r = kiosk.run("--check", active="failed", up=None)
    assert r.returncode == 1 and "no good release" in r.stdout
    assert kiosk.current == "20260201-000000-b"


def test_rollback_goes_only_to_good_releases(kiosk):
    kiosk.release("20260101-000000-a", good=True)
    kiosk.release("20260115-000000-x")
    (kiosk.releases / "20260115-000000-x/BAD").write_text("not up\n")
    kiosk.release("20260201-000000-b", good=True)
    kiosk.switch("20260201-000000-b")
    r = kiosk.run("--rollback")
    assert r.returncode == 0, r.stdout + r.stderr
    assert kiosk.current == "20260101-000000-a"
    r = kiosk.run("--rollback")  # nothing good older than a; b is good and newer: back to b
    assert r.returncode == 0 and kiosk.current == "20260201-000000-b"
    (kiosk.releases / "20260101-000000-a/GOOD").unlink()
    r = kiosk.run("--rollback")
    assert r.returncode == 1 and kiosk.current == "20260201-000000-b"


def test_old_releases_are_pruned_keeping_three_and_the_last_good(kiosk):
    names = [f"2026010{i}-000000-r{i}" for i in range(1, 7)]
    for i, n in enumerate(names):
        kiosk.release(n, good=(i == 0))
    kiosk.switch(names[-1], pending=True)
    r = kiosk.run("--check", up=300)
    assert r.returncode == 0, r.stdout + r.stderr
    left = sorted(p.name for p in kiosk.releases.iterdir())
    assert left == [names[0], *names[3:]]
    s = kiosk.run("--status")
    assert f"{names[-1]} : current good" in s.stdout


def test_a_requested_restart_is_not_a_failure(kiosk):
    """Up 30 s, no restart by systemd: a technician's restart or a reboot. It stays on
    probation, and is marked good once it has been up long enough."""
    kiosk.release("20260101-000000-a", good=True)
    kiosk.release("20260201-000000-b")
    kiosk.switch("20260201-000000-b", pending=True)
    r = kiosk.run("--check", up=30, restarts=0)
    assert r.returncode == 0 and "not a failure" in r.stdout, r.stdout + r.stderr
    assert kiosk.current == "20260201-000000-b"
    assert not (kiosk.releases / "20260201-000000-b/BAD").exists()
    assert (kiosk.root / "opt/digit-exhibit/pending").is_file()
    r = kiosk.run("--check", up=130, restarts=0)
    assert r.returncode == 0 and (kiosk.releases / "20260201-000000-b/GOOD").is_file()


# ------------------------------------------------ installing a release folder (install.sh)

# a stand-in for /usr/bin/python3: `-m venv DIR` makes a "venv" whose python and digit-exhibit
# are this test's interpreter (the wheels' pip install is the only step left out); FAKE_WEIGHTS
# gives verify a folder of networks in place of the installed ones
FAKE_PYTHON = """#!/bin/sh
if [ "$1" = -m ] && [ "$2" = venv ]; then
  mkdir -p "$3/bin"
  cat > "$3/bin/python" <<'X'
#!/bin/sh
[ "$1" = -m ] && [ "$2" = pip ] && exit 0
exec {py} "$@"
X
  cat > "$3/bin/digit-exhibit" <<'X'
#!/bin/sh
if [ "$1" = verify ] && [ -n "${{FAKE_WEIGHTS:-}}" ]; then
  shift; exec {py} -m exhibit.cli verify --weights-dir "$FAKE_WEIGHTS" "$@"
fi
exec {py} -m exhibit.cli "$@"
X
  chmod 755 "$3/bin/python" "$3/bin/digit-exhibit"
  exit 0
fi
exec {py} "$@"
"""

# two installs "in one second": date gives the same time to both
FAKE_DATE = """#!/bin/sh
[ "$1" = +%Y%m%d-%H%M%S ] && { echo 20260301-120000; exit 0; }
exec /bin/date "$@"
"""


class Installer(Kiosk):
    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp)
        self.tmp = tmp
        for prog in ("usr/bin/cage", "usr/bin/Xwayland"):
            p = self.root / prog
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("#!/bin/sh\n")
            p.chmod(0o755)
        py = tmp / "python3"
        py.write_text(FAKE_PYTHON.format(py=sys.executable))
        py.chmod(0o755)
        self.python = py
        (self.bin / "date").write_text(FAKE_DATE)
        (self.bin / "date").chmod(0o755)
        self.etc = self.root / "etc/digit-exhibit"

    def folder(self, name: str, version: str = "1.0-abc") -> Path:
        """A release folder as wheelhouse.sh makes it (its wheels stand-ins), with SHA256SUMS."""
        d = self.tmp / name
        shutil.copytree(KIOSK, d / "kiosk")
        (d / "wheels").mkdir()
        (d / "wheels/placeholder.txt").write_text("stand-in\n")
        (d / "install.lock").write_text("# stand-in\n")
        (d / "RELEASE").write_text(version + "\n")
        self.sums(d)
        return d

    @staticmethod
    def sums(d: Path) -> None:
        files = sorted(p for p in d.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
        subprocess.run("sha256sum " + " ".join(f"./{p.relative_to(d)}" for p in files)
                       + " > SHA256SUMS", shell=True, cwd=d, check=True)

    def install(self, folder: Path, *args: str, **env: str):
        return self.run("--from", str(folder), "--no-packages", "--no-systemd", *args,
                        DIGIT_EXHIBIT_TEST_PYTHON=str(self.python), SDL_VIDEODRIVER="dummy", **env)


def tree(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*"))
            if p.is_file() and not p.is_symlink()}


@pytest.fixture
def installer(tmp_path):
    return Installer(tmp_path)


def test_a_release_with_a_corrupted_cnn_is_refused_and_nothing_changes(installer, tmp_path):
    good = installer.folder("good")
    r = installer.install(good)
    assert r.returncode == 0, r.stdout + r.stderr
    first = installer.current
    assert (installer.releases / first / "VERSION").read_text() == "1.0-abc\n"  # RELEASE, copied
    before = tree(installer.releases / first)
    weights = tmp_path / "weights"
    shutil.copytree(ROOT / "weights", weights)
    with open(weights / "cnn.npz", "r+b") as f:  # one flipped byte in the middle
        f.seek(5000)
        b = f.read(1)
        f.seek(5000)
        f.write(bytes([b[0] ^ 0xFF]))
    r = installer.install(installer.folder("bad", "1.1-def"), FAKE_WEIGHTS=str(weights))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "network cnn" in lines[0] and "cnn.npz" in lines[0], r.stderr
    assert f"nothing was changed (current: {first})" in lines[0]
    assert installer.current == first
    assert [p.name for p in installer.releases.iterdir()] == [first]
    assert tree(installer.releases / first) == before


def test_verify_names_every_broken_network(tmp_path):
    for name in ("gate", "deep", "compact14"):
        weights = tmp_path / name
        shutil.copytree(ROOT / "weights", weights)
        (weights / f"{name}.npz").write_bytes((weights / f"{name}.npz").read_bytes()[:-10])
        r = subprocess.run([sys.executable, "-m", "exhibit.cli", "verify", "--weights-dir",
                            str(weights)], capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, SDL_VIDEODRIVER="dummy"))
        assert r.returncode == 2 and f"network {name}" in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    r = subprocess.run([sys.executable, "-m", "exhibit.cli", "verify"], capture_output=True,
                       text=True, timeout=120, env=dict(os.environ, SDL_VIDEODRIVER="dummy"))
    assert r.returncode == 0 and "cnn" in r.stdout and "gate" in r.stdout, r.stderr


def test_installing_the_same_release_twice_in_one_second_keeps_both(installer):
    folder = installer.folder("rel")
    r1 = installer.install(folder)
    assert r1.returncode == 0, r1.stdout + r1.stderr
    first = installer.current
    before = tree(installer.releases / first)
    r2 = installer.install(folder)
    assert r2.returncode == 0, r2.stdout + r2.stderr
    names = sorted(p.name for p in installer.releases.iterdir())
    assert len(names) == 2 and first in names and installer.current != first
    assert installer.current.startswith("20260301-120000-1.0-abc")
    assert tree(installer.releases / first) == before


def test_a_failed_switch_leaves_the_old_release_current_and_says_so(installer):
    r = installer.install(installer.folder("one"))
    assert r.returncode == 0, r.stdout + r.stderr
    first = installer.current
    before = tree(installer.releases / first)
    units = installer.root / "etc/systemd/system"
    shutil.rmtree(units)  # the units cannot be written (as on a full disk): the folder is a file
    units.write_text("not a folder\n")
    r = installer.install(installer.folder("two", "1.2-x"))
    assert r.returncode != 0
    assert f"nothing was changed (current: {first})" in r.stderr
    assert installer.current == first
    assert sorted(p.name for p in installer.releases.iterdir()) == [first]
    assert tree(installer.releases / first) == before


@pytest.mark.parametrize("damage", ["missing", "extra"])
def test_a_release_without_complete_checksums_is_refused(installer, damage):
    folder = installer.folder("rel")
    if damage == "missing":
        (folder / "SHA256SUMS").unlink()
    else:
        (folder / "kiosk/extra.sh").write_text("echo hi\n")
    r = installer.install(folder)
    assert r.returncode == 2 and ("SHA256SUMS" in r.stderr), r.stderr
    assert not any(installer.releases.iterdir())


def test_the_release_on_probation_does_not_judge_itself(installer):
    """The health check runs the installed tool; a new release's install.sh replaces it only
    once that release is good."""
    r = installer.install(installer.folder("one"))
    assert r.returncode == 0, r.stdout + r.stderr
    tool = installer.root / "usr/local/sbin/digit-exhibit-release"
    judge = tool.read_text()
    assert "--check" in judge
    folder = installer.folder("two", "2.0-broken")
    (folder / "kiosk/install.sh").write_text("#!/bin/sh\n# --check\nexit 0\n")  # a broken check
    installer.sums(folder)
    r = installer.install(folder)
    assert r.returncode == 0, r.stdout + r.stderr
    assert tool.read_text() == judge
    hc = unit("digit-exhibit-health.service")["Service"]["ExecStart"]
    assert hc.split()[0] == "/usr/local/sbin/digit-exhibit-release"


def test_prefix_is_named_by_the_installed_units_and_tool(installer, tmp_path):
    prefix = tmp_path / "elsewhere"
    r = installer.install(installer.folder("rel"), f"--prefix={prefix}")
    assert r.returncode == 0, r.stdout + r.stderr
    svc = (installer.root / "etc/systemd/system/digit-exhibit.service").read_text()
    assert f"{prefix}/current/kiosk/exhibit-ctl" in svc and "/opt/digit-exhibit" not in svc
    tool = (installer.root / "usr/local/sbin/digit-exhibit-release").read_text()
    assert f"\nPREFIX={prefix}\n" in tool
    assert "\nDEFAULT_PREFIX=/opt/digit-exhibit " in tool  # what a rollback's units rewrite
    assert installer.run("--prefix=relative").returncode == 2


def test_uninstall_removes_what_the_guide_adds(installer):
    r = installer.install(installer.folder("rel"))
    assert r.returncode == 0, r.stdout + r.stderr
    units = installer.root / "etc/systemd/system"
    (units / "digit-exhibit.service.d").mkdir()
    (units / "digit-exhibit.service.d/override.conf").write_text("[Service]\n")
    for extra in ("exhibit-closing.service", "exhibit-closing.timer"):
        (units / extra).write_text("[Unit]\n")
    rule = installer.root / "etc/udev/rules.d/99-digit-exhibit-touch.rules"
    rule.parent.mkdir(parents=True)
    rule.write_text("# touch\n")
    r = installer.run("--uninstall", "--no-systemd")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not list(units.iterdir()) and not rule.exists()
    assert not (installer.root / "opt/digit-exhibit").exists()


def test_the_stop_event_logs_the_real_exit_code(tmp_path, monkeypatch):
    """A run that exits 2 (a network that fails its manifest while starting) logs "stop" with
    code 2, the code the command line exits with, not 1."""
    import json

    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    from exhibit.shell import loop
    from exhibit.config import load as load_config
    from exhibit.model.store import WeightsError

    def damaged(*_a, **_k):
        raise WeightsError("weights/cnn.npz does not match its manifest")
    monkeypatch.setattr(loop, "Runner", damaged)
    events = tmp_path / "events.jsonl"
    cfg = load_config(None, [])
    with pytest.raises(WeightsError):
        loop.run(cfg, (640, 480), False, 0, str(events), 5.0)
    stops = [e for e in map(json.loads, events.read_text().splitlines()) if e["event"] == "stop"]
    assert len(stops) == 1 and stops[0]["code"] == 2, stops


def run_exhibit_for_health(tmp: Path, *overrides: str) -> dict:
    """A real exhibit (dummy video driver) runs 3 s; its health file, as the kiosk unit's run
    folder would hold it."""
    rundir = tmp / "exhibit-run"
    rundir.mkdir(parents=True)
    sets = [a for o in overrides for a in ("--set", o)]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", RUNTIME_DIRECTORY=str(rundir))
    env.pop("DIGIT_EXHIBIT_HEALTH_FILE", None)
    r = subprocess.run([sys.executable, "-m", "exhibit", "run", "--windowed", "--size", "640x400",
                        "--max-seconds", "3", *sets], env=env, capture_output=True, text=True,
                       timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return json.loads((rundir / "health.json").read_text())


@pytest.mark.slow  # real exhibit runs, one per case
def test_the_health_check_fails_a_black_screen_and_a_stuck_one_and_passes_a_normal_one(
        kiosk, tmp_path):
    from exhibit.config import TABLE
    black = [f"{k}=#000000" for k in TABLE if k.startswith("colors.")]
    normal_rec = run_exhibit_for_health(tmp_path / "normal")
    black_rec = run_exhibit_for_health(tmp_path / "black", *black)
    assert not normal_rec["black"] and not normal_rec["blank"] and normal_rec["ink"] > 0.05
    assert black_rec["black"] and black_rec["luminance"] < 0.02
    for rec in (normal_rec, black_rec):
        assert rec["frames"] >= 1 and rec["pid"] > 0 and rec["version"]
    kiosk.release("20260101-000000-a", good=True)
    for name in ("20260201-000000-black", "20260301-000000-stuck", "20260401-000000-normal"):
        kiosk.release(name)
    # the wall clock the check reads: 5 s after each run's last frame (90 s for the stuck one)
    cases = [("20260201-000000-black", black_rec, 5, "black screen"),
             ("20260301-000000-stuck", normal_rec, 200, "last frame 200 s ago")]
    for name, rec, age, words in cases:
        (kiosk.root / "opt/digit-exhibit/current").unlink(missing_ok=True)
        kiosk.switch(name, pending=True)
        r = kiosk.run("--check", health=rec, DIGIT_EXHIBIT_TEST_NOW=str(rec["frame_time"] + age))
        assert r.returncode == 1 and words in r.stdout, r.stdout + r.stderr
        assert (kiosk.releases / name / "BAD").is_file() and kiosk.current == "20260101-000000-a"
        assert not (kiosk.releases / name / "GOOD").exists()
    (kiosk.root / "opt/digit-exhibit/current").unlink()
    kiosk.switch("20260401-000000-normal", pending=True)
    r = kiosk.run("--check", health=normal_rec, DIGIT_EXHIBIT_TEST_NOW=str(normal_rec["frame_time"] + 5))
    assert r.returncode == 0, r.stdout + r.stderr
    assert (kiosk.releases / "20260401-000000-normal/GOOD").is_file()
    # and a release that writes no health file at all is not called good either
    kiosk.release("20260501-000000-nofile")
    (kiosk.root / "opt/digit-exhibit/current").unlink()
    kiosk.switch("20260501-000000-nofile", pending=True)
    r = kiosk.run("--check", health=None)
    assert r.returncode == 1 and "no health file" in r.stdout, r.stdout
