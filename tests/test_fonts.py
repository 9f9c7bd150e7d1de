"""The shipped fonts: every character of every string table has a glyph in the font its
language is set in, Japanese renders as glyphs (not boxes), bold comes from the Bold files,
a broken font costs only its looks, and the texts fit the layouts in every language."""

import pygame
import pygame.freetype
import pytest

from exhibit import resources
from exhibit.eventlog import EventLog
from exhibit.state.exhibit import Exhibit
from exhibit.config import load
from exhibit.views.theme import HEAD
from exhibit.shell.loop import Runner
from exhibit.views import theme
from exhibit import strings
from exhibit.layout.regions import Layout
from exhibit.views.screen import Screen
from exhibit.views.theme import FACES, Theme

pytestmark = pytest.mark.usefixtures("display")
NOT_A_GLYPH = "\ue000"  # private use: in no shipped font, rendered as the .notdef box


def glyphs_missing(path, text):
    pygame.freetype.init()
    f = pygame.freetype.Font(path, 24)
    return sorted({c for c, m in zip(text, f.get_metrics(text)) if m is None})


def table_texts(lang):
    t = strings.table(lang)
    return [t[k] for k in sorted(t)]


def test_fonts_are_shipped_small_with_their_licence():
    files = {n for pair in FACES.values() for n in pair}
    for name in files:
        assert (resources.FONTS / name).is_file(), name
    total = sum((resources.FONTS / n).stat().st_size for n in files)
    assert total < 400 * 1024, total  # subsets, not the 20 MB collections
    licence = (resources.FONTS / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence and "Version 1.1" in licence
    assert "Google" in licence and "Adobe" in licence


def test_the_glyph_check_can_fail():
    latin = resources.FONTS / FACES["latin"][0]
    assert glyphs_missing(latin, "Aé字") == ["字"]
    assert glyphs_missing(latin, NOT_A_GLYPH) == [NOT_A_GLYPH]


def test_every_character_of_every_table_is_in_its_languages_fonts():
    """Glyph by glyph, in the regular and the bold file of the face the language is set in."""
    for lang in strings.languages():
        text = "".join(table_texts(lang)).replace("\n", "") + "0123456789%?.,:"  # a line break is no glyph
        for name in FACES[theme.face_for(lang)]:
            assert glyphs_missing(resources.FONTS / name, text) == [], (lang, name)


def test_theme_sets_each_text_in_its_languages_face():
    for lang in strings.languages():
        th = Theme(load(None), 1.0, lang)
        assert th.face == ("ja" if lang == "ja" else "latin")
        assert {th.face_of(s) for s in table_texts(lang)} == {th.face}, lang
    # a text the language's face cannot show goes to the face that can
    assert Theme(load(None), 1.0, "de").face_of("数字") == "ja"
    assert Theme(load(None), 1.0, "ja").face_of("Löschen") == "ja"  # Latin-1 is in JP too


def pixels(surf):
    return pygame.image.tobytes(surf, "RGBA")


def test_japanese_renders_glyphs_not_boxes():
    th = Theme(load(None), 1.0, "ja")
    box = th.font(40).render(NOT_A_GLYPH, True, (255, 255, 255))
    seen = set()
    for s in table_texts("ja"):
        for c in set(s) - {" "} - seen:
            seen.add(c)
            g = th.font(40).render(c, True, (255, 255, 255))
            assert pixels(g) != pixels(box), repr(c)
    # a whole line: not the same as as many boxes, and not blank
    line = strings.text("ja", "draw_prompt")
    surf = th.text(line, 72, "text", bold=True)
    boxes = th.text(NOT_A_GLYPH * len(line), 72, "text", bold=True)
    assert pixels(surf) != pixels(boxes)
    assert pygame.mask.from_surface(surf).count() > 0


def test_a_japanese_frame_shows_the_japanese_title(models):
    ex = Exhibit(load(None, ["language=ja"]), (1920, 1080), EventLog(None), models=dict(models))
    sc = Screen(ex.cfg)
    surf = pygame.Surface(ex.size)
    sc.draw(surf, ex)
    r = sc.scene.rects["title"]
    title = surf.subsurface(r).copy()
    expected = sc.theme.text(strings.text("ja", "title"), HEAD, "text")  # the calm title line
    found = pygame.mask.from_threshold(title, sc.theme.c["text"], (40, 40, 40, 255))
    # the title area holds about as much ink as the rendered Japanese line (on the background,
    # measured alike)
    alone = pygame.Surface(expected.get_size())
    alone.fill(sc.theme.c["background"])
    alone.blit(expected, (0, 0))
    ink = pygame.mask.from_threshold(alone, sc.theme.c["text"], (40, 40, 40, 255)).count()
    assert 0.8 * ink < found.count() < 1.25 * ink


def test_bold_comes_from_the_bold_file():
    th = Theme(load(None), 1.0, "en")
    bold, regular = th.font(40, True), th.font(40)
    assert "Bold" in bold.style_name and "Regular" in regular.style_name
    # not pygame's synthetic emboldening of the regular file
    fake = pygame.font.Font(resources.FONTS / FACES["latin"][0], regular.point_size)
    fake.bold = True
    s = "Draw a digit"
    assert pixels(bold.render(s, True, "white")) != pixels(fake.render(s, True, "white"))
    assert "Bold" in Theme(load(None), 1.0, "ja").font(40, True).style_name


def test_text_keeps_the_size_the_layout_was_made_for():
    """Sizes were chosen with pygame's built-in font: the shipped one is about as wide."""
    th = Theme(load(None), 1.0, "en")
    for size in (30, 40, 72):
        s = "Draw a digit. How sure it is"
        old = pygame.font.Font(None, size).size(s)[0]
        assert 0.85 * old < th.font(size).size(s)[0] < 1.2 * old, size


@pytest.fixture
def broken_fonts(tmp_path, monkeypatch):
    """assets/fonts with the Latin regular file corrupt and the others missing."""
    (tmp_path / FACES["latin"][0]).write_bytes(b"not a font" * 100)

    def clear():
        theme.font_file.cache_clear()
        theme.has_glyphs.cache_clear()
        theme._ft_font.cache_clear()
        theme._problems.clear()

    clear()
    monkeypatch.setattr(resources, "FONTS", tmp_path)
    yield tmp_path
    monkeypatch.undo()
    clear()


def test_a_broken_or_missing_font_falls_back_to_pygames_font(broken_fonts, models):
    th = Theme(load(None), 1.0, "en")
    surf = th.text("Draw a digit", 40, bold=True)
    assert surf.get_width() > 50 and pygame.mask.from_surface(surf).count() > 0
    assert th.font(40).size("Draw a digit") == pygame.font.Font(None, 40).size("Draw a digit")
    problems = theme.font_problems()
    assert len(problems) == 4 and any("NotoSans-Regular.ttf unusable" in p for p in problems)
    # the shell logs each once and goes on
    runner = Runner(load(None, ["language=ja"]), (1280, 720), EventLog(None))
    errors = [e["message"] for e in runner.log.events if e["event"] == "error"]
    assert len(errors) == 4 and all("font" in m for m in errors)
    ex = runner.ex
    Screen(ex.cfg).draw(pygame.Surface(ex.size), ex)
    runner.ex.close()


LINES = ("draw_prompt", "unsure", "invite", "failsafe")


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1280, 720)])
def test_texts_fit_the_layout_in_every_language(size, models):
    cfg = load(None)
    net = models["explainer"].net
    lay = Layout(cfg, size, net.sizes, 28)
    r = lay.rects
    for lang in strings.languages():
        th = Theme(cfg, lay.scale, lang)
        say = lambda k, **kw: strings.text(lang, k, **kw)  # noqa: E731
        titles = [say(k) for k in LINES] + [strings.answer(lang, d) for d in range(10)]
        for s in titles:
            assert th.text(s, 72, bold=True).get_width() <= r["title"].w, (lang, s)
            assert th.text(s, 72, bold=True).get_height() <= r["title"].h * 1.4, (lang, s)
        clear = th.text(say("clear"), 40, bold=True)
        assert clear.get_width() <= lay.clear_button.w - lay.px(8), (lang, size)
        for key in ("centring_off", "paused"):
            assert th.text(say(key), 34, bold=True).get_width() <= size[0] * 0.95, (lang, key)
        assert th.text(say("ablation_on", off=25), 34, bold=True).get_width() <= size[0] * 0.95
        xs = [float(lay.pos[l][:, 0].mean()) for l in range(1, len(lay.pos))]
        room = min(b - a for a, b in zip(xs, xs[1:])) - lay.px(8)
        for n in (1, 2):  # column captions: the network view shrinks them down to size 16
            assert th.text(say("hidden_layer", n=n), 16).get_width() <= room, (lang, size)
        lines = say("help_keys", model="compact14", centring=say("off")).split("|")
        rows = [th.text(x, 34) for x in lines]
        w = max(x.get_width() for x in rows) + lay.px(80)
        h = sum(x.get_height() + lay.px(8) for x in rows) + lay.px(160)
        assert w <= size[0] and h <= size[1], (lang, size, w, h)
