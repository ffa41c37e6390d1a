"""worksheets link: a link to a sheet's page that opens filled in with a goal's answers."""

from __future__ import annotations

import stat
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from worksheets.clients.links import MAX_LINK
from worksheets.clients.records import load_record

from conftest import RECORD, read_fragment, run

BASE = "https://example.org/worksheets/"


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "jordan.yaml"
    path.write_text(RECORD, encoding="utf-8")
    return path


def test_the_link_carries_the_answers_in_its_fragment_only(record, catalog):
    code, out, err = run("link", str(record), "eat-well", "--base-url", BASE)
    assert code == 0, err
    url = urlsplit(out.strip())
    assert f"{url.scheme}://{url.netloc}{url.path}" == BASE + "worksheets/smart-goals.html"
    assert url.query == "", "nothing a server would be sent"
    data = read_fragment(url.fragment)
    goal = load_record(record, catalog).goal("eat-well")
    expected = catalog.get("smart-goals").flatten(goal.answers)
    assert data["v"] == 1 and data["sheet"] == "smart-goals"
    assert data["fields"] == {name: str(value) for name, value in expected.items()}


def test_a_record_in_spanish_links_to_the_spanish_page(record):
    record.write_text(RECORD.replace("therapist: Sam Lee", "therapist: Sam Lee\nlanguage: es"), encoding="utf-8")
    code, out, err = run("link", str(record), "eat-well", "--base-url", BASE)
    assert code == 0, err
    assert out.startswith(BASE + "es/worksheets/smart-goals.html#fill=")


def test_the_site_address_is_needed_and_checked(record):
    code, _, err = run("link", str(record), "eat-well")
    assert code == 2 and "--base-url" in err
    code, _, err = run("link", str(record), "eat-well", "--base-url", "example.org")
    assert code == 2 and "starting with http:// or https://" in err


def test_answers_too_long_for_a_link_are_refused(record):
    long = "Eat better. " + " ".join(f"word{n}" for n in range(3000))
    record.write_text(RECORD.replace("own-words: Eat better.", f"own-words: {long}"), encoding="utf-8")
    code, out, err = run("link", str(record), "eat-well", "--base-url", BASE)
    assert code == 2 and f"over the limit of {MAX_LINK:,}" in err and out == ""


def test_the_qr_code_is_written_owner_only_and_never_into_the_project(record, tmp_path, scratch):
    qr = tmp_path / "private" / "link.svg"
    qr.parent.mkdir()
    code, _, err = run("link", str(record), "eat-well", "--base-url", BASE, "--qr", str(qr))
    assert code == 0, err
    assert qr.read_text(encoding="utf-8").startswith("<svg") and stat.S_IMODE(qr.stat().st_mode) == 0o600
    inside = scratch.content / "link.svg"
    code, _, err = run("link", str(record), "eat-well", "--base-url", BASE, "--qr", str(inside), project=scratch.root)
    assert code == 2 and "refusing to write client sheets into" in err and not inside.exists()


def test_the_qr_code_goes_only_to_a_new_private_svg_file(record, tmp_path):
    before = record.read_bytes()
    code, _, err = run("link", str(record), "eat-well", "--base-url", BASE, "--qr", str(record))
    assert code == 2 and "ending in .svg" in err and record.read_bytes() == before, "the record is untouched"
    qr = tmp_path / "new" / "folder" / "link.svg"
    code, _, err = run("link", str(record), "eat-well", "--base-url", BASE, "--qr", str(qr))
    assert code == 0, err
    for folder in (qr.parent, qr.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, f"{folder} is readable by others"
