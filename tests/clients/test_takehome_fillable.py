"""Take-home sheets for clients who type (prefill --fillable), with the QR code of each goal's link
(prefill --link), and what import makes of the Name and Date typed into a fillable PDF's header.

Everything is made by the real command line and read back from the PDFs: form fields with pypdf,
the page with pdftotext, the QR code from pdftoppm's picture of the page with zxing-cpp.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import stat
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
import zxingcpp
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from worksheets.cli import cli
from worksheets.clients.fillin import typed_day
from worksheets.clients.links import MAX_LINK
from worksheets.clients.records import load_record
from worksheets.content import long_date

from conftest import ROOT, fill, fillable, read_fragment, run

BASE = "https://example.org/sheets/"

TYPIST = """\
client: Jordan R.
goals:
  - id: eat-well
    worksheet: smart-goals
    title: Eat fruit and vegetables every day
    steps:
      - {text: Buy a notebook to log meals, due: 2026-11-05, done: true}
    answers:
      own-words: Eat better.
      specific: |
        Fruit or vegetables at every meal.
        Start with breakfast.
      importance: 8
  - id: hopes
    worksheet: what-i-want
    title: Feel less stuck
    answers:
      hope: To enjoy things again.
      aims: {coping: 1, growth: 3}
"""


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, str]:
    """The record, the folder of its fillable take-home PDFs (made with --link), and what the
    command printed on standard output and error."""
    folder = tmp_path_factory.mktemp("typist")
    record = folder / "jordan.yaml"
    record.write_text(TYPIST, encoding="utf-8")
    out = folder / "private" / "take-home"
    code, stdout, stderr = run("prefill", str(record), "--out", str(out), "--fillable", "--link", "--base-url", BASE)
    assert code == 0, stderr
    return record, out, stdout, stderr


def form(path: Path) -> dict[str, object]:
    """Each form field's value (/V) as pypdf reads it, blank fields left out."""
    fields = PdfReader(path).get_fields() or {}
    return {name: f.get("/V") for name, f in fields.items() if f.get("/V") not in (None, "", "/Off")}


def test_one_fillable_pdf_per_goal_and_per_weekly_sheet_private_and_named_apart(made):
    _, out, stdout, _ = made
    names = sorted(p.name for p in out.iterdir())
    assert names == ["jordan.eat-well.pdf", "jordan.eat-well.week.pdf", "jordan.hopes.pdf", "jordan.hopes.week.pdf"]
    assert stdout.count("Wrote ") == 4 and "(1 goal, 1 page)" in stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in out.iterdir())
    for path in out.iterdir():
        info = PdfReader(path).metadata
        assert "Jordan" not in str(dict(info)), "nothing about the client in the metadata"


def test_the_fields_hold_the_answers_the_name_and_the_date(made, catalog):
    _, out, _, _ = made
    values = form(out / "jordan.eat-well.pdf")
    today = long_date(datetime.date.today(), catalog.site.language)
    assert values["_name"] == "Jordan R." and values["_date"] == today
    assert values["own-words"] == "Eat better."
    assert values["specific"] == "Fruit or vegetables at every meal.\nStart with breakfast.\n"
    importance = PdfReader(out / "jordan.eat-well.pdf").get_fields()["importance"]
    assert importance["/Opt"][int(str(values["importance"]).lstrip("/"))] == "8", "the radio button chosen"
    ticks = form(out / "jordan.hopes.pdf")
    assert ticks["aims.coping"] == ticks["aims.growth"] == "/on" and "aims.decisions" not in ticks
    priorities = PdfReader(out / "jordan.hopes.pdf").get_fields()
    assert priorities["aims.coping.priority"]["/Opt"][int(str(ticks["aims.coping.priority"]).lstrip("/"))] == "1"
    week = form(out / "jordan.eat-well.week.pdf")
    assert week == {"_name": "Jordan R.", "goal": "Eat fruit and vegetables every day"}, "the date left to the client"
    assert set(PdfReader(out / "jordan.eat-well.pdf").get_fields()) == {
        "_name",
        "_date",
        *catalog.get("smart-goals").names(),
    }


def test_the_values_are_drawn_on_the_page_and_only_there(made):
    _, out, _, _ = made
    text = subprocess.run(["pdftotext", str(out / "jordan.eat-well.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Eat better." in text and "Start with breakfast." in text and "Jordan R." in text
    reader = PdfReader(out / "jordan.eat-well.pdf")
    assert reader.trailer["/Root"]["/AcroForm"]["/NeedAppearances"].value is False, "no reader draws them twice"
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            widget = annotation.get_object()
            if widget.get("/FT") == "/Tx" and widget.get("/V"):
                assert widget["/MK"]["/BG"] == [1, 1, 1], "a changed value covers the old one"


def test_they_pass_qpdf_and_the_pdfua_checker(made):
    _, out, _, _ = made
    for path in sorted(str(p) for p in out.iterdir()):
        assert subprocess.run(["qpdf", "--check", path], capture_output=True).returncode == 0
        checked = subprocess.run(
            [sys.executable, "-m", "pdfua", "check", "--format", "json", path], capture_output=True, text=True
        )
        report = json.loads(checked.stdout)
        assert report["summary"]["errors"] == 0 and report["summary"]["warnings"] == 0, report["findings"]


def test_a_sheet_changed_by_the_client_imports_into_its_goal(made, catalog, tmp_path):
    record, out, _, _ = made
    copy = tmp_path / "jordan.yaml"
    copy.write_text(record.read_text(encoding="utf-8"), encoding="utf-8")
    sent = fill(
        (out / "jordan.eat-well.pdf").read_bytes(), {"own-words": "Eat well, and enjoy it."}, tmp_path / "back.pdf"
    )
    code, stdout, err = run("import", str(sent), str(copy), "--goal", "eat-well", "--yes")
    assert code == 0, err
    assert "note:" not in stdout, "the Name is the record's"
    goal = load_record(copy, catalog).goal("eat-well")
    assert goal.answers["own-words"] == "Eat well, and enjoy it."
    assert goal.answers["importance"] == 8 and goal.answers["specific"].startswith("Fruit or vegetables")
    hopes = fill((out / "jordan.hopes.pdf").read_bytes(), {"aims.decisions": "/on"}, tmp_path / "hopes.pdf")
    assert run("import", str(hopes), str(copy), "--goal", "hopes", "--yes")[0] == 0
    aims = load_record(copy, catalog).goal("hopes").answers["aims"]
    assert aims == {"coping": 1, "growth": 3, "decisions": 3}, "a tick with no priority chosen gets the lowest"


def test_a_weekly_sheet_sent_back_is_a_rating_dated_by_its_date(made, catalog, tmp_path):
    record, out, _, _ = made
    copy = tmp_path / "jordan.yaml"
    copy.write_text(record.read_text(encoding="utf-8"), encoding="utf-8")
    fields = PdfReader(out / "jordan.eat-well.week.pdf").get_fields()
    seven = "/" + str([str(o) for o in fields["rating"]["/Opt"]].index("7"))
    sent = fill(
        (out / "jordan.eat-well.week.pdf").read_bytes(), {"rating": seven, "_date": "2026-11-20"}, tmp_path / "w.pdf"
    )
    code, stdout, err = run("import", str(sent), str(copy), "--goal", "eat-well", "--yes")
    assert code == 0, err
    assert "add a progress rating of 7 on 2026-11-20 to 'eat-well'" in stdout
    [rating] = load_record(copy, catalog).goal("eat-well").progress
    assert rating.date == datetime.date(2026, 11, 20)


def qr_texts(pdf: Path) -> list[str]:
    """What every QR code on the PDF's pages says, read from pdftoppm's picture of them."""
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", "300", str(pdf), str(prefix)], check=True, capture_output=True)
    texts = []
    for picture in sorted(pdf.parent.glob(prefix.name + "-*.png")):
        texts += [found.text for found in zxingcpp.read_barcodes(Image.open(picture))]
        picture.unlink()
    return texts


def test_the_qr_code_opens_the_sheet_filled_in_with_the_goals_answers(made, catalog, tmp_path):
    record, out, _, _ = made
    pdf = tmp_path / "eat-well.pdf"
    pdf.write_bytes((out / "jordan.eat-well.pdf").read_bytes())
    [link] = qr_texts(pdf)
    code, printed, _ = run("link", str(record), "eat-well", "--base-url", BASE)
    assert code == 0 and link == printed.strip(), "the same link as worksheets link"
    page, fragment = link.split("#")
    assert page == BASE + "worksheets/smart-goals.html"
    goal = load_record(record, catalog).goal("eat-well")
    expected = catalog.get("smart-goals").flatten(goal.answers)
    assert read_fragment(fragment)["fields"] == {name: str(value) for name, value in expected.items()}
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Scan to open this sheet on screen" in " ".join(text.split())
    assert qr_texts_of_week(out, tmp_path) == [], "the weekly sheet has no link of its own"


def qr_texts_of_week(out: Path, tmp_path: Path) -> list[str]:
    pdf = tmp_path / "week.pdf"
    pdf.write_bytes((out / "jordan.eat-well.week.pdf").read_bytes())
    return qr_texts(pdf)


def test_a_link_too_long_falls_back_to_the_page_with_a_warning(tmp_path):
    long_answer = "I want to walk whatever the weather, " + " ".join(
        hashlib.sha256(bytes([n])).hexdigest() for n in range(60)
    )
    record = tmp_path / "kim.yaml"
    record.write_text(
        f"client: Kim\ngoals:\n  - id: walk\n    worksheet: smart-goals\n    title: Walk\n"
        f"    answers:\n      own-words: {long_answer.strip()}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, _, err = run("prefill", str(record), "--out", str(out), "--link", "--base-url", BASE)
    assert code == 0, err
    assert "goal 'walk': its answers make a link of" in err and f"over the limit of {MAX_LINK:,}" in err
    assert "weather" not in err, "the goal is named by its id, never by what the client wrote"
    assert qr_texts(out / "kim.pdf") == [BASE + "worksheets/smart-goals.html"]
    text = subprocess.run(["pdftotext", str(out / "kim.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Online" in text and "Scan to open" not in text


def test_link_without_a_site_address_is_a_usage_error_and_writes_nothing(tmp_path):
    record = tmp_path / "kim.yaml"
    record.write_text(TYPIST, encoding="utf-8")
    code, _, err = run("prefill", str(record), "--out", str(tmp_path / "out"), "--link")
    assert code == 2 and "give --base-url, or set base_url in content/site.yaml" in err
    code, _, err = run("prefill", str(record), "--out", str(tmp_path / "out"), "--base-url", BASE)
    assert code == 2 and "give --link too" in err
    code, _, err = run("prefill", str(record), "--out", str(tmp_path / "out"), "--link", "--base-url", "example.org")
    assert code == 2 and "expected a web address" in err
    assert not (tmp_path / "out").exists()


def test_a_bad_record_is_refused_at_its_line_with_nothing_written(tmp_path):
    record = tmp_path / "kim.yaml"
    record.write_text(TYPIST.replace("worksheet: what-i-want", "worksheet: what-i-wnt"), encoding="utf-8")
    code, stdout, err = run("prefill", str(record), "--out", str(tmp_path / "out"), "--fillable")
    assert code == 2 and f"{record}:15:16: no worksheet 'what-i-wnt'" in err, err
    assert stdout == "" and not (tmp_path / "out").exists()


def test_two_fillable_pdfs_of_one_name_are_refused_before_anything_is_written(tmp_path):
    one, other = tmp_path / "jordan.yaml", tmp_path / "jordan.r.yaml"
    one.write_text("client: J\ngoals:\n  - {id: r, worksheet: grow, title: R}\n", encoding="utf-8")
    other.write_text("client: K\ngoals:\n  - {id: week, worksheet: grow, title: W}\n", encoding="utf-8")
    code, stdout, err = run("prefill", str(one), str(other), "--out", str(tmp_path / "out"), "--fillable")
    assert code == 2 and f"{other}:1:1: two take-home PDFs would both be named jordan.r.week.pdf" in err, err
    assert stdout == "" and not (tmp_path / "out").exists()


def without_header(data: bytes, target: Path) -> Path:
    """A fillable PDF as printed before the header had form fields: ``_name`` and ``_date`` gone."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(data)))
    form_fields = writer._root_object["/AcroForm"]["/Fields"]
    gone = [ref for ref in form_fields if ref.get_object().get("/T") in ("_name", "_date")]
    for page in writer.pages:
        annotations = page.get("/Annots", [])
        page[NameObject("/Annots")] = type(annotations)([a for a in annotations if a not in gone])
    for ref in gone:
        form_fields.remove(ref)
    writer.write(target)
    assert set(PdfReader(target).get_fields()) == set(PdfReader(BytesIO(data)).get_fields()) - {"_name", "_date"}
    return target


@pytest.mark.parametrize("keywords", [True, False])
def test_fillable_pdfs_printed_before_the_header_fields_still_import(tmp_path, catalog, keywords):
    typed = fill(fillable("grow"), {"what": "Sleep by eleven"}, tmp_path / "f.pdf")
    old = without_header(typed.read_bytes(), tmp_path / "old.pdf")
    if not keywords:
        writer = PdfWriter()
        writer.append(PdfReader(old))
        writer.write(old)
    record = tmp_path / "kim.yaml"
    code, _, err = run("import", str(old), str(record), "--client", "Kim", "--yes")
    assert code == 0, err
    assert load_record(record, catalog).goals[0].answers == {"what": "Sleep by eleven"}


def test_a_name_that_is_not_the_records_is_pointed_out_before_saving(tmp_path, catalog):
    record = tmp_path / "kim.yaml"
    record.write_text("client: Kim L.\n", encoding="utf-8")
    sent = fill(fillable("grow"), {"what": "Sleep by eleven", "_name": "Robin"}, tmp_path / "f.pdf")
    asked = CliRunner().invoke(cli, ["--project", str(ROOT), "import", str(sent), str(record)], input="n\n")
    note = "note: the Name on the sheet is 'Robin', but this record is for 'Kim L.'"
    assert note in asked.stdout, asked.stdout
    assert asked.stdout.index(note) < asked.stdout.index("Save these changes?"), "said before asking"
    assert load_record(record, catalog).goals == []
    same = fill(fillable("grow"), {"what": "Sleep", "_name": "  kim   l. "}, tmp_path / "same.pdf")
    code, stdout, _ = run("import", str(same), str(record), "--yes")
    assert code == 0 and "note:" not in stdout, "case and spacing do not count"


def test_the_date_typed_dates_a_new_goal_and_a_name_starts_a_new_record(tmp_path, catalog):
    record = tmp_path / "new.yaml"
    spanish = tmp_path / "grow-es.pdf"
    assert run("pdf", "grow", "--fillable", "--lang", "es", "-o", str(spanish))[0] == 0
    typed = {"what": "Dormir", "_name": "Robin K.", "_date": "3 de noviembre de 2026"}
    sent = fill(spanish.read_bytes(), typed, tmp_path / "f.pdf")  # month names in the sheet's language
    code, stdout, err = run("import", str(sent), str(record), "--yes")
    assert code == 0, err
    saved = load_record(record, catalog)
    assert saved.client == "Robin K." and saved.goals[0].set_on == datetime.date(2026, 11, 3)
    unsure = fill(fillable("grow"), {"what": "Walk", "_date": "3/11/2026"}, tmp_path / "u.pdf")
    code, stdout, err = run("import", str(unsure), str(record), "--yes")
    assert code == 0, err
    assert "note: the Date on the sheet, '3/11/2026', is not a date that can be read for sure" in stdout
    assert load_record(record, catalog).goals[1].set_on == datetime.date.today()


TODAY = datetime.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "language", "day"),
    [
        ("2026-11-26", "en", datetime.date(2026, 11, 26)),
        ("November 26, 2026", "en", datetime.date(2026, 11, 26)),
        ("26th Nov. 2026", "en", datetime.date(2026, 11, 26)),
        ("26 de noviembre de 2026", "es", datetime.date(2026, 11, 26)),
        ("26 nov 2026", "es", datetime.date(2026, 11, 26)),
        ("26 نوفمبر 2026", "ar", datetime.date(2026, 11, 26)),
        ("\u0662\u0666 نوفمبر \u0662\u0660\u0662\u0666", "ar", datetime.date(2026, 11, 26)),
        ("26/11/2026", "en", datetime.date(2026, 11, 26)),
        ("11/26/2026", "en", datetime.date(2026, 11, 26)),
        ("3/11/2026", "en", None),
        ("26/11/26", "en", None),
        ("December 1, 2026", "en", None),
        ("31 November 2026", "en", None),
        ("next Tuesday", "en", None),
        ("26 November or December 2026", "en", None),
        ("", "en", None),
    ],
)
def test_typed_dates_are_read_only_when_sure(text, language, day):
    assert typed_day(text, language, TODAY) == day


@pytest.mark.parametrize("language", ["en", "es", "ar"])
def test_every_date_the_tool_prints_reads_back(language):
    for day in (datetime.date(2026, m, d) for m in range(1, 12) for d in (1, 9, 28)):
        assert typed_day(long_date(day, language), language, TODAY) == day


@pytest.mark.parametrize(
    ("language", "name_tip"), [("en", "Your name or initials"), ("es", "Tu nombre o tus iniciales")]
)
def test_the_header_fields_have_tooltips_in_the_sheets_language(tmp_path, language, name_tip):
    target = tmp_path / "grow.pdf"
    lang = ["--lang", language] if language != "en" else []
    code, _, err = run("pdf", "grow", "--fillable", *lang, "-o", str(target))
    assert code == 0, err
    fields = PdfReader(target).get_fields()
    assert list(fields)[:2] == ["_name", "_date"]
    assert fields["_name"]["/TU"] == name_tip and fields["_date"]["/FT"] == "/Tx"
