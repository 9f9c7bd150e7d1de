"""On-screen text from the string tables in assets/strings/LANG.yaml.

A missing or broken table costs only its language: its texts fall back to English, and the
problem is kept in :func:`problems` for the exhibit to log once.
"""
from __future__ import annotations

from functools import lru_cache

import yaml

from exhibit import limits, resources

STRINGS_DIR = resources.STRINGS
_problems: dict[str, str] = {}


@lru_cache(maxsize=None)
def table(lang: str) -> dict[str, str]:
    """The texts of one language (empty if its table cannot be read)."""
    try:
        raw = limits.read_regular_file(STRINGS_DIR / f"{lang}.yaml", 256 * 1024, "string table")
        data = yaml.safe_load(raw.decode("utf-8"))
        if not isinstance(data, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            raise ValueError("it must map names to texts (quote names such as \"on\")")
        return data
    except Exception as e:  # noqa: BLE001 - any failure costs this language only
        _problems[lang] = f"string table {lang}.yaml unusable, English shown: {type(e).__name__}: {e}"
        return {}


def problems() -> list[str]:
    return list(_problems.values())


def languages() -> list[str]:
    return sorted(p.stem for p in STRINGS_DIR.glob("*.yaml"))


def text(lang: str, key: str, **values: object) -> str:
    s = table(lang).get(key) or table("en").get(key, key)
    return s.format(**values) if values else s


def answer(lang: str, digit: int) -> str:
    """The answer line for a digit: ``answer_<digit>`` where a language's grammar needs its own
    line for that digit (English: "I read an 8"), else ``answer``; English if the table has
    neither."""
    for t in (table(lang), table("en")):
        s = t.get(f"answer_{digit}") or t.get("answer")
        if s:
            return s.format(digit=digit)
    return str(digit)
