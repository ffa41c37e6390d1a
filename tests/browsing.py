"""What the browser tests share: Debian's Chromium driven by Playwright, and a page that records
what it does. A missing tool skips these tests on a developer's machine, with the reason shown,
and fails them under CI=true (`.ci/run` installs every one)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


FONTS_CONF = Path(__file__).with_name("browser-fonts.conf")


def launch(playwright):
    """Debian's Chromium, started as the tests start it: seeing the project's fonts and none of the
    computer's (browser-fonts.conf), so that no test passes or fails by what a machine has."""
    need(CHROMIUM, "Chromium")
    env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, env=env)


def need(present: object, what: str) -> None:
    """Fail under CI, skip elsewhere, when a tool these tests need is missing."""
    if present:
        return
    message = f"{what} is missing (see .ci/run for how it is installed)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class Watched:
    """A browser page that records console errors, page errors and every request it makes (its
    address in ``requests``; method, address and body in ``sent``)."""

    def __init__(self, browser, width: int = 1280, **options) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900}, **options)
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.sent: list[tuple[str, str, str | None]] = []
        self.failed: list[str] = []
        self.page.on("request", lambda r: self.sent.append((r.method, r.url, r.post_data)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))

    def close(self) -> None:
        self.page.close()
