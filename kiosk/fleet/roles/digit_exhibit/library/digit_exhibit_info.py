#!/usr/bin/python3
"""Ansible module (runs on the kiosk, changes nothing): what kiosk/fleet needs to know there.

* with ``stage``: whether that copied release folder matches its SHA256SUMS (every listed file
  there and matching, no file it does not list), and whether it is the release already current
  (same install.lock, RELEASE and kiosk/ files), or one that already failed its health check here;
* the releases under ``prefix`` (current, good, bad and why, on probation);
* with ``status``: what fleet-status.yml prints: digit-exhibit-release --status, the running
  version (the exhibit's health file), the machine's uptime, the exhibit's last start and
  restarts (systemd), and its errors in the last 24 hours (the journal).

Only the Python standard library besides Ansible's module_utils."""
from __future__ import annotations

import hashlib
import json
import os
import re
import time

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: digit_exhibit_info
short_description: Read-only facts about Digit Exhibit releases on a kiosk
options:
  prefix: {description: "the install prefix (/opt/digit-exhibit)", type: path, required: true}
  stage: {description: "a copied release folder to check and compare", type: path}
  tool: {description: "digit-exhibit-release (for --status)", type: path}
  run_dir: {description: "the exhibit's run folder (health.json)", type: path}
  status: {description: "also gather what fleet-status.yml prints", type: bool, default: false}
  paths: {description: "files to report as existing or not", type: list, elements: path}
  wait_for: {description: "a release on probation: wait until its probation has ended", type: str}
  timeout: {description: "seconds to wait at most (wait_for)", type: int, default: 900}
  poll: {description: "seconds between looks (wait_for)", type: int, default: 15}
"""

SUMS_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")
# journal lines of the exhibit's units that count as errors besides those of priority err or
# worse: systemd's warnings about the unit (failures, watchdog kills) and the exhibit's own words
ERROR_WORDS = re.compile(r"the exhibit ended with|Traceback \(most recent call last\)|giving up|"
                         r"cannot open the display|config not reloaded|Failed with result|"
                         r"[Ww]atchdog timeout")


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def files_under(top: str) -> list[str]:
    """Every regular file below ``top``, as ./relative paths, sorted."""
    out = []
    for d, dirs, names in os.walk(top):
        dirs.sort()
        for n in names:
            p = os.path.join(d, n)
            if os.path.isfile(p) and not os.path.islink(p):
                out.append("./" + os.path.relpath(p, top))
    return sorted(out)


def sums_problem(stage: str) -> str:
    """'' if the folder matches its SHA256SUMS exactly, else one line naming the file."""
    sums = os.path.join(stage, "SHA256SUMS")
    if not os.path.isfile(sums):
        return f"{sums} is missing: the release cannot be checked"
    listed = {}
    with open(sums, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            m = SUMS_LINE.match(line)
            if not m:
                return f"{sums}:{n} is not a checksum line"
            name = m.group(2) if m.group(2).startswith("./") else "./" + m.group(2)
            listed[os.path.normpath(name)] = m.group(1)
    for name, want in sorted(listed.items()):
        path = os.path.join(stage, name)
        if not os.path.isfile(path):
            return f"{path} is missing (it is listed in SHA256SUMS)"
        if sha256(path) != want:
            return (f"{path} does not match SHA256SUMS (changed after the release was made, or "
                    f"damaged in the copy)")
    for name in files_under(stage):
        if name != "./SHA256SUMS" and os.path.normpath(name) not in listed:
            return f"{os.path.join(stage, name)} is not in SHA256SUMS"
    return ""


def fingerprint(folder: str) -> str:
    """What makes two folders the same release: install.lock (every wheel's hash, the exhibit's
    too), RELEASE and the kiosk files; install.sh copies exactly these into an installed one."""
    h = hashlib.sha256()
    names = [n for n in ("./install.lock", "./RELEASE") if os.path.isfile(os.path.join(folder, n))]
    kiosk = os.path.join(folder, "kiosk")
    names += ["./kiosk/" + n[2:] for n in files_under(kiosk)] if os.path.isdir(kiosk) else []
    if "./install.lock" not in names:
        return ""
    for n in names:
        h.update(f"{n}\0{sha256(os.path.join(folder, n))}\n".encode())
    return h.hexdigest()


def read(path: str, limit: int = 400) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read(limit).strip()
    except OSError:
        return ""


def releases(prefix: str) -> tuple[str, str, list[dict]]:
    rel_dir = os.path.join(prefix, "releases")
    try:
        cur = os.path.basename(os.readlink(os.path.join(prefix, "current")))
    except OSError:
        cur = ""
    pending = read(os.path.join(prefix, "pending")).splitlines()
    pending = pending[0] if pending else ""
    out = []
    for name in sorted(os.listdir(rel_dir)) if os.path.isdir(rel_dir) else []:
        d = os.path.join(rel_dir, name)
        bad = read(os.path.join(d, "BAD"))
        out.append({"name": name, "current": name == cur, "good": os.path.isfile(os.path.join(d, "GOOD")),
                    "bad": os.path.isfile(os.path.join(d, "BAD")), "why_bad": bad,
                    "pending": name == pending, "version": read(os.path.join(d, "VERSION"), 80)})
    return cur, pending, out


def journal_errors(module: AnsibleModule) -> int | str:
    journalctl = module.get_bin_path("journalctl")
    if not journalctl:
        return "n/a"
    rc, out, _ = module.run_command([journalctl, "-u", "digit-exhibit.service", "-u",
                                     "digit-exhibit-out-of-order.service", "--since", "-24h",
                                     "-o", "json", "-q", "--no-pager"])
    if rc != 0:
        return "n/a"
    n = 0
    for line in out.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        try:
            prio = int(rec.get("PRIORITY", 6))
        except (TypeError, ValueError):
            prio = 6
        msg = rec.get("MESSAGE", "")
        msg = msg if isinstance(msg, str) else ""
        if prio <= 3 or ERROR_WORDS.search(msg):
            n += 1
    return n


def unit_state(module: AnsibleModule) -> dict:
    systemctl = module.get_bin_path("systemctl")
    if not systemctl:
        return {}
    rc, out, _ = module.run_command([systemctl, "show", "-p",
                                     "ActiveState,SubState,ActiveEnterTimestamp,NRestarts,ExecMainStatus",
                                     "digit-exhibit.service"])
    if rc != 0:
        return {}
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def status(module: AnsibleModule, tool: str, run_dir: str) -> dict:
    out = {}
    if tool and os.path.isfile(tool):
        rc, text, err = module.run_command(["sh", tool, "--status"])
        out["release_status"] = (text if rc == 0 else err).rstrip()
    else:
        out["release_status"] = f"{tool}: not installed"
    unit = unit_state(module)  # before the health file: a stand-in systemctl writes it
    out["unit"] = unit
    try:
        with open(os.path.join(run_dir, "health.json")) as f:
            health = json.load(f)
        out["running_version"] = str(health.get("version", "?"))[:80] if isinstance(health, dict) else "?"
    except (OSError, ValueError):
        out["running_version"] = "not running" if unit.get("ActiveState") != "active" else "no health file"
    try:
        out["uptime_s"] = int(float(read("/proc/uptime").split()[0]))
    except (IndexError, ValueError):
        out["uptime_s"] = None
    out["errors_24h"] = journal_errors(module)
    return out


def main() -> None:
    module = AnsibleModule(argument_spec={
        "prefix": {"type": "path", "required": True},
        "stage": {"type": "path"},
        "tool": {"type": "path"},
        "run_dir": {"type": "path", "default": "/run/digit-exhibit"},
        "status": {"type": "bool", "default": False},
        "paths": {"type": "list", "elements": "path", "default": []},
        "wait_for": {"type": "str"},
        "timeout": {"type": "int", "default": 900},
        "poll": {"type": "int", "default": 15},
    }, supports_check_mode=True)
    p = module.params
    cur, pending, rels = releases(p["prefix"])
    # the kiosk's health timer judges a release on probation: wait until it has (the pending
    # mark gone or naming another), or until the time is up (then it is still "probation")
    deadline = time.monotonic() + max(p["timeout"], 0)
    while p["wait_for"] and pending == p["wait_for"] and time.monotonic() < deadline:
        time.sleep(max(1, min(p["poll"], deadline - time.monotonic())))
        cur, pending, rels = releases(p["prefix"])
    result = {"changed": False, "current": cur, "pending": pending, "releases": rels,
              "current_state": "none"}
    if cur:
        me = next((r for r in rels if r["current"]), {})
        result["current_state"] = ("bad" if me.get("bad") else "good" if me.get("good")
                                   else "probation" if me.get("pending") else "unjudged")
        result["current_version"] = me.get("version", "")
    if p["wait_for"]:
        me = next((r for r in rels if r["name"] == p["wait_for"]), {})
        result["verdict"] = ("bad" if me.get("bad") else "good" if me.get("good")
                             else "probation" if me.get("pending") else "unjudged")
        result["why_bad"] = me.get("why_bad", "")
    if p["stage"]:
        problem = sums_problem(p["stage"])
        installer = os.path.join(p["stage"], "kiosk", "install.sh")
        if not problem and "--config" not in read(installer, 1 << 20):
            problem = (f"{installer} predates kiosk/fleet (it has no --config): make the release "
                       f"with kiosk/wheelhouse.sh from a newer checkout")
        staged = {"problem": problem, "fingerprint": "" if problem else fingerprint(p["stage"]),
                  "present": os.path.lexists(p["stage"])}
        staged["installed_as"] = ""
        staged["failed_as"] = ""
        staged["why_failed"] = ""
        if staged["fingerprint"]:
            for r in rels:
                d = os.path.join(p["prefix"], "releases", r["name"])
                if fingerprint(d) != staged["fingerprint"]:
                    continue
                if r["current"]:
                    staged["installed_as"] = r["name"]
                elif r["bad"]:
                    staged["failed_as"], staged["why_failed"] = r["name"], r["why_bad"]
        result["staged"] = staged
    result["existing"] = [x for x in p["paths"] if os.path.lexists(x)]
    if p["stage"]:  # the kiosk's copies of other releases (rollout.yml removes them)
        top = os.path.dirname(p["stage"].rstrip("/"))
        result["other_stages"] = sorted(
            os.path.join(top, n) for n in (os.listdir(top) if os.path.isdir(top) else [])
            if os.path.isdir(os.path.join(top, n)) and n != os.path.basename(p["stage"].rstrip("/")))
    if p["status"]:
        result.update(status(module, p["tool"] or "", p["run_dir"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
