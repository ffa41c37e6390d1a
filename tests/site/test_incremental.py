"""Incremental and parallel builds: only what changed is rendered, and the result is the same."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from worksheets.project import Project
from worksheets.render.sections import Layout
from worksheets.site.builder import build
from worksheets.site.freshness import MANIFEST
from worksheets.site.sections import SectionCache

from conftest import ROOT, run


@pytest.fixture
def small(scratch):
    """The scratch project cut down to two worksheets and one packet, so builds take seconds."""
    keep = {"worry-tree", "progress-and-wins"}
    for path in scratch.worksheets_dir.glob("*.yaml"):
        if path.stem not in keep:
            path.unlink()
    for path in (scratch.content / "packets").glob("*.yaml"):
        path.unlink()
    (scratch.content / "packets" / "worry.yaml").write_text(
        "title: Worry\nsummary: Two sheets.\nworksheets: [worry-tree, progress-and-wins]\n"
    )
    site = scratch.content / "site.yaml"
    site.write_text(site.read_text().replace("first-session: First session\n", ""))
    return scratch


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def test_rebuilds_render_only_what_changed(small, tmp_path):
    out = tmp_path / "site"
    first = build(small, out, ("a4",), jobs=2)
    assert (first.rendered, first.up_to_date, first.removed) == (11, 0, 0), "5 formats x 2 sheets + 1 packet"
    again = build(small, out, ("a4",), jobs=2)
    assert (again.rendered, again.up_to_date) == (0, 11)

    sheet = small.worksheets_dir / "worry-tree.yaml"
    sheet.write_text(sheet.read_text().replace("Can I do it now?", "Can I do it today?"))
    before = digests(out)
    changed = build(small, out, ("a4",), jobs=2)
    assert (changed.rendered, changed.up_to_date) == (6, 5), "the worry tree's 5 formats and the packet"
    after = digests(out)
    differ = {path for path in after if before.get(path) != after[path] and path.startswith("pdf/")}
    assert differ == {
        f"pdf/worry-tree-a4{suffix}.pdf" for suffix in ("", "-fillable", "-large-print", "-low-ink", "-dyslexia")
    } | {"pdf/packet-worry-a4.pdf"}

    (small.worksheets_dir / "progress-and-wins.yaml").unlink()
    (small.content / "packets" / "worry.yaml").write_text("title: Worry\nsummary: One.\nworksheets: [worry-tree]\n")
    site = small.content / "site.yaml"
    site.write_text(site.read_text().replace("progress_sheet: progress-and-wins", ""))
    removed = build(small, out, ("a4",), jobs=2)
    assert removed.removed >= 6 and removed.rendered == 1, "its 5 PDFs and its page go; the packet changes"
    assert not list(out.rglob("*progress-and-wins*"))

    clean = build(small, out, ("a4",), clean=True, jobs=2)
    assert clean.rendered == 6 and clean.up_to_date == 0


def test_parallel_and_serial_builds_are_identical(small, tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    build(small, serial, ("letter",), jobs=1)
    build(small, parallel, ("letter",), jobs=2)
    assert digests(serial) == digests(parallel)


def _when_rendering_starts(project: Project, out: Path) -> tuple[int, int]:
    """A build's PDFs to render, and how many worker processes are running when it starts to
    render them (its progress is set up then)."""
    seen = []
    before = set(multiprocessing.active_children())

    def progress(count: int) -> Callable[[int], None]:
        seen.append((count, len(set(multiprocessing.active_children()) - before)))
        return lambda done: None

    build(project, out, ("a4",), jobs=2, progress=progress)
    return seen[0]


def test_workers_start_while_the_site_is_planned_and_only_for_pdfs(small, tmp_path):
    out = tmp_path / "site"
    build(small, out, ("a4",), jobs=2)
    sheet = small.worksheets_dir / "worry-tree.yaml"
    sheet.write_text(sheet.read_text().replace("Can I do it now?", "Can I do it today?"))
    assert _when_rendering_starts(small, out) == (6, 2), "both workers started before any PDF was handed over"
    about = small.content / "pages" / "about.yaml"
    about.write_text(about.read_text().replace("Who made these worksheets", "Who wrote these worksheets"))
    assert _when_rendering_starts(small, out) == (0, 0), "a change to a page alone starts no worker"


NO_OP = """
import sys
from click.testing import CliRunner
from worksheets.cli import cli
result = CliRunner().invoke(cli, ["--project", {root!r}, "build", "--out", {out!r}, "--paper", "a4"])
print(result.output.strip())
print("weasyprint" in sys.modules, "worksheets.content.loader" in sys.modules)
"""


def test_a_no_op_rebuild_loads_nothing(small, tmp_path):
    out = tmp_path / "site"
    build(small, out, ("a4",))
    code = NO_OP.format(root=str(small.root), out=str(out))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    summary, loaded = result.stdout.strip().splitlines()
    assert summary.startswith("Rendered 0, up to date 11, removed 0")
    assert loaded == "False False", "no WeasyPrint and no content models were imported"


def test_the_keys_name_every_package_that_decides_a_pdf():
    """An upgrade of pydyf or fontTools changes a PDF's bytes, so it renders the PDFs again; the
    cluster's workers are held to the same packages (``render/versions.py``)."""
    from worksheets.render.cluster import versions as cluster_versions
    from worksheets.site.freshness import versions

    for name in ("worksheets", "weasyprint", "pydyf", "fonttools"):
        assert f"{name} {version(name)}" in versions()
        assert cluster_versions()[name] == version(name)


def test_a_manifest_records_every_output(small, tmp_path):
    out = tmp_path / "site"
    build(small, out, ("a4",))
    manifest = json.loads((out / MANIFEST).read_text())
    assert set(manifest["pdfs"]) == {str(p.relative_to(out)) for p in out.glob("pdf/*.pdf")}
    assert set(manifest["files"]) == set(digests(out))
    for entry in manifest["pdfs"].values():
        assert len(entry["key"]) == 64 and entry["size"] > 0 and entry["pages"] >= 1


def test_build_command_summary_and_quiet(small, tmp_path):
    out = tmp_path / "site"
    code, stdout, _ = run("build", "--out", str(out), "--paper", "a4", "--jobs", "1", project=small.root)
    assert code == 0 and stdout.startswith("Rendered 11, up to date 0, removed 0, in ")
    code, stdout, _ = run("build", "--out", str(out), "--paper", "a4", "--quiet", project=small.root)
    assert code == 0 and stdout == ""
    code, stdout, _ = run("build", "--out", str(out), "--paper", "a4", "--clean", project=small.root)
    assert stdout.startswith("Rendered 11, up to date 0")


def _spoilt(good: dict, how: str) -> str:
    """The JSON of manifest ``good`` spoilt in one way, keeping its inputs' key so that the build
    trusts the rest and reads it."""
    spoilt = {
        "list": [],
        "files-number": {**good, "files": 3},
        "file-number": {**good, "files": [1]},
    }
    return "[" * 100_000 if how == "deep" else json.dumps(spoilt[how])


@pytest.mark.parametrize("how", ["list", "files-number", "file-number", "deep"])
def test_a_manifest_of_the_wrong_shape_is_no_manifest(small, tmp_path, how):
    """A manifest a build cannot trust costs one full build, not every build until --clean."""
    out = tmp_path / "site"
    build(small, out, ("a4",), pdfs=False)
    (out / MANIFEST).write_text(_spoilt(json.loads((out / MANIFEST).read_text()), how))
    before = digests(out)
    build(small, out, ("a4",), pdfs=False)
    assert json.loads((out / MANIFEST).read_text())["files"], "a good manifest again"
    assert digests(out) == before


def test_after_a_manifest_of_the_wrong_shape_every_pdf_is_rendered_again(small, tmp_path):
    """A PDF's entry that is not what a build writes (its size as text) spoils the manifest."""
    out = tmp_path / "site"
    assert run("build", "--out", str(out), "--paper", "a4", project=small.root)[0] == 0
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["inputs"] = "changed"
    manifest["pdfs"]["pdf/worry-tree-a4.pdf"]["size"] = "big"
    (out / MANIFEST).write_text(json.dumps(manifest))
    code, stdout, err = run("build", "--out", str(out), "--paper", "a4", project=small.root)
    assert code == 0 and stdout.startswith("Rendered 11, up to date 0"), err
    assert run("build", "--out", str(out), "--paper", "a4", project=small.root)[1].startswith("Rendered 0, up to")


def test_changing_one_spanish_translation_changes_only_spanish_pdfs(scratch_languages):
    """A PDF is rendered again when its key changes, and its key is made from its HTML: a change
    to es.po must change the keys of Spanish PDFs, and of no other."""
    from worksheets.content import load_catalog
    from worksheets.render import environment
    from worksheets.site import editions, plan_pdfs

    def keys() -> dict[str, str]:
        catalog = load_catalog(scratch_languages)
        env = environment(scratch_languages)
        return {
            p.path: p.key
            for c, folder in editions(scratch_languages, catalog)[0]
            for p in plan_pdfs(env, scratch_languages, c, ("letter",), folder)
        }

    before = keys()
    po = scratch_languages.content / "translations" / "es.po"
    text = po.read_text(encoding="utf-8")
    old = 'msgstr "¿Qué quiero?"'
    assert old in text
    po.write_text(text.replace(old, 'msgstr "¿Qué es lo que quiero?"', 1), encoding="utf-8")
    after = keys()
    changed = {path for path in before if before[path] != after[path]}
    assert changed, "the Spanish SMART sheet changed"
    assert all(path.startswith("es/") for path in changed), sorted(changed)
    assert "es/pdf/smart-goals-letter.pdf" in changed and "es/pdf/grow-letter.pdf" not in changed


def test_a_build_after_a_spanish_change_renders_only_that_spanish_sheet(small, tmp_path):
    shutil.copytree(ROOT / "content" / "translations", small.content / "translations")
    out = tmp_path / "site"
    first = build(small, out, ("letter",))
    assert first.rendered == 2 * 5 * 3 + 1, "two sheets in three languages, five formats each; the packet in English"
    assert any("packet 'worry' left out" in note for note in first.notes), "its title is not translated"
    po = small.content / "translations" / "es.po"
    text = po.read_text(encoding="utf-8")
    old = 'msgstr "El árbol de la preocupación"'
    assert old in text
    po.write_text(text.replace(old, 'msgstr "El árbol de las preocupaciones"', 1), encoding="utf-8")
    second = build(small, out, ("letter",))
    assert (second.rendered, second.up_to_date) == (5, 2 * 5 * 3 + 1 - 5), "the Spanish worry tree's five PDFs"
    assert "El árbol de las preocupaciones" in (out / "es" / "worksheets" / "worry-tree.html").read_text("utf-8")


def test_a_changed_sheet_renders_only_its_own_section_and_the_packet_is_the_same(small, tmp_path, monkeypatch):
    """Packets are joined from parts kept between builds (``site/sections.py``): a change to one
    sheet renders that sheet's part again, alone, and the packet comes out byte for byte as a
    clean build, which lays the packet out whole, makes it. The packet is not laid out whole: the
    kept front, other part and layout are not written again (each write is a new file)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kept = tmp_path / "cache" / "worksheets" / "sections"
    out = tmp_path / "site"
    build(small, out, ("a4",), jobs=2)
    first = set(kept.glob("*.pdf"))
    assert len(first) == 3, "the front and the two sheets' parts"
    assert len(list(kept.glob("*.json"))) == 1, "the packet's layout"
    files = {path: path.stat().st_ino for path in kept.iterdir()}
    sheet = small.worksheets_dir / "worry-tree.yaml"
    sheet.write_text(sheet.read_text().replace("Can I do it now?", "Can I do it today?"))
    build(small, out, ("a4",), jobs=2)
    assert len(set(kept.glob("*.pdf")) - first) == 1, "the worry tree's part; the front and the other are unchanged"
    assert {path: path.stat().st_ino for path in files} == files, "nothing kept before was written again"
    assert_same_as_clean_builds(small, tmp_path, out, "clean-1")
    assert "Can I do it today?" in PdfReader(out / PACKET).pages[2].extract_text()


PACKET = "pdf/packet-worry-a4.pdf"
LONGER = "then act or let go.\n" + "".join(["\n  Say what the worry is, then what it is about.\n"] * 40)
"""What makes the worry tree's sheet a page longer (a change to ``worry-tree.yaml``)."""


def assert_same_as_clean_builds(small: Project, tmp_path: Path, out: Path, name: str) -> None:
    """The packet built in ``out`` has the bytes of the packet of two clean builds."""
    clean = [tmp_path / f"{name}-a", tmp_path / f"{name}-b"]
    for folder in clean:
        build(small, folder, ("a4",), clean=True, jobs=1)
    incremental = (out / PACKET).read_bytes()
    assert incremental == (clean[0] / PACKET).read_bytes() == (clean[1] / PACKET).read_bytes()


def test_a_sheet_that_grows_a_page_lays_the_packet_out_again(small, tmp_path, monkeypatch):
    """A changed sheet with another number of pages moves every later page number and the total:
    the packet is laid out whole again, every part kept anew, and it is what a clean build makes."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kept = tmp_path / "cache" / "worksheets" / "sections"
    out = tmp_path / "site"
    build(small, out, ("a4",), jobs=2)
    first, pages = set(kept.glob("*.pdf")), len(PdfReader(out / PACKET).pages)
    sheet = small.worksheets_dir / "worry-tree.yaml"
    sheet.write_text(sheet.read_text().replace("then act or let go.\n", LONGER, 1))
    build(small, out, ("a4",), jobs=2)
    assert len(PdfReader(out / PACKET).pages) > pages, "the change adds pages"
    assert len(set(kept.glob("*.pdf")) - first) == 3, "the front and both sheets' parts, renumbered"
    assert_same_as_clean_builds(small, tmp_path, out, "clean")


def test_a_packet_that_gains_its_guides_is_laid_out_again(small, tmp_path, monkeypatch):
    """A kept layout is of the packet as it was: with its guides turned on, the packet has as many
    parts but its contents link to the guides too, which the kept layout does not place. The
    packet is laid out whole again (it once stopped every build until --clean)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "site"
    build(small, out, ("a4",), jobs=2)
    packet = small.content / "packets" / "worry.yaml"
    packet.write_text(packet.read_text() + "include_guide: true\n")
    build(small, out, ("a4",), jobs=2)
    assert_same_as_clean_builds(small, tmp_path, out, "clean")


def test_a_packet_template_from_before_sections_is_refused_by_name(small, tmp_path):
    """A project keeps its own templates: a packet.html written before packets were rendered in
    sections ignores ``part``, so each section would be the whole packet. The build says which
    template and what it lacks, exits with status 2 and writes nothing."""
    template = small.templates / "packet.html"
    template.write_text(
        '{% extends "paper.html" %}{% block title %}{{ packet.title }}{% endblock %}\n'
        "{% block body %}{% for ws in sheets %}{% include 'sheet.html' %}{% endfor %}{% endblock %}\n",
        encoding="utf-8",
    )
    out = tmp_path / "site"
    code, stdout, stderr = run("build", "--out", str(out), "--paper", "a4", project=small.root)
    assert code == 2, stdout + stderr
    assert f"{template}:1:1: this packet template does not use 'part', 'numbers', 'first', 'total'" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()


@pytest.mark.parametrize("grows", [False, True], ids=["same pages", "a page longer"])
def test_a_change_undone_gives_the_packet_of_a_clean_build(small, tmp_path, monkeypatch, grows):
    """A change, a build, the change undone, a build: the parts kept from the first build and
    the front and layout kept from the second meet, and the packet must still be what a clean
    build makes (it once took a front numbered for the change beside the sheet's old part)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "site"
    sheet = small.worksheets_dir / "worry-tree.yaml"
    original = sheet.read_text()
    changed = original.replace("then act or let go.\n", LONGER, 1) if grows else original.replace("now?", "today?")
    assert changed != original
    build(small, out, ("a4",), jobs=2)
    pages = len(PdfReader(out / PACKET).pages)
    sheet.write_text(changed)
    build(small, out, ("a4",), jobs=2)
    assert (len(PdfReader(out / PACKET).pages) > pages) == grows
    sheet.write_text(original)
    build(small, out, ("a4",), jobs=2)
    assert len(PdfReader(out / PACKET).pages) == pages
    assert_same_as_clean_builds(small, tmp_path, out, "clean")


def test_a_sheet_swapped_for_a_longer_one_renumbers_the_packet(small, tmp_path, monkeypatch):
    """A packet whose first sheet is swapped for one with more pages has the same number of
    parts, but every page after it moves: it is what a clean build makes."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "site"
    longer = (ROOT / "content" / "worksheets" / "goal-attainment-scale.yaml").read_text()
    more = "  have come.\n" + "".join(["\n  Say what more or less progress would look like.\n"] * 40)
    (small.worksheets_dir / "goal-attainment-scale.yaml").write_text(longer.replace("  have come.\n", more, 1))
    build(small, out, ("a4",), jobs=2)
    pages = len(PdfReader(out / PACKET).pages)
    packet = small.content / "packets" / "worry.yaml"
    packet.write_text(packet.read_text().replace("[worry-tree,", "[goal-attainment-scale,"))
    build(small, out, ("a4",), jobs=2)
    assert len(PdfReader(out / PACKET).pages) > pages, "the swapped sheet has more pages"
    assert_same_as_clean_builds(small, tmp_path, out, "clean")


def kept_part(kept: Path, sheet: str) -> Path:
    """The kept part of ``sheet`` alone: the one PDF whose only named destinations are its own
    (the front has a stand-in of every sheet's)."""
    found = []
    for path in kept.glob("*.pdf"):
        with pikepdf.open(path) as pdf:
            names = {str(name) for name, _ in pikepdf.NameTree(pdf.Root.Names.Dests).items()}
        if names and all(name.startswith(f"{sheet}-") for name in names):
            found.append(path)
    assert len(found) == 1, found
    return found[0]


def _as_another_version_wrote_it(path: Path, change: Callable[[pikepdf.Pdf], None]) -> None:
    """The kept PDF at ``path`` changed by ``change`` and kept under the same key, named with
    the digest of its new bytes, as a build of another version of worksheets would keep it."""
    with pikepdf.open(BytesIO(path.read_bytes())) as pdf:
        change(pdf)
        out = BytesIO()
        pdf.save(out)
    data = out.getvalue()
    path.unlink()
    key = path.name.split(".")[0]
    (path.parent / f"{key}.{hashlib.sha256(data).hexdigest()[:16]}.pdf").write_bytes(data)


def _untagged(pdf: pikepdf.Pdf) -> None:
    del pdf.Root.StructTreeRoot


def _destinations_off_the_pages(pdf: pikepdf.Pdf) -> None:
    for _, destination in pikepdf.NameTree(pdf.Root.Names.Dests).items():
        destination[0] = 0


DAMAGED_PARTS = {
    "edited: another part's PDF": lambda path, kept: shutil.copy(kept_part(kept, "worry-tree"), path),
    "a folder": lambda path, kept: (path.unlink(), path.mkdir()),
    "another version's, untagged": lambda path, kept: _as_another_version_wrote_it(path, _untagged),
    "another version's, destinations off the pages": lambda path, kept: _as_another_version_wrote_it(
        path, _destinations_off_the_pages
    ),
}


@pytest.mark.parametrize("damage", DAMAGED_PARTS.values(), ids=DAMAGED_PARTS.keys())
def test_a_damaged_kept_part_is_laid_out_again(small, tmp_path, monkeypatch, damage):
    """A kept part that is not what this build writes (edited since it was kept, or kept by
    another version of worksheets under the same key) is never joined as it is, nor a traceback:
    the part is rendered again or the packet laid out whole, and it is what a clean build makes."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kept = tmp_path / "cache" / "worksheets" / "sections"
    out = tmp_path / "site"
    build(small, out, ("a4",), jobs=2)
    damage(kept_part(kept, "progress-and-wins"), kept)
    sheet = small.worksheets_dir / "worry-tree.yaml"
    sheet.write_text(sheet.read_text().replace("now?", "today?"))  # the packet is made again
    code, _, stderr = run("build", "--out", str(out), "--paper", "a4", "--jobs", "2", project=small.root)
    assert code == 0 and "Traceback" not in stderr, stderr
    assert_same_as_clean_builds(small, tmp_path, out, "clean")


def test_a_kept_layout_nested_past_the_recursion_limit_is_laid_out_again(small, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kept = tmp_path / "cache" / "worksheets" / "sections"
    out = tmp_path / "site"
    build(small, out, ("a4",), jobs=2)
    (layout,) = kept.glob("*.json")
    layout.write_text("[" * 100_000 + "]" * 100_000)
    sheet = small.worksheets_dir / "worry-tree.yaml"
    sheet.write_text(sheet.read_text().replace("now?", "today?"))
    code, _, stderr = run("build", "--out", str(out), "--paper", "a4", project=small.root)
    assert code == 0 and "Traceback" not in stderr, stderr
    assert_same_as_clean_builds(small, tmp_path, out, "clean")


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        '{"pages": [2, 1, 1]}',
        '{"pages": "abc", "numbers": {}}',
        '{"pages": [2, 1, 1], "numbers": []}',
        '{"pages": [2, 1, 1], "numbers": {"worry-tree-sheet-title": "three"}}',
        '{"pages": [2, 1e999, 1], "numbers": {}}',
        '{"pages": [2, NaN, 1], "numbers": {}}',
        '{"pages": [2, 0, -1], "numbers": {}}',
        "[2, 1, 1]",
        "\xff\xfe not text",
    ],
)
def test_a_kept_layout_of_another_shape_is_none(tmp_path, text):
    """A kept layout that reads but is not of the shape a build writes is no layout: the packet is
    laid out whole (``render.sections``)."""
    cache = SectionCache(tmp_path, "assets")
    cache.keep_layout("en/worry/a4", {"pages": [1], "numbers": {}})
    (path,) = tmp_path.glob("*.json")
    path.write_bytes(text.encode("latin-1"))
    assert Layout.from_record(cache.layout("en/worry/a4")) is None


def test_writes_a_killed_build_left_are_removed_once_an_hour_old(tmp_path):
    """``write_atomic`` removes its temporary file unless the process is killed mid-write; such a
    file is removed by a later build's prune, once no build beside it can still be writing it."""
    old, new, kept = tmp_path / ".abc.pdf.1.tmp", tmp_path / ".abc.pdf.2.tmp", tmp_path / "abc.pdf"
    for path in (old, new, kept):
        path.write_bytes(b"%PDF")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    SectionCache(tmp_path, "assets").prune()
    assert (old.exists(), new.exists(), kept.exists()) == (False, True, True)
