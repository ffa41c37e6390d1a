"""Symbolic links: nothing from outside the project is read, printed, published or served.

Each case makes a real link with ``ln -s`` in a copy of the project, then runs the real command
line: every command that opens the project stops with status 2 and a message naming the link and
where it leads, and nothing is written. Links that stay inside the project keep working.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from worksheets.errors import RenderError
from worksheets.project import Project
from worksheets.render.pdf import write_pdf
from worksheets.site.preview import Preview

from conftest import ROOT

SECRET = "a private note that must never be published"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the project in ``tmp_path/project``, with a private folder beside it."""
    project = tmp_path / "project"
    for part in ("content", "templates"):
        shutil.copytree(ROOT / part, project / part)
    private = tmp_path / "private"
    private.mkdir()
    (private / "notes.txt").write_text(SECRET)
    return project


def private_note(root: Path) -> Path:
    return root.parent / "private" / "notes.txt"


def ln_s(target: Path | str, link: Path) -> None:
    subprocess.run(["ln", "-s", str(target), str(link)], check=True)


def moved_out(root: Path, part: str) -> Path:
    """Move ``part`` of the project out of it, link it back in; return where it went."""
    elsewhere = root.parent / "elsewhere" / part.replace("/", "-")
    elsewhere.parent.mkdir(exist_ok=True)
    (root / part).rename(elsewhere)
    ln_s(elsewhere, root / part)
    return elsewhere


def worksheets(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "worksheets", "--project", str(root), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def snapshot(folder: Path) -> dict[str, str]:
    """Every name under ``folder`` with what it is: a link's target, a file's bytes (not followed)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        found[name] = os.readlink(path) if path.is_symlink() else path.read_text("latin-1") if path.is_file() else "/"
    return found


def outside(link: Path, target: Path, root: Path) -> str:
    return f"{link}:1:1: this symbolic link leads to {target.resolve()}, outside the project ({root})"


CASES = {
    "images folder": lambda root: (root / "content" / "images", root.parent / "private"),
    "templates folder": lambda root: (root / "templates", moved_out(root, "templates")),
    "fonts folder": lambda root: (root / "templates" / "fonts", moved_out(root, "templates/fonts")),
    "content folder": lambda root: (root / "content", moved_out(root, "content")),
    "one stylesheet": lambda root: (root / "templates" / "css" / "notes.css", private_note(root)),
    "one worksheet": lambda root: (root / "content" / "worksheets" / "notes.yaml", private_note(root)),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_link_out_of_the_project_stops_check_and_build(root, case, command):
    link, target = CASES[case](root)
    if not link.is_symlink():
        ln_s(target, link)
    before = snapshot(root.parent)
    result = worksheets(root, command, *(["--out", str(root.parent / "site")] if command == "build" else []))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(outside(link, target, root)), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(root.parent) == before, "nothing written"
    assert not (root.parent / "site").exists() and not list(root.parent.glob(".site*")), "nothing built"


@pytest.mark.parametrize(
    "args",
    [["list"], ["fields", "grow"], ["pdf", "grow", "-o", "grow.pdf"], ["packet", "getting-started", "-o", "p.pdf"]],
    ids=lambda args: args[0],
)
def test_every_command_that_opens_the_project_refuses_a_linked_templates_folder(root, args):
    target = moved_out(root, "templates")
    result = subprocess.run(
        [sys.executable, "-m", "worksheets", "--project", str(root), *args],
        capture_output=True,
        text=True,
        cwd=root.parent,
        check=False,
    )
    assert result.returncode == 2 and result.stderr.startswith(outside(root / "templates", target, root))
    assert not list(root.parent.glob("*.pdf")), "nothing written"


def test_a_link_inside_a_published_folder_must_stay_in_that_folder(root):
    """A link in content/images to another file of the project would publish that file."""
    link = root / "content" / "images" / "favicon.svg"
    link.parent.mkdir()
    ln_s("../../templates/favicon.svg", link)
    result = worksheets(root, "check")
    assert result.returncode == 2
    expected = f"{link}:1:1: this symbolic link leads to {root / 'templates' / 'favicon.svg'}, outside content/images/"
    assert result.stderr.startswith(expected), result.stderr


def test_links_that_go_round_in_a_loop_are_refused(root):
    images = root / "content" / "images"
    images.mkdir()
    ln_s("a.png", images / "b.png")
    ln_s("b.png", images / "a.png")
    result = worksheets(root, "check")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{images / 'a.png'}:1:1: cannot follow this path" in result.stderr


def test_a_linked_folder_inside_the_project_is_read_printed_and_published(root, tmp_path):
    """Links that stay inside the project are fine, in the check, the PDF fetcher and the site."""
    shared = root / "shared"
    shared.mkdir()
    Image.new("RGB", (120, 60), (90, 140, 180)).save(shared / "calm.png")
    ln_s("../shared", root / "content" / "images")
    grow = root / "content" / "worksheets" / "grow.yaml"
    grow.write_text(grow.read_text().replace("intro: |\n", "intro: |\n  ![Calm](images/calm.png)\n\n", 1))
    assert worksheets(root, "check").returncode == 0
    pdf = tmp_path / "grow.pdf"
    result = worksheets(root, "pdf", "grow", "-o", str(pdf))
    assert result.returncode == 0, result.stderr
    assert len(PdfReader(pdf).pages[0].images) == 1, "the picture, read through the link"
    from worksheets.site.builder import build

    build(Project.at(root), tmp_path / "site", pdfs=False)
    assert (tmp_path / "site" / "assets" / "images" / "calm.png").read_bytes() == (shared / "calm.png").read_bytes()


def test_the_pdf_fetcher_judges_a_linked_folder_by_where_it_leads(root):
    """Even for a project opened without ``Project.at``, a stylesheet read through a linked
    ``templates/`` that leads out of the project is refused."""
    moved_out(root, "templates")
    # As paper.html does: the bundled fonts' rules first (text in a system font is no part of a PDF
    # we make, and WeasyPrint 70 has been seen to crash on one), then the sheet's.
    links = '<link rel="stylesheet" href="css/pdf-fonts.css"><link rel="stylesheet" href="css/sheet.css">'
    html = f"<html><head>{links}</head><body>x</body></html>"
    with pytest.raises(RenderError, match=r"refused to fetch file://.*/templates/css/(pdf-fonts|sheet)\.css"):
        write_pdf(html, Project(root))
    shutil.copytree(root.parent / "elsewhere" / "templates", root / "real-templates")
    (root / "templates").unlink()
    ln_s("real-templates", root / "templates")
    assert write_pdf(html, Project(root)).startswith(b"%PDF"), "a link inside the project is fine"


def test_the_preview_checks_links_again_on_every_rebuild(root):
    """A link added while ``serve`` runs is refused like one there at the start: the preview keeps
    the last good build and shows the problem; nothing of the linked folder is served."""
    preview = Preview(Project.at(root), ("a4",), pdfs=False)
    try:
        preview.rebuild(lambda _: None)
        assert preview.error == "" and (preview.out / "index.html").is_file()
        ln_s(root.parent / "private", root / "content" / "images")
        messages: list[str] = []
        preview.rebuild(messages.append)
        assert preview.error.startswith(outside(root / "content" / "images", root.parent / "private", root))
        assert "Build failed" in messages[0]
        assert not (preview.out / "assets" / "images").exists()
        assert SECRET not in "".join(p.read_text("latin-1") for p in preview.out.rglob("*") if p.is_file())
    finally:
        preview.close()
