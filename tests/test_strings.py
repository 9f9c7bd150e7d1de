import re

from exhibit.views import strings


def test_every_text_exists_in_every_language_with_the_same_placeholders():
    langs = strings.languages()
    assert {"en", "de"} <= set(langs)
    optional = re.compile(r"answer_\d$")  # per-digit answer lines, where grammar needs them
    en = {k: v for k, v in strings.table("en").items() if not optional.match(k)}
    assert en, "no English table: the test would pass vacuously"
    for lang in langs:
        t = strings.table(lang)
        assert {k for k in t if not optional.match(k)} == set(en), (lang, set(en) ^ set(t))
        for key in t:
            if optional.match(key):
                assert set(re.findall(r"{(\w+)}", t[key])) <= {"digit"}, (lang, key)
        for key, text in en.items():
            assert set(re.findall(r"{(\w+)}", t[key])) == set(re.findall(r"{(\w+)}", text)), (lang, key)
            assert t[key].strip(), (lang, key)


def test_languages_match_the_config_choices():
    from exhibit.config import TABLE
    assert set(TABLE["language"].choices) == set(strings.languages())
