"""worksheets import on filled PDFs a person may really bring back: numbers in other scripts,
very long answers, escape sequences, and PDFs that lost their document information.

The PDFs are made by ``worksheets pdf --fillable`` and filled with pypdf.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from worksheets.clients.records import load_record
from worksheets.content.fields import whole_number

from conftest import ROOT, fill, run


@cache
def made(worksheet_id: str, project: Path = ROOT) -> bytes:
    """The fillable PDF of a worksheet, made by the command line."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"{worksheet_id}.pdf"
        code, _, err = run("pdf", worksheet_id, "--fillable", "-o", str(target), project=project)
        assert code == 0, err
        return target.read_bytes()


def without_document_info(path: Path) -> Path:
    """``path`` rewritten as some programs do: pages and form kept, document information gone."""
    writer = PdfWriter()
    writer.append(PdfReader(path))
    writer.write(path)
    assert "/Keywords" not in (PdfReader(path).metadata or {})
    return path


@pytest.mark.parametrize(
    ("text", "number"),
    [("7", 7), ("\u0663", 3), ("\u096f", 9), ("\uff11\uff10", 10), ("007", 7)],
)
def test_numbers_in_the_digits_of_any_script_are_read(text, number):
    assert whole_number(text, 0, 10) == number


@pytest.mark.parametrize("text", ["\u00b2", "\u2463", "11", "-1", "1.5", "3 ", "", "1" * 5000])
def test_other_digits_and_numbers_out_of_range_are_refused(text):
    with pytest.raises(ValueError, match="expected a whole number from 0 to 10"):
        whole_number(text, 0, 10)


def refused(result: tuple[int, str, str], record: Path, message: str) -> None:
    code, _, err = result
    assert code == 2 and message in err, err
    assert "Traceback" not in err
    assert not record.exists() and list(record.parent.iterdir()) == [], "nothing written, no lock file"


def test_a_superscript_score_is_refused_and_an_arabic_indic_one_is_read(tmp_path, catalog):
    folder = tmp_path / "clients"
    folder.mkdir()
    record = folder / "kim.yaml"
    superscript = fill(made("areas-of-life"), {"areas.work.score": "\u00b2"}, tmp_path / "sup.pdf")
    result = run("import", str(superscript), str(record), "--client", "Kim", "--yes")
    refused(result, record, f"{superscript}:1:1: '\u00b2' in areas.work.score: expected a whole number from 0 to 10")
    arabic = fill(made("areas-of-life"), {"areas.work.score": "\u0663"}, tmp_path / "ar.pdf")
    code, _, err = run("import", str(arabic), str(record), "--client", "Kim", "--yes")
    assert code == 0, err
    assert load_record(record, catalog).goals[0].answers == {"areas": {"work": {"score": 3}}}


@pytest.mark.parametrize(
    ("field", "worksheet_id"), [("own-words", "smart-goals"), ("areas.work.score", "areas-of-life")]
)
def test_a_field_too_long_for_a_record_is_refused(tmp_path, field, worksheet_id):
    folder = tmp_path / "clients"
    folder.mkdir()
    record = folder / "kim.yaml"
    filled = fill(made(worksheet_id), {field: "9" * 100_000}, tmp_path / "long.pdf")
    result = run("import", str(filled), str(record), "--client", "Kim", "--yes")
    refused(result, record, f"the field '{field}' is 100,000 characters long; one text may have at most")


def test_the_summary_shows_escape_sequences_made_visible(tmp_path, catalog):
    record = tmp_path / "kim.yaml"
    title = "\x1b]0;owned\x07\x1b[31mWalk\x1b[0m \u202eevil"
    values = {"goal": title, "win": "Line one\rLine two"}
    filled = fill(made("progress-and-wins"), values, tmp_path / "w.pdf")
    code, stdout, err = run("import", str(filled), str(record), "--client", "Kim", "--yes")
    assert code == 0, err
    assert not any(c in stdout for c in "\x1b\x07\u202e")
    assert r"(\x1b]0;owned\x07\x1b[31mWalk\x1b[0m \u202eevil)" in stdout
    goal = load_record(record, catalog).goals[0]
    assert goal.title == title and goal.answers["win"] == "Line one\nLine two"


def test_a_sheet_that_lost_its_document_information_is_known_by_its_fields(tmp_path, catalog):
    filled = without_document_info(fill(made("grow"), {"what": "Walk more"}, tmp_path / "grow.pdf"))
    record = tmp_path / "kim.yaml"
    code, out, err = run("import", str(filled), str(record), "--client", "Kim", "--yes")
    assert code == 0, err
    assert "(GROW: Goal, Reality, Options, Way forward)" in out
    [goal] = load_record(record, catalog).goals
    assert (goal.worksheet, goal.answers) == ("grow", {"what": "Walk more"})


def test_two_sheets_with_the_same_fields_make_such_a_pdf_ambiguous(scratch, tmp_path):
    shutil.copy(scratch.worksheets_dir / "grow.yaml", scratch.worksheets_dir / "grow-copy.yaml")
    pdf = tmp_path / "grow.pdf"
    pdf.write_bytes(made("grow", scratch.root))
    assert PdfReader(BytesIO(pdf.read_bytes())).metadata["/Keywords"] == "worksheets:grow"
    record = tmp_path / "clients" / "kim.yaml"
    record.parent.mkdir()
    code, _, err = run("import", str(pdf), str(record), "--client", "Kim", "--yes", project=scratch.root)
    assert code == 0, err
    record.unlink()
    without_document_info(pdf)
    result = run("import", str(pdf), str(record), "--client", "Kim", "--yes", project=scratch.root)
    refused(result, record, "no longer says which worksheet it is, and its form fields fit more than one: 'grow', ")
    assert "'grow-copy'" in result[2]
