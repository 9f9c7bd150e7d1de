"""kiosk/fleet: the Ansible rollout and status playbooks, run for real with ansible-core against
stand-in kiosks on this machine (ansible_connection=local, digit_exhibit_test_root=DIR): the
real install.sh installs into each DIR (its Python environment stood in for, as in
test_kiosk.py, by one whose "pip install" copies the release's networks), and the real health
check (install.sh --check) judges through kiosk/fleet/stand-in/systemctl, which answers from
DIR/stand-in/status. The rollouts are in the slow tier."""
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from support import ROOT

KIOSK = ROOT / "kiosk"
FLEET = KIOSK / "fleet"
BIN = Path(sys.executable).parent
ANSIBLE_PLAYBOOK = (str(BIN / "ansible-playbook") if (BIN / "ansible-playbook").exists()
                    else shutil.which("ansible-playbook"))
needs_ansible = pytest.mark.skipif(
    ANSIBLE_PLAYBOOK is None,
    reason="ansible-playbook is not installed (pip install -e '.[test]' brings ansible-core)")
# what kiosk/wheelhouse.sh puts into a release's kiosk/ folder
RELEASE_KIOSK_FILES = ["install.sh", "exhibit-ctl", "README.md", "requirements.lock",
                       "digit-exhibit.service", "digit-exhibit-out-of-order.service",
                       "digit-exhibit-retry.timer", "digit-exhibit-health.service",
                       "digit-exhibit-health.timer"]

# /usr/bin/python3 of a stand-in kiosk: `-m venv DIR` makes an environment whose pip "installs"
# a release by copying the networks its stand-in wheel carries (wheels/weights/), and whose
# digit-exhibit is this checkout's, reading those networks: verify checks what the release
# brought, as on a kiosk. Everything else (check-config, the switch, probation) is real.
FAKE_PYTHON = """#!/bin/sh
if [ "$1" = -m ] && [ "$2" = venv ]; then
  mkdir -p "$3/bin"
  cat > "$3/bin/python" <<X
#!/bin/sh
if [ "\\$1" = -m ] && [ "\\$2" = pip ]; then
  while [ \\$# -gt 0 ]; do
    [ "\\$1" = --find-links ] && cp -r "\\$2/weights" "$3/weights"
    shift
  done
  exit 0
fi
exec {py} "\\$@"
X
  cat > "$3/bin/digit-exhibit" <<X
#!/bin/sh
if [ "\\$1" = verify ]; then
  shift; exec {py} -m exhibit.cli verify --weights-dir "$3/weights" "\\$@"
fi
exec {py} -m exhibit.cli "\\$@"
X
  chmod 755 "$3/bin/python" "$3/bin/digit-exhibit"
  exit 0
fi
exec {py} "$@"
"""


def make_release(where: Path, version: str, damage=None) -> Path:
    """A release folder as kiosk/wheelhouse.sh makes it, its wheel stood in for by the networks
    it would carry. ``damage(folder)`` changes it before SHA256SUMS is written (a release made
    from a damaged checkout: its sums match)."""
    d = where / version
    (d / "kiosk").mkdir(parents=True)
    for f in RELEASE_KIOSK_FILES:
        shutil.copy2(KIOSK / f, d / "kiosk" / f)
    weights = d / "wheels" / "weights"
    weights.mkdir(parents=True)
    for f in (ROOT / "weights").iterdir():
        if f.suffix in (".npz", ".json"):
            shutil.copy2(f, weights / f.name)
    (d / "install.lock").write_text(f"# stand-in lock of {version}\n")
    (d / "RELEASE").write_text(version + "\n")
    if damage:
        damage(d)
    files = sorted("./" + p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file())
    subprocess.run(["sha256sum", *files], cwd=d, check=True, stdout=open(d / "SHA256SUMS", "w"))
    return d


def flip_byte(path: Path, at: int = 5000) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


class Fleet:
    """Stand-in kiosks kiosk-1..N under tmp, an inventory naming them, and ansible-playbook."""

    def __init__(self, tmp: Path, n: int, host_vars: dict | None = None) -> None:
        self.tmp = tmp
        self.names = [f"kiosk-{i}" for i in range(1, n + 1)]
        self.roots = {h: tmp / h for h in self.names}
        python = tmp / "python3"
        python.write_text(FAKE_PYTHON.format(py=sys.executable))
        python.chmod(0o755)
        for h, root in self.roots.items():
            subprocess.run([str(FLEET / "stand-in" / "make-host"), str(root)], check=True,
                           capture_output=True)
        self.host_vars = {h: dict((host_vars or {}).get(h, {})) for h in self.names}
        self.python = python
        self.write_inventory()
        (tmp / "scratch").mkdir()

    def write_inventory(self) -> None:
        hosts = {h: {"digit_exhibit_test_root": str(self.roots[h]), **self.host_vars[h]}
                 for h in self.names}
        inv = {"all": {"vars": {"ansible_connection": "local",
                                "ansible_python_interpreter": sys.executable,
                                "digit_exhibit_test_python": str(self.python)},
                       "hosts": hosts}}
        self.inventory = self.tmp / "inventory.yml"
        self.inventory.write_text(yaml.safe_dump(inv))

    def status(self, host: str, **kv: str) -> None:
        """What the stand-in systemctl reports on ``host`` from now on."""
        subprocess.run([str(FLEET / "stand-in" / "make-host"), str(self.roots[host]),
                        *(f"{k}={v}" for k, v in kv.items())], check=True, capture_output=True)

    def play(self, playbook: str, *extra: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, ANSIBLE_CONFIG=str(FLEET / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                   ANSIBLE_LOCAL_TEMP=str(self.tmp / "ansible-local"),
                   ANSIBLE_REMOTE_TEMP=str(self.tmp / "ansible-remote"),
                   TMPDIR=str(self.tmp / "scratch"))
        return subprocess.run([ANSIBLE_PLAYBOOK, "-i", str(self.inventory),
                               str(FLEET / playbook), *extra], env=env, capture_output=True,
                              text=True, timeout=600)

    def rollout(self, release: Path, *extra: str) -> subprocess.CompletedProcess:
        return self.play("rollout.yml", "-e", f"release_dir={release}", *extra)

    def current(self, host: str) -> str:
        link = self.roots[host] / "opt/digit-exhibit/current"
        return os.readlink(link).rsplit("/", 1)[1] if link.is_symlink() else ""

    def release_dir(self, host: str, name: str) -> Path:
        return self.roots[host] / "opt/digit-exhibit/releases" / name

    def tree(self, host: str) -> dict[str, bytes]:
        """Every file of a stand-in kiosk but the stand-in's own notes."""
        root = self.roots[host]
        return {str(p.relative_to(root)): (os.readlink(p).encode() if p.is_symlink() else p.read_bytes())
                for p in sorted(root.rglob("*"))
                if (p.is_file() or p.is_symlink()) and "stand-in" not in p.relative_to(root).parts}


def verify_units(root: Path, units: Path) -> None:
    """systemd-analyze verify (where installed) of a stand-in kiosk's units as installed, with
    the drop-ins and the closing timer kiosk/fleet wrote: clean, no warning at all."""
    if shutil.which("systemd-analyze") is None or not Path("/usr/lib/systemd/system").is_dir():
        return
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    shutil.copytree(units, root / "etc/systemd/system")
    execs = re.findall(r"^Exec\w*=[-@+!]*(/\S+)", "\n".join(
        p.read_text() for p in (root / "etc/systemd/system").rglob("*") if p.is_file()), re.M)
    for prog in set(execs):  # the programs they name, as stand-ins
        p = root / prog.lstrip("/")
        if not p.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("#!/bin/sh\n")
            p.chmod(0o755)
    names = ["digit-exhibit.service", "digit-exhibit-out-of-order.service", "exhibit-closing.service",
             "exhibit-closing.timer"]
    r = subprocess.run(["systemd-analyze", "verify", f"--root={root}", *names], cwd=root / "etc/systemd/system",
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "" and r.stderr.strip() == "", r.stderr


def recap(out: str) -> dict[str, dict[str, int]]:
    rows = re.findall(r"^(\S+)\s+: ((?:\w+=\d+\s*)+)$", out, re.M)
    return {h: {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", counts)} for h, counts in rows}


def failures(out: str) -> dict[str, str]:
    """host -> the msg of its failed task."""
    found = {}
    for host, body in re.findall(r"^fatal: \[([^\]]+)\]: FAILED! => (.*?)(?=^\S|\Z)", out, re.M | re.S):
        m = re.search(r'^msg: (.*)$', body, re.M) or re.search(r'"msg": "((?:[^"\\]|\\.)*)"', body)
        found[host] = m.group(1).strip().strip("'\"") if m else body.strip()
    return found


def table_rows(lines: list[str]) -> list[dict[str, str]]:
    """fleet-status's table (a header, a rule, one line per kiosk) as column -> cell."""
    head = lines[0]
    names = re.findall(r"\S+(?: \S+)*", head)
    starts = [head.index(n) for n in names] + [None]
    return [{n: line[starts[i]:starts[i + 1]].strip() for i, n in enumerate(names)} for line in lines[2:]]


def results_order(out: str) -> list[str]:
    """The hosts of the task results, in the order the run reported them (serial: in turn)."""
    body = out.split("PLAY RECAP")[0]
    return re.findall(r"^(?:ok|changed|fatal|skipping): \[(kiosk-\d+)\]", body, re.M)


@needs_ansible
def test_the_playbooks_pass_ansible_syntax_check():
    for book in ("rollout.yml", "fleet-status.yml"):
        r = subprocess.run([ANSIBLE_PLAYBOOK, "-i", "localhost,", "--syntax-check", str(FLEET / book)],
                           capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, ANSIBLE_CONFIG=str(FLEET / "ansible.cfg")))
        assert r.returncode == 0, r.stdout + r.stderr


def test_ansible_is_only_a_test_tool():
    """The kiosk never needs Ansible: it is no run-time dependency, only the test extra's."""
    import tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not [d for d in project["dependencies"] if "ansible" in d.lower()]
    test = [d for d in project["optional-dependencies"]["test"] if d.startswith("ansible-core")]
    assert test and "<2.20" in test[0]
    assert "fleet" not in (KIOSK / "wheelhouse.sh").read_text()  # no playbook in a release


def load_module(path: Path):
    import importlib.util
    pytest.importorskip("ansible", reason="ansible-core is not installed (pip install -e '.[test]' brings it)")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_kiosk_side_check_names_the_file_that_does_not_match(tmp_path):
    info = load_module(FLEET / "roles/digit_exhibit/library/digit_exhibit_info.py")
    d = make_release(tmp_path, "1.0-x")
    assert info.sums_problem(str(d)) == ""
    fp = info.fingerprint(str(d))
    flip_byte(d / "wheels/weights/deep.npz", 10)
    assert info.sums_problem(str(d)).endswith("wheels/weights/deep.npz does not match SHA256SUMS "
                                              "(changed after the release was made, or damaged in the copy)")
    assert info.fingerprint(str(d)) == fp  # the wheels' own hashes are in install.lock
    flip_byte(d / "wheels/weights/deep.npz", 10)
    (d / "kiosk/extra.sh").write_text("echo\n")
    assert info.sums_problem(str(d)).endswith("kiosk/extra.sh is not in SHA256SUMS")
    assert info.fingerprint(str(d)) != fp  # another kiosk file: another release
    (d / "kiosk/extra.sh").unlink()
    (d / "RELEASE").unlink()
    assert info.sums_problem(str(d)).endswith("RELEASE is missing (it is listed in SHA256SUMS)")
    (d / "SHA256SUMS").write_text("not a checksum\n")
    assert info.sums_problem(str(d)).endswith("SHA256SUMS:1 is not a checksum line")
    (d / "SHA256SUMS").unlink()
    assert "SHA256SUMS is missing" in info.sums_problem(str(d))


def test_the_status_table_lines_up_and_names_a_kiosk_that_did_not_answer():
    table = load_module(FLEET / "filter_plugins/fleet_table.py").digit_exhibit_table
    st = {"current": "20261207-1-0.2", "current_state": "good", "running_version": "0.2",
          "uptime_s": 90061, "unit": {"ActiveState": "active", "NRestarts": "0",
                                      "ActiveEnterTimestamp": "Mon 2026-12-07 15:02:14 CET"},
          "errors_24h": 3, "releases": [{"name": "20261101-1-0.1", "good": True},
                                        {"name": "20261207-1-0.2", "current": True, "good": True}]}
    lines = table([{"digit_exhibit_status": st}, {}], ["hall-1", "hall-2"])
    assert len(lines) == 4 and set(lines[1]) == {"-", " "}
    rows = table_rows(lines)
    assert rows[0] == {"kiosk": "hall-1", "release": "20261207-1-0.2", "state": "good", "running": "0.2",
                       "up": "1d 1h", "exhibit since": "Mon 2026-12-07 15:02:14 CET", "restarts": "0",
                       "errors 24h": "3", "releases": "2 installed, 1 older good"}
    assert rows[1]["release"] == "no answer"


@pytest.mark.slow
@needs_ansible
def test_a_rollout_goes_host_by_host_changes_nothing_the_second_time_and_stops_at_host_1_on_a_broken_network_or_a_failed_health_check(tmp_path):
    fleet = Fleet(tmp_path, 3, {
        "kiosk-2": {"digit_exhibit_language": "de", "digit_exhibit_rotation": 90,
                    "digit_exhibit_touch_name": "ILITEK ILITEK-TP",
                    "digit_exhibit_hours": {"days": ["Tue", "Sat"], "open": "09:45", "close": "18:05"}},
        "kiosk-3": {"digit_exhibit_model": "cnn", "digit_exhibit_layout": {"mirror": True},
                    "digit_exhibit_settings": {"answer": {"style": "dial"}},
                    "digit_exhibit_journal_collector": "http://127.0.0.1:19532"}})
    good = make_release(tmp_path / "releases", "1.0-good")
    r = fleet.rollout(good)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    order = results_order(r.stdout)
    assert [h for i, h in enumerate(order) if i == 0 or order[i - 1] != h] == fleet.names  # in turn
    first = {}
    for h in fleet.names:
        first[h] = fleet.current(h)
        rel = fleet.release_dir(h, first[h])
        assert (rel / "VERSION").read_text() == "1.0-good\n" and (rel / "GOOD").is_file(), h
        assert not (fleet.roots[h] / "opt/digit-exhibit/pending").exists()
    settings = {h: yaml.safe_load((fleet.roots[h] / "etc/digit-exhibit/config.yaml").read_text())
                for h in fleet.names}
    assert settings["kiosk-1"] is None  # nothing set: every key its default
    assert settings["kiosk-2"] == {"language": "de"}
    assert settings["kiosk-3"] == {"answer": {"style": "dial"}, "model": "cnn", "layout": {"mirror": True}}
    units = {h: fleet.roots[h] / "etc/systemd/system" for h in fleet.names}
    cage = (units["kiosk-2"] / "digit-exhibit.service.d/fleet.conf").read_text()
    assert "ExecStart=\nExecStart=/usr/bin/cage -d -r -- " in cage and cage.rstrip().endswith(
        "run --config /etc/digit-exhibit/config.yaml")
    assert (units["kiosk-2"] / "digit-exhibit-out-of-order.service.d/fleet.conf").read_text().rstrip().endswith(
        "digit-exhibit out-of-order")
    rule = (fleet.roots["kiosk-2"] / "etc/udev/rules.d/99-digit-exhibit-touch.rules").read_text()
    assert 'ATTRS{name}=="ILITEK ILITEK-TP"' in rule and 'LIBINPUT_CALIBRATION_MATRIX}="0 -1 1 1 0 0"' in rule
    assert "OnCalendar=Tue,Sat 18:05" in (units["kiosk-2"] / "exhibit-closing.timer").read_text()
    upload = fleet.roots["kiosk-3"] / "etc/systemd/journal-upload.conf.d/digit-exhibit.conf"
    assert "URL=http://127.0.0.1:19532" in upload.read_text()
    assert "StartLimitIntervalSec=0" in (units["kiosk-3"] / "systemd-journal-upload.service.d/digit-exhibit.conf").read_text()
    for h in ("kiosk-1", "kiosk-3"):
        assert not (units[h] / "digit-exhibit.service.d/fleet.conf").exists()
        assert not (units[h] / "exhibit-closing.timer").exists()
    assert "daemon-reload" in (fleet.roots["kiosk-2"] / "stand-in/systemctl.log").read_text()
    assert not list((tmp_path / "scratch").iterdir())  # the packed release is cleaned up
    verify_units(tmp_path / "verify", units["kiosk-2"])

    # the closing unit, run with rtcwake stood in for: it wakes the PC at the next opening day
    closing = (units["kiosk-2"] / "exhibit-closing.service").read_text()
    cmd = re.search(r"^ExecStart=/bin/sh -c '(.*)'$", closing, re.M).group(1)
    cmd = cmd.replace("$$", "$").replace("%%", "%")
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "rtcwake").write_text('#!/bin/sh\necho "$@"\n')
    (shim / "rtcwake").chmod(0o755)
    before = time.time()
    out = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PATH=f"{shim}:{os.environ['PATH']}")).stdout.split()
    assert out[:3] == ["-m", "off", "-t"]
    wake = time.localtime(int(out[3]))
    assert time.strftime("%a %H:%M", wake) in ("Tue 09:45", "Sat 09:45")
    assert before < int(out[3]) <= before + 8 * 86400

    before = {h: fleet.tree(h) for h in fleet.names}
    r = fleet.rollout(good)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    counts = recap(r.stdout)
    assert all(counts[h]["changed"] == 0 and counts[h]["failed"] == 0 for h in fleet.names), counts
    assert {h: fleet.tree(h) for h in fleet.names} == before

    # a setting changed in the inventory, the same release: check-config passes it, it is put
    # in place and the exhibit re-reads it; a setting it refuses changes nothing
    config3 = fleet.roots["kiosk-3"] / "etc/digit-exhibit/config.yaml"
    fleet.host_vars["kiosk-3"]["digit_exhibit_language"] = "xx"
    fleet.write_inventory()
    r = fleet.rollout(good, "--limit", "kiosk-3")
    msg = failures(r.stdout).get("kiosk-3", "")
    assert r.returncode != 0 and re.fullmatch(
        r"kiosk-3: refused: config.yaml:\d+: language: expected one of .*; config.yaml was not changed", msg), r.stdout[-3000:]
    assert fleet.tree("kiosk-3") == before["kiosk-3"]
    fleet.host_vars["kiosk-3"]["digit_exhibit_language"] = "fr"
    fleet.write_inventory()
    r = fleet.rollout(good, "--limit", "kiosk-3")
    assert r.returncode == 0, r.stdout[-3000:]
    assert yaml.safe_load(config3.read_text())["language"] == "fr"
    assert "try-reload-or-restart digit-exhibit.service" in (fleet.roots["kiosk-3"] / "stand-in/systemctl.log").read_text()
    assert fleet.current("kiosk-3") == first["kiosk-3"]
    before["kiosk-3"] = fleet.tree("kiosk-3")

    def broken_cnn(d: Path) -> None:  # the wheel carries a damaged network; its sums match
        flip_byte(d / "wheels/weights/cnn.npz")
    bad = make_release(tmp_path / "releases", "1.1-broken", broken_cnn)
    r = fleet.rollout(bad)
    assert r.returncode != 0
    msgs = failures(r.stdout)
    assert list(msgs) == ["kiosk-1"], r.stdout[-3000:]
    msg = msgs["kiosk-1"]
    assert "\\n" not in msg and "network cnn" in msg and "cnn.npz" in msg, msg
    assert f"nothing was changed (current: {first['kiosk-1']})" in msg
    assert fleet.current("kiosk-1") == first["kiosk-1"]
    assert [p.name for p in (fleet.roots["kiosk-1"] / "opt/digit-exhibit/releases").iterdir()] == [first["kiosk-1"]]
    for h in ("kiosk-2", "kiosk-3"):
        assert fleet.tree(h) == before[h], h  # never touched
    assert "kiosk-2" not in results_order(r.stdout)

    # the new release's exhibit keeps failing: systemd restarted it 3 times, exit status 2
    fleet.status("kiosk-1", NRestarts=3, ExecMainStatus=2)
    crashing = make_release(tmp_path / "releases", "3.1-crashing")
    r = fleet.rollout(crashing)
    assert r.returncode != 0
    msgs = failures(r.stdout)
    assert list(msgs) == ["kiosk-1"], r.stdout[-3000:]
    assert "failed its health check (restarted by systemd 3 time(s)" in msgs["kiosk-1"]
    assert f"went back to {first['kiosk-1']}; the rollout stops here" in msgs["kiosk-1"]
    assert fleet.current("kiosk-1") == first["kiosk-1"]
    tried = [p for p in (fleet.roots["kiosk-1"] / "opt/digit-exhibit/releases").iterdir()
             if p.name != first["kiosk-1"]]
    assert len(tried) == 1 and (tried[0] / "BAD").is_file() and not (tried[0] / "GOOD").exists()
    assert "restart --no-block digit-exhibit.service" in (fleet.roots["kiosk-1"] / "stand-in/systemctl.log").read_text()
    for h in ("kiosk-2", "kiosk-3"):
        assert fleet.tree(h) == before[h] and fleet.current(h) == first[h], h

    # the same release again is refused at once: it failed here before
    fleet.status("kiosk-1", NRestarts=0, ExecMainStatus=0)
    r = fleet.rollout(crashing)
    msgs = failures(r.stdout)
    assert r.returncode != 0 and "already failed its health check here" in msgs["kiosk-1"], r.stdout[-3000:]
    assert fleet.tree("kiosk-2") == before["kiosk-2"]

    # the table: kiosk-1 on its good release with the bad one noted, its errors counted
    journal = [{"PRIORITY": "6", "MESSAGE": "digit-exhibit: showing the out-of-order screen"},
               {"PRIORITY": "6", "MESSAGE": "exhibit-ctl: the exhibit ended with status 2: bad input"},
               {"PRIORITY": "3", "MESSAGE": "digit-exhibit.service: Failed with result 'exit-code'."}]
    (fleet.roots["kiosk-1"] / "stand-in/journal").write_text("".join(json.dumps(j) + "\n" for j in journal))
    r = fleet.play("fleet-status.yml", "-e", f"status_file={tmp_path / 'fleet.txt'}")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    table = (tmp_path / "fleet.txt").read_text().splitlines()
    rows = table_rows(table)
    assert [r["kiosk"] for r in rows] == fleet.names, table
    one, two, three = rows
    assert (one["release"], one["state"], one["running"]) == (first["kiosk-1"], "good", "1.0-good"), table
    assert one["errors 24h"] == "2" and one["restarts"] == "0", table
    assert one["releases"].startswith("2 installed, 1 bad: " + tried[0].name), table
    assert (two["release"], two["state"], two["running"], two["errors 24h"]) == (
        first["kiosk-2"], "good", "1.0-good", "0"), table
    assert two["releases"] == "1 installed" and re.match(r"\d+h \d+m|\d+d \d+h", two["up"]), table
    assert three["release"] == first["kiosk-3"], table
    assert all(line in r.stdout for line in table)  # and printed
    assert recap(r.stdout)["kiosk-1"]["changed"] == 0

    # uninstall removes what the fleet added too
    root3 = fleet.roots["kiosk-3"]
    u = subprocess.run(["sh", str(KIOSK / "install.sh"), "--uninstall", "--no-systemd"], capture_output=True,
                       text=True, env=dict(os.environ, DIGIT_EXHIBIT_TEST_ROOT=str(root3)), timeout=60)
    assert u.returncode == 0, u.stderr
    assert not (root3 / "etc/systemd/journal-upload.conf.d/digit-exhibit.conf").exists()
    assert not (root3 / "etc/systemd/system/systemd-journal-upload.service.d").exists()
    assert not (root3 / "var/lib/digit-exhibit-fleet").exists() and not (root3 / "opt/digit-exhibit").exists()


@pytest.mark.slow
@needs_ansible
def test_a_tampered_release_or_a_refused_config_stops_at_host_1_and_no_other_host_is_touched(tmp_path):
    fleet = Fleet(tmp_path, 3)
    release = make_release(tmp_path / "releases", "2.0-x")
    flip_byte(release / "wheels/weights/gate.npz", 100)  # changed after its SHA256SUMS
    untouched = {h: fleet.tree(h) for h in fleet.names}
    r = fleet.rollout(release)
    assert r.returncode != 0
    msgs = failures(r.stdout)
    assert list(msgs) == ["kiosk-1"], r.stdout[-3000:]
    assert "gate.npz does not match SHA256SUMS" in msgs["kiosk-1"]
    assert "nothing was installed (current: none)" in msgs["kiosk-1"]
    assert not (fleet.roots["kiosk-1"] / "opt").exists()
    for h in ("kiosk-2", "kiosk-3"):
        assert fleet.tree(h) == untouched[h]

    good = make_release(tmp_path / "releases", "2.1-good")
    fleet.host_vars["kiosk-1"]["digit_exhibit_language"] = "xx"
    fleet.write_inventory()
    r = fleet.rollout(good)
    msgs = failures(r.stdout)
    assert r.returncode != 0 and list(msgs) == ["kiosk-1"], r.stdout[-3000:]
    assert re.fullmatch(r"kiosk-1: install.sh: refused: config.yaml \(standard input\):\d+: language: "
                        r"expected one of .*; nothing was changed \(current: none\)", msgs["kiosk-1"]), msgs
    assert not (fleet.roots["kiosk-1"] / "etc/digit-exhibit/config.yaml").exists()
    for h in ("kiosk-2", "kiosk-3"):
        assert fleet.tree(h) == untouched[h]
