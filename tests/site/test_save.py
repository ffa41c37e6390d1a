"""Keeping what was typed on a worksheet page, in real headless Chromium: Save as PDF (read back
with pypdf, then `worksheets import`), Save answers and Open saved answers, Keep on this device,
and links that fill a sheet. Over `worksheets serve` and a plain web server, and from file://.

Every field of every sheet is typed into as a person would, and every request the page makes is
recorded, with its method and body: nothing typed may leave the page.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from browsing import Watched, need
from pypdf import PdfReader
from weighing import served as serve_folder

from worksheets.clients.records import load_record
from worksheets.content import load_catalog
from worksheets.project import Project

from conftest import RECORD, ROOT, run

SHEETS = sorted(p.stem for p in (ROOT / "content" / "worksheets").glob("*.yaml"))
WORDS = {
    "en": "Walk to work, Zoë",
    "es": "Caminar al trabajo, señal",
    "ar": "أمشي إلى العمل 3 مرات",
}


# ---- Where the pages come from ----


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    """`worksheets serve` of the project in English, with its A4 PDFs: the address it serves."""
    project = tmp_path_factory.mktemp("served")
    for part in ("content", "templates"):
        shutil.copytree(ROOT / part, project / part, ignore=shutil.ignore_patterns("translations"))
    process = subprocess.Popen(
        [sys.executable, "-m", "worksheets", "--project", str(project), "serve", "--port", "0", "--paper", "a4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = process.stdout.readline()
    assert line.startswith("Serving http://127.0.0.1:"), line
    yield line.split()[1]
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def hosted(built_site) -> Iterator[str]:
    """The built site (every language) from a plain web server, as a host would serve it."""
    with serve_folder(built_site) as url:
        yield url


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    page = Watched(browser, accept_downloads=True)
    yield page
    assert not page.errors, page.errors
    page.close()


# ---- Typing into a sheet as a person would ----


def type_everything(page, words: str) -> dict[str, str | bool]:
    """Type into every field of the page's sheet: text in each box, a tick in each tick box, the
    last choice of each set. Returns what the form should now hold, by field name."""
    expected: dict[str, str | bool] = {}
    fields = page.locator(".sheet-form [name]")
    for i in range(fields.count()):
        control = fields.nth(i)
        name, kind = control.get_attribute("name"), control.get_attribute("type") or "textarea"
        if kind == "checkbox":
            control.check()
            expected[name] = True
        elif kind == "radio":
            control.check()  # each in turn: the last of a set stays chosen
            expected[name] = control.get_attribute("value")
        elif kind == "date":
            control.fill("2026-11-27")
            expected[name] = "2026-11-27"
        elif kind == "number":
            control.fill(str(i % 11))
            expected[name] = str(i % 11)
        else:
            text = f"{words} {i}" + ("\nsecond line" if kind == "textarea" else "")
            control.fill(text)
            expected[name] = text
    assert expected, "a sheet with nothing to type into"
    return expected


def form_values(page) -> dict[str, str | bool]:
    """What the sheet's form holds, by field name (as the page's script collects it)."""
    return page.evaluate(
        """() => {
        const out = {};
        for (const c of document.querySelectorAll('.sheet-form [name]')) {
          if (c.type === 'checkbox') { if (c.checked) out[c.name] = true; }
          else if (c.type === 'radio') { if (c.checked) out[c.name] = c.value; }
          else if (c.value) out[c.name] = c.value;
        }
        return out;
      }"""
    )


def pdf_values(path: Path) -> dict[str, str | bool]:
    """The values of a PDF's form fields: text, True for a ticked box, a radio group's choice."""
    values: dict[str, str | bool] = {}
    for name, field in (PdfReader(path).get_fields() or {}).items():
        value = field.get("/V")
        if value in (None, "", "/Off"):
            continue
        if field.get("/FT") == "/Btn" and field.get("/Opt") is not None:
            values[name] = str(field["/Opt"][int(str(value)[1:])])  # a radio group: /V is an index
        elif field.get("/FT") == "/Btn":
            values[name] = True
        else:
            values[name] = str(value)
    return values


def save(page, button: str, folder: Path) -> Path:
    with page.expect_download() as download:
        page.click(button)
    target = folder / download.value.suggested_filename
    download.value.save_as(target)
    return target


def assert_nothing_sent(watched: Watched, origin: str, typed: dict[str, str | bool]) -> None:
    """Only reads of the site's own files: no other address, no body, nothing typed in an address."""
    for method, url, body in watched.sent:
        assert url.startswith((origin, "blob:", "data:")), f"a request left the site: {url}"
        assert method == "GET" and body is None, f"{method} {url} sent {body!r}"
        for value in typed.values():
            if isinstance(value, str) and len(value) > 3:
                assert value.split("\n")[0] not in unquote(url), f"{url} carries what was typed"


# ---- Save as PDF ----


@pytest.mark.parametrize("sheet", SHEETS)
def test_save_as_pdf_fills_the_sites_pdf_and_imports(sheet, served, watched, tmp_path):
    page = watched.page
    page.goto(f"{served}worksheets/{sheet}.html")
    page.select_option("#paper", label="A4")
    typed = type_everything(page, WORDS["en"])
    pdf = save(page, "#save-pdf", tmp_path)
    assert re.fullmatch(r".+ – .+ 20\d\d\.pdf", pdf.name), pdf.name  # noqa: RUF001 (the dash the page puts in the name)
    assert pdf_values(pdf) == typed, "every value typed is in the PDF's fields, Name and Date too"
    assert "worksheets:" + sheet in str(PdfReader(pdf).metadata.get("/Keywords")), "import knows the sheet"
    assert (
        "made" in page.locator("#keep-status").inner_text().lower()
        or pdf.name in page.locator("#keep-status").inner_text()
    )
    assert_nothing_sent(watched, served, typed)

    record = tmp_path / "client.yaml"
    code, out, err = run("import", str(pdf), str(record), "--client", "T. K.", "--yes")
    assert code == 0, err
    catalog = load_catalog(Project.at(ROOT))
    goal = load_record(record, catalog).goals[0]
    assert goal.worksheet == sheet
    imported = catalog.get(sheet).flatten(goal.answers)
    answers = {k: v for k, v in typed.items() if not k.startswith("_")}
    assert {k: v if v is True else str(v) for k, v in imported.items()} == {
        k: v if v is True else str(v) for k, v in answers.items()
    }, "what was typed on the page is what the record now holds"
    assert f"the Name on the sheet is '{typed['_name']}'" in out + err, "a Name unlike the record's is pointed out"


@pytest.mark.parametrize("language", ["es", "ar"])
def test_save_as_pdf_in_every_language_draws_what_was_typed(language, hosted, watched, tmp_path):
    page = watched.page
    page.goto(f"{hosted}{language}/worksheets/smart-goals.html")
    typed = type_everything(page, WORDS[language])
    pdf = save(page, "#save-pdf", tmp_path)
    assert pdf_values(pdf) == typed
    # The appearances drawn in the browser are what prints: flattened, the words are on the page.
    flat = tmp_path / "flat.pdf"
    subprocess.run(["qpdf", "--flatten-annotations=all", str(pdf), str(flat)], check=True)
    text = subprocess.run(["pdftotext", str(flat), "-"], capture_output=True, text=True, check=True).stdout
    first = WORDS[language].split()[0]
    assert first in text or first[::-1] in text, f"{first} is not drawn on the page"
    assert_nothing_sent(watched, hosted, typed)


def test_save_as_pdf_is_not_offered_from_a_file_and_says_why(built_site, watched):
    page = watched.page
    page.goto((built_site / "worksheets" / "grow.html").as_uri())
    assert not page.locator("#save-pdf").is_visible()
    assert page.locator("#pdf-off").is_visible()
    assert "opened from the website" in page.locator("#pdf-off").inner_text()


# ---- Save answers, Open saved answers ----


@pytest.mark.parametrize("where", ["served", "file"])
def test_saved_answers_open_again_after_a_reload(where, served, built_site, watched, tmp_path):
    page = watched.page
    for sheet in SHEETS:
        url = (
            f"{served}worksheets/{sheet}.html"
            if where == "served"
            else (built_site / "worksheets" / f"{sheet}.html").as_uri()
        )
        page.goto(url)
        typed = type_everything(page, WORDS["en"])
        saved = save(page, "#save-answers", tmp_path)
        assert saved.suffix == ".json" and json.loads(saved.read_text())["fields"] == typed
        page.reload()
        assert form_values(page) == {}, "nothing is kept unless asked"
        page.set_input_files("#answers-file", str(saved))
        page.locator("#keep-status").filter(has_text="back on the page").wait_for()
        assert form_values(page) == typed, f"{sheet}: every field is back"
        if where == "served":
            assert_nothing_sent(watched, served, typed)


def test_a_file_of_another_sheet_an_older_sheet_or_no_answers_changes_nothing(hosted, watched, tmp_path):
    page = watched.page
    page.goto(f"{hosted}worksheets/grow.html")
    type_everything(page, "GROW answers")
    other = save(page, "#save-answers", tmp_path)
    page.goto(f"{hosted}worksheets/smart-goals.html")
    typed = type_everything(page, WORDS["en"])
    mine = json.loads(save(page, "#save-answers", tmp_path).read_text())
    older = tmp_path / "older.json"
    older.write_text(json.dumps({**mine, "questions": "0000beef"}))
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**mine, "version": 2}))
    wrong_value = tmp_path / "wrong.json"
    wrong_value.write_text(json.dumps({**mine, "fields": {**mine["fields"], "importance": "eleven"}}))
    cut = tmp_path / "cut.json"
    cut.write_text(json.dumps(mine)[:50])
    picture = tmp_path / "picture.json"
    picture.write_bytes((ROOT / "templates" / "favicon.svg").read_bytes())
    cases = [
        (other, "another worksheet (GROW"),
        (older, "earlier version"),
        (newer, "cannot be read"),
        (wrong_value, "cannot be read"),
        (cut, "cannot be read"),
        (picture, "cannot be read"),
    ]
    for path, message in cases:
        page.set_input_files("#answers-file", str(path))
        status = page.locator("#keep-status")
        status.filter(has_text=message).wait_for()
        assert "Nothing" in status.inner_text()
        assert form_values(page) == typed, f"{path.name} changed the page"


# ---- Keep on this device ----


def test_answers_are_kept_only_when_asked_and_forgotten_on_request(hosted, watched):
    page = watched.page
    url = f"{hosted}es/worksheets/worry-tree.html"
    page.goto(url)
    assert not page.locator("#keep-here").is_checked(), "off unless turned on"
    type_everything(page, WORDS["es"])
    page.reload()
    assert form_values(page) == {} and page.evaluate("localStorage.length") == 0

    page.check("#keep-here")
    typed = type_everything(page, WORDS["es"])
    page.reload()
    assert page.locator("#keep-here").is_checked()
    assert form_values(page) == typed
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#forget")
    assert form_values(page) == {} and page.evaluate("localStorage.length") == 0
    assert not page.locator("#keep-here").is_checked()
    page.reload()
    assert form_values(page) == {}
    assert_nothing_sent(watched, hosted, typed)


def test_forget_asks_first_and_a_no_keeps_everything(hosted, watched):
    page = watched.page
    page.goto(f"{hosted}worksheets/grow.html")
    page.check("#keep-here")
    typed = type_everything(page, WORDS["en"])
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#forget")
    assert form_values(page) == typed
    page.reload()
    assert form_values(page) == typed


# ---- Links that fill a sheet ----


def link_to(record_text: str, folder: Path, base: str) -> str:
    """What `worksheets link` prints for goal eat-well of a record holding ``record_text``."""
    record = folder / "jordan.yaml"
    record.write_text(record_text)
    code, out, err = run("link", str(record), "eat-well", "--base-url", base)
    assert code == 0, err
    return out.strip()


@pytest.mark.parametrize("where", ["hosted", "file"])
def test_a_link_opens_the_sheet_filled_in_and_says_so(where, hosted, built_site, watched, tmp_path):
    link = link_to(RECORD.replace("own-words: Eat better.", "own-words: Eat better, with my sister."), tmp_path, hosted)
    if where == "file":
        link = link.replace(hosted, built_site.as_uri() + "/")
    page = watched.page
    page.goto(link)
    notice = page.locator("#keep-notice")
    notice.wait_for()
    assert page.locator("#f-own-words").input_value() == "Eat better, with my sister."
    assert page.locator("#f-importance-8").is_checked()
    assert "filled in from the link" in notice.inner_text()
    assert "What do I want?" in notice.inner_text(), "the notice names the questions it filled"
    assert "#" not in page.url, "the answers leave the address bar"
    if where == "hosted":
        assert_nothing_sent(watched, hosted, {"own-words": "Eat better, with my sister."})


def test_a_link_over_kept_answers_fills_only_what_is_empty(hosted, watched, tmp_path):
    link = link_to(RECORD, tmp_path, hosted)
    page = watched.page
    page.goto(f"{hosted}worksheets/smart-goals.html")
    page.check("#keep-here")
    page.fill("#f-own-words", "My own words, written since")
    page.goto(link + ".")  # pasted at the end of a sentence
    notice = page.locator("#keep-notice")
    notice.wait_for()
    assert page.locator("#f-own-words").input_value() == "My own words, written since"
    assert page.locator("#f-importance-8").is_checked(), "an empty question is filled"
    assert "your own answer was kept" in notice.inner_text() and "What do I want?" in notice.inner_text()
    kept = json.loads(page.evaluate("localStorage.getItem(localStorage.key(0))"))["fields"]
    assert kept["own-words"] == "My own words, written since" and kept["importance"] == "8"
    assert "#" not in page.url


def test_a_link_pasted_into_the_open_page_fills_it(hosted, watched, tmp_path):
    link = link_to(RECORD, tmp_path, hosted)
    page = watched.page
    page.goto(f"{hosted}worksheets/smart-goals.html")
    page.goto(link)  # the same page: only the fragment changes
    page.locator("#keep-notice").wait_for()
    assert page.locator("#f-own-words").input_value() == "Eat better."
    assert "#" not in page.url


def test_an_answer_out_of_bounds_is_pointed_out_before_saving(hosted, watched):
    page = watched.page
    page.goto(f"{hosted}worksheets/areas-of-life.html")
    score = page.locator(".sheet-form input[type=number]").first
    score.fill("12")
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    for button in ("#save-answers", "#save-pdf"):
        page.click(button)
        page.wait_for_timeout(300)
        assert page.evaluate("document.activeElement.type") == "number", f"{button}: the score is pointed out"
    assert not downloads, "nothing saved that `worksheets import` would refuse"


def test_a_cut_link_leaves_the_sheet_blank_with_a_message(hosted, watched):
    page = watched.page
    page.goto(f"{hosted}worksheets/smart-goals.html#fill=q1YqU7IyrAUA")
    page.locator("#keep-notice").wait_for()
    assert "cannot be read" in page.locator("#keep-notice").inner_text()
    assert form_values(page) == {}


# ---- What the page costs and what it is made of ----


def test_the_tools_are_labelled_and_work_from_the_keyboard(hosted, watched, tmp_path):
    page = watched.page
    # Playwright asks the browser to catch file choosers without waiting for its answer, so a key
    # pressed straight after `expect_file_chooser` can open the chooser first and be missed: a
    # listener set before the page loads has the catching on by the time a key is pressed.
    page.on("filechooser", lambda chooser: None)
    page.goto(f"{hosted}worksheets/smart-goals.html")
    for control in ("#save-pdf", "#paper", "#save-answers", "#open-answers", "#keep-here", "#forget"):
        label = page.locator(control).evaluate(
            "c => (c.labels && c.labels.length ? c.labels[0].innerText : c.innerText).trim()"
        )
        assert label, f"{control} has no visible label"
    page.fill("#f-own-words", "Typed, then saved from the keyboard")
    page.focus("#save-answers")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    download.value.save_as(tmp_path / "keys.json")
    assert json.loads((tmp_path / "keys.json").read_text())["fields"] == {
        "own-words": "Typed, then saved from the keyboard"
    }
    page.focus("#open-answers")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(tmp_path / "keys.json"))
    page.locator("#keep-status").filter(has_text="back on the page").wait_for()
    page.focus("#keep-here")
    page.keyboard.press("Space")
    assert page.locator("#keep-here").is_checked()


@pytest.mark.parametrize("where", ["hosted", "file"])
def test_with_scripts_off_the_page_says_what_is_missing_and_typing_and_printing_work(
    where, browser, hosted, built_site
):
    page = browser.new_page(java_script_enabled=False)
    page.goto(
        f"{hosted}ar/worksheets/grow.html" if where == "hosted" else (built_site / "worksheets" / "grow.html").as_uri()
    )
    assert page.locator("#tools-off").is_visible()
    assert not page.locator("#keep").is_visible() and not page.locator("#save-pdf").is_visible()
    page.locator(".sheet-form textarea").first.fill("typed without scripts")
    assert page.locator(".sheet-form textarea").first.input_value() == "typed without scripts"
    page.emulate_media(media="print")
    assert page.locator(".sheet-form .sheet").is_visible() and not page.locator("#tools-off").is_visible()
    page.close()


def test_the_vendored_libraries_are_the_ones_package_lock_pins(built_site):
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    need((ROOT / "node_modules" / "pdf-lib").exists(), "pdf-lib (npm ci)")
    for package, file in (("pdf-lib", "pdf-lib.min.js"), ("@pdf-lib/fontkit", "fontkit.umd.min.js")):
        installed = ROOT / "node_modules" / package
        assert (
            json.loads((installed / "package.json").read_text())["version"]
            == lock[f"node_modules/{package}"]["version"]
        )
        vendored = (ROOT / "templates" / "vendor" / file).read_bytes()
        assert vendored == (installed / "dist" / file).read_bytes(), f"templates/vendor/{file} is not {package}'s"
        assert (built_site / "assets" / "vendor" / file).read_bytes() == vendored, "the build copies it"
    about = (built_site / "about.html").read_text()
    assert "pdf-lib" in about and "fontkit" in about and "MIT" in about, "their licence is on the About page"


def test_the_page_script_is_the_templates_file_verbatim(built_site):
    script = (ROOT / "templates" / "sheet.js").read_text()
    for page in (built_site / "worksheets" / "grow.html", built_site / "ar" / "worksheets" / "grow.html"):
        assert script.strip() in page.read_text(), f"{page.name}: the script was changed on the way in"
