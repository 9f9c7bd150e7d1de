"""Typed, frozen sections of the settings. GENERATED from schema.py by
``python -m exhibit_training.make_sections``: do not edit by hand."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Ink:
    stroke_width: float  # Brush width of the picture the network reads, in pixels of the 20 px di…
    min_points: int  # Fewer points than this in all strokes together counts as an empty canvas
    min_size_px: float  # A drawing smaller than this (its longest side, in canvas pixels) is a ta…


@dataclass(frozen=True)
class Answer:
    min_confidence: float  # Below this top probability the answer shows '?' instead of a digit
    close_margin: float  # When the runner-up's probability is within this of the top one, a secon…
    style: str  # How the ten probabilities are shown: bars (a row per digit, with its percentage)…


@dataclass(frozen=True)
class Window:
    size: str | tuple[int, int]  # Screen size the layout is drawn at
    fullscreen: bool  # Full screen (false: a window, for development)
    display: int  # Which monitor to use, counting from 0
    fps: int  # Frame-rate cap when the display offers no vsync
    vsync: bool  # Ask for vsync (falls back to the capped clock)
    present: str  # How a frame reaches the screen: changed (only the areas that changed, the chea…
    full_frame_seconds: float  # Seconds between whole-screen presents while the exhibit is idle (…


@dataclass(frozen=True)
class LayoutLandscape:
    title: tuple[float, float, float, float]  # Title and answer line in the landscape layout: x, …
    canvas: tuple[float, float, float, float]  # Drawing canvas in the landscape layout: x, y, wid…
    buttons: tuple[float, float, float, float]  # Clear and sample-digit buttons in the landscape …
    preview: tuple[float, float, float, float]  # What the network sees (the 28x28 picture) in the…
    network: tuple[float, float, float, float]  # Hidden layers and outputs in the landscape layou…
    bars: tuple[float, float, float, float]  # The ten probabilities in the landscape layout: x, y…
    answer: tuple[float, float, float, float]  # The answer: one large digit, or '?', with its glo…
    talk: tuple[float, float, float, float]  # Talk-back: 'Was I right?', the digit meant, fool me…


@dataclass(frozen=True)
class LayoutPortrait:
    title: tuple[float, float, float, float]  # Title and answer line in the portrait layout: x, y…
    canvas: tuple[float, float, float, float]  # Drawing canvas in the portrait layout: x, y, widt…
    buttons: tuple[float, float, float, float]  # Clear and sample-digit buttons in the portrait l…
    preview: tuple[float, float, float, float]  # What the network sees (the 28x28 picture) in the…
    network: tuple[float, float, float, float]  # Hidden layers and outputs in the portrait layout…
    bars: tuple[float, float, float, float]  # The ten probabilities in the portrait layout: x, y,…
    answer: tuple[float, float, float, float]  # The answer: one large digit, or '?', with its glo…
    talk: tuple[float, float, float, float]  # Talk-back: 'Was I right?', the digit meant, fool me…
    split: float  # Portrait: where the screen splits, as a fraction of its height from the top


@dataclass(frozen=True)
class Layout:
    orientation: str  # Which layout to use: auto picks by the screen's shape
    mirror: bool  # Mirror the layout left-right for a left-handed set-up: the canvas on the right…
    landscape: LayoutLandscape
    portrait: LayoutPortrait


@dataclass(frozen=True)
class Colors:
    background: str  # Screen background
    panel: str  # Behind each region
    canvas: str  # Drawing canvas background
    ink: str  # The visitor's strokes
    text: str  # Main text
    muted: str  # Captions and inactive things
    positive: str  # Positive weights (orange; with blue a colour-blind-safe pair)
    negative: str  # Negative weights (blue)
    neuron: str  # Activation: how strongly a neuron (or a feature map) is on
    answer: str  # The answer: its glow and ring, the learning curve, and what a teacher selects
    button: str  # Buttons


@dataclass(frozen=True)
class Sizes:
    text_scale: float  # Scale for all text (1 = sized for 1080 lines)
    brush_px: int  # Width of the visitor's strokes on the canvas, in pixels
    neuron_px: int  # Radius of a hidden neuron, in pixels


@dataclass(frozen=True)
class Network:
    lines_per_neuron: int  # Strongest incoming connections (by |weight x activation|) drawn per n…
    max_lines_per_layer: int  # Cap on strong connections drawn between two columns
    max_column: int  # A hidden layer with more neurons than this shows only a subset of them
    shown: int  # How many neurons such a layer shows: the most active for this input
    background_lines: int  # Faint fixed sample of connections per column pair, so the wiring neve…


@dataclass(frozen=True)
class Pulses:
    wave_seconds: float  # Seconds a wave takes from the picture to the outputs: each layer, then …
    max: int  # Most pulses in flight at once
    wave_interval: float  # Least time between two waves while the drawing changes (seconds; never…
    size_px: int  # Diameter of the strongest pulse, in pixels


@dataclass(frozen=True)
class Motion:
    reduced: bool  # Calm motion: no travelling pulses, at most one wave a second (the layers stil…


@dataclass(frozen=True)
class Timing:
    clear_after: float  # Seconds after the last stroke until the canvas clears itself (0: never)
    freeze_timeout: float  # Seconds a frozen screen waits for the teacher's next key before it un…


@dataclass(frozen=True)
class Log:
    events: str  # Append JSON event lines to this file ('' = no log)
    max_mb: float  # The event log is rotated when it would grow past this size in megabytes (FILE…
    keep: int  # Old event log files kept after rotating (0: start afresh)
    health_file: str  # JSON file with the age and a signature of the last presented frame, rewrit…


@dataclass(frozen=True)
class Tally:
    file: str  # Where the day's tally of visitors' confirmed readings is kept across restarts (a …
    day_starts: int  # Local hour at which the day's tally starts again (0: midnight)
    hold_seconds: float  # While the talk region asks 'Was I right?' (or shows a fool-me or teach-…


@dataclass(frozen=True)
class Attract:
    idle_seconds: float  # Seconds without input before the exhibit starts drawing digits by itsel…
    speed: float  # Speed of the invisible hand, in pixels per second
    hold: float  # Seconds each attract digit stays up with its answer
    invite_seconds: float  # Seconds of the 'Your turn!' invitation between two attract digits (0:…
    reset_seconds: float  # Seconds without input after which model, language, centring and ablati…


@dataclass(frozen=True)
class Learn:
    offer: bool  # Offer 'watch it learn' to visitors: a button under the network's picture starts…
    design_offer: bool  # Offer 'design a network' to visitors: a button under the network's pictu…
    design_seconds: float  # A designed network trains for at most this many seconds (paused time …
    mnist_dir: str  # Folder with MNIST's training files for live learning ('' or missing: the com…


@dataclass(frozen=True)
class Operator:
    hold_seconds: float  # A press held this long in the top-left corner brings up a button in the…
    freeze_idle_seconds: float  # A freeze started from the touch panel ends by itself after this …


@dataclass(frozen=True)
class Keys:
    freeze: tuple[str, ...]  # Key(s) that freeze and unfreeze (b and 
    step: tuple[str, ...]  # Key(s) that step through the forward pass (freezing first)
    step_back: tuple[str, ...]  # Key(s) that step back through the forward pass
    explain: tuple[str, ...]  # Key(s) that show the explain captions
    help: tuple[str, ...]  # Key(s) that show the help card
    clear: tuple[str, ...]  # Key(s) that clear the canvas
    model: tuple[str, ...]  # Key(s) that cycle the network
    centring: tuple[str, ...]  # Key(s) that toggle centring off and on
    ablation: tuple[str, ...]  # Key(s) that toggle ablation mode
    restore: tuple[str, ...]  # Key(s) that switch every neuron back on
    language: tuple[str, ...]  # Key(s) that cycle the language
    learn: tuple[str, ...]  # Key(s) that start and stop watching a network learn
    design: tuple[str, ...]  # Key(s) that open the design card (design a network and train it), a…
    about: tuple[str, ...]  # Key(s) that show the about card (credits)
    panel: tuple[str, ...]  # Key(s) that open the touch teacher panel
    compare: tuple[str, ...]  # Key(s) that show the explainer and the CNN side by side, and back


@dataclass(frozen=True)
class Sections:
    model: str  # Network the exhibit starts with (and returns to when idle)
    ink: Ink
    answer: Answer
    language: str  # Language of the on-screen text at start (and after a long idle)
    languages: tuple[str, ...]  # Languages the language key (L) cycles through, in this order; if…
    window: Window
    layout: Layout
    colors: Colors
    sizes: Sizes
    network: Network
    pulses: Pulses
    motion: Motion
    timing: Timing
    log: Log
    tally: Tally
    attract: Attract
    learn: Learn
    operator: Operator
    keys: Keys


def _frozen(v: Any) -> Any:
    return tuple(_frozen(x) for x in v) if isinstance(v, list) else v


def build(values: Mapping[str, Any]) -> Sections:
    """The sections from validated flat values ({"ink.stroke_width": 2.4, ...})."""
    v = {k: _frozen(x) for k, x in values.items()}
    return Sections(
        model=v["model"],
        ink=Ink(
            stroke_width=v["ink.stroke_width"],
            min_points=v["ink.min_points"],
            min_size_px=v["ink.min_size_px"]),
        answer=Answer(
            min_confidence=v["answer.min_confidence"],
            close_margin=v["answer.close_margin"],
            style=v["answer.style"]),
        language=v["language"],
        languages=v["languages"],
        window=Window(
            size=v["window.size"],
            fullscreen=v["window.fullscreen"],
            display=v["window.display"],
            fps=v["window.fps"],
            vsync=v["window.vsync"],
            present=v["window.present"],
            full_frame_seconds=v["window.full_frame_seconds"]),
        layout=Layout(
            orientation=v["layout.orientation"],
            mirror=v["layout.mirror"],
            landscape=LayoutLandscape(
                title=v["layout.landscape.title"],
                canvas=v["layout.landscape.canvas"],
                buttons=v["layout.landscape.buttons"],
                preview=v["layout.landscape.preview"],
                network=v["layout.landscape.network"],
                bars=v["layout.landscape.bars"],
                answer=v["layout.landscape.answer"],
                talk=v["layout.landscape.talk"]),
            portrait=LayoutPortrait(
                title=v["layout.portrait.title"],
                canvas=v["layout.portrait.canvas"],
                buttons=v["layout.portrait.buttons"],
                preview=v["layout.portrait.preview"],
                network=v["layout.portrait.network"],
                bars=v["layout.portrait.bars"],
                answer=v["layout.portrait.answer"],
                talk=v["layout.portrait.talk"],
                split=v["layout.portrait.split"])),
        colors=Colors(
            background=v["colors.background"],
            panel=v["colors.panel"],
            canvas=v["colors.canvas"],
            ink=v["colors.ink"],
            text=v["colors.text"],
            muted=v["colors.muted"],
            positive=v["colors.positive"],
            negative=v["colors.negative"],
            neuron=v["colors.neuron"],
            answer=v["colors.answer"],
            button=v["colors.button"]),
        sizes=Sizes(
            text_scale=v["sizes.text_scale"],
            brush_px=v["sizes.brush_px"],
            neuron_px=v["sizes.neuron_px"]),
        network=Network(
            lines_per_neuron=v["network.lines_per_neuron"],
            max_lines_per_layer=v["network.max_lines_per_layer"],
            max_column=v["network.max_column"],
            shown=v["network.shown"],
            background_lines=v["network.background_lines"]),
        pulses=Pulses(
            wave_seconds=v["pulses.wave_seconds"],
            max=v["pulses.max"],
            wave_interval=v["pulses.wave_interval"],
            size_px=v["pulses.size_px"]),
        motion=Motion(
            reduced=v["motion.reduced"]),
        timing=Timing(
            clear_after=v["timing.clear_after"],
            freeze_timeout=v["timing.freeze_timeout"]),
        log=Log(
            events=v["log.events"],
            max_mb=v["log.max_mb"],
            keep=v["log.keep"],
            health_file=v["log.health_file"]),
        tally=Tally(
            file=v["tally.file"],
            day_starts=v["tally.day_starts"],
            hold_seconds=v["tally.hold_seconds"]),
        attract=Attract(
            idle_seconds=v["attract.idle_seconds"],
            speed=v["attract.speed"],
            hold=v["attract.hold"],
            invite_seconds=v["attract.invite_seconds"],
            reset_seconds=v["attract.reset_seconds"]),
        learn=Learn(
            offer=v["learn.offer"],
            design_offer=v["learn.design_offer"],
            design_seconds=v["learn.design_seconds"],
            mnist_dir=v["learn.mnist_dir"]),
        operator=Operator(
            hold_seconds=v["operator.hold_seconds"],
            freeze_idle_seconds=v["operator.freeze_idle_seconds"]),
        keys=Keys(
            freeze=v["keys.freeze"],
            step=v["keys.step"],
            step_back=v["keys.step_back"],
            explain=v["keys.explain"],
            help=v["keys.help"],
            clear=v["keys.clear"],
            model=v["keys.model"],
            centring=v["keys.centring"],
            ablation=v["keys.ablation"],
            restore=v["keys.restore"],
            language=v["keys.language"],
            learn=v["keys.learn"],
            design=v["keys.design"],
            about=v["keys.about"],
            panel=v["keys.panel"],
            compare=v["keys.compare"]))


class Typed:
    """Read-only typed access for Config: ``cfg.ink.stroke_width``."""

    _sections: Sections

    @property
    def model(self) -> str:
        return self._sections.model

    @property
    def ink(self) -> Ink:
        return self._sections.ink

    @property
    def answer(self) -> Answer:
        return self._sections.answer

    @property
    def language(self) -> str:
        return self._sections.language

    @property
    def languages(self) -> tuple[str, ...]:
        return self._sections.languages

    @property
    def window(self) -> Window:
        return self._sections.window

    @property
    def layout(self) -> Layout:
        return self._sections.layout

    @property
    def colors(self) -> Colors:
        return self._sections.colors

    @property
    def sizes(self) -> Sizes:
        return self._sections.sizes

    @property
    def network(self) -> Network:
        return self._sections.network

    @property
    def pulses(self) -> Pulses:
        return self._sections.pulses

    @property
    def motion(self) -> Motion:
        return self._sections.motion

    @property
    def timing(self) -> Timing:
        return self._sections.timing

    @property
    def log(self) -> Log:
        return self._sections.log

    @property
    def tally(self) -> Tally:
        return self._sections.tally

    @property
    def attract(self) -> Attract:
        return self._sections.attract

    @property
    def learn(self) -> Learn:
        return self._sections.learn

    @property
    def operator(self) -> Operator:
        return self._sections.operator

    @property
    def keys(self) -> Keys:
        return self._sections.keys
