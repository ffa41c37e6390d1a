"""Shared fixtures: the real project, a disposable copy of it, and helpers to read PDFs back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from html import unescape
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

from worksheets.cli import cli
from worksheets.content.loader import Catalog, load_catalog
from worksheets.project import Project
from worksheets.render.html import environment, render_document
from worksheets.render.pdf import FONTS_CONF, render_pdf

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """Hide the computer's fonts from the tests and from every program they start, with the
    empty font configuration the PDFs are rendered with: a machine with no fonts at all (as a new
    server or container may be) then runs them as this one does. Chromium is given the project's
    fonts (browsing.py); a test that needs the computer's own configuration removes the variable.
    Then give the run a cache folder of its own."""
    os.environ["FONTCONFIG_FILE"] = str(FONTS_CONF)
    _own_cache_folder(config)


def _own_cache_folder(config: pytest.Config) -> None:
    """Give the test run a cache folder of its own (``XDG_CACHE_HOME``), removed when it ends:
    builds keep packets' parts there (``site/sections.py``), which must neither come from nor go
    to the user's own cache, and the web fonts made there are made once for the whole run. A test
    that counts what a build keeps sets a folder of its own."""
    folder = tempfile.mkdtemp(prefix="worksheets-tests-cache-")
    os.environ["XDG_CACHE_HOME"] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.fixture(scope="session")
def project() -> Project:
    """The project in this repository, with its real content and templates."""
    return Project.at(ROOT)


@pytest.fixture(scope="session")
def catalog(project: Project) -> Catalog:
    return load_catalog(project)


def run(*args: str, project: Path = ROOT) -> tuple[int, str, str]:
    """Run the CLI on ``project``; return exit code, standard output and standard error."""
    result = CliRunner().invoke(cli, ["--project", str(project), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project's site with every PDF, built once per test run through the CLI."""
    out = tmp_path_factory.mktemp("build") / "site"
    code, stdout, stderr = run("build", "--out", str(out))
    assert code == 0, stderr
    assert stdout.startswith("Rendered 330, up to date 0, removed 0"), "100 sheets, 10 packets, in 3 languages"
    return out


@pytest.fixture
def scratch(tmp_path: Path) -> Project:
    """A copy of the project that a test may change, in English only (its builds render a third
    of the PDFs); ``scratch_languages`` keeps the translations."""
    for part in ("content", "templates"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("translations"))
    return Project.at(tmp_path)


@pytest.fixture
def scratch_languages(scratch: Project) -> Project:
    """A copy of the project that a test may change, with every translation."""
    shutil.copytree(ROOT / "content" / "translations", scratch.content / "translations")
    return scratch


@pytest.fixture
def write_sheet(scratch: Project) -> Callable[[str, str], Path]:
    """Write a worksheet file into the scratch project and return its path."""

    def write(name: str, text: str) -> Path:
        path = scratch.worksheets_dir / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@dataclass
class Word:
    """A word of a PDF as poppler reads it: its page (from 1), text and box, in points from the
    top left of the page."""

    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class PdfPage:
    width: float
    height: float
    words: list[Word]


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def pdf_pages(data: bytes, *, raw: bool = False) -> list[PdfPage]:
    """Every word of a PDF with its box, page by page (``pdftotext -bbox``); with ``raw``, in the
    order the PDF draws them rather than in the reading order poppler guesses."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(data)
        pdf.flush()
        command = ["pdftotext", *(["-raw"] if raw else []), "-bbox", pdf.name, "-"]
        html = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    pages = []
    for chunk in html.split("<page ")[1:]:
        size = _PAGE.match("<page " + chunk)
        assert size
        words = [
            Word(len(pages) + 1, unescape(m[5]), float(m[1]), float(m[2]), float(m[3]), float(m[4]))
            for m in _WORD.finditer(chunk)
        ]
        pages.append(PdfPage(float(size[1]), float(size[2]), words))
    return pages


def pdf_text(data: bytes) -> str:
    """All the text of a PDF, with runs of white space folded to one space."""
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def folded(text: str) -> str:
    """``text`` with runs of white space folded, to compare with ``pdf_text``."""
    return " ".join(text.split())


MINIMAL = """\
title: Test sheet
summary: A sheet for tests.
how_to_use: Fill it in.
tags: [test]
minutes: 5
intro: Hello.
notes:
  purpose: Testing.
  suits: Tests.
  running: Run it.
  watch_for: Failures.
sections:
  - id: one
    title: Section one
    prompt: Write something.
    fields:
      - id: answer
        kind: lines
        label: Your answer
        lines: 2
      - id: rating
        kind: scale
        label: How much?
"""


@pytest.fixture
def minimal() -> str:
    """The text of a small valid worksheet file."""
    return MINIMAL


RECORD = """\
client: Jordan R.
therapist: Sam Lee
goals:
  - id: eat-well
    worksheet: smart-goals
    title: Eat fruit and vegetables every day
    set_on: 2026-11-02
    target_date: 2027-02-01
    answers:
      own-words: Eat better.
      importance: 8
    steps:
      - {text: Buy a notebook to log meals, due: 2026-11-05, done: true}
      - {text: Find three easy recipes, due: 2026-11-12}
    progress:
      - {date: 2026-11-09, rating: 4, note: Logged meals 5 of 7 days}
      - {date: 2026-11-16, rating: 5}
      - {date: 2026-11-23, rating: 7}
  - id: worry-less
    worksheet: worry-tree
    title: Handle money worries
    status: paused
"""
"""A client record as a therapist might keep it, for the tests of records and what is made from them."""


@cache
def fillable(worksheet_id: str, paper: str = "letter") -> bytes:
    """The fillable PDF of a worksheet, rendered once per test run."""
    project = Project.at(ROOT)
    catalog = load_catalog(project)
    html = render_document(environment(project), catalog, catalog.get(worksheet_id), mode="fillable", paper=paper)
    return render_pdf(html, project, forms=True).data


def fill(data: bytes, values: dict[str, str], target: Path) -> Path:
    """Type ``values`` into a fillable PDF, as a PDF reader would, and save it as ``target``."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(data)))
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    writer.write(target)
    return target


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium for the tests of one module (see browsing.py)."""
    from browsing import launch
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def read_fragment(text: str) -> dict:
    """The JSON a `worksheets link` fragment carries, read as the page's script reads it (base64url
    of raw DEFLATE); ValueError if it is not one."""
    import base64
    import json
    import zlib

    if not text.startswith("fill="):
        raise ValueError("not a fill fragment")
    packed = base64.urlsafe_b64decode(text[5:] + "=" * (-len(text[5:]) % 4))
    return json.loads(zlib.decompress(packed, -15).decode("utf-8"))
