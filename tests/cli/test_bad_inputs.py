"""The corpus of bad inputs in ``tests/bad_inputs``: every file is refused the same careful way.

Each file names, in ``# expect: line:col: message`` comments, what the command line must say about
it. The commands run as real processes, as a user runs them, and each case checks the contract
for bad input: exit status 2, a ``file:line:col: message`` line for every expectation, no
traceback, an answer within a few seconds, and nothing written (no site, no take-home folder, the
record untouched and no backup made).

Two cases are made here instead of stored: an empty (zero-byte) file and a file over the size
limit, in each family.
"""

from __future__ import annotations

import codecs
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from worksheets.content.yamlsource import MAX_BYTES

from conftest import ROOT

CORPUS = ROOT / "tests" / "bad_inputs"
TIMEOUT = 15
"""Seconds a refusal may take; most take under one (the time to start Python)."""

DESTINATIONS = {
    "worksheets": "content/worksheets/{name}",
    "packets": "content/packets/{name}",
    "pages": "content/pages/{name}",
    "site": "content/site.yaml",
    "references": "content/references.yaml",
}
"""Where a case of each content family is put in a copy of the project."""

RECORD_GOAL = "eat-well"
"""The goal every record case has (or would have), for ``goals progress``."""


@dataclass(frozen=True)
class Case:
    family: str
    name: str
    data: bytes
    expect: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.family}/{self.name}"


def _expectations(data: bytes) -> tuple[str, ...]:
    text = data.decode("utf-16") if data.startswith(codecs.BOM_UTF16_LE) else data.decode("latin-1")
    return tuple(re.findall(r"^(?:\ufeff|ï»¿)?# expect: (.+?)\r?$", text, re.MULTILINE))


def _stored() -> list[Case]:
    cases = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.yaml")):
            data = path.read_bytes()
            cases.append(Case(folder.name, path.name, data, _expectations(data)))
    return cases


def _made() -> list[Case]:
    too_large = b"title: x\n" + b"# padding to go over the limit\n" * (MAX_BYTES // 30 + 1)
    limit = f"1:1: the file is too large ({len(too_large):,} bytes); the limit is {MAX_BYTES:,} bytes"
    cases = []
    for family, empty in (
        ("worksheets", "the file is empty; expected a mapping"),
        ("packets", "the file is empty; expected a mapping"),
        ("references", "the file is empty; expected a mapping"),
        ("records", "the file is empty; expected a mapping with 'client' and 'goals'"),
    ):
        cases.append(Case(family, "zero-bytes.yaml", b"", (f"1:1: {empty}",)))
        cases.append(Case(family, "too-large.yaml", too_large, (limit,)))
    return cases


CASES = _stored() + _made()


def test_every_stored_case_says_what_it_expects():
    assert len(CASES) > 70
    for case in CASES:
        assert case.expect, f"{case} has no '# expect:' line"


def _run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "worksheets", "--project", str(project), *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _assert_refused(result: subprocess.CompletedProcess[str], path: Path, case: Case) -> None:
    assert result.returncode == 2, f"{case}: exit {result.returncode}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    for expected in case.expect:
        assert f"{path}:{expected}" in result.stderr, f"{case}: wanted {expected!r}, got:\n{result.stderr}"
    assert result.stdout == ""


@pytest.mark.parametrize("case", [c for c in CASES if c.family != "records"], ids=str)
def test_bad_content_stops_the_build_and_writes_nothing(case: Case, tmp_path: Path):
    for part in ("content", "templates"):
        shutil.copytree(ROOT / part, tmp_path / part)
    path = tmp_path / DESTINATIONS[case.family].format(name=case.name)
    path.write_bytes(case.data)
    before = _tree(tmp_path)
    result = _run(tmp_path, "build", "--out", str(tmp_path / "site"))
    _assert_refused(result, path, case)
    assert _tree(tmp_path) == before, "the build wrote something"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "templates"]


@pytest.mark.parametrize("case", [c for c in CASES if c.family == "records"], ids=str)
def test_a_bad_record_is_refused_and_left_as_it_was(case: Case, tmp_path: Path):
    path = tmp_path / "clients" / case.name
    path.parent.mkdir()
    path.write_bytes(case.data)
    out = tmp_path / "take-home"
    for args in (
        ["prefill", str(path), "--out", str(out)],
        ["goals", "progress", str(path), RECORD_GOAL, "--rating", "5", "--note", "Walked twice"],
    ):
        _assert_refused(_run(ROOT, *args), path, case)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == ["clients", f"clients/{case.name}"]
    assert path.read_bytes() == case.data
