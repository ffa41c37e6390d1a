"""Fillable and accessible PDFs, alternate formats, and reading filled sheets back."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import cache
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from worksheets.clients.records import load_record
from worksheets.content.loader import load_catalog
from worksheets.project import Project
from worksheets.render.html import environment, render_document
from worksheets.render.pdf import render_pdf

from conftest import ROOT, fill, fillable, run

IDS = sorted(p.stem for p in (ROOT / "content" / "worksheets").glob("*.yaml"))


@cache
def variant(worksheet_id: str, name: str | None, paper: str = "a4") -> bytes:
    project = Project.at(ROOT)
    catalog = load_catalog(project)
    ws = catalog.get(worksheet_id)
    html = render_document(environment(project), catalog, ws, mode="print", paper=paper, variant=name)
    return render_pdf(html, project).data


@pytest.mark.parametrize("worksheet_id", IDS)
def test_fillable_fields_are_named_like_worksheets_fields_and_have_tooltips(worksheet_id):
    code, out, _ = run("fields", worksheet_id)
    assert code == 0
    reader = PdfReader(BytesIO(fillable(worksheet_id)))
    fields = reader.get_fields()
    assert list(fields) == out.split(), "same names, in reading order"
    for name, field in fields.items():
        assert str(field.get("/TU", "")).strip(), f"{name} has no tooltip"
    for page in reader.pages:
        assert page["/Tabs"] == "/S", "tab order follows the structure (reading) order"
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Widget":
                assert int(annotation["/F"]) & 4, "printed with the page"
    assert len(fillable(worksheet_id)) <= 150_000, "a fillable PDF is at most 150 KB"


def test_tooltips_read_the_labels(catalog):
    fields = PdfReader(BytesIO(fillable("smart-goals"))).get_fields()
    assert fields["own-words"]["/TU"] == "What do I want?"
    assert fields["importance"]["/TU"] == "How important is this goal to me?"
    assert fields["first-steps.2.when"]["/TU"] == "Row 2 \u2013 When"
    assert fields["importance"]["/Opt"] == [str(n) for n in range(11)]


def typed_values(ws, reader: PdfReader) -> tuple[dict[str, str], dict[str, object]]:
    """What to type into every field of the worksheet's example (pypdf's terms) and what it means."""
    flat = ws.flatten(ws.example.answers)
    fields = reader.get_fields()
    typed: dict[str, str] = {}
    for name, value in flat.items():
        field = fields[name]
        if field.get("/FT") == "/Btn" and field.get("/Opt") is not None:
            typed[name] = f"/{[str(o) for o in field['/Opt']].index(str(value))}"
        elif field.get("/FT") == "/Btn":
            if value is True:
                typed[name] = "/on"
        else:
            typed[name] = str(value)
    return typed, {k: v for k, v in flat.items() if v is not False}


@pytest.mark.parametrize("worksheet_id", IDS)
def test_fill_import_and_find_every_value_in_the_record(worksheet_id, catalog, tmp_path):
    ws = catalog.get(worksheet_id)
    data = fillable(worksheet_id)
    typed, expected = typed_values(ws, PdfReader(BytesIO(data)))
    filled = fill(data, typed, tmp_path / "filled.pdf")
    record = tmp_path / "client.yaml"
    code, _, err = run("import", str(filled), str(record), "--client", "Kim", "--yes")
    assert code == 0, err
    [goal] = load_record(record, catalog).goals
    assert goal.worksheet == worksheet_id
    got = {k: str(v) for k, v in ws.flatten(goal.answers).items()}
    assert got == {k: str(v) for k, v in expected.items()}
    if worksheet_id == catalog.site.progress_sheet:
        assert [r.rating for r in goal.progress] == [ws.example.answers["rating"]]
        assert str(goal.progress[0].date) == str(ws.example.answers["week-of"])


def test_import_shows_the_changes_and_asks_first(catalog, tmp_path):
    ws = catalog.get("grow")
    data = fillable("grow")
    typed, _ = typed_values(ws, PdfReader(BytesIO(data)))
    filled = fill(data, typed, tmp_path / "grow.pdf")
    record = tmp_path / "kim.yaml"
    record.write_text("client: Kim\ngoals: []\n")
    from click.testing import CliRunner

    from worksheets.cli import cli

    result = CliRunner().invoke(cli, ["--project", str(ROOT), "import", str(filled), str(record)], input="n\n")
    assert result.exit_code == 0
    assert "add goal 'grow-goal-reality-options-way-forward'" in result.output and "Nothing saved." in result.output
    assert record.read_text() == "client: Kim\ngoals: []\n"
    result = CliRunner().invoke(cli, ["--project", str(ROOT), "import", str(filled), str(record)], input="y\n")
    assert result.exit_code == 0 and load_record(record, catalog).goals[0].answers["whose"] == "me"


def test_a_progress_sheet_adds_a_rating_to_a_goal(catalog, tmp_path):
    ws = catalog.get("progress-and-wins")
    data = fillable("progress-and-wins")
    fields = PdfReader(BytesIO(data)).get_fields()
    index = [str(o) for o in fields["rating"]["/Opt"]].index("7")
    filled = fill(
        data, {"rating": f"/{index}", "week-of": "2026-12-07", "win": "Walked in the snow"}, tmp_path / "w.pdf"
    )
    record = tmp_path / "kim.yaml"
    record.write_text(
        "client: Kim\ngoals:\n  - {id: walk, worksheet: smart-goals, title: Walk more}\n", encoding="utf-8"
    )
    code, out, _ = run("import", str(filled), str(record), "--goal", "walk", "--yes")
    assert code == 0 and "add a progress rating of 7 on 2026-12-07 to 'walk'" in out
    goal = load_record(record, catalog).goal("walk")
    assert [(str(r.date), r.rating) for r in goal.progress] == [("2026-12-07", 7)]
    assert goal.answers == {}, "a progress sheet's answers do not go into a goal set with another sheet"
    del ws


def test_import_refuses_pdfs_that_are_not_ours(tmp_path, project, catalog):
    record = tmp_path / "kim.yaml"
    record.write_text("client: Kim\ngoals: []\n")
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("just text")
    code, _, err = run("import", str(not_pdf), str(record), "--yes")
    assert code == 2 and "cannot read this file as a PDF" in err
    blank = tmp_path / "blank.pdf"
    blank.write_bytes(variant("grow", None))
    code, _, err = run("import", str(blank), str(record), "--yes")
    assert code == 2 and "not a fillable worksheet made by worksheets" in err
    foreign = tmp_path / "foreign.pdf"
    html = render_document(environment(project), catalog, catalog.get("grow"), mode="fillable", paper="a4")
    foreign.write_bytes(render_pdf(html.replace("worksheets:grow", "worksheets:smart-goals"), project, forms=True).data)
    code, _, err = run("import", str(foreign), str(record), "--yes")
    assert code == 2 and "do not match worksheet 'smart-goals'" in err
    assert record.read_text() == "client: Kim\ngoals: []\n"


@pytest.mark.parametrize("kind", ["print", "fillable"])
def test_pdfs_are_tagged_with_structure_language_and_title(kind, catalog):
    data = fillable("areas-of-life") if kind == "fillable" else variant("areas-of-life", None)
    reader = PdfReader(BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == "Areas of life"
    figures = [e for e in structure(root["/StructTreeRoot"]) if e.get("/S") == "/Figure"]
    assert [str(f.get("/Alt")) for f in figures] == [catalog.strings.wheel_alt]
    tags = {str(e.get("/S")) for e in structure(root["/StructTreeRoot"])}
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/P"} <= tags


def structure(element) -> list:
    """Every structure element below ``element``, depth first."""
    found = []
    kids = element.get_object().get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and kid.get("/Type") != "/MCR" and "/S" in kid:
            found.append(kid)
            found.extend(structure(kid))
    return found


def font_sizes(data: bytes, page: int = 0) -> list[tuple[float, str]]:
    """(size in points, text) of every piece of text on a page, as drawn."""
    sizes: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            sizes.append((round(size * scale, 1), text.strip()))

    PdfReader(BytesIO(data)).pages[page].extract_text(visitor_text=visit)
    return sizes


def test_large_print_is_at_least_16_point():
    normal = [s for s, _ in font_sizes(variant("smart-goals", None))]
    large = font_sizes(variant("smart-goals", "large-print"))
    body = [(s, t) for s, t in large if not t.startswith(("SMART goals", "Page ", "Free to share"))]
    assert min(s for s, _ in body) >= 16, sorted(body)[:5]
    assert min(normal) < 12
    assert len(PdfReader(BytesIO(variant("smart-goals", "large-print"))).pages) > 2, "more room to write"


def test_dyslexia_variant_uses_the_bundled_dyslexia_font():
    fonts = {str(f) for f in _fonts(variant("grow", "dyslexia"))}
    assert any("OpenDyslexic" in f for f in fonts) and not any("Atkinson" in f for f in fonts)


def _fonts(data: bytes) -> set[str]:
    reader = PdfReader(BytesIO(data))
    return {
        str(font.get_object()["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()
    }


def ink(data: bytes, tmp_path: Path, name: str) -> tuple[int, float]:
    """What printing the first page takes: how many pixels need colour ink, and the mean darkness
    of all pixels (0 to 255), from the page drawn by poppler at 40 dpi."""
    from PIL import Image

    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    command = ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / name)]
    subprocess.run(command, check=True)
    image = Image.open(next(tmp_path.glob(f"{name}-*.png"))).convert("RGB")
    pixels = [image.getpixel((x, y)) for x in range(image.width) for y in range(image.height)]
    coloured = sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 12)
    return coloured, sum(255 - (r + g + b) / 3 for r, g, b in pixels) / len(pixels)


def test_low_ink_needs_no_colour_and_less_ink(tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm (poppler-utils) is needed: .ci/run installs it")
    normal_colour, normal_ink = ink(variant("four-steps", None), tmp_path, "normal")
    low_colour, low_ink = ink(variant("four-steps", "low-ink"), tmp_path, "low")
    assert low_colour < normal_colour * 0.05, (low_colour, normal_colour)
    assert low_ink < normal_ink, (low_ink, normal_ink)


def test_every_pdf_of_the_site_passes_qpdf_check(built_site):
    if not shutil.which("qpdf"):
        pytest.fail("qpdf is needed: .ci/run installs it")
    pdfs = sorted((built_site / "pdf").glob("*.pdf"))
    assert len(pdfs) == 110, "10 worksheets in 10 formats, 5 packets in 2 paper sizes"
    for pdf in pdfs:
        result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{pdf.name}: {result.stdout[-500:]}"


def test_pdfs_pass_the_pdfua_checker(built_site, tmp_path, project, catalog):
    from worksheets.clients.takehome import prefill

    record = tmp_path / "kim.yaml"
    record.write_text(
        "client: Kim\ngoals:\n  - {id: walk, worksheet: grow, title: Walk, steps: [{text: Buy shoes, done: true}],\n"
        "     progress: [{date: 2026-11-02, rating: 3, gas: 0, note: A slow start}], gas: {levels: {2: a, 1: b, 0: c,"
        " -1: d, -2: e}}}\n"
    )  # a ticked step, a table of ratings and notes, and the attainment scale's sheet with a tick
    [takehome] = prefill(project, catalog, [record], tmp_path / "out")
    files = [
        str(built_site / "pdf" / name)
        for name in (
            "grow-a4.pdf",
            "grow-letter-fillable.pdf",
            "areas-of-life-a4-large-print.pdf",
            "packet-complete-set-a4.pdf",
        )
    ]
    result = subprocess.run(
        [sys.executable, "-m", "pdfua", "check", "--format", "json", *files, str(takehome.path)],
        capture_output=True,
        text=True,
        check=False,
    )
    reports = json_documents(result.stdout)
    assert len(reports) == 5
    for report in reports:
        assert report["summary"]["errors"] == 0 and report["summary"]["warnings"] == 0, report["findings"]


def json_documents(text: str) -> list[dict]:
    """The JSON reports pdfua prints one after another, one per file."""
    decoder, reports, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        report, end = decoder.raw_decode(text, at)
        reports.append(report)
        at = end + len(text[end:]) - len(text[end:].lstrip())
    return reports
