"""The command line through click's CliRunner, exit codes included, and the site build."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from worksheets.site.builder import MARKER

from conftest import ROOT, pdf_text, run


def test_version_and_help():
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("worksheets, version ")
    code, out, _ = run("--help")
    assert code == 0
    for command in ("build", "pdf", "list", "fields", "check"):
        assert command in out


def test_list_shows_every_worksheet(catalog):
    code, out, _ = run("list")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [w.id for w in catalog.worksheets]
    assert "The worry tree" in out


def test_fields_prints_fillable_ids():
    code, out, _ = run("fields", "what-i-want")
    assert code == 0
    names = out.split()
    assert names[:4] == ["_name", "_date", "hope", "stopping"], "the header's Name and Date, then the sheet's own"
    assert "aims.coping" in names and "aims.coping.priority" in names
    code, out, _ = run("fields", "four-steps")
    assert "steps.5.done" in out.split() and "obstacles.3.plan" in out.split()
    code, out, _ = run("fields", "areas-of-life")
    assert "areas.other.label" in out.split() and "wheel" not in out.split()


def test_unknown_worksheet_is_a_usage_error():
    code, _, err = run("fields", "worry-tre")
    assert code == 2
    assert "no worksheet 'worry-tre'; did you mean 'worry-tree'?" in err


def test_check_passes_on_the_real_content():
    code, out, _ = run("check")
    assert code == 0 and out.startswith("OK: 10 worksheets")


def test_check_reports_file_line_col_and_exits_2(scratch, minimal):
    bad = scratch.worksheets_dir / "bad.yaml"
    bad.write_text(minimal.replace("kind: lines", "kind: line").replace("minutes: 5", "minutes: 0"))
    code, out, err = run("check", project=scratch.root)
    assert code == 2 and out == ""
    assert f"{bad}:5:10: expected at least 1, got 0\n" in err
    assert f"{bad}:18:15: unknown field kind 'line'; did you mean 'lines'?\n" in err
    assert "Traceback" not in err


def test_check_reports_template_syntax_errors(scratch):
    template = scratch.templates / "sheet.html"
    template.write_text(template.read_text() + "\n{% if %}\n")
    code, _, err = run("check", project=scratch.root)
    assert code == 2 and f"{template}:" in err and "template error" in err


def test_not_a_project(tmp_path):
    code, _, err = run("list", project=tmp_path)
    assert code == 2 and "not a worksheets project" in err


def test_pdf_writes_one_sheet(tmp_path):
    target = tmp_path / "out" / "tree.pdf"
    code, out, _ = run("pdf", "worry-tree", "--paper", "a4", "-o", str(target))
    assert code == 0 and f"Wrote {target}" in out
    page = PdfReader(target).pages[0]
    assert round(float(page.mediabox[3])) == 842
    assert "What am I worried about?" in pdf_text(target.read_bytes())


def test_pdf_example_is_filled_in(tmp_path, catalog):
    target = tmp_path / "example.pdf"
    code, _, _ = run("pdf", "grow", "--example", "-o", str(target))
    assert code == 0
    text = pdf_text(target.read_bytes())
    assert catalog.get("grow").example.client in text
    assert "Buy a cheap notebook to log meals, and find three easy recipes." in text


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_build_writes_pages_and_both_paper_sizes(built_site, catalog):
    built = built_site
    assert (built / MARKER).exists()
    index = (built / "index.html").read_text()
    for ws in catalog.worksheets:
        page = built / "worksheets" / f"{ws.id}.html"
        assert f'href="worksheets/{ws.id}.html"' in index
        html = page.read_text()
        for paper in ("letter", "a4"):
            assert (built / "pdf" / f"{ws.id}-{paper}.pdf").stat().st_size > 10_000
            assert f'href="../pdf/{ws.id}-{paper}.pdf"' in html
        assert ws.notes.watch_for.split()[0] in html
    assert (built / "assets" / "fonts" / "AtkinsonHyperlegible-Regular.ttf").exists()
    assert [p.name for p in built.parent.glob(".site.*")] == [".site.lock"], "staging folders are cleaned up"


def test_two_builds_are_byte_identical(built_site, tmp_path):
    again = tmp_path / "again"
    assert run("build", "--out", str(again))[0] == 0
    assert tree_digest(built_site) == tree_digest(again)


def test_build_one_paper_size(scratch, tmp_path):
    out = tmp_path / "letter-only"
    code, stdout, _ = run("build", "--out", str(out), "--paper", "letter", project=scratch.root)
    assert code == 0 and stdout.startswith("Rendered 55,")
    assert not list((out / "pdf").glob("*-a4.pdf"))


def test_build_refuses_a_folder_it_did_not_make(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    code, _, err = run("build", "--out", str(precious))
    assert code == 2 and "not a site built by worksheets" in err
    assert (precious / "notes.txt").read_text() == "keep me"
    code, _, err = run("build", "--out", str(ROOT))
    assert code == 2 and "holds the project's own files" in err


def test_failed_build_leaves_the_previous_site(scratch, tmp_path):
    out = tmp_path / "site"
    assert run("build", "--out", str(out), "--paper", "a4", project=scratch.root)[0] == 0
    before = tree_digest(out)
    css = scratch.templates / "css" / "sheet.css"
    css.write_text(css.read_text() + '\n.sheet { background: url("http://example.com/x.png"); }\n')
    code, _, err = run("build", "--out", str(out), "--paper", "a4", project=scratch.root)
    assert code == 1 and "refused to fetch http://example.com/x.png" in err
    assert tree_digest(out) == before
    assert [p.name for p in tmp_path.glob(".site.*")] == [".site.lock"], "no staging folder is left"


def test_bad_content_fails_the_build_with_exit_2(scratch, tmp_path):
    (scratch.worksheets_dir / "grow.yaml").write_text("title: [unclosed\n")
    code, _, err = run("build", "--out", str(tmp_path / "site"), project=scratch.root)
    assert code == 2 and err.startswith(f"{scratch.worksheets_dir / 'grow.yaml'}:2:1: invalid YAML")
    assert not (tmp_path / "site").exists()


def test_build_py_is_worksheets_build(scratch, tmp_path):
    out = tmp_path / "site"
    shutil.copy(ROOT / "build.py", scratch.root / "build.py")
    result = subprocess.run(
        [sys.executable, "build.py", "--out", str(out), "--paper", "a4"],
        cwd=scratch.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Rendered 55, up to date 0, removed 0")
    assert (out / "pdf" / "grow-a4.pdf").exists()


def test_a_template_error_while_building_is_reported_without_traceback(scratch, tmp_path):
    page = scratch.templates / "page.html"
    page.write_text(page.read_text().replace("{{ ws.summary }}", "{{ ws.summry }}", 1))
    code, _, err = run("build", "--out", str(tmp_path / "site"), project=scratch.root)
    assert code == 1 and "template page.html:" in err and "summry" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--worksheets", ","], "Invalid value for --worksheets: no worksheet ids; give them as a,b,c"),
        (["--worksheets", " , ,"], "Invalid value for --worksheets: no worksheet ids; give them as a,b,c"),
        (["--worksheets", "grow,smart-goals,grow"], "Invalid value for --worksheets: 'grow' is given more than once"),
    ],
    ids=["comma", "blanks", "twice"],
)
def test_a_packet_of_your_own_is_checked_like_a_packet_file(tmp_path, args, message):
    """What the options ask for is checked before any model is built: a usage error, never a
    validation traceback, and no PDF."""
    target = tmp_path / "mine.pdf"
    code, out, err = run("packet", *args, "-o", str(target))
    assert code == 2 and out == "" and message in err
    assert "Traceback" not in err and not target.exists()


def test_a_packet_of_sheets_with_long_titles_is_refused_with_a_message(scratch, write_sheet, minimal, tmp_path):
    """Its summary, the sheets' titles joined, would be longer than a packet's summary may be."""
    for name in ("long-one", "long-two"):
        write_sheet(f"{name}.yaml", minimal.replace("title: Test sheet", "title: " + "x" * 10_001))
    target = tmp_path / "long.pdf"
    code, _, err = run("packet", "--worksheets", "long-one,long-two", "-o", str(target), project=scratch.root)
    assert code == 2 and "Invalid value for --worksheets: the packet's summary (the titles of its" in err
    assert "Traceback" not in err and not target.exists()


def test_a_file_that_cannot_be_written_is_a_message_not_a_traceback(tmp_path):
    """A folder that cannot be made or written (here a path through a file, which fails even for
    root) ends with the path and the reason, exit 1, as a full disk or a read-only folder would."""
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder\n")
    result = subprocess.run(
        [sys.executable, "-m", "worksheets", "--project", str(ROOT), "pdf", "grow", "-o", str(blocker / "grow.pdf")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"error: {blocker}: ") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr
