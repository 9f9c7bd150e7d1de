"""Loading and validating config YAML against the table in :mod:`exhibit.config.schema`.

Every problem becomes one :class:`ConfigError` whose message names the file, the line, the key
and what was expected. Only ``yaml.SafeLoader`` is used; anchors, aliases and tags are refused
(they have no use in a settings file and are how YAML bombs work).
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from exhibit import resources
from exhibit.config.schema import TABLE, Key, defaults

MAX_BYTES = 256 * 1024
DEFAULT_PATH = resources.DEFAULT_CONFIG


class ConfigError(Exception):
    """A config that cannot be used; str() is the message for the operator."""


class Config:
    """Validated settings, read as ``cfg["ink.stroke_width"]``."""

    def __init__(self, values: Mapping[str, Any], source: str = "defaults") -> None:
        self._values = dict(values)
        self.source = source

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def replace(self, **changes: Any) -> "Config":
        vals = dict(self._values)
        for k, v in changes.items():
            vals[k.replace("__", ".")] = v
        return Config(vals, self.source)


def _flatten(node: yaml.Node, prefix: str, out: dict[str, tuple[yaml.Node, int]],
             where: str) -> None:
    """Flatten a composed YAML mapping into dotted keys, keeping each value's line."""
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{where}:{node.start_mark.line + 1}: "
                          f"{prefix or 'the top level'} must be a mapping of keys to values")
    for knode, vnode in node.value:
        if not isinstance(knode, yaml.ScalarNode):
            raise ConfigError(f"{where}:{knode.start_mark.line + 1}: keys must be plain names")
        name = f"{prefix}.{knode.value}" if prefix else str(knode.value)
        line = knode.start_mark.line + 1
        if name in out:
            raise ConfigError(f"{where}:{line}: {name} is given twice")
        if name in TABLE:
            out[name] = (vnode, line)
        elif isinstance(vnode, yaml.MappingNode) and any(k.startswith(name + ".") for k in TABLE):
            _flatten(vnode, name, out, where)
        else:
            raise ConfigError(f"{where}:{line}: unknown key '{name}'" + _suggest(name))


def _suggest(name: str) -> str:
    import difflib
    close = difflib.get_close_matches(name, TABLE.keys(), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_events(text: str, where: str) -> None:
    for ev in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None):
            raise ConfigError(f"{where}:{ev.start_mark.line + 1}: anchors and aliases (& and *) "
                              f"are not allowed in the config")
        tag = getattr(ev, "tag", None)  # set only when the file writes one explicitly
        if tag is not None:
            raise ConfigError(f"{where}:{ev.start_mark.line + 1}: YAML tags ({tag}) "
                              f"are not allowed in the config")


def parse_text(text: str, where: str = "config") -> dict[str, tuple[Any, int]]:
    """YAML text -> {dotted key: (value, line)}; raises ConfigError."""
    try:
        _check_events(text, where)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{where}{line}: not valid YAML: {e.problem or e.context}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{where}: not valid YAML: {e}") from None
    if node is None:
        return {}
    flat: dict[str, tuple[yaml.Node, int]] = {}
    _flatten(node, "", flat, where)
    out = {}
    for name, (vnode, line) in flat.items():
        try:
            value = yaml.SafeLoader(text).construct_document(vnode)
        except yaml.YAMLError as e:
            raise ConfigError(f"{where}:{line}: {name}: {e}") from None
        out[name] = (value, line)
    return out


def coerce(key: Key, value: Any) -> Any:
    """The value if it fits the key, converted (ints to floats); else raise ValueError."""
    k = key.kind

    def number(v: Any, integer: bool = False) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError
        if integer and not float(v).is_integer():
            raise ValueError
        if key.lo is not None and v < key.lo or key.hi is not None and v > key.hi:
            raise ValueError
        return int(v) if integer else float(v)

    if k == "int":
        return number(value, integer=True)
    if k == "float":
        return number(value)
    if k == "bool":
        if not isinstance(value, bool):
            raise ValueError
        return value
    if k == "choice":
        if value not in key.choices:
            raise ValueError
        return value
    if k == "str":
        if not isinstance(value, str):
            raise ValueError
        return value
    if k == "keys":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(
                isinstance(v, str) and _KEY_RE.match(v.lower()) for v in value):
            raise ValueError
        return [v.lower() for v in value]
    if k == "color":
        if not isinstance(value, str) or not _COLOR_RE.match(value):
            raise ValueError
        return value.lower()
    if not isinstance(value, list):
        raise ValueError
    if k == "size":
        if len(value) != 2:
            raise ValueError
        return [number(v, integer=True) for v in value]
    if k == "rect":
        if len(value) != 4:
            raise ValueError
        vals = [float(v) for v in value if not isinstance(v, bool) and
                isinstance(v, (int, float)) and 0.0 <= v <= 1.0]
        if len(vals) != 4 or vals[0] + vals[2] > 1.0 + 1e-9 or vals[1] + vals[3] > 1.0 + 1e-9 \
                or vals[2] <= 0 or vals[3] <= 0:
            raise ValueError
        return vals
    if len(value) != key.length:
        raise ValueError
    return [number(v) for v in value]


def _validate(name: str, value: Any, where: str) -> Any:
    key = TABLE[name]
    try:
        return coerce(key, value)
    except (ValueError, TypeError):
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        raise ConfigError(f"{where}: {name}: expected {key.expected()}, got {shown}") from None


_KEY_RE = re.compile(r"^([a-z0-9]|right|left|up|down|space|return|tab|backspace|"
                     r"page up|page down|home|end|f([1-9]|1[0-2]))$")
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_SET_RE = re.compile(r"^([A-Za-z0-9_.]+)=(.*)$", re.S)


def load(path: str | Path | None = None, overrides: Iterable[str] = ()) -> Config:
    """Defaults, then the YAML file (config.yaml at the root when path is None and it exists),
    then ``--set KEY=VALUE`` overrides. Raises ConfigError."""
    values = defaults()
    if path is None and DEFAULT_PATH.is_file():
        path = DEFAULT_PATH
    source = "defaults"
    if path is not None:
        p = Path(path)
        where = str(p)
        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            raise ConfigError(f"{where}: config file not found") from None
        except OSError as e:
            raise ConfigError(f"{where}: cannot read the config file ({e.strerror})") from None
        if len(raw) > MAX_BYTES:
            raise ConfigError(f"{where}: {len(raw)} bytes is too large for a config file "
                              f"(at most {MAX_BYTES})")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[:e.start].count(b"\n") + 1
            raise ConfigError(f"{where}:{line}: not UTF-8 text (is this the right file?)") from None
        if "\x00" in text:
            raise ConfigError(f"{where}: contains NUL bytes; not a text file")
        for name, (value, line) in parse_text(text, where).items():
            values[name] = _validate(name, value, f"{where}:{line}")
        source = where
    for item in overrides:
        m = _SET_RE.match(item)
        if not m:
            raise ConfigError(f"--set {item}: expected KEY=VALUE")
        name, text = m.group(1), m.group(2)
        if name not in TABLE:
            raise ConfigError(f"--set: unknown key '{name}'" + _suggest(name))
        try:
            value = yaml.safe_load(text) if text.strip() else text
        except yaml.YAMLError:
            value = text
        if TABLE[name].kind in ("str", "color", "choice") and not isinstance(value, str):
            value = text  # '#ff00ff' is a YAML comment, 'on' a boolean: the text is meant
        values[name] = _validate(name, value, "--set")
    return Config(values, source)
