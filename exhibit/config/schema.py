"""Every setting a museum may change: one declarative table of keys, defaults, types and help.

Code reads values from a validated :class:`Config`, never literals; a new setting is one row.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exhibit.ink.normalize import STROKE_WIDTH
from exhibit.model.store import MODEL_NAMES


@dataclass(frozen=True)
class Setting:
    """One setting. ``kind``: int, float, bool, choice, choices (a list of distinct choices, at
    least one), str, size (two ints), rect (four fractions x, y, w, h), list (of numbers,
    ``length`` long)."""

    name: str
    default: Any
    kind: str
    help: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    length: int | None = None

    def expected(self) -> str:
        if self.kind == "int":
            return f"a whole number from {self.lo:g} to {self.hi:g}"
        if self.kind == "float":
            return f"a number from {self.lo:g} to {self.hi:g}"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "choices":
            return "a list of one or more of " + ", ".join(self.choices) + ", each at most once"
        if self.kind == "str":
            return "a text"
        if self.kind == "size":
            return f"auto, or [width, height] in pixels, each from {self.lo:g} to {self.hi:g}"
        if self.kind == "keys":
            return "a list of key names such as [\"f\"] or [\"right\", \"n\"]"
        if self.kind == "color":
            return "a colour as '#rrggbb'"
        if self.kind == "rect":
            return "[x, y, w, h] as fractions of the screen, each from 0 to 1, inside it"
        return f"a list of {self.length} numbers from {self.lo:g} to {self.hi:g}"


# The string tables shipped in assets/strings (a test checks), in the order L cycles them:
# English, German, Japanese, French, Spanish, Dutch.
LANGUAGES = ("en", "de", "ja", "fr", "es", "nl")

REGIONS = {
    "title": "Title and answer line",
    "canvas": "Drawing canvas",
    "buttons": "Clear and sample-digit buttons",
    "preview": "What the network sees (the 28x28 picture)",
    "network": "Hidden layers and outputs",
    "bars": "The ten probabilities",
    "answer": "The answer: one large digit, or '?', with its glow",
    "talk": "Talk-back: 'Was I right?', the digit meant, fool me, teach it, what would make it",
}
LOWER_REGIONS = ("title", "canvas", "buttons", "talk")  # in portrait: below layout.portrait.split
LAYOUTS = {
    "landscape": {"title": [0.02, 0.01, 0.83, 0.11], "canvas": [0.02, 0.13, 0.31, 0.70],
                  "buttons": [0.02, 0.84, 0.31, 0.15], "preview": [0.35, 0.13, 0.22, 0.36],
                  "network": [0.59, 0.13, 0.26, 0.85], "bars": [0.865, 0.35, 0.115, 0.63],
                  "answer": [0.865, 0.01, 0.115, 0.32], "talk": [0.35, 0.83, 0.18, 0.16]},
    # y and h of title, canvas and buttons: fractions of the part below the split; of the
    # others: fractions of the part above it
    "portrait": {"title": [0.03, 0.0, 0.94, 0.08], "canvas": [0.05, 0.09, 0.90, 0.57],
                 "buttons": [0.05, 0.80, 0.90, 0.19], "preview": [0.03, 0.03, 0.30, 0.38],
                 "network": [0.35, 0.03, 0.41, 0.94], "bars": [0.78, 0.35, 0.20, 0.62],
                 "answer": [0.78, 0.03, 0.20, 0.30], "talk": [0.05, 0.67, 0.90, 0.12]},
}


def _layout_settings() -> list["Setting"]:
    return [Setting(f"layout.{o}.{r}", rect, "rect",
                f"{REGIONS[r]} in the {o} layout: x, y, width, height as fractions of the screen.")
            for o, rects in LAYOUTS.items() for r, rect in rects.items()] + [
        Setting("layout.portrait.split", 0.52, "float",
            "Portrait: where the screen splits, as a fraction of its height from the top. The "
            "network is drawn above; the answer, canvas and buttons below, within reach (raise "
            "it for a screen mounted high). In the portrait rects, y and h are fractions of "
            "the part they are in.", 0.2, 0.8)]



SETTINGS: tuple[Setting, ...] = (
    Setting("model", "explainer", "choice",
        "Network the exhibit starts with (and returns to when idle).", choices=MODEL_NAMES),
    Setting("ink.stroke_width", STROKE_WIDTH, "float",
        "Brush width of the picture the network reads, in pixels of the 20 px digit box, "
        "whatever size the visitor draws at (MNIST strokes are about 2-2.5).", 1.0, 4.0),
    Setting("ink.min_points", 1, "int",
        "Fewer points than this in all strokes together counts as an empty canvas.", 1, 1000),
    Setting("ink.min_size_px", 5.0, "float",
        "A drawing smaller than this (its longest side, in canvas pixels) is a tap, not a "
        "digit: no prediction.", 0.0, 500.0),
    Setting("answer.min_confidence", 0.5, "float",
        "Below this top probability the answer shows '?' instead of a digit.", 0.0, 1.0),
    Setting("answer.close_margin", 0.25, "float",
        "When the runner-up's probability is within this of the top one, a second, smaller "
        "line names it ('... or 1?'): a close call is not drawn like a sure reading.", 0.0, 1.0),
    Setting("answer.style", "bars", "choice",
        "How the ten probabilities are shown: bars (a row per digit, with its percentage) or "
        "dial (the ten digits around a ring, each glowing by its probability, the winner "
        "brightest; its digits are the network's outputs). The dial takes the bars' region and "
        "the room of the network's output column beside it.", choices=("bars", "dial")),
    Setting("language", "en", "choice",
        "Language of the on-screen text at start (and after a long idle).", choices=LANGUAGES),
    Setting("languages", list(LANGUAGES), "choices",
        "Languages the language key (L) cycles through, in this order; if the start language "
        "is not among them, L goes to the first.", choices=LANGUAGES),
    Setting("window.size", "auto", "size",
        "Screen size the layout is drawn at. auto: the display's own size and shape (portrait "
        "when upright), drawn at its native resolution. A fixed size is scaled to the display, "
        "letterboxed if the shapes differ.", 320, 7680),
    Setting("window.fullscreen", True, "bool", "Full screen (false: a window, for development)."),
    Setting("window.display", 0, "int", "Which monitor to use, counting from 0.", 0, 16),
    Setting("window.fps", 60, "int", "Frame-rate cap when the display offers no vsync.", 20, 240),
    Setting("window.vsync", True, "bool", "Ask for vsync (falls back to the capped clock)."),
    Setting("window.present", "auto", "choice",
        "How a frame reaches the screen: changed (only the areas that changed, the cheapest), "
        "whole (the whole window whenever anything changed), or auto: whole under a Wayland "
        "compositor such as the kiosk's cage, where a trial showed changed-area updates "
        "leaving parts of the compositor's picture black, changed elsewhere.",
        choices=("auto", "changed", "whole")),
    Setting("window.full_frame_seconds", 30.0, "float",
        "Seconds between whole-screen presents while the exhibit is idle (it otherwise presents "
        "only the areas that changed), so that the screen and its health file stay fresh "
        "(0: never).", 0.0, 3600.0),
    Setting("layout.orientation", "auto", "choice",
        "Which layout to use: auto picks by the screen's shape.",
        choices=("auto", "landscape", "portrait")),
    Setting("layout.mirror", False, "bool",
        "Mirror the layout left-right for a left-handed set-up: the canvas on the right (in "
        "portrait the Clear button), the network flowing right to left. Give the rects below "
        "as for the usual layout; they are mirrored."),
    *_layout_settings(),
    Setting("colors.background", "#0b1020", "color", "Screen background."),
    Setting("colors.panel", "#151c33", "color", "Behind each region."),
    Setting("colors.canvas", "#000000", "color", "Drawing canvas background."),
    Setting("colors.ink", "#ffffff", "color", "The visitor's strokes."),
    Setting("colors.text", "#f2f4ff", "color", "Main text."),
    Setting("colors.muted", "#8a93b8", "color", "Captions and inactive things."),
    Setting("colors.positive", "#ff9a1f", "color",
        "Positive weights (orange; with blue a colour-blind-safe pair)."),
    Setting("colors.negative", "#3d8bff", "color", "Negative weights (blue)."),
    Setting("colors.neuron", "#ffd34d", "color", "Activation: how strongly a neuron (or a feature map) is on. Only that."),
    Setting("colors.answer", "#36d97b", "color", "The answer: its glow and ring, the learning curve, and what a teacher selects. Only that."),
    Setting("colors.button", "#27315a", "color", "Buttons."),
    Setting("sizes.text_scale", 1.0, "float", "Scale for all text (1 = sized for 1080 lines).",
        0.5, 3.0),
    Setting("sizes.brush_px", 26, "int", "Width of the visitor's strokes on the canvas, in pixels.",
        4, 120),
    Setting("sizes.neuron_px", 13, "int", "Radius of a hidden neuron, in pixels.", 3, 60),
    Setting("network.lines_per_neuron", 6, "int",
        "Strongest incoming connections (by |weight x activation|) drawn per neuron.", 1, 64),
    Setting("network.max_lines_per_layer", 200, "int",
        "Cap on strong connections drawn between two columns.", 10, 2000),
    Setting("network.max_column", 32, "int",
        "A hidden layer with more neurons than this shows only a subset of them.", 4, 64),
    Setting("network.shown", 24, "int",
        "How many neurons such a layer shows: the most active for this input.", 4, 64),
    Setting("network.background_lines", 120, "int",
        "Faint fixed sample of connections per column pair, so the wiring never looks empty.",
        0, 2000),
    Setting("pulses.wave_seconds", 0.5, "float",
        "Seconds a wave takes from the picture to the outputs: each layer, then the bars and "
        "the answer, change only when it arrives.", 0.1, 3.0),
    Setting("pulses.max", 600, "int", "Most pulses in flight at once.", 0, 5000),
    Setting("pulses.wave_interval", 0.35, "float",
        "Least time between two waves while the drawing changes (seconds; never less than 1/3 "
        "s is used, so nothing flashes more than 3 times a second).", 0.02, 5.0),
    Setting("pulses.size_px", 16, "int", "Diameter of the strongest pulse, in pixels.", 2, 64),
    Setting("motion.reduced", False, "bool",
        "Calm motion: no travelling pulses, at most one wave a second (the layers still light "
        "up in order)."),
    Setting("timing.clear_after", 4.0, "float",
        "Seconds after the last stroke until the canvas clears itself (0: never).", 0.0, 600.0),
    Setting("timing.freeze_timeout", 600.0, "float",
        "Seconds a frozen screen waits for the teacher's next key before it unfreezes by "
        "itself (visitors' touches do not count; 0: never).", 0.0, 86400.0),
    Setting("log.events", "", "str", "Append JSON event lines to this file ('' = no log)."),
    Setting("log.max_mb", 5.0, "float",
        "The event log is rotated when it would grow past this size in megabytes "
        "(FILE becomes FILE.1, FILE.1 becomes FILE.2, ...).", 0.01, 1000.0),
    Setting("log.keep", 3, "int", "Old event log files kept after rotating (0: start afresh).",
        0, 20),
    Setting("log.health_file", "auto", "str",
        "JSON file with the age and a signature of the last presented frame, rewritten every "
        "10 s for the kiosk's health check. auto: $DIGIT_EXHIBIT_HEALTH_FILE, else health.json "
        "in $RUNTIME_DIRECTORY (the kiosk unit's /run/digit-exhibit), else none; '' = none."),
    Setting("tally.file", "", "str",
        "Where the day's tally of visitors' confirmed readings is kept across restarts (a small "
        "JSON file of counts only; '' = kept in memory, counted afresh at each start)."),
    Setting("tally.day_starts", 0, "int",
        "Local hour at which the day's tally starts again (0: midnight).", 0, 23),
    Setting("tally.hold_seconds", 8.0, "float",
        "While the talk region asks 'Was I right?' (or shows a fool-me or teach-it result), the "
        "canvas waits at least this many seconds after the question came up before it clears "
        "itself (0: only timing.clear_after). A teach-it run always holds it.", 0.0, 600.0),
    Setting("attract.idle_seconds", 45.0, "float",
        "Seconds without input before the exhibit starts drawing digits by itself (0: never).",
        0.0, 3600.0),
    Setting("attract.speed", 650.0, "float", "Speed of the invisible hand, in pixels per second.",
        50.0, 5000.0),
    Setting("attract.hold", 2.5, "float", "Seconds each attract digit stays up with its answer.",
        0.2, 30.0),
    Setting("attract.invite_seconds", 3.0, "float",
        "Seconds of the 'Your turn!' invitation between two attract digits (0: none).",
        0.0, 30.0),
    Setting("attract.reset_seconds", 300.0, "float",
        "Seconds without input after which model, language, centring and ablations return "
        "to their defaults (0: never).", 0.0, 86400.0),
    Setting("learn.offer", False, "bool",
        "Offer 'watch it learn' to visitors: a button under the network's picture starts a "
        "network from random weights learning live (key T does it for teachers either way)."),
    Setting("learn.design_offer", False, "bool",
        "Offer 'design a network' to visitors: a button under the network's picture opens the "
        "design card (key D and the teacher panel open it either way)."),
    Setting("learn.design_seconds", 90.0, "float",
        "A designed network trains for at most this many seconds (paused time not counted); "
        "idle time counts from the end of its training.", 5.0, 600.0),
    Setting("learn.mnist_dir", "", "str",
        "Folder with MNIST's training files for live learning ('' or missing: the compact "
        "training subset shipped with the exhibit; neither there: the feature is off)."),
    Setting("operator.hold_seconds", 3.0, "float",
        "A press held this long in the top-left corner brings up a button in the middle of "
        "the screen; tapping it within 5 s opens the touch teacher panel (0: never).", 0.0, 30.0),
    Setting("operator.freeze_idle_seconds", 90.0, "float",
        "A freeze started from the touch panel ends by itself after this many seconds without "
        "a panel action (visitors' strokes do not count; a key's freeze waits "
        "timing.freeze_timeout); an open panel left alone this long closes (0: never).",
        0.0, 3600.0),
    *[Setting(f"keys.{name}", default, "keys", f"Key(s) that {what}.") for name, default, what in (
        ("freeze", ["f", "b", "."], "freeze and unfreeze (b and . are a presentation "
         "clicker's black-screen key)"),
        ("step", ["right", "n", "page down"], "step through the forward pass (freezing first)"),
        ("step_back", ["left", "page up"], "step back through the forward pass"),
        ("explain", ["e"], "show the explain captions"),
        ("help", ["h"], "show the help card"),
        ("clear", ["c"], "clear the canvas"),
        ("model", ["m"], "cycle the network"),
        ("centring", ["x"], "toggle centring off and on"),
        ("ablation", ["a"], "toggle ablation mode"),
        ("restore", ["r"], "switch every neuron back on"),
        ("language", ["l"], "cycle the language"),
        ("learn", ["t"], "start and stop watching a network learn"),
        ("design", ["d"], "open the design card (design a network and train it), and close it"),
        ("about", ["i"], "show the about card (credits)"),
        ("panel", ["p"], "open the touch teacher panel"),
        ("compare", ["v"], "show the explainer and the CNN side by side, and back"),
    )],
)

TABLE: dict[str, Setting] = {k.name: k for k in SETTINGS}


def defaults() -> dict[str, Any]:
    return {k.name: k.default for k in SETTINGS}


def render_yaml(values: dict[str, Any] | None = None) -> str:
    """A commented config.yaml holding every key (the defaults unless values are given)."""
    import json
    import textwrap

    values = values or defaults()
    lines = ["# Digit Exhibit settings. Every key is optional; delete one to get its default.",
             "# Check a change with:  digit-exhibit check-config config.yaml", ""]
    current: list[str] = []
    for key in SETTINGS:
        *sections, leaf = key.name.split(".")
        common = 0
        while common < min(len(current), len(sections)) and current[common] == sections[common]:
            common += 1
        for depth in range(common, len(sections)):
            lines.append("  " * depth + f"{sections[depth]}:")
        current = sections
        pad = "  " * len(sections)
        for text in textwrap.wrap(f"{key.help} ({key.expected()})", 96 - len(pad)):
            lines.append(f"{pad}# {text}")
        lines.append(f"{pad}{leaf}: {json.dumps(values[key.name], ensure_ascii=False)}")
    return "\n".join(lines) + "\n"
