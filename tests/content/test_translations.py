"""Translations: the units offered to translators, the PO catalogues, fuzzy text after an English
change, and a language's catalog leaving out what is not fully translated."""

from __future__ import annotations

import typing
from io import BytesIO

import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from worksheets.content import fields as field_kinds
from worksheets.content import load_catalog, models
from worksheets.content.translations import lookup, translate
from worksheets.content.units import PLAIN, PROSE, catalog_units, paragraphs
from worksheets.project import Project

from conftest import ROOT, pdf_text, run

NOT_TRANSLATED = {
    ("Site", "licence_url"),
    ("Example", "answers"),  # the client's own words are offered field by field
}
"""Text-typed keys that are not text for people (or are offered another way)."""


def _text_keys(cls: type) -> set[str]:
    hints = typing.get_type_hints(cls, include_extras=True)
    return {name for name, hint in hints.items() if "Annotated[str" in str(hint) and "pattern" not in str(hint)}


def test_every_text_of_every_model_is_offered_for_translation() -> None:
    """A Text key added to a model must be added to PLAIN or PROSE (or said not to be text)."""
    modules = [*vars(field_kinds).values(), *vars(models).values()]
    classes = [c for c in modules if isinstance(c, type) and issubclass(c, models.Model) and c is not models.Model]
    for cls in classes:
        if cls.__name__ == "Strings":
            continue  # every string is offered
        offered = {k for base in cls.__mro__ for table in (PLAIN, PROSE) for k in table.get(base, ())}
        for key in _text_keys(cls) - offered:
            assert (cls.__name__, key) in NOT_TRANSLATED, f"{cls.__name__}.{key} is not offered for translation"


def test_paragraphs_are_units_and_wrapping_is_not_part_of_them() -> None:
    text = "A first\nparagraph.\n\n- one\n  more\n- two\n\n## A heading"
    assert paragraphs(text) == ["A first paragraph.", "- one more\n- two", "## A heading"]


def test_units_name_their_place_and_never_offer_ids_or_option_answers(catalog) -> None:
    units = catalog_units(catalog)
    contexts = {u.context for u in units}
    assert "worksheets/smart-goals/sections/measurable/fields/measure/label" in contexts
    assert "worksheets/smart-goals/example/answers/first-steps/0/step" in contexts
    assert "strings/not_translated" in contexts
    texts = {u.text for u in units}
    assert "smart-goals" not in texts and "half" not in texts
    grow = catalog.get("what-i-want")
    picked = [v for v in grow.example.answers.values() if isinstance(v, list) and v and isinstance(v[0], str)]
    for ids in picked:  # a checklist's ticked item ids stay ids
        assert not any(i in texts for i in ids)


def test_citations_are_not_offered_but_the_sources_heading_is(catalog) -> None:
    """A citation is printed as published in every language: it is no unit, and a translated
    catalog keeps the references and each guide's keys as they are."""
    units = catalog_units(catalog)
    assert "strings/sources" in {u.context for u in units}
    for citation in catalog.references.values():
        assert not any(citation in u.text or u.text in citation for u in units if len(u.text) > 20)
    assert not any("/notes/sources" in u.context for u in units)
    arabic = translate(catalog, "ar", lookup(ROOT / "content" / "translations" / "ar.po")).catalog
    assert arabic is not None and arabic.references == catalog.references
    assert arabic.strings.sources != catalog.strings.sources
    assert arabic.get("goal-attainment-scale").notes.sources == catalog.get("goal-attainment-scale").notes.sources


def test_extract_writes_a_template_translators_tools_read(scratch_languages: Project) -> None:
    scratch = scratch_languages
    code, out, err = run("translations", "extract", project=scratch.root)
    assert code == 0, err
    pot = read_po(BytesIO((scratch.content / "translations" / "messages.pot").read_bytes()))
    label = pot.get(
        "How will I know I have done it?", context="worksheets/smart-goals/sections/measurable/fields/measure/label"
    )
    assert label is not None
    assert label.locations[0][0] == "content/worksheets/smart-goals.yaml"
    assert any("section 'M: Measurable'" in c for c in label.auto_comments)
    chart = pot.get(load_catalog(scratch).strings.chart_week, context="strings/chart_week")
    assert "python-brace-format" in chart.flags
    assert any("{count}" in c for c in chart.auto_comments), "says to keep the placeholders"
    assert any("Under a progress chart" in c for c in chart.auto_comments), "the YAML comment is a note"
    code, out, _ = run("translations", "extract", project=scratch.root)
    assert out.startswith("Unchanged"), "nothing changed, nothing written"


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_changed_english_text_turns_fuzzy_and_its_sheet_is_left_out(scratch_languages: Project) -> None:
    scratch = scratch_languages
    sheet = scratch.worksheets_dir / "smart-goals.yaml"
    _edit(sheet, "label: How will I know I have done it?", "label: How will I know that I have done it?")
    _edit(sheet, "Perfectionism can turn SMART", "Perfectionism may turn SMART")
    code, out, err = run("translations", "update", project=scratch.root)
    assert code == 0, err
    assert "es.po: " in out and "2 fuzzy" in out
    po = read_po(BytesIO((scratch.content / "translations" / "es.po").read_bytes()))
    context = "worksheets/smart-goals/sections/measurable/fields/measure/label"
    entry = po.get("How will I know that I have done it?", context=context)
    assert entry.fuzzy and entry.string, "the old translation is kept, marked fuzzy"
    written = (scratch.content / "translations" / "es.po").read_text(encoding="utf-8")
    assert '#| msgid "How will I know I have done it?"' in written, "the old English beside it"
    run("translations", "update", project=scratch.root)  # Babel reads "#|" lines as comments
    again = (scratch.content / "translations" / "es.po").read_text(encoding="utf-8")
    assert again == written and "# |" not in again, "a second update changes nothing"
    running = [m for m in po if m.context == "worksheets/smart-goals/notes/watch_for"]
    assert [m.fuzzy for m in running].count(True) == 1 and len(running) == 1
    others = [m for m in po if m.context == "worksheets/smart-goals/notes/running"]
    assert others and not any(m.fuzzy for m in others), "other paragraphs keep their translations"

    code, out, err = run("translations", "status", project=scratch.root)
    assert "smart-goals" in out and "2 fuzzy" in out and "left out" in out
    code, out, err = run("list", "--lang", "es", project=scratch.root)
    assert code == 0 and "smart-goals" not in out and "grow" in out
    assert "worksheet 'smart-goals' left out: 0 missing, 2 fuzzy" in err
    code, out, err = run("pdf", "smart-goals", "--lang", "es", project=scratch.root)
    assert code == 2 and "not yet translated into es" in err
    code, out, err = run("check", project=scratch.root)
    assert code == 0 and "smart-goals" in err
    code, out, err = run("check", "--strict", project=scratch.root)
    assert code == 1 and "smart-goals" in err


def test_a_removed_text_is_kept_as_obsolete_and_a_new_one_is_missing(scratch_languages: Project) -> None:
    scratch = scratch_languages
    sheet = scratch.worksheets_dir / "grow.yaml"
    text = sheet.read_text(encoding="utf-8")
    title = load_catalog(scratch).get("grow").title
    _edit(sheet, f'title: "{title}"', "title: Something else entirely, with new words")
    run("translations", "update", project=scratch.root)
    po = read_po(BytesIO((scratch.content / "translations" / "es.po").read_bytes()))
    entry = po.get("Something else entirely, with new words", context="worksheets/grow/title")
    assert entry.fuzzy, "matched by its context, however much the English changed"
    sheet.write_text(text, encoding="utf-8")
    code, out, _ = run("translations", "update", project=scratch.root)
    assert code == 0 and "es.po: " in out and "translated, 0 fuzzy, 0 missing" in out
    po = read_po(BytesIO((scratch.content / "translations" / "es.po").read_bytes()))
    assert not po.get(title, context="worksheets/grow/title").fuzzy, "back as it was"


def test_a_translation_that_drops_a_placeholder_is_refused_with_its_line(scratch_languages: Project) -> None:
    scratch = scratch_languages
    path = scratch.content / "translations" / "es.po"
    po = path.read_text(encoding="utf-8")
    catalog = load_catalog(scratch)
    entry = lookup(path)
    good = entry("strings/count_many", catalog.strings.count_many)
    assert "{count}" in good
    path.write_text(po.replace(f'msgstr "{good}"', 'msgstr "varias hojas"'), encoding="utf-8")
    found = lookup(path)
    assert found("strings/count_many", catalog.strings.count_many) is None
    assert found.problems and "{count}" in found.problems[0].message
    assert "es.po:" in str(found.problems[0])
    assert translate(catalog, "es", found).catalog is None, "the interface is incomplete: no Spanish"


def test_a_malformed_catalogue_is_bad_input_with_its_line(scratch_languages: Project) -> None:
    scratch = scratch_languages
    path = scratch.content / "translations" / "ar.po"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("msgstr") and i > 30)
    lines[at] = 'msgstr "unterminated'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run("check", project=scratch.root)
    assert code == 2
    assert f"ar.po:{at + 1}:1: expected a comment" in err and "Traceback" not in err
    path.write_bytes(b'msgid "a"\nmsgstr "\xff"\n')
    code, _, err = run("list", "--lang", "ar", project=scratch.root)
    assert code == 2 and "ar.po:2:1: not UTF-8" in err


def test_an_unknown_language_is_a_usage_error(scratch_languages: Project) -> None:
    scratch = scratch_languages
    code, out, err = run("list", "--lang", "fr", project=scratch.root)
    assert code == 2 and "no translation into 'fr'" in err and "es" in err
    code, out, err = run("translations", "update", "--add", "xx-notreal", project=scratch.root)
    assert code == 2 and "CLDR" in err
    code, out, err = run("translations", "update", "--add", "fr", project=scratch.root)
    assert code == 0 and "fr.po: 0 translated" in out
    code, out, err = run("list", "--lang", "fr", project=scratch.root)
    assert code == 2 and "not translated far enough" in err


@pytest.mark.parametrize("lang", ["es", "ar"])
def test_a_sheet_in_another_language_is_that_language_through_and_through(tmp_path, lang: str) -> None:
    target = tmp_path / f"grow-{lang}.pdf"
    code, _, err = run("pdf", "grow", "--lang", lang, "-o", str(target), "--fillable")
    assert code == 0, err
    reader = PdfReader(target)
    catalog = load_catalog(Project.at(ROOT))
    ws = catalog.get("grow")
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert reader.metadata.title != ws.title
    text = pdf_text(target.read_bytes())
    assert "\ufffd" not in text
    assert ws.sections[0].title not in text, "no English heading"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline and ws.title not in outline
    tooltips = [a.get_object().get("/TU") for page in reader.pages for a in page.get("/Annots", [])]
    tooltips = [t for t in tooltips if t]
    assert tooltips and not any(t == f.label for t in tooltips for f in ws.fields), "tooltips translated"
    assert "Page" not in text and "of 1" not in text, "the running footer too"


def test_a_packet_in_arabic_has_its_contents_and_bookmarks_in_arabic(tmp_path):
    target = tmp_path / "start-ar.pdf"
    code, out, err = run("packet", "getting-started", "--lang", "ar", "-o", str(target))
    assert code == 0, err
    reader = PdfReader(target)
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    english = load_catalog(Project.at(ROOT))
    packet = next(p for p in english.packets if p.id == "getting-started")
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles and not set(titles) & {english.get(i).title for i in packet.worksheets}
    assert all(any("\u0600" <= c <= "\u06ff" for c in t) for t in titles), titles
    english_pages = run("packet", "getting-started", "-o", str(tmp_path / "start-en.pdf"))[1]
    assert out.split("(")[1] == english_pages.split("(")[1], "as many pages as in English"


def test_status_counts_every_language_per_worksheet(catalog) -> None:
    code, out, err = run("translations", "status")
    assert code == 0, err
    total = len(catalog_units(catalog))
    for lang, name in (("es", "Español"), ("ar", "العربية")):
        assert f"{lang} ({name}): 100% translated ({total} texts), 0 fuzzy, 0 missing" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("  ")]
    for ws in catalog.worksheets:
        mine = [r for r in rows if r[0] == ws.id]
        assert len(mine) == 2 and all(r[-1] == "ready" for r in mine), ws.id
