"""The table fleet-status.yml prints: one line per kiosk, from what digit_exhibit_info gathered."""
from __future__ import annotations

from collections.abc import Mapping

COLUMNS = ["kiosk", "release", "state", "running", "up", "exhibit since", "restarts", "errors 24h",
           "releases"]


def _duration(seconds) -> str:
    if not isinstance(seconds, int):
        return "?"
    d, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    return f"{d}d {h}h" if d else f"{h}h {rest // 60}m"


def _row(name: str, hv: Mapping) -> list[str]:
    st = hv.get("digit_exhibit_status")
    if not isinstance(st, Mapping) or "current" not in st:
        why = "unreachable" if isinstance(st, Mapping) and st.get("unreachable") else "no answer"
        msg = st.get("msg", "") if isinstance(st, Mapping) else ""
        return [name, why, "-", "-", "-", "-", "-", "-", str(msg).splitlines()[0][:60] if msg else "-"]
    unit = st.get("unit") or {}
    rels = st.get("releases") or []
    others = [r for r in rels if not r.get("current")]
    summary = f"{len(rels)} installed"
    good = sum(1 for r in others if r.get("good"))
    bad = [r for r in others if r.get("bad")]
    if good:
        summary += f", {good} older good"
    if bad:
        summary += f", {len(bad)} bad: " + "; ".join(f"{r['name']} ({r.get('why_bad', '')[:50]})" for r in bad[-1:])
    active = unit.get("ActiveState", "")
    running = st.get("running_version", "?")
    if active and active != "active":
        running = f"{running} ({active})"
    return [name, st.get("current") or "none", st.get("current_state", "?"), running,
            _duration(st.get("uptime_s")), unit.get("ActiveEnterTimestamp") or "-",
            unit.get("NRestarts") or "-", str(st.get("errors_24h", "?")), summary]


def digit_exhibit_table(hostvars_list: list, names: list) -> list[str]:
    rows = [COLUMNS] + [_row(n, hv if isinstance(hv, Mapping) else {}) for n, hv in zip(names, hostvars_list)]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return [lines[0], "  ".join("-" * w for w in widths)] + lines[1:]


class FilterModule:
    def filters(self):
        return {"digit_exhibit_table": digit_exhibit_table}
