"""What each action does. Input (``input.py``) turns events into actions by name; the exhibit
applies them here, from the tables at the end: ``INPUT`` (what a touch or key means), and the
teacher's and visitors' named actions (``ALWAYS``, which work while frozen, and ``VISITOR``).

Each function acts on the exhibit through :class:`Host`, which lists everything an action may
read or change: nothing here reaches further into the exhibit than that.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol

from exhibit.model.store import MODEL_NAMES
from exhibit.state import talkback
from exhibit.state.modes import Mode, ModeMachine
from exhibit.state.teacher import Teacher

if TYPE_CHECKING:
    import numpy as np

    from exhibit.config import Config
    from exhibit.eventlog import EventLog
    from exhibit.ink.drawing import Drawing
    from exhibit.layout.regions import Layout
    from exhibit.recognize import Snapshot
    from exhibit.state.compare import Comparison
    from exhibit.state.tally import TallyStore
    from exhibit.state.designing import DesignMode
    from exhibit.state.learning import LearnMode


class Host(Protocol):
    """The exhibit as the actions see it."""
    cfg: "Config"
    log: "EventLog"
    layout: "Layout"
    modes: ModeMachine
    mode: Mode
    teacher: Teacher
    drawing: "Drawing"
    learn: "LearnMode"
    design: "DesignMode"
    masks: "list[np.ndarray]"
    sample: object | None
    model_name: str
    lang: str
    centring: bool
    now: float
    since_input: float
    since_teacher: float
    touch_freeze: bool
    panel_idle: float
    clear_at: float | None
    show_help: bool
    show_explain: bool
    show_about: bool
    panel_open: bool
    ablating: bool
    comparing: bool

    snapshot: "Snapshot"
    player: object | None
    tally: "TallyStore"
    talk: "talkback.Talk"

    def sure(self, s: "Snapshot | None" = None) -> bool: ...
    def teach(self, **changes: object) -> None: ...
    resume_mode: Mode
    stage: int | None
    comparison: "Comparison"

    def release_all(self) -> None: ...
    def settle(self) -> None: ...
    def stages(self) -> list[tuple[str, int]]: ...
    def reread(self) -> None: ...
    def set_model(self, name: str, log: bool = True) -> None: ...
    def load_sample(self, digit: int) -> None: ...
    def stop_attract(self) -> None: ...
    def clear(self) -> None: ...
    def refresh(self) -> None: ...
    def log_prediction(self, source: str, label: int | None) -> None: ...


def apply(ex: Host, action: tuple) -> None:
    """Apply one input action, ``(name, *arguments)``."""
    name, *args = action
    INPUT[name](ex, *args)


def act(ex: Host, action: str) -> None:
    """One teacher action by name (a key, a clicker or the touch panel)."""
    if action in TEACHER_ACTIONS:
        ex.since_teacher = 0.0
    touch_timer(ex)
    if action in ALWAYS:  # these work while frozen too
        ALWAYS[action](ex)
    elif ex.mode != Mode.FROZEN:  # nothing else moves while frozen
        if ex.mode in (Mode.ATTRACT, Mode.FAILSAFE):
            ex.stop_attract()
        VISITOR[action](ex)


def note_input(ex: Host) -> None:
    ex.since_input = 0.0


def teacher_touch(ex: Host) -> None:
    """A panel button (not a tap outside it, not a stroke): the teacher is there."""
    ex.since_teacher = ex.panel_idle = 0.0


def panel_freeze(ex: Host) -> None:
    """A freeze from the touch panel: a visitor may have made it, so it ends after
    operator.freeze_idle_seconds without a panel action (frozen_step)."""
    if ex.mode == Mode.FROZEN:
        ex.touch_freeze = True


def touch_timer(ex: Host, force: bool = False) -> None:
    """Any touch or key restarts the auto-clear countdown of what is on the canvas."""
    after = ex.cfg.timing.clear_after
    if after > 0 and (force or ex.clear_at is not None):
        ex.clear_at = ex.now + after


def stroke_begin(ex: Host, x: float, y: float) -> None:
    if ex.sample is not None:
        ex.sample = None
        ex.drawing.clear()
    ex.drawing.begin(x, y)
    ex.talk.stroke(ex)  # drawing again simply goes on: a shown result goes
    ex.clear_at = None
    ex.modes.go(Mode.DRAWING)


def stroke_end(ex: Host) -> None:
    if not ex.drawing.end():
        return
    touch_timer(ex, force=True)
    if ex.mode == Mode.DRAWING:
        ex.modes.go(Mode.IDLE)
    ex.refresh()  # the last points are in: read them before reporting
    ex.log_prediction("visitor", None)


def tap_neuron(ex: Host, layer: int, neuron: int) -> None:
    if ex.ablating and layer <= len(ex.masks):
        m = ex.masks[layer - 1]
        m[neuron] = 0.0 if m[neuron] > 0 else 1.0
        ex.log.write("ablation", layer=layer, neuron=neuron, on=bool(m[neuron]))
    elif not ex.ablating and layer < len(ex.layout.sizes) - 1:
        ex.teach(detail=(layer, neuron))  # hidden units and maps: an output's numbers are its bar


def start_attract(ex: Host) -> None:
    """Nobody came for a while: design mode ends, the canvas clears, the hand writes."""
    from exhibit.attract.player import AttractPlayer

    ex.design.end(ex, "attract")
    ex.clear()
    ex.close_teacher_layers()
    if ex.scripts is None:
        ex.modes.go(Mode.IDLE)
        return
    ex.attract_round += 1
    ex.player = AttractPlayer(ex.scripts, ex.canvas_rect.size,
                              speed=ex.cfg.attract.speed * ex.layout.scale,
                              hold=ex.cfg.attract.hold, seed=ex.attract_round,
                              invite=ex.cfg.attract.invite_seconds)
    ex.modes.go(Mode.ATTRACT)


def step_action(ex: Host, delta: int) -> None:
    if ex.mode != Mode.FROZEN:  # a clicker's first press freezes, then steps
        freeze(ex)
    if ex.mode == Mode.FROZEN:
        next_stage(ex, delta)


def learn(ex: Host) -> None:
    if ex.comparing:  # learning shows in the network view
        compare(ex)
    ex.design.end(ex, "learn")  # one learning process at a time
    ex.learn.toggle(ex)


def design(ex: Host) -> None:
    """Key D, the panel's button, the visitors' button: the design card opens; again: design
    mode ends."""
    if ex.design.on:
        ex.design.end(ex, "key")
        return
    if ex.comparing:
        compare(ex)
    ex.teach(panel=False, detail=None)
    ex.design.open(ex, ex.learn)


def next_model(ex: Host) -> None:
    ex.set_model(MODEL_NAMES[(MODEL_NAMES.index(ex.model_name) + 1) % len(MODEL_NAMES)])


def centring(ex: Host) -> None:
    ex.centring = not ex.centring
    ex.log.write("centring", on=ex.centring)


def ablation(ex: Host) -> None:
    if ex.masks:
        ex.teach(ablating=not ex.ablating, detail=None)


def restore(ex: Host) -> None:
    for m in ex.masks:
        m[:] = 1


def language(ex: Host) -> None:
    langs = ex.cfg.languages  # the configured cycle
    ex.lang = langs[(langs.index(ex.lang) + 1) % len(langs)] if ex.lang in langs else langs[0]
    ex.teach(detail=None)
    ex.log.write("language", language=ex.lang)


def freeze(ex: Host) -> None:
    ex.touch_freeze = False  # a key's freeze (the panel's is marked after this)
    if ex.mode == Mode.FROZEN:
        ex.teach(stage=None)
        ex.modes.go(ex.resume_mode)
        return
    if ex.mode == Mode.FAILSAFE:
        return
    ex.release_all()  # a stroke in progress ends here
    ex.resume_mode = Mode.ATTRACT if ex.mode == Mode.ATTRACT else Mode.IDLE
    ex.refresh()
    ex.settle()  # a frozen screen shows the numbers the teacher explains
    ex.teach(stage=None)
    ex.since_teacher = 0.0
    ex.modes.go(Mode.FROZEN)


def next_stage(ex: Host, delta: int = 1) -> None:
    n = len(ex.stages())
    stage = (0 if delta > 0 else n - 1) if ex.stage is None else (ex.stage + delta) % n
    ex.teach(stage=stage)
    ex.log.write("step", stage=ex.stages()[stage][0])


def compare(ex: Host) -> None:
    if ex.learn.active:
        ex.learn.toggle(ex)  # the compare view shows the shipped networks
    ex.design.end(ex, "compare")
    ex.teach(comparing=not ex.comparing, detail=None, stage=None)
    ex.reread()  # read the input again, with both networks
    ex.refresh()
    ex.comparison.show_latest()
    ex.log.write("compare", on=ex.comparing)


def own_drawing(ex: Host) -> bool:
    """Whether the canvas holds the visitor's own strokes (not a sample, not attract's hand)."""
    return ex.sample is None and ex.player is None and not ex.drawing.empty


def feedback(ex: Host, meant: int | None) -> None:
    """The visitor's answer to "Was I right?": ``meant`` None is "yes" (they meant what was
    read), else the digit they meant. One ``feedback`` event, counts only; the day's tally
    counts the visitor's own drawings."""
    s = ex.snapshot
    read = s.digit if ex.sure(s) else None  # named as the prediction event names it
    if meant is None and read is None:
        return  # "yes" to a "?" says nothing
    meant = read if meant is None else int(meant)
    own = own_drawing(ex)
    ex.log.write("feedback", read=read, meant=meant, right=read == meant, model=ex.model_name,
                 confidence=round(s.confidence, 4), own=own)
    if own:
        ex.tally.add(ex.log.wall(), meant, read == meant)


# --- what time does to the teacher's layers and a visitor's changes --------------------------

def panel_step(ex: Host, dt: float) -> None:
    """An open panel nobody taps closes after operator.freeze_idle_seconds (wall clock)."""
    if not ex.panel_open:
        ex.panel_idle = 0.0
        return
    ex.panel_idle += dt
    idle = ex.cfg.operator.freeze_idle_seconds
    if idle > 0 and ex.panel_idle >= idle:
        ex.teach(panel=False)


def frozen_step(ex: Host, dt: float) -> None:
    ex.since_teacher += dt
    # a touch panel's freeze: a visitor may have made it, so it ends sooner
    limit = (ex.cfg.operator.freeze_idle_seconds if ex.touch_freeze
             else ex.cfg.timing.freeze_timeout)
    if limit > 0 and ex.since_teacher >= limit:
        ex.teach(stage=None, panel=False)
        ex.touch_freeze = False
        ex.log.write("freeze_timeout")
        ex.modes.go(Mode.IDLE)


def reset_defaults(ex: Host) -> None:
    """After a long idle time: what a visitor may have changed goes back to the defaults."""
    changed = (ex.model_name != ex.cfg.model or ex.lang != ex.cfg.language
               or not ex.centring or ex.ablating or any((m == 0).any() for m in ex.masks)
               or ex.comparing)
    if not changed:
        return
    ex.teacher = Teacher()
    ex.lang = ex.cfg.language
    ex.centring = True
    ex.set_model(ex.cfg.model, log=False)
    ex.log.write("reset")


# the teacher's actions (keys.*, the touch panel): these work while frozen ...
ALWAYS: dict[str, Callable[[Host], None]] = {
    "freeze": freeze,
    "help": lambda ex: ex.teach(help=not ex.show_help),
    "explain": lambda ex: ex.teach(explain=not ex.show_explain),
    "about": lambda ex: ex.teach(about=not ex.show_about),
    "panel": lambda ex: ex.teach(panel=not ex.panel_open),
    "close": lambda ex: ex.teach(panel=False),
    "step": lambda ex: step_action(ex, 1),
    "step_back": lambda ex: step_action(ex, -1),
}
# ... and these wait until the teacher unfreezes (they end attract mode)
VISITOR: dict[str, Callable[[Host], None]] = {
    "clear": lambda ex: ex.clear(), "learn": learn, "design": design, "model": next_model,
    "compare": compare, "centring": centring, "ablation": ablation,
    "restore": restore, "language": language,
}
# these keep a frozen screen frozen longer
TEACHER_ACTIONS = ("freeze", "help", "explain", "step", "step_back", "about", "panel", "close")


# what each input action does: input.py names them, this table applies them
INPUT: dict[str, Callable[..., None]] = {
    "input": note_input, "touch_timer": touch_timer, "teacher_touch": teacher_touch,
    "panel_freeze": panel_freeze,
    "act": act, "sample": lambda ex, digit: ex.load_sample(digit),
    "stop_attract": lambda ex: ex.stop_attract(),
    "stroke_begin": stroke_begin, "stroke_end": stroke_end,
    "stroke_extend": lambda ex, x, y: ex.drawing.extend(x, y),
    "tap_neuron": tap_neuron, "learn_toggle": lambda ex: ex.learn.toggle(ex),
    "design_open": design, "design_tap": lambda ex, target: ex.design.tap(ex, target),
    "close_about": lambda ex: ex.teach(about=False),
    "close_panel": lambda ex: ex.teach(panel=False),
    "close_detail": lambda ex: ex.teach(detail=None),
    "log": lambda ex, event: ex.log.write(event),
    "feedback": feedback, "talk": talkback.tap,
}
