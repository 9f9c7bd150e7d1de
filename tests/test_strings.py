import re

from exhibit.views import strings


def test_every_text_exists_in_every_language_with_the_same_placeholders():
    langs = strings.languages()
    assert {"en", "de"} <= set(langs)
    en = strings.table("en")
    for lang in langs:
        t = strings.table(lang)
        assert set(t) == set(en), (lang, set(en) ^ set(t))
        for key, text in en.items():
            assert set(re.findall(r"{(\w+)}", t[key])) == set(re.findall(r"{(\w+)}", text)), (lang, key)
            assert t[key].strip(), (lang, key)


def test_languages_match_the_config_choices():
    from exhibit.config import TABLE
    assert set(TABLE["language"].choices) == set(strings.languages())
