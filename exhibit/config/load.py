"""Loading and validating config YAML against the table in :mod:`exhibit.config.schema`.

Every problem becomes one :class:`ConfigError` whose message names the file, the line, the key
and what was expected. Only ``yaml.SafeLoader`` is used; anchors, aliases and tags are refused
(they have no use in a settings file and are how YAML bombs work). The file must be a regular
file of at most :data:`exhibit.limits.CONFIG_BYTES` (a FIFO, a device such as ``/dev/zero`` or a
directory is refused at once); nesting deeper than :data:`~exhibit.limits.YAML_DEPTH`, more than
:data:`~exhibit.limits.YAML_EVENTS` YAML nodes and numbers longer than
:data:`~exhibit.limits.NUMBER_CHARS` characters are refused before anything is built.

Keys from another release: with ``strict=False`` (what ``run`` uses) a key this release does
not know is skipped and reported in :attr:`Config.warnings`, so a config written for a newer
release still starts the exhibit after a rollback; ``check-config`` stays strict.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from exhibit import limits as L
from exhibit import resources
from exhibit.config.schema import TABLE, Setting, defaults
from exhibit.config.sections import Typed, build

MAX_BYTES = L.CONFIG_BYTES
MAX_SET_CHARS = 4096  # one --set KEY=VALUE
DEFAULT_PATH = resources.DEFAULT_CONFIG


class ConfigError(Exception):
    """A config that cannot be used; str() is the message for the operator."""


class Config(Typed):
    """Validated settings, read as typed, frozen sections: ``cfg.ink.stroke_width`` (generated
    from the table, see sections.py). ``as_dict()`` gives the flat dotted keys."""

    def __init__(self, values: Mapping[str, Any], source: str = "defaults",
                 warnings: Iterable[str] = ()) -> None:
        self._values = dict(values)
        self._sections = build(self._values)
        self.source = source
        self.warnings: tuple[str, ...] = tuple(warnings)  # unknown keys skipped (strict=False)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def replace(self, **changes: Any) -> "Config":
        vals = dict(self._values)
        for k, v in changes.items():
            vals[k.replace("__", ".")] = v
        return Config(vals, self.source, self.warnings)


def _flatten(node: yaml.Node, prefix: str, out: dict[str, tuple[yaml.Node, int]],
             where: str, unknown: list[str] | None = None) -> None:
    """Flatten a composed YAML mapping into dotted keys, keeping each value's line. Unknown
    keys raise ConfigError, or are skipped and listed in ``unknown`` when it is given."""
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
        section = any(k.startswith(name + ".") for k in TABLE)
        if name in TABLE:
            out[name] = (vnode, line)
        elif isinstance(vnode, yaml.MappingNode) and section:
            _flatten(vnode, name, out, where, unknown)
        elif unknown is not None and not section:
            unknown.append(f"'{name}' (line {line})")
        else:
            raise ConfigError(f"{where}:{line}: unknown key '{name}'" + _suggest(name))


def _suggest(name: str) -> str:
    import difflib
    close = difflib.get_close_matches(name, TABLE.keys(), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


_NUMBERISH = re.compile(r"[-+]?\.?[0-9][0-9a-fA-F_,.:+\-xXoObB]*")


def _check_events(text: str, where: str) -> None:
    """Refuse what a settings file never needs, before anything is built: anchors, aliases,
    tags, deep nesting, too many nodes, numbers too long to be meant."""
    depth = events = 0
    for ev in yaml.parse(text, Loader=yaml.SafeLoader):
        line = ev.start_mark.line + 1
        if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None):
            raise ConfigError(f"{where}:{line}: anchors and aliases (& and *) "
                              f"are not allowed in the config")
        tag = getattr(ev, "tag", None)  # set only when the file writes one explicitly
        if tag is not None:
            raise ConfigError(f"{where}:{line}: YAML tags ({tag}) are not allowed in the config")
        events += 1
        if events > L.YAML_EVENTS:
            raise ConfigError(f"{where}:{line}: more than {L.YAML_EVENTS} YAML values "
                              f"(the limit for a config)")
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > L.YAML_DEPTH:
                raise ConfigError(f"{where}:{line}: nested more than {L.YAML_DEPTH} levels "
                                  f"deep (the limit for a config)")
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(ev, yaml.ScalarEvent) and ev.style is None \
                and len(ev.value) > L.NUMBER_CHARS and _NUMBERISH.fullmatch(ev.value):
            raise ConfigError(f"{where}:{line}: a number with {len(ev.value)} characters "
                              f"(the limit is {L.NUMBER_CHARS})")


def parse_text(text: str, where: str = "config",
               unknown: list[str] | None = None) -> dict[str, tuple[Any, int]]:
    """YAML text -> {dotted key: (value, line)}; raises ConfigError. Unknown keys raise too,
    unless ``unknown`` is a list: then they are skipped and described there."""
    try:
        _check_events(text, where)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{where}{line}: not valid YAML: {e.problem or e.context}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{where}: not valid YAML: {_one_line(e)}") from None
    except (RecursionError, MemoryError, ValueError) as e:
        raise ConfigError(f"{where}: not a usable config ({e.__class__.__name__})") from None
    if node is None:
        return {}
    flat: dict[str, tuple[yaml.Node, int]] = {}
    _flatten(node, "", flat, where, unknown)
    out = {}
    for name, (vnode, line) in flat.items():
        try:
            value = yaml.SafeLoader(text).construct_document(vnode)
        except yaml.YAMLError as e:
            raise ConfigError(f"{where}:{line}: {name}: {_one_line(e)}") from None
        except (ValueError, OverflowError, RecursionError) as e:
            raise ConfigError(f"{where}:{line}: {name}: not a usable value "
                              f"({e.__class__.__name__})") from None
        out[name] = (value, line)
    return out


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())[:200]


def coerce(key: Setting, value: Any) -> Any:
    """The value if it fits the key, converted (ints to floats); else raise ValueError."""
    k = key.kind

    def number(v: Any, integer: bool = False) -> float:
        if not L.is_number(v):
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
    if k == "choices":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or len(set(map(str, value))) != len(value) \
                or not all(isinstance(v, str) and v in key.choices for v in value):
            raise ValueError
        return list(value)
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
    if k == "size" and value == "auto":
        return value
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
    except (ValueError, TypeError, OverflowError):
        shown = _shown(value)
        raise ConfigError(f"{where}: {name}: expected {key.expected()}, got {shown}") from None


def _shown(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10 ** 15:
        return "a whole number that large"
    try:
        shown = repr(value)
    except (ValueError, RecursionError):
        shown = f"a {type(value).__name__}"
    return shown if len(shown) <= 60 else shown[:57] + "..."


_KEY_RE = re.compile(r"^([a-z0-9.,]|right|left|up|down|space|return|tab|backspace|"
                     r"page up|page down|home|end|f([1-9]|1[0-2]))$")
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_SET_RE = re.compile(r"^([A-Za-z0-9_.]+)=(.*)$", re.S)


def read_config_text(path: str | Path) -> str:
    """The text of a config file: a regular file, not too large, UTF-8, no NUL bytes."""
    where = str(path)
    try:
        raw = L.read_regular_file(path, MAX_BYTES, "config file")
    except L.LimitError as e:
        raise ConfigError(str(e)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise ConfigError(f"{where}:{line}: not UTF-8 text (is this the right file?)") from None
    if "\x00" in text:
        raise ConfigError(f"{where}: contains NUL bytes; not a text file")
    return text


def _set_value(name: str, text: str) -> Any:
    """The value of ``--set NAME=TEXT``: YAML within the same limits as a file."""
    if not text.strip():
        return text
    try:
        _check_events(text, f"--set {name}")
        return yaml.safe_load(text)
    except ConfigError:
        raise
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
        return text  # not YAML: the text itself, which the key's check then judges


def load(path: str | Path | None = None, overrides: Iterable[str] = (),
         strict: bool = True) -> Config:
    """Defaults, then the YAML file (config.yaml at the root when path is None and it exists),
    then ``--set KEY=VALUE`` overrides. Raises ConfigError.

    ``strict=False`` (the running exhibit) skips keys of the file that this release does not
    know and lists them in ``Config.warnings`` instead of refusing the file: a config written
    for a newer release must not leave the wall black after a rollback. Everything else (bad
    values, bad YAML, limits, unknown ``--set`` keys) is refused either way."""
    values = defaults()
    warnings: list[str] = []
    if path is None and DEFAULT_PATH.is_file():
        path = DEFAULT_PATH
    source = "defaults"
    if path is not None:
        where = str(path)
        text = read_config_text(path)
        unknown: list[str] | None = None if strict else []
        for name, (value, line) in parse_text(text, where, unknown).items():
            values[name] = _validate(name, value, f"{where}:{line}")
        if unknown:
            warnings.append(f"{where}: skipped {len(unknown)} unknown "
                            f"key{'s' if len(unknown) > 1 else ''} (from another release?): "
                            + ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else ""))
        source = where
    for item in overrides:
        if len(item) > MAX_SET_CHARS:
            raise ConfigError(f"--set: {len(item)} characters is over the limit "
                              f"({MAX_SET_CHARS})")
        m = _SET_RE.match(item)
        if not m:
            raise ConfigError(f"--set {item}: expected KEY=VALUE")
        name, text = m.group(1), m.group(2)
        if name not in TABLE:
            raise ConfigError(f"--set: unknown key '{name}'" + _suggest(name))
        value = _set_value(name, text)
        if TABLE[name].kind in ("str", "color", "choice") and not isinstance(value, str):
            value = text  # '#ff00ff' is a YAML comment, 'on' a boolean: the text is meant
        values[name] = _validate(name, value, "--set")
    return Config(values, source, warnings)
