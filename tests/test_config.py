import pytest

from support import ROOT
from exhibit.config import TABLE, ConfigError, load
from exhibit.config.schema import defaults, render_yaml


def write(tmp_path, text, name="c.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_config_is_valid_and_complete():
    cfg = load(ROOT / "config.yaml")
    text = (ROOT / "config.yaml").read_text()
    for name in TABLE:
        assert name.split(".")[-1] + ":" in text, name
    assert cfg.as_dict() == defaults()


def test_rendered_defaults_round_trip(tmp_path):
    assert load(write(tmp_path, render_yaml())).as_dict() == defaults()


def test_values_and_overrides(tmp_path):
    cfg = load(write(tmp_path, "model: deep\nink:\n  stroke_width: 3\n"),
               ["answer.min_confidence=0.7", "model=compact14"])
    assert cfg["model"] == "compact14"
    assert cfg["ink.stroke_width"] == 3.0 and isinstance(cfg["ink.stroke_width"], float)
    assert cfg["answer.min_confidence"] == 0.7


@pytest.mark.parametrize("text, expected", [
    ("model: [1\n", r"c.yaml:\d+: not valid YAML"),
    ("model: deep\n  bad: indent\n", r"c.yaml:2: not valid YAML"),
    ("inky: 3\n", r"c.yaml:1: unknown key 'inky'"),
    ("ink:\n  stroke_widht: 2\n", r"c.yaml:2: unknown key 'ink.stroke_widht' \(did you mean 'ink.stroke_width'\?\)"),
    ("ink:\n  stroke_width: fat\n", r"c.yaml:2: ink.stroke_width: expected a number from 1 to 4, got 'fat'"),
    ("ink:\n  stroke_width: 9\n", r"ink.stroke_width: expected a number from 1 to 4, got 9"),
    ("ink:\n  min_points: 2.5\n", r"ink.min_points: expected a whole number"),
    ("model: lenet\n", r"model: expected one of explainer, compact14, deep"),
    ("- 1\n- 2\n", r"c.yaml:1: the top level must be a mapping"),
    ("ink: 3\n", r"c.yaml:1: ink: expected|unknown key 'ink'"),
    ("a: &x [1]\nb: *x\n", r"anchors and aliases"),
    ("model: !!python/object/apply:os.system [ls]\n", r"YAML tags"),
    ("model: deep\nmodel: deep\n", r"c.yaml:2: model is given twice"),
    ("window:\n  size: [100, 100]\n", r"window.size: expected auto, or \[width, height\]"),
    ("answer:\n  min_confidence: .nan\n", r"answer.min_confidence: expected a number"),
    ("ink:\n  stroke_width: true\n", r"ink.stroke_width: expected a number"),
])
def test_bad_configs_name_the_line_key_and_expectation(tmp_path, text, expected):
    with pytest.raises(ConfigError, match=expected):
        load(write(tmp_path, text))


def test_binary_garbage_and_missing_files(tmp_path):
    p = tmp_path / "bin.yaml"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8|NUL"):
        load(p)
    with pytest.raises(ConfigError, match="config file not found"):
        load(tmp_path / "missing.yaml")


def test_bad_overrides():
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        load(None, ["model"])
    with pytest.raises(ConfigError, match="unknown key 'modle'"):
        load(None, ["modle=deep"])
    with pytest.raises(ConfigError, match="--set: ink.stroke_width: expected a number"):
        load(None, ["ink.stroke_width=wide"])


def test_empty_file_means_defaults(tmp_path):
    assert load(write(tmp_path, "# nothing\n")).as_dict() == defaults()


def test_languages_is_a_list_of_distinct_shipped_languages(tmp_path):
    assert load(None, ["languages=[ja, en]"])["languages"] == ["ja", "en"]
    assert load(None, ["languages=fr"])["languages"] == ["fr"]
    assert load(write(tmp_path, "languages: [nl, de]\n"))["languages"] == ["nl", "de"]
    for bad in ("[]", "[en, en]", "[en, xx]", "[en, 3]", "true", "{a: b}"):
        with pytest.raises(ConfigError, match="languages: expected a list of one or more of"):
            load(None, [f"languages={bad}"])
    with pytest.raises(ConfigError, match="languages"):
        load(write(tmp_path, "languages: [en, klingon]\n"))
