"""Markdown in content never carries script into the site, and never makes a build fetch anything."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import ClassVar

import pytest
from PIL import Image
from pypdf import PdfReader

from worksheets.content.markup import MAX_NESTING, nesting_problem, url_problems
from worksheets.project import Project
from worksheets.site.builder import build

from conftest import pdf_text, run

HOSTILE = """\
Plain words stay.

<script>alert("script")</script>
<p onclick="alert('click')" style="color:red">Click me</p>
<img alt="x" onerror="alert('img')" src="images/calm.png">
<style>body { display: none }</style>
<form action="images/calm.png"><input name="secret"></form>
[A safe link](https://example.org/help) and [mail](mailto:someone@example.org).
"""


def _picture(project: Project) -> None:
    folder = project.content / "images"
    folder.mkdir()
    Image.new("RGB", (120, 60), (90, 140, 180)).save(folder / "calm.png")


def _set_intro(project: Project, sheet: str, intro: str) -> Path:
    path = project.worksheets_dir / f"{sheet}.yaml"
    text = path.read_text()
    start = text.index("intro: |\n")
    end = text.index("\nnotes:", start)
    block = "".join(f"  {line}\n" if line else "\n" for line in intro.splitlines())
    path.write_text(text[:start] + "intro: |\n" + block.rstrip("\n") + text[end:])
    return path


def test_raw_html_is_sanitised_on_pages_and_in_pdfs(scratch: Project, tmp_path: Path):
    _picture(scratch)
    _set_intro(scratch, "worry-tree", HOSTILE)
    out = tmp_path / "site"
    build(scratch, out, pdfs=False)
    page = (out / "worksheets" / "worry-tree.html").read_text()
    # The page's own scripts, exactly as written (the script, and its data up to the line's end),
    # are left out of the search; any other script is content that got through.
    script = (scratch.templates / "sheet.js").read_text().strip()
    page, found = re.subn(r'<script type="module">\s*' + re.escape(script) + r"\s*</script>", "", page)
    assert found == 1
    page = re.sub(r'<script type="application/json" id="sheet-data">[^\n]*</script>', "", page, count=1)
    assert "Plain words stay." in page and "Click me" in page
    for bad in ("<script", "alert(", "onclick", "onerror", "display: none", "<form", 'name="secret"'):
        assert bad not in page, bad
    assert '<a href="https://example.org/help" rel="noopener noreferrer">A safe link</a>' in page
    assert '<img alt="x" src="../assets/images/calm.png">' in page
    assert (out / "assets" / "images" / "calm.png").is_file()

    pdf = tmp_path / "tree.pdf"
    code, _, err = run("pdf", "worry-tree", "-o", str(pdf), project=scratch.root)
    assert code == 0, err
    text = pdf_text(pdf.read_bytes())
    assert "Plain words stay." in text and "alert" not in text
    assert len(PdfReader(BytesIO(pdf.read_bytes())).pages[0].images) == 1, "the picture from content/images"


class _Counting(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counting.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Counting.requests = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("![Lake]({server}/lake.png)", "the image {server}/lake.png is not a file of this project"),
        ('<img src="{server}/raw.png" alt="">', "the image {server}/raw.png is not a file of this project"),
        ("![Lake](file:///etc/hostname)", "the image file:///etc/hostname is not a file of this project"),
        ("![Lake](../../templates/favicon.svg)", "the image ../../templates/favicon.svg is outside content/images/"),
        ("[Help]({server}/help)", "the link {server}/help is not secure; use https:"),
        ("[Run](javascript:alert(1))", "the link javascript:alert(1) is not allowed"),
        ('<a href="&#106;avascript:alert(1)">Run</a>', "the link javascript:alert(1) is not allowed"),
    ],
)
def test_a_remote_or_file_address_stops_the_build_before_any_connection(scratch, tmp_path, server, markdown, message):
    path = _set_intro(scratch, "grow", "Before.\n\n" + markdown.format(server=server))
    out = tmp_path / "site"
    code, _, err = run("build", "--out", str(out), project=scratch.root)
    assert code == 2
    assert f"{path}:" in err and message.format(server=server) in err
    assert not out.exists()
    assert _Counting.requests == [], "the build made a request"


def test_links_inside_the_site_and_images_in_content_images_are_allowed(project):
    markdown = "[All sheets](../index.html#all), [top](#top), ![Lake](images/none.png)"
    missing = f"the image images/none.png does not exist (looked for {project.content / 'images' / 'none.png'})"
    assert url_problems(markdown, project.content) == [("images/none.png", missing)]


def test_a_link_out_of_content_images_is_never_published(scratch, tmp_path):
    """More cases, links out of the project among them, are in ``test_links.py``."""
    images = scratch.content / "images"
    images.mkdir()
    (images / "notes.png").symlink_to(scratch.content / "site.yaml")
    out = tmp_path / "site"
    for args in (["build", "--out", str(out), "--paper", "a4"], ["check"]):
        code, _, err = run(*args, project=scratch.root)
        assert code == 2 and err.startswith(f"{images / 'notes.png'}:1:1: this symbolic link leads to ")
        assert "outside content/images/, a folder published whole" in err
    assert not out.exists()


def _nested(kind: str, levels: int) -> str:
    """Markdown nested ``levels`` deep: quotes in quotes, a list in a list, or raw emphasis."""
    if kind == "quotes":
        return "> " * levels + f"Quote {levels}."
    if kind == "list":
        return "".join("    " * k + f"- Item {k + 1}\n" for k in range(levels))
    return "<em><strong>" * (levels // 2) + f"Emphasis {levels}." + "</strong></em>" * (levels // 2)


@pytest.mark.parametrize(
    ("kind", "fits", "too_deep"),
    [("quotes", 19, 20), ("list", 10, 11), ("emphasis", 18, 20)],
)
def test_markdown_may_nest_up_to_the_limit(kind, fits, too_deep):
    """The limit counts elements of HTML: a quote is one (plus its paragraph), a list level two."""
    assert nesting_problem(_nested(kind, fits)) is None
    problem = nesting_problem("Some words.\n\n" + _nested(kind, too_deep))
    assert problem is not None and problem[1].startswith(
        f"quotes, lists or HTML elements here are nested more than {MAX_NESTING}"
    )
    assert problem[0] == (1 + too_deep if kind == "list" else 2), "the line where it goes too deep"


def test_markdown_too_deep_for_python_markdown_itself_gets_a_message():
    """Python-Markdown fails with a RecursionError near 250 levels of list; it is never asked."""
    text = "".join("    " * k + "- item\n" for k in range(400))
    problem = nesting_problem(text)
    assert problem is not None and problem[0] == 10, "the eleventh level: 22 elements"


def test_a_sheet_nested_up_to_the_limit_renders(scratch, tmp_path):
    """The limit is far below what WeasyPrint copes with: a sheet with every kind of nesting at
    the limit renders, and its deepest words are in the PDF's text. (Where they land on the page
    is the stylesheet's: quotes keep the default side margins, so 19 of them push text off it.)"""
    deepest = "\n\n".join(_nested(kind, levels) for kind, levels in (("quotes", 19), ("list", 10), ("emphasis", 18)))
    _set_intro(scratch, "grow", deepest)
    assert run("check", project=scratch.root)[0] == 0
    pdf = tmp_path / "grow.pdf"
    code, _, err = run("pdf", "grow", "-o", str(pdf), project=scratch.root)
    assert code == 0, err
    text = pdf_text(pdf.read_bytes())
    for words in ("Quote 19.", "Item 10", "Emphasis 18."):
        assert words in text
