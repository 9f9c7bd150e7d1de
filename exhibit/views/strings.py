"""On-screen text from the string tables in assets/strings/LANG.yaml."""
from __future__ import annotations

from functools import lru_cache

import yaml

from exhibit import resources

STRINGS_DIR = resources.STRINGS


@lru_cache(maxsize=None)
def table(lang: str) -> dict[str, str]:
    with open(STRINGS_DIR / f"{lang}.yaml", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{lang}.yaml must map keys to texts")
    return data


def languages() -> list[str]:
    return sorted(p.stem for p in STRINGS_DIR.glob("*.yaml"))


def text(lang: str, key: str, **values: object) -> str:
    s = table(lang).get(key) or table("en").get(key, key)
    return s.format(**values) if values else s
