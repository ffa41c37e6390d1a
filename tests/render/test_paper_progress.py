"""prefill shows its progress on a terminal, and nothing elsewhere; never anything a record says.

The command runs as a real process, in a pseudo-terminal for the terminal cases. Also: the fix for
pydyf's page references gives the references pydyf would.
"""

from __future__ import annotations

import datetime
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pydyf

from worksheets.clients.records import ClientRecord, Goal, save_record
from worksheets.render.pagerefs import _page_references

from conftest import ROOT

SECRETS = ("Quentin Zebulon", "Hidden goal", "Walking with my neighbour")
"""Words of the record that must never be shown as progress."""


def write_record(path: Path, catalog, goals: int) -> Path:
    ws = catalog.get("progress-and-wins")
    made = [
        Goal(
            id=f"g{n}",
            worksheet=ws.id,
            title=f"Hidden goal {n}",
            set_on=datetime.date(2026, 11, 2),
            answers=ws.example.answers,
            progress=ws.example.progress,
        )
        for n in range(goals)
    ]
    save_record(path, ClientRecord(client="Quentin Zebulon", goals=made), catalog)
    return path


def prefill_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "worksheets", "--project", str(ROOT), "prefill", *args]


def in_terminal(command: list[str]) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal as its standard input, output and error; return its
    exit status and everything it wrote."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(command, stdin=secondary, stdout=secondary, stderr=secondary, close_fds=True)
    os.close(secondary)
    written = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the process has closed the terminal
            break
        if not chunk:
            break
        written += chunk
    os.close(primary)
    return process.wait(), written.decode("utf-8", "replace")


def test_a_record_rendered_here_shows_each_page_laid_out_then_the_pdf_written(tmp_path, catalog):
    record = write_record(tmp_path / "client.yaml", catalog, goals=3)
    code, written = in_terminal(prefill_command(str(record), "--out", str(tmp_path / "out")))
    assert code == 0, written
    wrote = re.search(r"Wrote \S+client\.pdf \(3 goals, (\d+) pages\)", written)
    assert wrote, written
    pages = int(wrote[1])
    laid_out = [int(n) for n in re.findall(r"client\.yaml: laying out page (\d+)", written)]
    assert laid_out[:pages] == list(range(1, pages + 1)), "every page, in order"
    assert f"client.yaml: writing the PDF ({pages} pages)" in written
    progress = written[: wrote.start()]
    assert not [s for s in SECRETS if s in progress], "progress shows file names and numbers only"
    assert progress.endswith("\r"), "the progress line is cleared before the result is printed"


def test_records_rendered_by_workers_are_counted_as_they_finish(tmp_path, catalog):
    records = [str(write_record(tmp_path / f"client{n}.yaml", catalog, goals=1)) for n in range(3)]
    code, written = in_terminal(prefill_command(*records, "--out", str(tmp_path / "out"), "--jobs", "2"))
    assert code == 0, written
    for n in (1, 2, 3):
        assert f"Take-home sheets: {n} of 3 rendered" in written
    assert written.count("Wrote ") == 3
    assert not [s for s in SECRETS if s in written]


def test_nothing_is_shown_when_not_on_a_terminal(tmp_path, catalog):
    record = write_record(tmp_path / "client.yaml", catalog, goals=2)
    result = subprocess.run(
        prefill_command(str(record), "--out", str(tmp_path / "out")), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert re.fullmatch(r"Wrote \S+client\.pdf \(2 goals, \d+ pages\)\n", result.stdout)


def test_page_references_are_pydyfs_after_every_page_added():
    pdf = pydyf.PDF()
    for _ in range(5):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        pdf.add_object(pydyf.Dictionary())  # objects between pages, as WeasyPrint adds them
        expected = tuple(f"{n} 0 R".encode() for n in pdf.pages["Kids"][::3])
        assert _page_references(pdf) == expected
    assert _page_references(pdf) is _page_references(pdf), "kept until a page is added"
