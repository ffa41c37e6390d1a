"""Stylesheets and fonts read once per process (``render/styles.py``) make the same PDFs.

Each kind of document is rendered twice in one process by ``render_pdf``, which shares what it
read between documents that link the same stylesheets, and compared byte for byte with WeasyPrint
left to read every stylesheet and font itself, as ``render_pdf`` did before, for each document.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from worksheets.clients.records import load_record
from worksheets.clients.report import build_report
from worksheets.content.loader import Catalog
from worksheets.content.translations import translate_into
from worksheets.project import Project
from worksheets.render import styles
from worksheets.render.html import (
    environment,
    render_document,
    render_packet,
    render_report,
    render_takehome,
    render_takehome_sheet,
)
from worksheets.render.pdf import FIXED_DATE, FONTS_CONF, TAGGED, _environment, _finish, fetcher, render_pdf

from conftest import RECORD, ROOT


def alone(html: str, project: Project, *, forms: bool = False) -> bytes:
    """The PDF of ``html`` with WeasyPrint reading its stylesheets and fonts for it alone."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    with _environment(FONTCONFIG_FILE=str(FONTS_CONF), SOURCE_DATE_EPOCH=FIXED_DATE):
        source = HTML(string=html, base_url=project.templates.as_uri() + "/", url_fetcher=fetcher(project))
        document = source.render(pdf_forms=forms, pdf_variant=TAGGED, font_config=FontConfiguration())
        return document.write_pdf(pdf_identifier=identifier, pdf_variant=TAGGED, finisher=_finish)


def documents(project: Project, catalog: Catalog, tmp: Path) -> list[tuple[str, str, bool]]:
    """One document of every kind WeasyPrint renders: its name, its HTML, and whether it has form
    fields. Between them they link every stylesheet of ``templates/css`` but the site's."""
    path = tmp / "jordan.yaml"
    path.write_text(RECORD, encoding="utf-8")
    client = load_record(path, catalog)
    arabic = translate_into(project, catalog, "ar").catalog
    assert arabic is not None
    env = environment(project)
    example = catalog.get("areas-of-life")
    report = build_report(client, 0.3, made=datetime.date(2026, 11, 27))
    day = "2 November 2026"
    return [
        ("blank sheet", render_document(env, catalog, catalog.get("grow"), mode="print", paper="letter"), False),
        ("fillable", render_document(env, catalog, catalog.get("smart-goals"), mode="fillable", paper="a4"), True),
        (
            "example",
            render_document(env, catalog, example, mode="filled", paper="a4", answers=example.example.answers),
            False,
        ),
        (
            "large print",
            render_document(env, catalog, catalog.get("grow"), mode="print", paper="letter", variant="large-print"),
            False,
        ),
        (
            "dyslexia",
            render_document(env, catalog, catalog.get("worry-tree"), mode="print", paper="a4", variant="dyslexia"),
            False,
        ),
        (
            "low ink",
            render_document(env, catalog, catalog.get("grow"), mode="print", paper="a4", variant="low-ink"),
            False,
        ),
        ("packet", render_packet(env, catalog, catalog.packets[0], paper="letter"), False),
        ("take-home", render_takehome(env, catalog, client, list(client.goals), paper="letter", date=day), False),
        ("take-home form", render_takehome_sheet(env, catalog, client, client.goals[0], paper="a4", date=day), True),
        ("report", render_report(env, catalog, report, paper="letter"), False),
        ("arabic", render_document(env, arabic, arabic.get("grow"), mode="print", paper="a4"), False),
    ]


def test_every_kind_of_pdf_is_the_same_as_with_its_own_stylesheets(project, catalog, tmp_path):
    kinds = documents(project, catalog, tmp_path)
    for _ in range(2):  # the second time round, every kind's stylesheets are those kept the first
        for name, html, forms in kinds:
            assert styles.split(html) is not None, f"{name}: its stylesheets are not shared"
            assert render_pdf(html, project, forms=forms).data == alone(html, project, forms=forms), name


PLAIN = (
    '<html lang="en"><head><link rel="stylesheet" href="css/pdf-fonts.css"><link rel="stylesheet" href="css/sheet.css">'
    '{head}</head><body><h1 class="title">Title</h1><p{attribute}>Text</p>{body}</body></html>'
)


@pytest.mark.parametrize(
    "head, attribute, body",
    [
        ("", ' style="margin-left: 30mm !important"', ""),  # would lose to a user sheet's !important
        ("", "", "<style>p { color: #c00; }</style>"),  # a stylesheet in the body
        ('<link rel="stylesheet" href="css/takehome.css" media="print">', "", ""),  # another form
        ('<style>@font-face { font-family: "X"; src: url("fonts/NotoSans-Bold.ttf"); }</style>', "", ""),
    ],
)
def test_documents_that_cannot_share_are_rendered_with_their_own(project, head, attribute, body):
    html = PLAIN.format(head=head, attribute=attribute, body=body)
    assert styles.split(html) is None
    assert render_pdf(html, project).data == alone(html, project)


def test_a_stylesheet_or_font_changed_meanwhile_is_read_again(scratch):
    """The preview renders in one process for as long as it runs: an edit must show."""
    html = PLAIN.format(head="", attribute="", body="")
    first = render_pdf(html, scratch).data
    sheet = scratch.templates / "css" / "sheet.css"
    sheet.write_text(sheet.read_text(encoding="utf-8") + "\np { font-size: 30pt; }\n", encoding="utf-8")
    bigger = render_pdf(html, scratch).data
    assert bigger != first and bigger == alone(html, scratch)
    fonts = scratch.templates / "fonts"
    (fonts / "NotoSans-Regular.ttf").write_bytes((fonts / "NotoSans-Italic.ttf").read_bytes())  # the text's font
    slanted = render_pdf(html, scratch).data
    assert slanted != bigger and slanted == alone(html, scratch)


def test_no_copy_of_the_fonts_is_left_behind(tmp_path):
    """WeasyPrint copies the fonts a configuration loads into a temporary folder, removed with the
    configuration: kept ones must be let go of when the process ends, in workers too."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    clients = []
    for n in range(3):  # more than are rendered in the main process: workers render them
        clients.append(tmp_path / f"client-{n}.yaml")
        clients[-1].write_text(RECORD, encoding="utf-8")
    environment = {**os.environ, "TMPDIR": str(temporary)}
    command = [sys.executable, "-m", "worksheets", "--project", str(ROOT), "prefill", "--jobs", "2"]
    subprocess.run([*command, *map(str, clients), "--out", str(tmp_path / "out")], env=environment, check=True)
    subprocess.run([*command, str(clients[0]), "--out", str(tmp_path / "one")], env=environment, check=True)
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 3 and list((tmp_path / "one").glob("*.pdf"))
    assert list(temporary.iterdir()) == []


def test_renders_in_threads_leave_the_collector_as_they_found_it(project):
    """The collector's threshold belongs to the process, and a Dask worker or the preview server
    renders in several threads at once: the first render raises it and the last puts it back, so
    no render puts back a value another one set."""
    import gc
    import threading

    html = PLAIN.format(head="", attribute="", body="")
    before = gc.get_threshold()
    start = threading.Barrier(3)

    def render() -> None:
        start.wait()
        for _ in range(3):
            render_pdf(html, project)

    threads = [threading.Thread(target=render) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.get_threshold() == before
