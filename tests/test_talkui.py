"""Talk-back on screen (issue 24), by touch: genuine SDL finger events on the display surface
drive "Was I right?", the ten digits, fool me, teach it (in the learning process) and what
would make it a 9; the log holds counts only."""
import gzip
import json
import time

import numpy as np
import pygame
import pytest

from exhibit.config import load
from exhibit.eventlog import EventLog
from exhibit.layout import talk as geo
from exhibit.shell.loop import STEP, Runner
from exhibit.shell.window import Window
from exhibit.state.modes import Mode
from exhibit.state.talkback import PROMPTS
from exhibit.views.screen import Screen
from support import ROOT, E, FINGERDOWN, FINGERMOTION, FINGERUP, arrive, draw_mouse, example, push, render

pytestmark = pytest.mark.usefixtures("display")
SCALARS = (str, int, float, bool, type(None))


def runner(tmp_path, size=(1920, 1080), sets=()):
    window = Window(size, fullscreen=True, display=0, vsync=False)
    log = EventLog(tmp_path / "events.jsonl")
    r = Runner(load(None, [f"tally.file={tmp_path / 'tally.json'}", *sets]), window.size, log)
    r.surface = window.surface
    r.update_viewport()
    return r


def at(r, p):
    """A logical point -> where a finger touches it, as 0..1 of the window."""
    ww, wh = pygame.display.get_window_size()
    x, y = r.ex.viewport.to_window(*p)
    return x / ww, y / wh


def frames(r, seconds):
    """``seconds`` of the exhibit's clock, a frame drawn every 1/60 s."""
    per = max(1, round(1 / 60 / STEP))
    for _ in range(max(1, round(seconds * 60))):
        r.advance(per)


def finger_digit(r, label):
    """An example digit written with one finger, as SDL delivers it."""
    box, strokes = example(label)
    c = r.ex.canvas_rect
    s = 0.8 * min(c.w, c.h) / max(box)
    ox, oy = c.centerx - box[0] * s / 2, c.centery - box[1] * s / 2
    for st in strokes:
        pts = [(ox + x * s, oy + y * s) for x, y in st]
        push(FINGERDOWN, *at(r, pts[0]))
        for p in pts[1:]:
            push(FINGERMOTION, *at(r, p))
        push(FINGERUP, *at(r, pts[-1]))
        r.handle(pygame.event.get())
        frames(r, 0.05)


def finger_pen(r, strokes):
    """Real pen strokes (any box), scaled into the canvas, written with one finger."""
    st = [np.asarray(s, np.float32) for s in strokes]
    pts = np.concatenate(st)
    lo, hi = pts.min(0), pts.max(0)
    c = r.ex.canvas_rect
    k = 0.7 * min(c.w, c.h) / max(hi - lo)
    for a in st:
        path = [tuple((p - (lo + hi) / 2) * k + np.array(c.center)) for p in a]
        push(FINGERDOWN, *at(r, path[0]))
        for p in path[1:]:
            push(FINGERMOTION, *at(r, p))
        push(FINGERUP, *at(r, path[-1]))
        r.handle(pygame.event.get())
        frames(r, 0.05)


def finger_tap(r, name):
    rect = dict(r.ex.talk.targets(r.ex))[name]
    push(FINGERDOWN, *at(r, rect.center))
    push(FINGERUP, *at(r, rect.center))
    r.handle(pygame.event.get())
    frames(r, 0.1)


def events(tmp_path):
    return [json.loads(l) for l in (tmp_path / "events.jsonl").read_text().splitlines()]


def test_a_visitor_answers_no_then_seven_by_finger_and_the_log_holds_counts_only(tmp_path):
    pygame.event.clear()
    r = runner(tmp_path)
    ex = r.ex
    assert ex.talk_view.say == "fool"  # an empty canvas offers fool me
    finger_digit(r, 1)
    frames(r, 1.5)
    assert ex.sure() and ex.snapshot.digit == 1
    assert ex.talk_view.say == "talk_ask"
    names = [n for n, _ in ex.talk.targets(ex)]
    assert names == ["feedback.right", "feedback.wrong"]
    finger_tap(r, "feedback.wrong")
    assert [n for n, _ in ex.talk.targets(ex)] == [f"meant.{d}" for d in range(10)]
    finger_tap(r, "meant.7")
    fb = [e for e in events(tmp_path) if e["event"] == "feedback"]
    assert len(fb) == 1 and (fb[0]["read"], fb[0]["meant"], fb[0]["right"]) == (1, 7, False)
    assert fb[0]["model"] == "explainer" and fb[0]["own"] is True
    assert ex.tally_today.answered[7] == 1 and ex.tally_today.right[7] == 0
    for e in events(tmp_path):  # no event holds strokes, pixels or images
        assert all(isinstance(v, SCALARS) for v in e.values()), e
    assert ex.talk_view.say == "teach"  # a correction offers teach-it
    r.ex.close()


def test_the_question_never_blocks_the_next_stroke(tmp_path):
    pygame.event.clear()
    r = runner(tmp_path)
    ex = r.ex
    finger_digit(r, 1)
    frames(r, 1.5)
    assert ex.talk_view.say == "talk_ask"
    v = ex.drawing.version
    finger_digit(r, 1)  # drawing again simply goes on, on the same canvas
    assert len(ex.drawing.strokes) == 2 and ex.drawing.version != v
    assert not [e for e in events(tmp_path) if e["event"] == "feedback"]  # unanswered is fine
    frames(r, 1.5)
    assert ex.talk_view.say == "talk_ask"  # asked again, of the new reading
    finger_tap(r, "feedback.right")
    assert ex.talk_view.say == "thanks"
    fb = [e for e in events(tmp_path) if e["event"] == "feedback"]
    assert len(fb) == 1 and fb[0]["right"] is True
    ex.close()


def test_samples_are_not_asked_about_and_walking_away_leaves_it_unanswered(models, tmp_path):
    pygame.event.clear()
    r = runner(tmp_path)
    ex = r.ex
    rect = ex.layout.sample_buttons[3]
    push(FINGERDOWN, *at(r, rect.center))
    push(FINGERUP, *at(r, rect.center))
    r.handle(pygame.event.get())
    frames(r, 1.5)
    assert ex.sample is not None and ex.talk_view is None
    ex.clear()
    finger_digit(r, 4)
    frames(r, 1.5)
    assert ex.talk_view.say == "talk_ask"
    frames(r, 15)  # nobody answers: the canvas clears itself, the question goes
    assert ex.drawing.empty and ex.talk_view.say == "fool"
    assert not [e for e in events(tmp_path) if e["event"] == "feedback"]
    ex.close()


def test_a_fool_me_round_celebrates_a_confident_misreading_and_logs_counts(tmp_path):
    pygame.event.clear()
    r = runner(tmp_path)
    ex = r.ex
    finger_tap(r, "fool")
    assert ex.talk_view.say == "fool_go"
    finger_digit(r, 7)
    frames(r, 1.5)
    assert ex.sure() and ex.snapshot.digit == 7 and ex.snapshot.confidence > 0.5
    assert ex.talk_view.say == "fool_meant"  # it asks at once what was meant
    finger_tap(r, "meant.1")  # "I meant a 1": read 7, sure: fooled
    assert ex.talk_view.say == "fooled" and ex.talk.result[2] == 1  # fooled once today
    fool = [e for e in events(tmp_path) if e["event"] == "fool"]
    assert fool == [{**fool[0], "fooled": True, "draw": False, "read": 7, "meant": 1}]
    assert ex.tally_today.total == (0, 0)  # a fool-me drawing is not a visitor's honest try
    finger_digit(r, 1)  # the next stroke takes the result away
    assert ex.talk_view is None or ex.talk_view.say != "fooled"
    from exhibit.tools.report import events as read_log, summarise
    s = summarise(read_log([tmp_path / "events.jsonl"]))
    assert (s.fool_rounds, s.fooled) == (1, 1)
    ex.close()


def test_attract_mode_rotates_the_tally_and_the_invitations(models, tmp_path):
    cfg = load(None, [f"tally.file={tmp_path / 't.json'}"])
    from exhibit.state.exhibit import Exhibit
    ex = Exhibit(cfg, (1920, 1080), EventLog(None), models=dict(models))
    ex.tally.add(ex.log.wall(), 3, True)
    ex.start_attract()
    seen = []
    for _ in range(60 * 120):
        ex.step(1 / 60)
        ex.refresh()
        v = ex.talk_view
        if v is not None and (not seen or seen[-1] != v.say):
            seen.append(v.say)
        if len(set(seen)) >= 3 and "tally" in seen:
            break
    assert set(seen) <= {"tally", *PROMPTS}, seen
    assert len(set(seen)) >= 3 and all(a != b for a, b in zip(seen, seen[1:])), seen
    scr = Screen(cfg)
    while not ex.inviting:
        ex.step(1 / 60)
    ex.talk.rounds = 1  # a round that shows the tally (they alternate with invitations)
    scr.draw(pygame.Surface(ex.size), ex)  # the tally, between digits, in the talk region
    texts = [b.text for b in scr.scene.overlay_text]
    assert "Today: 1 of 1 of your digits read right (100 %). On the MNIST test set: 98 %." in \
        " ".join(texts), texts
    ex.close()


def test_teach_it_runs_in_the_learning_process_and_the_copy_goes_on_clear(models, tmp_path):
    pygame.event.clear()
    r = runner(tmp_path)
    ex = r.ex
    shipped = ex.recognizer
    weights = [w.copy() for w in shipped.model.net.weights]
    doc = json.loads(gzip.decompress((ROOT / "tests/data/pen-4-writers.json.gz").read_bytes()))
    pen = doc["digits"][70]  # a real pen 4 that the explainer reads as a 9, surely
    finger_pen(r, pen["strokes"])
    frames(r, 1.5)
    read, meant = ex.snapshot.digit, pen["label"]
    assert ex.sure() and (read, meant) == (9, 4)
    finger_tap(r, "feedback.wrong")
    finger_tap(r, f"meant.{meant}")
    finger_tap(r, "teach")
    job = ex.talk.job
    assert job is not None and job.proc.poll() is None and ex.talk_view.say == "teaching"
    assert job.pid != __import__("os").getpid()
    deadline = time.monotonic() + 120
    n = 0
    while ex.talk.taught is None and time.monotonic() < deadline:
        r.advance(1)  # frames go on while it learns (the exhibit's clock near real time, so
        time.sleep(STEP)  # that attract mode does not start in the middle)
        n += 1
    assert ex.talk.taught is not None, (ex.talk.teach_error, n, [(e["event"], e.get("state"), e["t"]) for e in events(tmp_path)][-12:])
    assert n > 1 and ex.talk_view.say == "after"
    t = ex.talk.taught
    assert ex.recognizer is t.copy and t.copy.model.net is not shipped.model.net
    assert t.after[meant] > t.before[meant] and int(np.argmax(t.after)) == meant, (read, meant)
    assert ex.snapshot.digit == meant  # it reads the drawing again, as meant
    ex.clear()  # the next visitor: the copy goes, the shipped network is back, unchanged
    assert ex.recognizer is shipped and ex.talk.taught is None
    assert all(np.array_equal(a, b) for a, b in zip(weights, shipped.model.net.weights))
    assert job.proc.wait(timeout=10) == 0
    evs = [e for e in events(tmp_path) if e["event"] == "teach"]
    assert [e["state"] for e in evs] == ["start", "done", "discarded"]
    ex.close()


def test_what_would_make_it_a_nine_tints_the_picture(models, tmp_path):
    from exhibit.state.exhibit import Exhibit
    cfg = load(None, [])
    ex = Exhibit(cfg, (1920, 1080), EventLog(None), models=dict(models))
    draw_mouse(ex, 7)
    arrive(ex, 1.5)
    assert ex.talk.targets(ex)[0][0] == "feedback.right"
    ex.act("explain")
    names = [n for n, _ in ex.talk.targets(ex)]
    assert names == [f"whatif.{d}" for d in range(10)]
    pic = ex.layout.picture_rect
    plain = pygame.surfarray.array3d(render(ex))[pic.x:pic.right, pic.y:pic.bottom].copy()
    x, y = dict(ex.talk.targets(ex))["whatif.9"].center
    ex.handle(E(pygame.FINGERDOWN, x=x / 1920, y=y / 1080, dx=0.0, dy=0.0, finger_id=0,
                touch_id=1, pressure=1.0))
    ex.handle(E(pygame.FINGERUP, x=x / 1920, y=y / 1080, dx=0.0, dy=0.0, finger_id=0,
                touch_id=1, pressure=1.0))
    assert ex.talk.whatif == 9
    tinted = pygame.surfarray.array3d(render(ex))[pic.x:pic.right, pic.y:pic.bottom]
    g = ex.recognizer.model.net.input_gradient(ex.snapshot.picture.reshape(-1), 9, ex.masks)
    cell = pic.w // g.shape[0]
    changed = np.abs(tinted.astype(int) - plain).sum(2) > 0
    # the strongest pixels of the gradient are tinted: orange (red > blue) where positive
    i, j = np.unravel_index(np.abs(g).argmax(), g.shape)
    px = tinted[j * cell + cell // 2, i * cell + cell // 2].astype(int)
    assert changed.mean() > 0.2 and ((px[0] > px[2]) == (g[i, j] > 0)), (px, g[i, j])
    ex.act("freeze")
    ex.act("step")  # the step view (frozen) offers it too, and the tap works while frozen
    assert ex.mode == Mode.FROZEN and [n for n, _ in ex.talk.targets(ex)][0] == "whatif.0"
    ex.close()


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1280, 720)])
def test_the_talk_panels_buttons_are_finger_sized_and_apart(models, size):
    from exhibit.layout.cnn import layout_for
    m = models["explainer"]
    lay = layout_for(load(None, []), size, m.net, m.spec.side)
    least = 64 * min(size) / 1080
    for kind in ("one", "two", "ten"):
        p = geo.panel(lay, kind)
        assert all(lay.rects["talk"].contains(b) for b in p.buttons)
        assert not any(a.colliderect(b) for i, a in enumerate(p.buttons) for b in p.buttons[i + 1:])
        if size != (1280, 720):  # the shots' sizes meet the floor; a small screen degrades
            assert min(min(b.size) for b in p.buttons) >= least, (kind, size)
        for name, rect in lay.rects.items():
            if name != "talk":
                assert not rect.colliderect(lay.rects["talk"]), name


def test_a_paused_screen_shows_the_teacher_the_tally_digit_by_digit(models, tmp_path):
    from exhibit.state.exhibit import Exhibit
    cfg = load(None, [f"tally.file={tmp_path / 't.json'}"])
    ex = Exhibit(cfg, (1920, 1080), EventLog(None), models=dict(models))
    wall = ex.log.wall()
    for meant, right in ((7, False), (7, True), (1, True)):
        ex.tally.add(wall, meant, right)
    draw_mouse(ex, 3)
    arrive(ex, 1.5)
    ex.act("freeze")
    assert ex.talk_view.say == "per_digit" and ex.talk.targets(ex) == []
    scr = Screen(cfg)
    scr.draw(pygame.Surface(ex.size), ex)
    texts = " ".join(b.text for b in scr.scene.overlay_text if b.kind == "talk")
    assert "1: 1/1" in texts and "7: 1/2" in texts and "3: 0/0" in texts, texts
    ex.close()
