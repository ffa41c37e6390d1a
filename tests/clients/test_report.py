"""The progress report (`worksheets report`): T-scores, languages, periods, privacy, and a large record."""

from __future__ import annotations

import datetime
import itertools
import json
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from worksheets.clients.report import write_report
from worksheets.content import load_catalog, translate_into
from worksheets.project import Project

from conftest import ROOT, pdf_pages, pdf_text, run

DAY = datetime.date(2026, 11, 26)
RHO = "\u03c1"

LEVELS = """\
      levels:
        2: Much more than expected
        1: Somewhat more than expected
        0: As expected
        -1: Somewhat less than expected
        -2: Much less than expected
"""


def goal_text(goal_id: str, weight: int, entries: list[str], *, title: str = "", baseline: int | None = None) -> str:
    """One goal with a scale of ``weight`` and the given progress entries (flow mappings)."""
    text = f"  - id: {goal_id}\n    worksheet: smart-goals\n    title: {title or 'Goal ' + goal_id}\n"
    text += f"    gas:\n      weight: {weight}\n" + (f"      baseline: {baseline}\n" if baseline else "") + LEVELS
    if entries:
        text += "    progress:\n" + "".join(f"      - {entry}\n" for entry in entries)
    return text


def record(tmp_path: Path, goals: list[str], *, name: str = "jordan", language: str = "") -> Path:
    path = tmp_path / f"{name}.yaml"
    header = "client: Jordan R.\ntherapist: Sam Lee\n" + (f"language: {language}\n" if language else "")
    path.write_text(header + "goals:\n" + "".join(goals), encoding="utf-8")
    return path


def worked_example(tmp_path: Path, **kwargs: str) -> Path:
    """The worked example of docs/client-records.md: weights 2, 1, 3 at levels +1, +1, 0."""
    return record(
        tmp_path,
        [
            goal_text("a", 2, ["{date: 2026-11-23, gas: 1, rating: 6}"]),
            goal_text("b", 1, ["{date: 2026-11-23, gas: 1}"]),
            goal_text("c", 3, ["{date: 2026-11-23, gas: 0}"]),
        ],
        **kwargs,
    )


def report_of(path: Path, out: Path, project: Project | None = None, **kwargs) -> bytes:
    project = project or Project.at(ROOT)
    written = write_report(project, load_catalog(project), path, out, today=DAY, **kwargs)
    assert written.path == out / f"{path.stem}-report.pdf"
    return written.path.read_bytes()


def scores(text: str) -> list[str]:
    """The T-scores printed in the report's table, in order."""
    return re.findall(r"\b\d{2}[.,]\d\b", text)


def test_every_goal_as_expected_scores_50(tmp_path):
    path = record(tmp_path, [goal_text(g, w, ["{date: 2026-11-23, gas: 0}"]) for g, w in (("a", 1), ("b", 3))])
    assert scores(pdf_text(report_of(path, tmp_path / "out"))) == ["50.0"]


def test_the_worked_example_scores_56_6_with_its_formula_and_rho(tmp_path):
    text = pdf_text(report_of(worked_example(tmp_path), tmp_path / "out"))
    assert scores(text) == ["56.6"]
    assert f"{RHO} = 0.3" in text and "Kiresuk and Sherman (1968)" in text
    assert "T = 50 + 10" in text


def test_a_goal_with_no_level_and_no_baseline_is_not_enough_data(tmp_path):
    path = record(
        tmp_path,
        [
            goal_text("a", 2, ["{date: 2026-11-09, gas: 1}", "{date: 2026-11-16, gas: 2}"]),
            goal_text("b", 1, ["{date: 2026-11-16, gas: -1}"]),
            goal_text("c", 1, [], baseline=-1),
        ],
    )
    text = pdf_text(report_of(path, tmp_path / "out"))
    assert "Not enough data: no level and no baseline for Goal 2" in text, "goal 2 had no level on 9 November"
    # On 16 November: 2 at +2, 1 at -1, 1 at its baseline -1: 50 + 10 * 2 / sqrt(0.7 * 6 + 0.3 * 16).
    assert scores(text) == [f"{50 + 20 / (0.7 * 6 + 0.3 * 16) ** 0.5:.1f}"] == ["56.7"]


def test_gas_rho_in_site_yaml_changes_the_score(tmp_path, scratch):
    site = scratch.content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "gas_rho: 0.6\n", encoding="utf-8")
    text = pdf_text(report_of(worked_example(tmp_path), tmp_path / "out", project=scratch))
    assert scores(text) == [f"{50 + 30 / (0.4 * 14 + 0.6 * 36) ** 0.5:.1f}"] == ["55.8"]
    assert f"{RHO} = 0.6" in text


def test_the_report_in_spanish(tmp_path):
    project = Project.at(ROOT)
    spanish = translate_into(project, load_catalog(project), "es").catalog.strings
    data = report_of(worked_example(tmp_path, language="es"), tmp_path / "out")
    assert PdfReader(tmp_path / "out" / "jordan-report.pdf").trailer["/Root"]["/Lang"] == "es"
    text = pdf_text(data)
    assert spanish.report_title in text and "Progress report" not in text
    assert "56,6" in text, "a decimal comma in Spanish"
    assert f"{RHO} = 0,3" in text and "Kiresuk y Sherman (1968)" in text
    assert "26 de noviembre de 2026" in text


def test_the_report_in_arabic(tmp_path):
    data = report_of(worked_example(tmp_path, language="ar"), tmp_path / "out")
    reader = PdfReader(tmp_path / "out" / "jordan-report.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    assert reader.metadata.title == "تقرير التقدم", "the title, in Arabic; nothing about the client"
    text = pdf_text(data)
    assert "تقرير التقدم" in text and "سرّي" in text and "56.6" in text and "لا تكفي البيانات" not in text
    assert "Progress" not in text and "\ufffd" not in text


def test_the_period_leaves_out_what_is_outside_it_and_is_said_on_the_first_page(tmp_path):
    path = record(
        tmp_path,
        [
            goal_text(
                "a",
                1,
                [
                    "{date: 2026-10-05, gas: -1, rating: 2, note: Before the period}",
                    "{date: 2026-11-09, gas: 1, rating: 7, note: Inside the period}",
                    "{date: 2026-12-14, gas: 2, rating: 9, note: After the period}",
                ],
            )
        ],
    )
    code, out, err = run(
        "report", str(path), "--out", str(tmp_path / "out"), "--from", "2026-11-01", "--to", "2026-11-30"
    )
    assert code == 0, err
    assert re.fullmatch(rf"Wrote {re.escape(str(tmp_path / 'out' / 'jordan-report.pdf'))} \(1 goal, \d pages\)\n", out)
    pages = pdf_pages((tmp_path / "out" / "jordan-report.pdf").read_bytes())
    first = " ".join(w.text for w in pages[0].words)
    assert "Period November 1, 2026 to November 30, 2026" in first or "Period 1 November 2026 to 30 November" in first
    text = " ".join(w.text for page in pages for w in page.words)
    assert "Inside the period" in text
    assert "Before" not in text and "After the period" not in text
    assert scores(text) == ["60.0"], "one review in the period: one goal at +1"


def test_a_period_that_ends_before_it_starts_is_refused(tmp_path):
    path = worked_example(tmp_path)
    out = tmp_path / "out"
    code, _, err = run("report", str(path), "--out", str(out), "--from", "2026-12-01", "--to", "2026-11-01")
    assert code == 2 and "ends (2026-11-01) before it starts (2026-12-01)" in err
    assert not (tmp_path / "out").exists()
    code, _, err = run("report", str(path), "--out", str(tmp_path / "out"), "--from", "1 Dec")
    assert code == 2 and "--from" in err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["content", "templates", "."])
def test_the_project_and_its_content_are_refused(tmp_path, scratch, where):
    path = worked_example(tmp_path)
    before = sorted(str(p) for p in scratch.root.rglob("*"))
    code, out, err = run("report", str(path), "--out", str(scratch.root / where), project=scratch.root)
    assert code == 2 and "refusing to write client sheets into" in err and out == ""
    assert sorted(str(p) for p in scratch.root.rglob("*")) == before, "nothing written"


def test_a_bad_record_exits_2_at_its_line_and_writes_nothing(tmp_path):
    path = record(tmp_path, [goal_text("a", 1, ["{date: 2026-11-09, gas: 3}"])])
    code, out, err = run("report", str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and out == "" and "Traceback" not in err
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", err), err
    assert not (tmp_path / "out").exists()


def test_the_report_and_a_folder_made_for_it_are_owner_only(tmp_path):
    out = tmp_path / "private" / "reports"
    code, _, err = run("report", str(worked_example(tmp_path)), "--out", str(out), "--paper", "a4")
    assert code == 0, err
    assert stat.S_IMODE((out / "jordan-report.pdf").stat().st_mode) == 0o600
    assert [stat.S_IMODE(f.stat().st_mode) for f in (out, out.parent)] == [0o700, 0o700]
    width, height = PdfReader(out / "jordan-report.pdf").pages[0].mediabox[2:]
    assert (round(float(width)), round(float(height))) == (595, 842), "A4"


NOTE = " ".join(f"word{n:04}" for n in range(555))  # 5,000 characters
TITLE = ("Walk to the shops and back " * 12)[:300]


def large_record(tmp_path: Path) -> Path:
    """20 goals and 300 progress entries: 129 daily entries for the first goal (averaged by week
    on its charts), 9 a week apart for each of the others; a 300-character title and a 5,000-character note."""
    start = datetime.date(2026, 1, 5)
    goals = []
    for n in range(20):
        count, gap = (129, 1) if n == 0 else (9, 7)
        levels = itertools.cycle([-2, -1, 0, 1, 2, 1, 0])
        entries = [
            f"{{date: {start + datetime.timedelta(days=i * gap)}, rating: {(i * 3) % 11}, gas: {next(levels)}}}"
            for i in range(count)
        ]
        entries[-1] = entries[-1][:-1] + f", note: {NOTE if n == 1 else 'Steady week'}}}"
        goals.append(goal_text(f"g{n}", 1 + n % 3, entries, title=TITLE if n == 2 else ""))
    return record(tmp_path, goals)


def overlaps(words) -> list[tuple[str, str]]:
    """Pairs of words whose boxes overlap by more than a sliver."""
    found = []
    for a, b in itertools.combinations(words, 2):
        wide = min(a.x1, b.x1) - max(a.x0, b.x0)
        tall = min(a.y1, b.y1) - max(a.y0, b.y0)
        if wide > 0.5 and tall > 0.5:
            found.append((a.text, b.text))
    return found


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_large_record_renders_with_no_label_over_another_and_every_word(tmp_path, paper):
    path = large_record(tmp_path)
    data = report_of(path, tmp_path / "out", paper=paper)
    pages = pdf_pages(data)
    assert len(pages) >= 21, "a first page and a page per goal"
    for page in pages:
        assert overlaps(page.words) == [], f"page {page.words[0].page}"
    words = [w.text for page in pages for w in page.words]
    assert [w for w in words if w.startswith("word")] == NOTE.split(), "the 5,000-character note, whole"
    text = " ".join(words)
    assert " ".join(TITLE.split()) in text, "the 300-character title, whole"
    assert "Each point is the average of one week's levels: 129 levels" in text
    assert "Each point is the average of one week's ratings: 129 ratings" in text
    assert "Notes in this period: 1." in text


@pytest.mark.parametrize("language", ["", "ar"])
def test_the_report_passes_the_pdfua_checker(tmp_path, language):
    goals = [goal_text("a", 2, ["{date: 2026-11-09, gas: 0, rating: 4, note: Logged meals}"], baseline=-1)]
    goals[0] += (
        "    steps:\n      - {text: Buy a notebook, due: 2026-11-05, done: true}\n      - {text: Find recipes}\n"
    )
    report_of(record(tmp_path, goals, language=language), tmp_path / "out")
    pdf = tmp_path / "out" / "jordan-report.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "pdfua", "check", "--format", "json", str(pdf)], capture_output=True, text=True
    )
    summary = json.loads(result.stdout)["summary"]
    assert summary["errors"] == 0 and summary["warnings"] == 0, result.stdout
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0
