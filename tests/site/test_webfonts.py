"""The pages' web fonts: WOFF2 slices made from the PDF fonts' rules, cached, and drawing as the TTFs do."""

from __future__ import annotations

import base64
import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops

from worksheets.errors import InputError
from worksheets.project import Project
from worksheets.render.html import environment, render_document
from worksheets.site.webfonts import (
    BEHIND,
    PDF_FONTS,
    STYLESHEET,
    WebFont,
    make,
    unicode_range,
    web_font_rules,
    web_fonts,
)

from conftest import ROOT, run

HEBREW_ONLY = """\
@font-face { font-family: "Noto Sans Hebrew"; src: url("../fonts/NotoSansHebrew-Regular.ttf"); font-weight: 400; }
@font-face { font-family: "Noto Sans Hebrew"; src: url("../fonts/NotoSansHebrew-Bold.ttf"); font-weight: 700; }
"""
"""A PDF fonts' stylesheet with two small faces, so that making every web font of it takes a second."""


def cmap(path: Path) -> set[int]:
    with TTFont(path, lazy=True) as font:
        return set(font.getBestCmap())


def test_the_slices_of_a_face_hold_every_character_of_its_font(project):
    """Whatever a client types that a bundled font has is drawn in it on a page too: the slices of
    each face, with the family in front of it (Atkinson, for Noto Sans), hold all its characters,
    and no character is in two slices of one face."""
    rules = web_font_rules(project)
    assert {r.face.family for r in rules} >= {"Atkinson Hyperlegible", "Noto Sans", "Noto Sans Arabic", "Noto Emoji"}
    for face in {r.face for r in rules}:
        slices = [r.font.codes for r in rules if r.face == face]
        held = set().union(*slices)
        assert sum(len(s) for s in slices) == len(held), f"{face.source.name}: a character in two slices"
        front = [cmap(r.face.source) for r in rules if r.face.family == BEHIND.get(face.family)]
        covered = held | (set.intersection(*front) if front else set())
        assert covered >= cmap(face.source), f"{face.source.name}: characters in no slice"
    noto = {r.font.name: set(r.font.codes) for r in rules if r.face.source.name == "NotoSans-Regular.ttf"}
    assert ord("Σ") in noto["NotoSans-Regular.greek.woff2"] and ord("Ж") in noto["NotoSans-Regular.cyrillic.woff2"]
    assert ord("a") not in set().union(*noto.values()), "Noto Sans never draws what Atkinson has"


def test_arabic_pages_need_only_the_arabic_slice(project):
    """Every character of the Arabic translation that Noto Sans Arabic draws is in its first
    slice, so an Arabic page never fetches the second."""
    with (project.content / "translations" / "ar.po").open("rb") as handle:
        text = "".join(m.string for m in read_po(handle) if isinstance(m.string, str))
    rules = web_font_rules(project)
    arabic = next(r for r in rules if r.font.name == "NotoSansArabic-Regular.arabic.woff2")
    drawn = {ord(c) for c in text} & cmap(arabic.face.source)
    assert len(drawn) > 40
    assert drawn <= set(arabic.font.codes), [chr(c) for c in sorted(drawn - set(arabic.font.codes))]
    assert len(arabic.font.codes) < 150, "the first slice holds Arabic, not every language's letters"


def test_noto_sans_comes_after_atkinson_in_every_font_list_of_the_pages():
    """``BEHIND`` leaves out of Noto Sans what Atkinson has: only right while every font list of
    the pages' stylesheets that names Noto Sans names Atkinson Hyperlegible before it."""
    lists = []
    for name in ("sheet.css", "site.css"):
        css = (ROOT / "templates" / "css" / name).read_text(encoding="utf-8")
        lists += [[f.strip().strip('"') for f in m.split(",")] for m in re.findall(r"font-family:\s*([^;}]+)", css)]
    for behind, front in BEHIND.items():
        naming = [families for families in lists if behind in families]
        assert naming
        for families in naming:
            assert front in families[: families.index(behind)], families


def test_unicode_ranges_are_written_as_css_reads_them():
    assert unicode_range([0x41, 0x20, 0x42, 0x43, 0x2013, 0x2014, 0x10FFFF]) == "U+20, U+41-43, U+2013-2014, U+10FFFF"


def hebrew_only(scratch: Project) -> Project:
    (scratch.templates / PDF_FONTS).write_text(HEBREW_ONLY, encoding="utf-8")
    return scratch


def test_made_fonts_are_cached_and_taken_from_the_cache(scratch, tmp_path):
    """The second build takes the files from the cache rather than making them: a cached file
    put in place of another is what the second build gets."""
    project, cache = hebrew_only(scratch), tmp_path / "cache"
    first = web_fonts(project, cache_in=cache)
    assert sorted(first) == ["NotoSansHebrew-Bold.woff2", "NotoSansHebrew-Regular.woff2", STYLESHEET]
    cached = sorted(cache.glob("*.woff2"))
    assert len(cached) == 2 and {p.read_bytes() for p in cached} == {first[n] for n in first if n != STYLESHEET}
    regular = next(p for p in cached if p.read_bytes() == first["NotoSansHebrew-Regular.woff2"])
    regular.write_bytes(first["NotoSansHebrew-Bold.woff2"])
    again = web_fonts(project, cache_in=cache)
    assert again["NotoSansHebrew-Regular.woff2"] == first["NotoSansHebrew-Bold.woff2"]
    assert again[STYLESHEET] == first[STYLESHEET]


def test_a_changed_font_is_made_again(scratch, tmp_path):
    project, cache = hebrew_only(scratch), tmp_path / "cache"
    first = web_fonts(project, cache_in=cache)
    source = project.templates / "fonts" / "NotoSansHebrew-Regular.ttf"
    with TTFont(source) as font:
        font["name"].setName("Changed", 5, 3, 1, 0x409)  # the version string
        font.save(source)
    second = web_fonts(project, cache_in=cache)
    assert len(list(cache.glob("*.woff2"))) == 3
    assert second["NotoSansHebrew-Regular.woff2"] != first["NotoSansHebrew-Regular.woff2"]
    assert second["NotoSansHebrew-Bold.woff2"] == first["NotoSansHebrew-Bold.woff2"]


def test_the_key_names_the_characters_as_well_as_the_font():
    source = ROOT / "templates" / "fonts" / "NotoSansHebrew-Regular.ttf"
    keys = {WebFont("x.woff2", source, codes).key() for codes in ((0x5D0,), (0x5D0, 0x5D1), (0x5D0,))}
    assert len(keys) == 2


def test_a_cache_that_cannot_be_written_only_costs_time(scratch, tmp_path):
    project = hebrew_only(scratch)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    files = web_fonts(project, cache_in=blocked / "cache")
    assert files["NotoSansHebrew-Regular.woff2"].startswith(b"wOF2")


def test_pdfs_load_the_truetype_fonts_and_pages_the_web_fonts(project, catalog, built_site):
    """Every template WeasyPrint renders goes through paper.html, which links the TrueType rules;
    a page links the web fonts and never the TrueType rules, whose faces have no unicode-range."""
    ws = catalog.get("grow")
    html = render_document(environment(project), catalog, ws, mode="print", paper="a4")
    assert '<link rel="stylesheet" href="css/pdf-fonts.css">' in html and "webfonts" not in html
    assert "@font-face" not in (project.templates / "css" / "sheet.css").read_text(encoding="utf-8")
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "pdf-fonts.css" not in text and "webfonts/fonts.css" in text, page
    stylesheet = (built_site / "assets" / "webfonts" / STYLESHEET).read_text(encoding="utf-8")
    urls = re.findall(r'url\("([^"]+)"\)', stylesheet)
    assert len(urls) == len(re.findall("unicode-range", stylesheet)) == len(web_font_rules(project))
    assert all((built_site / "assets" / "webfonts" / url).read_bytes().startswith(b"wOF2") for url in urls)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('@font-face { font-family: "A"; font-weight: 400; }', "a @font-face rule needs a font-family and a src"),
        ('@font-face { src: url("../fonts/NotoSansHebrew-Regular.ttf"); }', "a @font-face rule needs a font-family"),
        ('@font-face { font-family: "A"; src: url("../fonts/Gone.ttf"); }', "no font file at ../fonts/Gone.ttf"),
        ('@font-face { font-family: "A"; src: url("../fonts/README.md"); }', "cannot read the font README.md"),
    ],
)
def test_a_broken_font_rule_is_named_at_its_place(scratch, tmp_path, rule, message):
    """``check`` and ``build`` name the rule's line and column, exit 2 and write nothing."""
    path = scratch.templates / PDF_FONTS
    path.write_text(f"/* fonts */\n\n   {rule}\n", encoding="utf-8")
    for args in (("check",), ("build", "--out", str(tmp_path / "out"))):
        code, _, err = run(*args, project=scratch.root)
        assert code == 2, err
        assert f"{path}:3:4: {message}" in err
        assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
    with pytest.raises(InputError):
        web_font_rules(scratch)


ARABIC_SAMPLE = "السلام عليكم، كيف حالك؟ ١٢٣ مُحَمَّد"
PERSIAN_SAMPLE = "پدرِ گرامی، چگونه‌اید؟ ۱۲۳"
"""Arabic letters in every joining position, with marks; Persian letters of the second slice
beside letters of the first, in one word."""


def drawn(browser, faces: list[tuple[bytes, str]], text: str, weight: int) -> tuple[Image.Image, float]:
    """``text`` drawn by Chromium at 28 px in the family made of ``faces`` (a font's bytes, WOFF2
    or TrueType, and its unicode-range, or "" for none), once every face it needs is loaded: the
    picture, and the text's width in pixels as laid out (which joining forms change)."""
    rules = "".join(
        f'@font-face {{ font-family: "F"; font-weight: {weight}; {f"unicode-range: {codes};" if codes else ""}'
        f' src: url("data:font/ttf;base64,{base64.b64encode(data).decode()}"); }}'
        for data, codes in faces
    )
    page = browser.new_page(viewport={"width": 900, "height": 200})
    style = f'p {{ font: {weight} 28px "F"; display: inline-block; padding: 10px; }}'
    page.set_content(f'<style>{rules} {style}</style><p dir="rtl"><span>{text}</span></p>')
    page.evaluate("document.fonts.ready.then(() => true)")
    assert page.evaluate("([font, text]) => document.fonts.check(font, text)", [f'{weight} 28px "F"', text])
    width = page.evaluate("document.querySelector('span').getBoundingClientRect().width")
    image = Image.open(BytesIO(page.locator("p").screenshot())).convert("RGB")
    page.close()
    return image, width


def test_arabic_is_shaped_in_the_web_fonts_as_in_the_truetype_files(browser, project):
    """Chromium draws Arabic text pixel for pixel the same with the web fonts, each slice a face of
    its own as on a page, as with the whole TrueType file; Persian, which takes letters from both
    slices, is joined the same way (same glyphs, so the same width: joining forms differ in width).
    Its pixels may not match: FreeType's light hinting, which Chromium uses on Linux, places its
    vertical edges from letters of the font such as alef, which the second slice does not have."""
    rules = [r for r in web_font_rules(project) if r.face.family == "Noto Sans Arabic"]
    for source in sorted({r.face.source for r in rules}):
        weight = next(int(r.face.weight) for r in rules if r.face.source == source)
        slices = [
            (make(r.font.source, r.font.codes), unicode_range(r.font.codes)) for r in rules if r.face.source == source
        ]
        assert len(slices) == 2
        whole, width = drawn(browser, [(source.read_bytes(), "")], ARABIC_SAMPLE, weight)
        sliced, sliced_width = drawn(browser, slices, ARABIC_SAMPLE, weight)
        assert sliced_width == width and sliced.size == whole.size, source.name
        assert ImageChops.difference(sliced, whole).getbbox() is None, f"{source.name}: Arabic is drawn differently"
        _, width = drawn(browser, [(source.read_bytes(), "")], PERSIAN_SAMPLE, weight)
        _, sliced_width = drawn(browser, slices, PERSIAN_SAMPLE, weight)
        assert sliced_width == pytest.approx(width, abs=0.01), f"{source.name}: Persian is joined differently"
