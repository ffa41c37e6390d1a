"""Real WeasyPrint output, read back: sizes, text, fonts, reproducibility and the URL fetcher."""

from __future__ import annotations

import re
import subprocess
from functools import cache
from io import BytesIO

import pytest
from pypdf import PdfReader

from worksheets.content.fields import ChecklistField, ChoiceField, FlowchartField, TableField, TimelineField
from worksheets.content.loader import load_catalog
from worksheets.errors import RenderError
from worksheets.project import Project
from worksheets.render.html import environment, render_document
from worksheets.render.pdf import write_pdf

from conftest import ROOT, folded, pdf_text

IDS = sorted(p.stem for p in (ROOT / "content" / "worksheets").glob("*.yaml"))
POINTS = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}


@cache
def blank(worksheet_id: str, paper: str) -> bytes:
    """The blank PDF of a worksheet, rendered once per test run."""
    project = Project.at(ROOT)
    catalog = load_catalog(project)
    html = render_document(environment(project), catalog, catalog.get(worksheet_id), mode="print", paper=paper)
    return write_pdf(html, project)


def printed_words(ws) -> list[str]:
    """Every piece of text the blank sheet must show: titles, prompts, labels, options, boxes."""
    texts = [ws.title, ws.how_to_use]
    for section in ws.sections:
        texts.append(section.title)
        if section.prompt:
            texts.append(section.prompt.replace("**", ""))
        for field in section.fields:
            texts.append(field.label)
            if isinstance(field, ChoiceField):
                texts += [o.label for o in field.options]
            if isinstance(field, ChecklistField):
                texts += [i.label for i in field.items]
            if isinstance(field, TableField):
                texts += [c.label for c in field.columns]
                if isinstance(field.rows, list):
                    texts += [r.label for r in field.rows]
            if isinstance(field, FlowchartField):
                texts += [n.text for n in field.nodes]
            if isinstance(field, TimelineField):
                texts += [t for m in field.moments for t in (m.label, m.prompt)]
    return texts


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("worksheet_id", IDS)
def test_every_worksheet_renders_whole(catalog, worksheet_id, paper):
    data = blank(worksheet_id, paper)
    reader = PdfReader(BytesIO(data))
    for page in reader.pages:
        width, height = (float(v) for v in page.mediabox[2:])
        assert (round(width, 1), round(height, 1)) == tuple(round(v, 1) for v in POINTS[paper])
    text = pdf_text(data)
    for expected in printed_words(catalog.get(worksheet_id)):
        assert folded(expected) in text, f"{expected!r} is missing from {worksheet_id} ({paper})"
    pages = len(reader.pages)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert catalog.site.licence in text


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("worksheet_id", ["progress-and-wins", "worry-tree", "goal-attainment-scale"])
def test_one_page_sheets_stay_on_one_page(worksheet_id, paper):
    """The weekly check-in, the worry tree and the goal attainment scale are used over and over:
    one sheet of paper each."""
    assert len(PdfReader(BytesIO(blank(worksheet_id, paper))).pages) == 1


def embedded_fonts(data: bytes) -> dict[str, bool]:
    """Each font a PDF uses, and whether its glyphs are embedded in the file."""
    fonts = {}
    for page in PdfReader(BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"]).split("+")[-1]] = embedded
    return fonts


def test_fonts_are_embedded_and_bundled():
    fonts = embedded_fonts(blank("worry-tree", "a4"))
    assert fonts and all(fonts.values()), fonts
    assert set(fonts) == {"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold"}


def test_greek_cyrillic_and_accents_use_the_fallback_font(project, catalog):
    ws = catalog.get("progress-and-wins")
    answers = {"goal": "Ελπίδα και Надежда, café déjà vu, Łódź"}
    html = render_document(
        environment(project), catalog, ws, mode="filled", paper="a4", answers=answers, client="Νίκος Иванов"
    )
    data = write_pdf(html, project)
    text = pdf_text(data)
    for word in ("Ελπίδα", "Надежда", "déjà", "Łódź", "Νίκος", "Иванов"):
        assert word in text
    fonts = embedded_fonts(data)
    assert "Noto-Sans" in fonts and all(fonts.values()), fonts


def test_hebrew_and_arabic_answers_use_bundled_fonts_and_start_on_the_right(project, catalog, tmp_path):
    ws = catalog.get("what-i-want")
    answers = {"hope": "לישון טוב יותר", "stopping": "أريد أن أنام", "expect": "Sleep better"}
    html = render_document(environment(project), catalog, ws, mode="filled", paper="a4", answers=answers)
    assert html.count(' dir="rtl"') == 2
    pdf = tmp_path / "rtl.pdf"
    pdf.write_bytes(write_pdf(html, project))
    fonts = embedded_fonts(pdf.read_bytes())
    assert {"Noto-Sans-Hebrew", "Noto-Sans-Arabic"} <= set(fonts) and all(fonts.values()), fonts
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    right = {}
    for word in ("לישון", "أريد", "Sleep"):  # the first word of each answer (poppler may reverse it)
        match = re.search(rf'xMax="([\d.]+)"[^>]*>(?:{word}|{word[::-1]})<', boxes)
        assert match, word
        right[word] = float(match.group(1))
    page_width = POINTS["a4"][0]
    assert right["לישון"] > page_width * 0.8 and right["أريد"] > page_width * 0.8, right
    assert right["Sleep"] < page_width * 0.5, right


def test_same_input_gives_identical_bytes(project, catalog):
    ws = catalog.get("areas-of-life")
    html = render_document(environment(project), catalog, ws, mode="print", paper="letter")
    assert write_pdf(html, project) == write_pdf(html, project)
    assert b"/CreationDate" not in write_pdf(html, project)


def test_client_text_is_printed_literally(project, catalog):
    ws = catalog.get("progress-and-wins")
    answers = {"win": '<script>alert(1)</script> {{ 7 * 7 }} <img src="file:///etc/passwd"> **bold**'}
    html = render_document(environment(project), catalog, ws, mode="filled", paper="a4", answers=answers)
    assert "<script>" not in html
    text = pdf_text(write_pdf(html, project))
    assert '<script>alert(1)</script> {{ 7 * 7 }} <img src="file:///etc/passwd"> **bold**' in text


def test_a_long_answer_is_never_cut_off(project, catalog):
    ws = catalog.get("progress-and-wins")
    words = [f"word{n}" for n in range(800)]
    html = render_document(
        environment(project), catalog, ws, mode="filled", paper="letter", answers={"win": " ".join(words)}
    )
    data = write_pdf(html, project)
    text = pdf_text(data)
    assert all(w in text.split() for w in words)
    assert len(PdfReader(BytesIO(data)).pages) >= 2


HOSTILE = '<html><body><p>x</p><img src="{url}"></body></html>'


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "http://example.com/x.png", "https://example.com/x.png", "../../../etc/passwd"]
)
def test_fetcher_refuses_anything_outside_the_project(project, url):
    with pytest.raises(RenderError, match="refused to fetch"):
        write_pdf(HOSTILE.format(url=url), project, title="hostile")


def test_fetcher_refuses_stylesheets_outside_the_project(project):
    html = '<html><head><link rel="stylesheet" href="http://example.com/a.css"></head><body>x</body></html>'
    with pytest.raises(RenderError, match=r"http://example\.com/a\.css"):
        write_pdf(html, project)


def test_fetcher_serves_data_urls_and_project_files(project):
    pixel = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw=="
    html = f'<html><head><link rel="stylesheet" href="css/sheet.css"></head><body><img src="{pixel}"></body></html>'
    assert write_pdf(html, project).startswith(b"%PDF")


@pytest.mark.parametrize("worksheet_id", IDS)
def test_filled_examples_use_only_the_bundled_fonts(project, catalog, worksheet_id):
    """A glyph missing from the bundled fonts would be taken from whatever the machine has, and the
    PDF would differ from one computer to the next (the tick in a box once did)."""
    ws = catalog.get(worksheet_id)
    html = render_document(
        environment(project), catalog, ws, mode="filled", paper="a4", answers=ws.example.answers, client="Zoë"
    )
    fonts = embedded_fonts(write_pdf(html, project))
    assert all(name.startswith(("Atkinson-Hyperlegible", "Noto-Sans")) for name in fonts), fonts
