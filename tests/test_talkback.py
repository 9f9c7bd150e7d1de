"""Talk-back, first part: every event carries local wall-clock time; a visitor's answer to
"Was I right?" is one feedback event (counts only); the day's tally survives a restart and starts
again each day; `digit-exhibit report` turns logs into one page for the staff."""
import json
import sys
from datetime import datetime

import pytest

from exhibit.config import load
from exhibit.eventlog import EventLog
from exhibit.state.exhibit import Exhibit
from exhibit.state.tally import Tally, TallyStore, day_of
from exhibit.tools.report import CHARTS_HINT, events, render, summarise
from support import arrive, draw_mouse, run_cli

pytestmark = pytest.mark.usefixtures("display")
NOON = datetime(2026, 12, 7, 12, 0, 0).timestamp()  # local noon, whatever the machine's zone


def make(models, tmp_path, wall, *sets):
    log = EventLog(tmp_path / "events.jsonl", wall=lambda: wall[0])
    cfg = load(None, [f"tally.file={tmp_path / 'tally.json'}", *sets])
    return Exhibit(cfg, (1280, 720), log, models=dict(models))


def lines(tmp_path):
    return [json.loads(l) for l in (tmp_path / "events.jsonl").read_text().splitlines()]


def test_every_event_has_the_injected_local_time(tmp_path):
    log = EventLog(tmp_path / "e.jsonl", wall=lambda: NOON)
    log.write("start")
    rec = json.loads((tmp_path / "e.jsonl").read_text())
    when = datetime.fromisoformat(rec["time"])
    assert when.timestamp() == NOON and when.utcoffset() is not None  # local, with its offset


def test_a_correction_is_one_feedback_event_of_counts_and_the_tally_counts_it(models, tmp_path):
    wall = [NOON]
    ex = make(models, tmp_path, wall)
    draw_mouse(ex, 1)
    arrive(ex)
    assert ex.sure() and ex.snapshot.digit == 1
    ex.apply(("feedback", 7))  # "No" -> the visitor taps 7
    fb = [e for e in lines(tmp_path) if e["event"] == "feedback"]
    assert fb == [{"t": fb[0]["t"], "time": fb[0]["time"], "event": "feedback", "read": 1,
                   "meant": 7, "right": False, "model": "explainer",
                   "confidence": fb[0]["confidence"], "own": True}]
    assert 0.5 < fb[0]["confidence"] <= 1.0
    ex.apply(("feedback", None))  # and a "yes" on the same reading
    t = ex.tally.today(wall[0])
    assert (t.right[1], t.answered[1], t.right[7], t.answered[7]) == (1, 1, 0, 1)
    assert t.total == (1, 2)
    for e in lines(tmp_path):  # no event ever holds a drawing: only short scalars
        assert all(isinstance(v, (str, int, float, bool, type(None))) for v in e.values()), e


def test_sample_digits_do_not_count_and_a_corrected_question_mark_is_not_read(models, tmp_path):
    wall = [NOON]
    ex = make(models, tmp_path, wall)
    ex.load_sample(3)
    arrive(ex)
    ex.apply(("feedback", None))
    assert ex.tally.today(wall[0]).total == (0, 0)  # logged (own: false), not counted
    assert [e["own"] for e in lines(tmp_path) if e["event"] == "feedback"] == [False]
    ex.apply(("act", "clear"))
    draw_mouse(ex, 8)
    arrive(ex)
    ex.snapshot = ex.snapshot.__class__(**{**ex.snapshot.__dict__, "unsure": True})  # read as "?"
    assert not ex.sure()
    ex.apply(("feedback", None))  # "yes" to a "?" says nothing
    ex.apply(("feedback", 8))
    fb = [e for e in lines(tmp_path) if e["event"] == "feedback"][-1]
    assert fb["read"] is None and fb["meant"] == 8 and fb["right"] is False
    assert ex.tally.today(wall[0]).answered[8] == 1 and ex.tally.today(wall[0]).right[8] == 0


def test_the_tally_survives_a_restart_and_starts_again_the_next_day(models, tmp_path):
    wall = [NOON]
    ex = make(models, tmp_path, wall)
    draw_mouse(ex, 1)
    arrive(ex)
    ex.apply(("feedback", None))
    ex.close()
    again = make(models, tmp_path, wall)  # a restart the same day
    assert again.tally.today(wall[0]).total == (1, 1)
    wall[0] = NOON + 13 * 3600  # 01:00 the next day
    assert again.tally.today(wall[0]).total == (0, 0)
    later = make(models, tmp_path, [NOON + 13 * 3600], "tally.day_starts=3")
    assert later.tally.tally.day == "2026-12-07"  # before 03:00 it is still yesterday's count
    again.close()
    later.close()


def test_a_broken_tally_file_starts_the_day_afresh(tmp_path):
    for junk in (b"", b"{", b'{"day": "2026-12-07", "right": [5], "answered": [1]}',
                 b"\xff" * 10, b"x" * 100000):
        (tmp_path / "t.json").write_bytes(junk)
        st = TallyStore(str(tmp_path / "t.json"), 0, NOON)
        assert st.tally == Tally("2026-12-07")
    st.add(NOON, 4, True)
    assert Tally.from_json((tmp_path / "t.json").read_text()).right[4] == 1
    assert day_of(NOON - 13 * 3600, 0) == "2026-12-06"


def _log(path, evs):
    path.write_text("".join(json.dumps(e) + "\n" for e in evs) + "not json\n")


def test_report_counts_visitors_by_idle_gaps_and_confirmed_accuracy(tmp_path):
    def at(minute, second=0):
        return datetime(2026, 12, 7, 14, minute, second).astimezone().isoformat()
    evs = [{"t": 0, "time": at(0), "event": "start"},
           {"t": 5, "time": at(0, 5), "event": "prediction", "source": "visitor", "digit": 1},
           {"t": 20, "time": at(0, 20), "event": "prediction", "source": "visitor", "digit": None},
           {"t": 21, "time": at(0, 21), "event": "feedback", "meant": 7, "right": False, "own": True},
           {"t": 200, "time": at(3, 20), "event": "prediction", "source": "visitor", "digit": 4},
           {"t": 201, "time": at(3, 21), "event": "feedback", "meant": 4, "right": True, "own": True},
           {"t": 202, "time": at(3, 22), "event": "feedback", "meant": 3, "right": True, "own": False},
           {"t": 210, "time": at(3, 30), "event": "prediction", "source": "sample", "digit": 3},
           {"t": 300, "time": at(5, 0), "event": "error", "message": "x"}]
    _log(tmp_path / "a.jsonl", evs)
    s = summarise(events([tmp_path / "a.jsonl"]), idle_seconds=45)
    assert (s.visitors, s.predictions, s.unsure, s.skipped) == (2, 3, 1, 1)
    assert (s.right[4], s.answered[4], s.answered[7], s.answered[3]) == (1, 1, 1, 0)
    assert (s.starts, s.errors, s.uptime_s) == (1, 1, 300)
    page = render(s)
    assert "1 of 2 read right (50 %)" in page and "2</b> visitors" in page


def test_report_has_charts_with_matplotlib_and_says_how_to_get_them_without(tmp_path, monkeypatch):
    import matplotlib  # noqa: F401  a test dependency (pyproject [test]): missing, this fails
    s = summarise([{"t": 1, "time": "2026-12-07T14:00:00+00:00", "event": "prediction",
                    "source": "visitor", "digit": 2}])
    with_charts = render(s)
    assert with_charts.count("data:image/png;base64,") == 2 and CHARTS_HINT not in with_charts
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if the extra were not installed
    plain = render(s)
    assert "data:image/png" not in plain and CHARTS_HINT in plain and "<table>" in plain


def test_the_report_command_writes_the_page(tmp_path, capsys):
    _log(tmp_path / "a.jsonl", [{"t": 1, "time": "2026-12-07T14:00:00+00:00",
                                 "event": "feedback", "meant": 2, "right": True, "own": True}])
    code, out, err = run_cli(capsys, "report", str(tmp_path / "a.jsonl"), "--out",
                             str(tmp_path / "r.html"))
    assert code == 0 and "1 of 1 confirmed right" in out, err
    assert "<h1>Digit Exhibit report</h1>" in (tmp_path / "r.html").read_text()
    code, _, err = run_cli(capsys, "report", str(tmp_path / "missing.jsonl"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "missing.jsonl" in err
