"""The built site in real headless Chromium, checked by axe-core and the Nu Html Checker.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright; axe-core and vnu.jar come from
npm (package.json). `.ci/run` installs all of them. A missing tool skips these tests on a
developer's machine, with the reason shown, and fails them under CI=true.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from browsing import AXE, VNU, Watched, need


def test_every_page_loads_cleanly_from_disk(browser, built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        watched = Watched(browser)
        response = watched.page.goto(path.as_uri(), wait_until="load")
        assert response is None or response.ok
        name = path.relative_to(built_site)
        assert not watched.errors, f"{name}: console errors {watched.errors}"
        assert not watched.failed, f"{name}: failed requests {watched.failed}"
        outside = [u for u in watched.requests if not u.startswith(("file://", "data:"))]
        assert not outside, f"{name}: requests outside the site {outside}"
        fonts = watched.page.evaluate("document.fonts.check('16px \"Atkinson Hyperlegible\"')")
        assert fonts, f"{name}: the bundled font did not load"
        watched.close()


def test_axe_finds_no_accessibility_problems(browser, built_site):
    """WCAG 2.2 A and AA rules and axe's best practices, at phone and desktop widths: none may
    fail, whatever its impact (the bar in the issue is "no serious or critical")."""
    need(AXE.exists(), "axe-core (npm ci)")
    problems = []
    for path in sorted(built_site.rglob("*.html")):
        for width in (390, 1280):
            watched = Watched(browser, width)
            watched.page.goto(path.as_uri())
            watched.page.add_script_tag(path=str(AXE))
            result = watched.page.evaluate(
                """() => axe.run(document, {runOnly: {type: 'tag', values:
                   ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
            )
            for violation in result["violations"]:
                targets = [n["target"] for n in violation["nodes"][:3]]
                problems.append(f"{path.name} @{width}px: {violation['id']} {violation['impact']} {targets}")
            watched.close()
    assert not problems, "\n".join(problems)


def test_the_worksheet_form_can_be_filled_in_and_printed(browser, built_site):
    watched = Watched(browser)
    page = watched.page
    page.goto((built_site / "worksheets" / "smart-goals.html").as_uri())
    before = len(watched.requests)
    page.get_by_label("What do I want?").fill("Walk to work twice a week")
    page.locator("#f-_name").fill("Jordan R.")
    page.locator("label[for='f-importance-8']").click()
    page.locator("#f-first-steps-1-done").check()
    assert page.locator("#f-own-words").input_value() == "Walk to work twice a week"
    assert page.locator("#f-importance-8").is_checked()
    assert page.locator("#f-first-steps-1-done").is_checked()
    page.keyboard.press("Enter")
    assert page.locator("#f-_name").input_value() == "Jordan R.", "typing Enter must not clear the sheet"
    sent = [u for u in watched.requests[before:] if not u.startswith(built_site.as_uri())]
    assert not sent, f"filling in the sheet sent {sent}"
    page.emulate_media(media="print")
    assert page.locator(".sheet-form .sheet").is_visible()
    for hidden in (".guide", ".site-head", ".example", ".page-head"):
        assert not page.locator(hidden).is_visible(), f"{hidden} prints"
    watched.close()


def test_phone_width_has_no_sideways_scrolling(browser, built_site):
    for name in ("index.html", "worksheets/four-steps.html", "worksheets/worry-tree.html", "about.html"):
        watched = Watched(browser, 360)
        watched.page.goto((built_site / name).as_uri())
        overflow = watched.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px too wide at 360px"
        watched.close()


def test_html_validates_with_the_nu_checker(built_site):
    need(VNU.exists(), "vnu.jar (npm ci)")
    need(shutil.which("java"), "Java")
    pages = [str(p) for p in sorted(built_site.rglob("*.html"))]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert not errors, "\n".join(errors)
    assert result.returncode == 0


@pytest.fixture
def server(scratch) -> Iterator[tuple[str, Path]]:
    """`worksheets serve --no-pdf` running on a free port for the scratch project."""
    process = subprocess.Popen(
        [sys.executable, "-m", "worksheets", "--project", str(scratch.root), "serve", "--port", "0", "--no-pdf"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = process.stdout.readline()
    assert line.startswith("Serving http://127.0.0.1:"), line
    url = line.split()[1]
    yield url, scratch.root
    process.terminate()
    process.wait(timeout=10)


def test_serve_answers_and_reloads_after_a_change(browser, server):
    url, root = server
    with urlopen(url) as response:
        assert response.status == 200 and b"<h1>Goal-Setting Worksheets</h1>" in response.read()
    with urlopen(url + "__reload") as response:
        assert json.load(response) == {"version": 0, "error": ""}
    watched = Watched(browser)
    page = watched.page
    page.goto(url + "worksheets/grow.html")
    assert "preview without PDFs" in page.content()
    page.evaluate("window.notReloaded = true")
    sheet = root / "content" / "worksheets" / "grow.yaml"
    sheet.write_text(sheet.read_text().replace('title: "GROW: Goal', 'title: "GROWING: Goal'))
    page.wait_for_function("() => window.notReloaded === undefined", timeout=20_000)
    assert page.locator("h1").inner_text().startswith("GROWING: Goal")
    sheet.write_text(sheet.read_text().replace("minutes: 30", "minutes: lots"))
    page.wait_for_selector(".preview-error", timeout=20_000)
    assert "grow.yaml" in page.locator(".preview-error").inner_text()
    assert page.locator("h1").inner_text().startswith("GROWING: Goal"), "the last good preview stays"
    assert not watched.errors, watched.errors
    watched.close()


def test_serve_stops_cleanly_and_removes_its_preview(scratch):
    temp = Path(tempfile.gettempdir())
    before = set(temp.glob("worksheets-preview-*"))
    process = subprocess.Popen(
        [sys.executable, "-m", "worksheets", "--project", str(scratch.root), "serve", "--port", "0", "--no-pdf"],
        stdout=subprocess.PIPE,
        text=True,
    )
    url = process.stdout.readline().split()[1]
    assert set(temp.glob("worksheets-preview-*")) - before, "the preview is built in a temporary folder"
    with urlopen(url + "about.html") as response:
        assert response.status == 200
    with pytest.raises(HTTPError) as missing:
        urlopen(url + "no-such-page.html")
    assert missing.value.code == 404
    process.terminate()
    assert process.wait(timeout=10) == 0
    assert set(temp.glob("worksheets-preview-*")) == before


def test_the_language_switcher_reaches_the_same_page_in_each_language(browser, built_site):
    watched = Watched(browser)
    page = watched.page
    for start in ("worksheets/grow.html", "es/worksheets/grow.html", "ar/packets.html"):
        inner = start.split("/", 1)[1] if start.startswith(("es/", "ar/")) else start
        for name, folder in (("English", ""), ("Español", "es/"), ("العربية", "ar/")):
            page.goto((built_site / start).as_uri())
            switcher = page.get_by_role("navigation", name=page.locator(".languages").get_attribute("aria-label"))
            link = switcher.get_by_role("link", name=name, exact=True)
            if not link.count():  # the language of the page itself is not a link
                assert switcher.locator("[aria-current=page]").inner_text() == name
                continue
            link.click()
            assert page.url == (built_site / folder / inner).as_uri(), f"{start} → {name}"
    watched.close()


def test_arabic_pages_run_right_to_left_and_spanish_left_to_right(browser, built_site):
    watched = Watched(browser)
    page = watched.page
    for path, lang, direction in (
        ("ar/worksheets/smart-goals.html", "ar", "rtl"),
        ("es/worksheets/smart-goals.html", "es", "ltr"),
        ("worksheets/smart-goals.html", "en-GB", "ltr"),
    ):
        page.goto((built_site / path).as_uri())
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.evaluate("getComputedStyle(document.body).direction") == direction
        title = page.evaluate(
            """() => { const r = document.createRange(); r.selectNodeContents(document.querySelector('h1'));
                       const b = r.getBoundingClientRect(); return {x: b.x, width: b.width}; }"""
        )
        body = page.locator("main").bounding_box()
        gap_start = title["x"] - body["x"]
        gap_end = body["x"] + body["width"] - (title["x"] + title["width"])
        assert (gap_end < gap_start) == (direction == "rtl"), f"{path}: the title starts on the reading side"
    watched.close()
