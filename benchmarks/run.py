"""Measure build speed and output size, and print a table. Run: ``python benchmarks/run.py``.

Everything is measured in one run on this machine, so the ratios between figures mean more than
the figures themselves. Whole-process times include Python's start-up, as a user would see them.
Nothing here asserts anything: targets are compared by a person (see docs/performance.md).
Options: ``--skip-large`` leaves out the 200-worksheet catalog (several minutes: it is built
cold three times, the last on a local Dask cluster).

Builds make the pages' web fonts once and keep them in a cache (``site/webfonts.py``); every
build here uses a cache folder of its own, emptied before each cold build, so a cold build pays
for them as a first build on a new computer does. One cold build more is timed with them cached.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # weighing.py, browsing.py, clustering.py: as the tests do

from clustering import local_cluster  # noqa: E402

from worksheets.content.loader import load_catalog  # noqa: E402
from worksheets.project import Project  # noqa: E402
from worksheets.render.html import environment, render_document  # noqa: E402
from worksheets.render.pdf import render_pdf  # noqa: E402
from worksheets.render.pool import default_jobs  # noqa: E402
from worksheets.render.styles import base_url  # noqa: E402
from worksheets.site.freshness import MANIFEST  # noqa: E402

ROWS: list[tuple[str, str, str]] = []


def row(what: str, figure: str, note: str = "") -> None:
    ROWS.append((what, figure, note))
    print(f"  {what:<52} {figure:>14}  {note}", flush=True)


FONT_CACHE = Path(tempfile.mkdtemp(prefix="worksheets-bench-cache-"))
"""The cache folder (``XDG_CACHE_HOME``) of every command run here."""


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    environment = {**os.environ, "XDG_CACHE_HOME": str(FONT_CACHE)}
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    return time.perf_counter() - start


def cold(command: list[str]) -> float:
    """``timed``, with the web fonts' cache emptied first."""
    shutil.rmtree(FONT_CACHE, ignore_errors=True)
    FONT_CACHE.mkdir()
    return timed(command)


def cli(project: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "worksheets", "--project", str(project), *args]


def copy_project(where: Path, *, languages: bool = False) -> Path:
    """A copy of the project, in English only unless ``languages`` (all its translations)."""
    skip = shutil.ignore_patterns() if languages else shutil.ignore_patterns("translations")
    for part in ("content", "templates"):
        shutil.copytree(ROOT / part, where / part, ignore=skip)
    return where


def build_times(work: Path) -> float:
    print(
        "Site build (the real catalog: 9 worksheets x 5 formats x 2 papers, 5 packets x 2; English, then 3 languages)"
    )
    project = copy_project(work / "project")
    out = work / "site"
    cpus = default_jobs()
    one = cold(cli(project, "build", "--out", str(out), "--clean", "--jobs", "1"))
    row("cold build, 1 job", f"{one:.1f} s")
    many = cold(cli(project, "build", "--out", str(out), "--clean", "--jobs", str(cpus)))
    row(f"cold build, {cpus} jobs", f"{many:.1f} s", f"{many / one:.2f} x 1 job (target <= 0.6)")
    cached = timed(cli(project, "build", "--out", str(out), "--clean", "--jobs", str(cpus)))
    row(f"cold build, {cpus} jobs, web fonts cached", f"{cached:.1f} s", f"{cached / many:.2f} x with none cached")
    noop = timed(cli(project, "build", "--out", str(out)))
    row("no-op rebuild, whole process", f"{noop:.2f} s", "target <= 0.3 s")
    sheet = project / "content" / "worksheets" / "perfect-day.yaml"
    sheet.write_text(sheet.read_text().replace("Walk through your day", "Walk through the day"))
    changed = timed(cli(project, "build", "--out", str(out)))
    row("rebuild after one worksheet changed", f"{changed:.1f} s", f"{changed / many:.2f} x cold (target <= 0.2)")
    manifest = json.loads((out / MANIFEST).read_text())
    pdfs = manifest["pdfs"]
    per_page = [e["size"] / e["pages"] for p, e in pdfs.items() if "fillable" not in p and "packet" not in p]
    fillable = [e["size"] for p, e in pdfs.items() if "fillable" in p]
    row(
        "blank sheet PDFs, bytes per page (mean / max)",
        f"{sum(per_page) / len(per_page) / 1024:.1f} / {max(per_page) / 1024:.1f} KB",
        "target <= 40 KB a page",
    )
    row(
        "fillable PDFs, size (mean / max)",
        f"{sum(fillable) / len(fillable) / 1024:.0f} / {max(fillable) / 1024:.0f} KB",
        "target <= 150 KB each",
    )
    row("cost per PDF in the cold build", f"{many / len(pdfs):.3f} s", f"{len(pdfs)} PDFs, {cpus} jobs")
    every = copy_project(work / "languages", languages=True)
    out3 = work / "site-languages"
    three = cold(cli(every, "build", "--out", str(out3), "--clean", "--jobs", str(cpus)))
    count = len(json.loads((out3 / MANIFEST).read_text())["pdfs"])
    row(f"cold build, 3 languages, {cpus} jobs", f"{three:.1f} s", f"{three / many:.2f} x English only; {count} PDFs")
    noop3 = timed(cli(every, "build", "--out", str(out3)))
    row("no-op rebuild, 3 languages, whole process", f"{noop3:.2f} s", f"{noop3 / noop:.2f} x English only")
    po = every / "content" / "translations" / "es.po"
    po.write_text(po.read_text().replace('msgstr "¿Qué quiero?"', 'msgstr "¿Qué es lo que quiero?"'))
    spanish = timed(cli(every, "build", "--out", str(out3)))
    row("rebuild after one Spanish text changed", f"{spanish:.1f} s", f"{spanish / three:.2f} x cold, 3 languages")
    page_weights(out3)
    return many / len(pdfs)


def page_weights(site: Path) -> None:
    """The heaviest worksheet page of each language, weighed as ``tests/site/test_weight.py`` does."""
    try:
        from browsing import CHROMIUM, launch
        from playwright.sync_api import sync_playwright
        from weighing import open_and_weigh, served
    except ImportError:
        row("heaviest worksheet page", "n/a", "Playwright is not installed (pip install -e '.[test]')")
        return
    if not CHROMIUM:
        row("heaviest worksheet page", "n/a", "chromium is not installed")
        return
    with sync_playwright() as playwright, served(site) as url:
        browser = launch(playwright)
        for language in ("", "es/", "ar/"):
            weights = []
            for path in sorted((site / language / "worksheets").glob("*.html")):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                loaded = open_and_weigh(page, url + str(path.relative_to(site)))
                fonts = sum(item.weight for item in loaded if item.url.endswith(".woff2"))
                weights.append((sum(item.weight for item in loaded), fonts, str(path.relative_to(site))))
                page.close()
            weight, fonts, name = max(weights)
            note = f"{name}; {fonts / 1000:.1f} kB of it fonts (target < 150 kB)"
            row(f"heaviest worksheet page, {language.rstrip('/') or 'en'}", f"{weight / 1000:.1f} kB", note)
        browser.close()


RECORD = """client: Client {n}
therapist: Sam Lee
goals:
  - id: walk
    worksheet: smart-goals
    title: Walk 30 minutes, five days a week
    answers: {{own-words: Get fitter, specific: Walk to work and back, importance: 8, confidence: 6}}
    steps: [{{text: Buy shoes, due: 2026-11-30, done: true}}, {{text: Walk Monday, due: 2026-12-01}}]
    progress: [{{date: 2026-11-02, rating: 3}}, {{date: 2026-11-09, rating: 5}}, {{date: 2026-11-16, rating: 6}}]
  - id: worry
    worksheet: worry-tree
    title: Handle money worries
    answers: {{tree: {{worry: Bills, really: Not coping}}, feeling: 6}}
"""


def prefill_times(work: Path) -> None:
    print("Take-home sheets (2 goals each: SMART goals with 3 ratings, the worry tree)")
    folder = work / "clients"
    folder.mkdir()
    for n in range(50):
        (folder / f"client-{n:02}.yaml").write_text(RECORD.format(n=n))
    one = timed(cli(ROOT, "prefill", str(folder / "client-00.yaml"), "--out", str(work / "one")))
    row("prefill one client, whole process", f"{one:.2f} s")
    records = sorted(str(p) for p in folder.glob("*.yaml"))
    batch = timed(cli(ROOT, "prefill", *records, "--out", str(work / "batch")))
    row("prefill 50 clients, per client", f"{batch / 50:.3f} s", f"{batch:.1f} s in all (target <= 0.35 s each)")


REPORT_LEVELS = "".join(f"        {n}: Level {n} in words\n" for n in (2, 1, 0, -1, -2))


def report_record() -> str:
    """A client record of 20 goals, each with a scale and 15 weekly entries (300 in all): a
    rating, a level and a short note each."""
    text = "client: Client R.\ntherapist: Sam Lee\ngoals:\n"
    for n in range(20):
        text += f"  - id: goal-{n}\n    worksheet: smart-goals\n    title: Goal number {n}\n"
        text += f"    gas:\n      weight: {1 + n % 3}\n      levels:\n{REPORT_LEVELS}    progress:\n"
        for week in range(15):
            day = f"2026-{1 + week // 4:02}-{1 + 7 * (week % 4):02}"
            text += f"      - {{date: {day}, rating: {(week * 3) % 11}, gas: {week % 5 - 2}, note: Week {week}}}\n"
    return text


def report_times(work: Path) -> None:
    print("Progress report (20 goals, 300 entries with a rating, a level and a note each)")
    path = work / "report-client.yaml"
    path.write_text(report_record())
    took = timed(cli(ROOT, "report", str(path), "--out", str(work / "report")))
    row("progress report, 20 goals and 300 entries, whole process", f"{took:.2f} s", "target < 5 s")


def large_catalog(work: Path) -> None:
    print(
        "Generated catalog: 200 worksheets (copies of the real ones), A4 only, no packets; then again on a local"
        " Dask cluster (a scheduler and two single-threaded workers on 127.0.0.1)"
    )
    project = copy_project(work / "large")
    sheets = project / "content" / "worksheets"
    originals = sorted(sheets.glob("*.yaml"))
    for n in range(200 - len(originals)):
        source = originals[n % len(originals)]
        shutil.copy(source, sheets / f"{source.stem}-copy-{n}.yaml")
    shutil.rmtree(project / "content" / "packets")
    out = work / "large-site"
    cold = timed(cli(project, "build", "--out", str(out), "--paper", "a4"))
    row("200 worksheets, cold build", f"{cold:.0f} s", "1000 PDFs")
    noop = timed(cli(project, "build", "--out", str(out), "--paper", "a4"))
    row("200 worksheets, no-op rebuild", f"{noop:.2f} s", "target <= 1 s")
    again = ("build", "--out", str(out), "--paper", "a4", "--clean")
    local = timed(cli(project, *again, "--jobs", "2"))
    row("200 worksheets, cold build, 2 local jobs", f"{local:.0f} s", "web fonts cached")
    with local_cluster(work / "cluster", workers=2) as cluster:
        remote = timed(cli(project, *again, "--scheduler", cluster.address))
    row("200 worksheets, cold build, 2-worker Dask cluster", f"{remote:.0f} s", f"{remote / local:.2f} x 2 local jobs")


def per_sheet(work: Path, ours_in_build: float) -> None:
    print("Per sheet: the 9 blank print sheets (US Letter), after one warm-up render")
    from weasyprint import HTML

    project = Project.at(ROOT)
    catalog = load_catalog(project)
    env = environment(project)
    pages = [render_document(env, catalog, ws, mode="print", paper="letter") for ws in catalog.worksheets]
    base = base_url(project)
    HTML(string=pages[0], base_url=base).write_pdf()
    render_pdf(pages[0], project)
    start = time.perf_counter()
    for html in pages:
        HTML(string=html, base_url=base).write_pdf()
    bare = (time.perf_counter() - start) / len(pages)
    start = time.perf_counter()
    for html in pages:
        render_pdf(html, project)
    ours = (time.perf_counter() - start) / len(pages)
    row("bare WeasyPrint write_pdf, per sheet", f"{bare:.3f} s")
    row("ours (fetcher, tags, keys), per sheet", f"{ours:.3f} s", f"{ours / bare:.2f} x bare (target <= 1.15)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        row("Chromium --print-to-pdf, per sheet", "n/a", "chromium is not installed")
        return
    total = 0.0
    for n, html in enumerate(pages):
        page = work / f"sheet-{n}.html"
        page.write_text(html.replace("<head>", f'<head><base href="{base}">', 1))
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
        total += timed(
            [chromium, *flags, "--no-pdf-header-footer", f"--print-to-pdf={work / f'sheet-{n}.pdf'}", page.as_uri()]
        )
    peer = total / len(pages)
    row("Chromium --print-to-pdf, per sheet", f"{peer:.3f} s", "a browser started for each sheet, as a user would")
    row(
        "ours in the cold build, per sheet",
        f"{ours_in_build:.3f} s",
        f"{ours_in_build / peer:.2f} x Chromium (target <= 0.5)",
    )


def main() -> None:
    print(f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {sys.platform}")
    with tempfile.TemporaryDirectory(prefix="worksheets-bench-") as tmp:
        work = Path(tmp)
        try:
            per_pdf = build_times(work)
            prefill_times(work)
            report_times(work)
            per_sheet(work, per_pdf)
            if "--skip-large" not in sys.argv:
                large_catalog(work)
        finally:
            shutil.rmtree(FONT_CACHE, ignore_errors=True)
    print("\n| measure | figure | note |\n| --- | --- | --- |")
    for what, figure, note in ROWS:
        print(f"| {what} | {figure} | {note} |")


if __name__ == "__main__":
    main()
