import re

import yaml

from exhibit import resources
from exhibit.config import TABLE, load
from exhibit.config.schema import LANGUAGES
from exhibit import strings

ANSWER_KEYS = {f"answer_{d}" for d in range(10)}  # optional, per language


def placeholders(text):
    return set(re.findall(r"{(\w+)}", text))


def test_every_configurable_language_has_a_table():
    assert set(LANGUAGES) == set(strings.languages())


def test_every_text_exists_in_every_language_with_the_same_placeholders():
    en = strings.table("en")
    required = set(en) - ANSWER_KEYS
    for lang in strings.languages():
        t = strings.table(lang)
        assert t, (lang, strings.problems())
        assert required <= set(t), (lang, required - set(t))
        assert set(t) <= required | ANSWER_KEYS, (lang, set(t) - required - ANSWER_KEYS)
        for key in required:
            assert placeholders(t[key]) == placeholders(en[key]), (lang, key)
            assert t[key].strip(), (lang, key)
        for key in set(t) & ANSWER_KEYS:
            assert placeholders(t[key]) <= {"digit"}, (lang, key)
        # the help card has a line for every key, in the same order
        assert len(t["help_keys"].split("|")) == len(en["help_keys"].split("|")), lang


def test_tables_quote_on_and_off_and_are_plain_texts():
    """YAML 1.1 reads unquoted on/off as booleans: the raw files must keep them as names."""
    for lang in strings.languages():
        raw = yaml.safe_load((resources.STRINGS / f"{lang}.yaml").read_text(encoding="utf-8"))
        assert "on" in raw and "off" in raw and True not in raw and False not in raw, lang


def test_translations_differ_from_english():
    """A table that copies English by mistake is caught: most texts must differ."""
    en = strings.table("en")
    for lang in strings.languages():
        if lang == "en":
            continue
        t = strings.table(lang)
        same = [k for k in en if k in t and t[k] == en[k]  # activations' names are international
                and not k.startswith(("neuron_values", "design_act_"))]
        assert len(same) <= 2, (lang, same)


def test_answer_line_grammar_per_digit():
    assert strings.answer("en", 8) == "I read an 8"
    assert [strings.answer("en", d) for d in (0, 1, 7)] == ["I read a 0", "I read a 1", "I read a 7"]
    assert strings.answer("de", 8) == "Ich erkenne eine 8"
    assert strings.answer("fr", 8) == "Je vois un 8"
    assert strings.answer("es", 1) == "Veo un 1"
    assert strings.answer("nl", 8) == "Ik zie een 8"
    assert strings.answer("ja", 3) == "3 と読みました"
    # a language without answer_8 uses its own answer, not English's answer_8
    assert "answer_8" not in strings.table("de")


def test_languages_match_the_config_choices():
    assert set(TABLE["language"].choices) == set(strings.languages())
    assert set(TABLE["languages"].choices) == set(strings.languages())
    assert load(None)["languages"] == ["en", "de", "ja", "fr", "es", "nl"]
