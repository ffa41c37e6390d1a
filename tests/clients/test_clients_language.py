"""A client's language: take-home sheets, dates and the questions of `goals add` in it."""

from __future__ import annotations

import datetime

from click.testing import CliRunner
from pypdf import PdfReader

from worksheets.cli import cli
from worksheets.clients import prefill
from worksheets.content import load_catalog, translate_into
from worksheets.project import Project

from conftest import RECORD, ROOT, pdf_text, run

DAY = datetime.date(2026, 11, 26)


def _record(tmp_path, language: str, text: str = RECORD):
    path = tmp_path / "clients" / "jordan.yaml"
    path.parent.mkdir()
    path.write_text(text.replace("therapist: Sam Lee\n", f"therapist: Sam Lee\nlanguage: {language}\n"), "utf-8")
    return path


def test_take_home_sheets_are_in_the_clients_language(tmp_path):
    project = Project.at(ROOT)
    catalog = load_catalog(project)
    spanish = translate_into(project, catalog, "es").catalog
    path = _record(tmp_path, "es")
    [sheet] = prefill(project, catalog, [path], tmp_path / "out", today=DAY)
    reader = PdfReader(sheet.path)
    assert reader.trailer["/Root"]["/Lang"] == "es"
    text = pdf_text(sheet.path.read_bytes())
    assert "26 de noviembre de 2026" in text, "the date in Spanish words, from CLDR"
    assert spanish.strings.takehome_title in text and catalog.strings.takehome_title not in text
    assert spanish.get("progress-and-wins").title in text, "the fresh weekly sheet in Spanish too"
    assert "Eat fruit and vegetables every day" in text, "the client's own words as written"
    assert "9 nov" in text, "chart labels in Spanish"


def test_arabic_take_home_sheets_are_set_right_to_left(tmp_path):
    project = Project.at(ROOT)
    catalog = load_catalog(project)
    path = _record(tmp_path, "ar")
    [sheet] = prefill(project, catalog, [path], tmp_path / "out", today=DAY)
    assert PdfReader(sheet.path).trailer["/Root"]["/Lang"] == "ar"
    text = pdf_text(sheet.path.read_bytes())
    assert "نوفمبر" in text and "\ufffd" not in text


def test_a_language_the_project_lacks_is_refused_at_its_line(tmp_path):
    path = _record(tmp_path, "fr")
    code, _, err = run("prefill", str(path), "--out", str(tmp_path / "out"))
    assert code == 2
    assert f"{path}:3:11: no translation into 'fr'" in err
    assert not (tmp_path / "out" / "jordan.pdf").exists()


def test_a_goal_whose_sheet_is_not_translated_is_left_out_with_a_warning(tmp_path, scratch_languages):
    sheet = scratch_languages.worksheets_dir / "worry-tree.yaml"
    text = sheet.read_text(encoding="utf-8")
    label = load_catalog(scratch_languages).get("worry-tree").sections[0].title
    sheet.write_text(text.replace(label, label + " (new)", 1), encoding="utf-8")
    path = _record(tmp_path, "es", RECORD.replace("status: paused", "status: active"))
    code, out, err = run("prefill", str(path), "--out", str(tmp_path / "out"), project=scratch_languages.root)
    assert code == 0, err
    assert "(1 goal," in out
    assert "goal 'worry-less' is left out: worksheet 'worry-tree' is not yet translated into es" in err


def test_goals_add_asks_the_worksheets_questions_in_the_clients_language(tmp_path):
    project = Project.at(ROOT)
    spanish = translate_into(project, load_catalog(project), "es").catalog
    path = _record(tmp_path, "es")
    answers = "Caminar más\n" + "\n" * 5 + "once\n" + "\n" * 60
    result = CliRunner().invoke(
        cli, ["--project", str(ROOT), "goals", "add", str(path), "--worksheet", "smart-goals"], input=answers
    )
    ws = spanish.get("smart-goals")
    assert ws.fields[0].label in result.output, "the sheet's own question, in Spanish"
    scale = next(f for f in ws.fields if f.id == "stretch")
    assert f"{scale.label} ({spanish.strings.ask_range.replace('{low}', '0').replace('{high}', '10')})" in result.output
    assert spanish.strings.bad_number.replace("{low}", "0").replace("{high}", "10") in result.output
    assert "The goal, in a few words" in result.output, "the therapist's own prompts stay in English"
    assert "Saved goal 'caminar-mas'" in result.output, "an id without the accent"
