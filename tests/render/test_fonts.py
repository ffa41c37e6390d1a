"""Fonts: PDFs use the project's own fonts only, print emoji, and come out the same at any time."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from io import BytesIO
from pathlib import Path

from fontTools.ttLib import TTFont
from pypdf import PdfReader

from worksheets.content.glyphs import missing
from worksheets.render.html import environment, render_document
from worksheets.render.pdf import write_pdf

from conftest import RECORD, ROOT, pdf_text, run

FONTS = ROOT / "templates" / "fonts"
HAN = "\u6f22"
"""A character none of the bundled fonts has (checked below), so a machine's font would be used
for it if the machine's fonts could reach a PDF."""


def embedded(data: bytes) -> set[str]:
    """The base names of the fonts a PDF embeds, without the subset tag (``Noto-Sans``)."""
    names = set()
    for page in PdfReader(BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_renders_seconds_apart_are_identical(project, catalog):
    """The dyslexia variant once differed between builds: its WOFF fonts were converted with the
    time of the build written into them. Two renders in different seconds must match byte for byte,
    with every bundled font in use (emoji and right-to-left text included)."""
    ws = catalog.get("progress-and-wins")
    answers = {"win": "Slept well 😀 👍🏽, שלום, مرحبا, Ελπίδα", "goal": "Walk *every* day ✅"}
    env = environment(project)
    documents = [
        render_document(env, catalog, ws, mode="filled", paper="a4", answers=answers, variant=variant)
        for variant in (None, "dyslexia", "large-print", "low-ink")
    ]
    first = [write_pdf(html, project) for html in documents]
    time.sleep(2.1)
    assert [write_pdf(html, project) for html in documents] == first
    used = set().union(*(embedded(data) for data in first))
    assert {"OpenDyslexic", "Noto-Emoji", "Noto-Sans-Hebrew", "Noto-Sans-Arabic"} <= used, used


def test_emoji_print_in_the_bundled_emoji_font(project, catalog):
    ws = catalog.get("progress-and-wins")
    answers = {"win": "Cooked dinner 🍲 and felt proud 😀"}
    html = render_document(environment(project), catalog, ws, mode="filled", paper="letter", answers=answers)
    data = write_pdf(html, project)
    assert "Noto-Emoji" in embedded(data)
    assert "🍲 and felt proud 😀" in pdf_text(data)


def _stray_font(folder: Path) -> None:
    """Install a font named "Stray Test" that has a Chinese character, as a person might in ~/.fonts."""
    font = TTFont(FONTS / "AtkinsonHyperlegible-Regular.ttf")
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 6, 16):
            record.string = "StrayTest" if record.nameID == 6 else "Stray Test"
    glyph = font.getBestCmap()[ord("A")]
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[ord(HAN)] = glyph
    folder.mkdir(parents=True)
    font.save(folder / "StrayTest.ttf")


RENDER_BOTH = textwrap.dedent(
    """
    import sys
    from weasyprint import HTML
    from worksheets.render.pdf import write_pdf
    from worksheets.project import Project

    project = Project.at(sys.argv[1])
    head = '<head><link rel="stylesheet" href="css/pdf-fonts.css"><link rel="stylesheet" href="css/sheet.css"></head>'
    html = f'<html>{head}<body class="sheet"><p>Han: {han}</p></body></html>'
    plain = HTML(string=html, base_url=project.templates.as_uri() + "/").write_pdf()
    open(sys.argv[2] + "/plain.pdf", "wb").write(plain)
    open(sys.argv[2] + "/ours.pdf", "wb").write(write_pdf(html, project))
    """
).replace("{han}", HAN)


def test_fonts_installed_on_the_computer_never_reach_a_pdf(tmp_path):
    """With a font in the user's font folder that has a character no bundled font has, WeasyPrint
    on its own prints that character in it; our PDFs do not, so they are the same on every machine."""
    assert missing(HAN, ROOT / "templates") == [HAN]
    home = tmp_path / "home"
    _stray_font(home / ".fonts")
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "XDG_DATA_HOME": str(home)}
    env.pop("FONTCONFIG_FILE", None)
    subprocess.run([sys.executable, "-c", RENDER_BOTH, str(ROOT), str(tmp_path)], env=env, check=True)
    assert "Stray-Test" in embedded((tmp_path / "plain.pdf").read_bytes()), "the test font was not installed"
    ours = embedded((tmp_path / "ours.pdf").read_bytes())
    assert ours and not any(name.startswith("Stray") for name in ours), ours


def test_text_no_bundled_font_has_is_named_with_its_place(scratch):
    """Chinese in a worksheet's title is printed as boxes: check, pdf and build say where."""
    path = scratch.worksheets_dir / "grow.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[row] = "title: GROW 成长"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run("check", project=scratch.root)
    assert code == 0, err
    expected = f"{path}:{row + 1}:8: warning: no bundled font has 成 (U+6210), 长 (U+957F)"
    assert expected in err and "(in title)" in err
    assert out.startswith("OK")
    code, _, err = run("pdf", "grow", "-o", str(scratch.root / "grow.pdf"), project=scratch.root)
    assert code == 0 and expected in err


def _record_saying(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """A client record (conftest's RECORD) with ``old`` replaced by ``new``: its path and text."""
    record = tmp_path / "mei.yaml"
    text = RECORD.replace(old, new)
    record.write_text(text, encoding="utf-8")
    return record, text


def test_a_record_with_text_no_bundled_font_has_is_named_at_prefill(tmp_path):
    record, text = _record_saying(tmp_path, "own-words: Eat better.", "own-words: 多吃蔬菜 🥦")
    code, out, err = run("prefill", str(record), "--out", str(tmp_path / "out"))
    assert code == 0, err
    line = text.splitlines().index("      own-words: 多吃蔬菜 🥦") + 1
    assert f"{record}:{line}:18: warning: no bundled font has 多 (U+591A), 吃 (U+5403), 蔬 (U+852C), 菜" in err
    assert "goals.0.answers.own-words" in err
    assert "🥦" not in err, "the emoji font has it"
    assert "Wrote" in out


def test_a_record_with_text_no_bundled_font_has_is_named_at_report(tmp_path):
    """The progress report warns as prefill does, at the line, from the record as it was read."""
    record, text = _record_saying(tmp_path, "note: Logged meals 5 of 7 days", "note: 多吃蔬菜")
    code, out, err = run("report", str(record), "--out", str(tmp_path / "out"))
    assert code == 0, err
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "多吃蔬菜" in row)
    assert f"{record}:{line}:" in err and "warning: no bundled font has 多 (U+591A)" in err
    assert err.count("warning:") == 1 and "Wrote" in out


def test_a_record_making_several_pdfs_is_warned_about_once(tmp_path):
    """With --fillable one record makes a PDF per goal and per weekly sheet; its warnings (said
    from the document prefill read it into, not from a second reading) come once, with the first."""
    record, _ = _record_saying(tmp_path, "own-words: Eat better.", "own-words: 多吃蔬菜")
    code, out, err = run("prefill", str(record), "--out", str(tmp_path / "out"), "--fillable", "--jobs", "1")
    assert code == 0, err
    assert out.count("Wrote") == 2, "one goal is active: its sheet and its weekly sheet"
    assert err.count("warning: no bundled font has 多 (U+591A)") == 1, err
