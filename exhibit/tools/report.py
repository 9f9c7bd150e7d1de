"""``digit-exhibit report LOG... [--out report.html]``: one self-contained HTML page for the
museum's staff, from the event logs (counts only: the logs never hold a drawing).

What it shows: visitors (sessions: runs of drawings with gaps shorter than
``attract.idle_seconds``) and drawings per hour; the accuracy visitors confirmed, overall and
per digit; the share of "?" answers; fool-me rounds; languages and networks used; uptime,
restarts and errors. Charts come from matplotlib, an optional extra
(``pip install 'digit-exhibit[report]'``); without it the page has the tables and says so.
"""
from __future__ import annotations

import base64
import html
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable

CHARTS_HINT = "Charts need matplotlib: pip install 'digit-exhibit[report]'"
MAX_LINE = 64 * 1024  # a longer line is not one of ours


@dataclass
class Summary:
    drawings_per_hour: Counter = field(default_factory=Counter)  # "2026-12-07 14:00" -> n
    visitors_per_hour: Counter = field(default_factory=Counter)
    answered: list[int] = field(default_factory=lambda: [0] * 10)  # per digit meant
    right: list[int] = field(default_factory=lambda: [0] * 10)
    predictions: int = 0  # visitors' drawings read
    unsure: int = 0  # ... of which answered "?"
    fool_rounds: int = 0
    fooled: int = 0
    languages: Counter = field(default_factory=Counter)
    models: Counter = field(default_factory=Counter)
    starts: int = 0
    errors: int = 0
    uptime_s: float = 0.0
    skipped: int = 0  # lines that were not events

    @property
    def visitors(self) -> int:
        return sum(self.visitors_per_hour.values())


def events(paths: Iterable[str | Path]) -> Iterable[dict]:
    for path in paths:
        with open(path, "rb") as f:
            for raw in f:
                if len(raw) > MAX_LINE:
                    yield {"event": "_skipped"}
                    continue
                try:
                    ev = json.loads(raw)
                except ValueError:
                    yield {"event": "_skipped"}
                    continue
                yield ev if isinstance(ev, dict) else {"event": "_skipped"}


def _wall(ev: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(ev["time"])
    except (KeyError, TypeError, ValueError):
        return None


def summarise(evs: Iterable[dict], idle_seconds: float = 45.0) -> Summary:
    """Counts from events in log order (one file after another, oldest first)."""
    out = Summary()
    last_drawing: datetime | None = None
    run_start: tuple[float, float] | None = None  # (t at start, last t) of the current run
    for ev in evs:
        kind = ev.get("event")
        when = _wall(ev)
        hour = when.strftime("%Y-%m-%d %H:00") if when else "unknown"
        t = ev.get("t") if isinstance(ev.get("t"), (int, float)) else None
        if kind == "_skipped":
            out.skipped += 1
        elif kind == "start":
            out.starts += 1
            if run_start is not None:
                out.uptime_s += run_start[1] - run_start[0]
            run_start = (t or 0.0, t or 0.0)
            last_drawing = None
        elif kind == "error":
            out.errors += 1
        elif kind == "prediction" and ev.get("source") == "visitor":
            out.predictions += 1
            out.unsure += ev.get("digit") is None
            out.drawings_per_hour[hour] += 1
            if when is None or last_drawing is None or (when - last_drawing).total_seconds() >= idle_seconds:
                out.visitors_per_hour[hour] += 1
            last_drawing = when
        elif kind == "feedback" and ev.get("own", True) and isinstance(ev.get("meant"), int) \
                and 0 <= ev["meant"] <= 9:
            out.answered[ev["meant"]] += 1
            out.right[ev["meant"]] += bool(ev.get("right"))
        elif kind == "fool":
            out.fool_rounds += 1
            out.fooled += bool(ev.get("fooled"))
        elif kind == "language":
            out.languages[str(ev.get("language"))] += 1
        elif kind == "model":
            out.models[str(ev.get("model"))] += 1
        if t is not None and run_start is not None:
            run_start = (run_start[0], max(run_start[1], t))
    if run_start is not None:
        out.uptime_s += run_start[1] - run_start[0]
    return out


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f} %" if b else "–"


def _table(head: list[str], rows: list[list[object]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f"<table><tr>{cells}</tr>{body}</table>"


def _charts(s: Summary) -> list[str] | None:
    """Two PNG charts as data URIs, or None without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    out = []
    hours = sorted(set(s.drawings_per_hour) | set(s.visitors_per_hour))
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.bar(range(len(hours)), [s.drawings_per_hour[h] for h in hours], label="drawings")
    ax.plot(range(len(hours)), [s.visitors_per_hour[h] for h in hours], "o-", color="k",
            label="visitors")
    ax.set_xticks(range(len(hours)), [h[-5:] for h in hours], rotation=45)
    ax.set_title("Per hour")
    ax.legend()
    out.append(fig)
    fig, ax = plt.subplots(figsize=(8, 3))
    acc = [100 * r / a if a else 0 for r, a in zip(s.right, s.answered)]
    ax.bar(range(10), acc)
    ax.set_xticks(range(10))
    ax.set_ylim(0, 100)
    ax.set_xlabel("digit the visitor meant")
    ax.set_ylabel("read right (%)")
    ax.set_title("Confirmed accuracy per digit")
    out.append(fig)
    uris = []
    for fig in out:
        buf = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buf, format="png", dpi=90)
        plt.close(fig)
        uris.append("data:image/png;base64," + base64.b64encode(buf.getvalue()).decode())
    return uris


def render(s: Summary) -> str:
    right, answered = sum(s.right), sum(s.answered)
    hours = sorted(set(s.drawings_per_hour) | set(s.visitors_per_hour))
    parts = [
        "<!doctype html><meta charset='utf-8'><title>Digit Exhibit report</title>",
        "<style>body{font:15px sans-serif;margin:2em;max-width:60em}table{border-collapse:"
        "collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:"
        "right}h2{margin-top:1.5em}</style>",
        "<h1>Digit Exhibit report</h1>",
        f"<p><b>{s.visitors}</b> visitors made <b>{s.predictions}</b> drawings. Visitors "
        f"confirmed {answered} readings: <b>{right} of {answered} read right "
        f"({_pct(right, answered)})</b>. \"?\" answers: {_pct(s.unsure, s.predictions)}.</p>",
    ]
    charts = _charts(s)
    if charts is None:
        parts.append(f"<p><i>{html.escape(CHARTS_HINT, quote=False)}</i></p>")
    else:
        parts += [f"<img alt='chart' src='{u}'>" for u in charts]
    parts += [
        "<h2>Per hour</h2>",
        _table(["hour", "visitors", "drawings"],
               [[h, s.visitors_per_hour[h], s.drawings_per_hour[h]] for h in hours]),
        "<h2>Confirmed accuracy per digit</h2>",
        _table(["digit meant", "answered", "read right", "share"],
               [[d, s.answered[d], s.right[d], _pct(s.right[d], s.answered[d])] for d in range(10)]),
        "<h2>Fool me</h2>", f"<p>{s.fool_rounds} rounds, {s.fooled} fooled it.</p>",
        "<h2>Languages and networks</h2>",
        _table(["switched to", "times"], [[k, v] for k, v in (s.languages + s.models).most_common()]),
        "<h2>Running</h2>",
        _table(["starts", "restarts", "errors", "uptime (hours)", "unreadable lines"],
               [[s.starts, max(0, s.starts - 1), s.errors, f"{s.uptime_s / 3600:.1f}", s.skipped]]),
    ]
    return "\n".join(parts) + "\n"


def write_report(logs: list[str], out: Path, idle_seconds: float) -> Summary:
    s = summarise(events(logs), idle_seconds)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(render(s), encoding="utf-8")
    tmp.replace(out)
    return s
