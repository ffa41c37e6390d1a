"""Reading and validating content: every mistake is reported at its file, line and column.

The single-mistake cases (bad YAML, wrong types, unknown keys, broken links...) are files in
``tests/bad_inputs``, run through the command line by ``test_bad_inputs.py``; the cases here need
Python: several problems at once, lookups across fields, the catalog as a whole.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from worksheets.content.loader import load_catalog, load_worksheet
from worksheets.content.yamlsource import read_yaml
from worksheets.errors import InputError
from worksheets.project import Project


def problems(path: Path) -> list[str]:
    """The messages that loading ``path`` as a worksheet gives, as printed by the CLI."""
    with pytest.raises(InputError) as caught:
        load_worksheet(path)
    return [str(p) for p in caught.value.problems]


def test_the_real_catalog_loads(catalog):
    ids = [w.id for w in catalog.worksheets]
    assert len(ids) == 10
    assert ids[0] == "what-i-want" and ids[-1] == "goal-attainment-scale"
    for ws in catalog.worksheets:
        assert ws.example is not None, f"{ws.id} has no worked example"
        assert ws.names(), f"{ws.id} has nothing to fill in"


def test_minimal_sheet_is_valid(write_sheet, minimal):
    ws = load_worksheet(write_sheet("ok.yaml", minimal))
    assert ws.id == "ok" and ws.names() == ["answer", "rating"]


def test_every_problem_in_a_file_is_listed(write_sheet, minimal):
    text = minimal.replace("minutes: 5", "minutes: five").replace("kind: scale", "kind: scael")
    path = write_sheet("many.yaml", text.replace("title: Test sheet\n", ""))
    messages = problems(path)
    assert f"{path}:1:1: missing required key 'title'" in messages
    assert f"{path}:4:10: expected a whole number, got text" in messages
    assert f"{path}:21:15: unknown field kind 'scael'; did you mean 'scale'?" in messages


def test_yes_and_no_stay_text(write_sheet, minimal):
    text = minimal.replace("label: Your answer", "label: No")
    ws = load_worksheet(write_sheet("norway.yaml", text))
    assert ws.fields[0].label == "No"


FLOW = """
  - id: flow
    title: Flow
    fields:
      - id: chart
        kind: flowchart
        label: Chart
        nodes:
          - {id: start, text: Start, next: ask}
          - {id: ask, text: Question, yes: good, no: bda}
          - {id: good, text: Good, lines: 2}
          - {id: bad, text: Bad}
"""


def test_flowchart_must_be_a_tree(write_sheet, minimal):
    path = write_sheet("merge.yaml", minimal + FLOW.replace("no: bda", "no: good"))
    messages = problems(path)
    assert any(m.startswith(f"{path}:34:18: 2 links lead to node 'good'") for m in messages)


def test_question_needs_both_branches(write_sheet, minimal):
    path = write_sheet("half.yaml", minimal + FLOW.replace(", no: bda", ""))
    assert problems(path) == [f"{path}:33:13: a question needs both 'yes' and 'no'"]


WHEEL = """
  - id: wheel
    title: Wheel
    fields:
      - id: areas
        kind: table
        label: Areas
        rows: [{id: work, label: Work}, {id: play, label: Play}]
        columns: [{id: score, label: Score, kind: score}, {id: note, label: Note}]
      - id: wheel
        kind: wheel
        label: Wheel
        table: aeras
        score: note
"""


def test_wheel_must_name_a_table_with_a_score_column(write_sheet, minimal):
    path = write_sheet("wheel.yaml", minimal + WHEEL)
    assert problems(path) == [f"{path}:36:16: no table 'aeras' in this worksheet; did you mean 'areas'?"]
    path = write_sheet("wheel.yaml", minimal + WHEEL.replace("aeras", "areas"))
    assert problems(path) == [f"{path}:37:16: 'note' is not a score column of table 'areas'"]


@pytest.mark.parametrize(
    ("answers", "where", "message"),
    [
        ("answr: hi", "27:5", "'answr' is not a field of worksheet 'example'; did you mean 'answer'?"),
        ("rating: 11", "27:13", "expected a whole number from 0 to 10, got 11"),
        ("rating: lots", "27:13", "expected a whole number from 0 to 10, got text"),
        ("answer: [a, b]", "27:13", "expected text, got a list"),
    ],
)
def test_worked_example_answers_are_checked(write_sheet, minimal, answers, where, message):
    path = write_sheet("example.yaml", minimal + f"example:\n  client: Kim\n  answers:\n    {answers}\n")
    assert problems(path) == [f"{path}:{where}: {message}"]


def test_missing_strings_file_for_language(scratch):
    site = scratch.content / "site.yaml"
    site.write_text(re.sub(r"(?m)^language: .*$", "language: fr", site.read_text()))
    with pytest.raises(InputError) as caught:
        load_catalog(scratch)
    assert "no strings file for language 'fr'" in str(caught.value)


def test_translation_must_give_every_string(scratch):
    strings = scratch.content / "strings" / "en.yaml"
    strings.write_text(strings.read_text().replace("priority: Priority\n", ""))
    with pytest.raises(InputError) as caught:
        load_catalog(scratch)
    first = next(n for n, line in enumerate(strings.read_text().splitlines(), 1) if line.startswith("name:"))
    assert str(caught.value) == f"{strings}:{first}:1: missing required key 'priority'"


def test_read_yaml_keeps_positions(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("a:\n  b: [1, 2]\n  c: {d: x}\n")
    doc = read_yaml(path)
    assert doc.data == {"a": {"b": [1, 2], "c": {"d": "x"}}}
    assert doc.where(("a", "b", 1)) == (2, 10)
    assert doc.where(("a", "c", "d"), key=True) == (3, 7)
    assert doc.where(("a", "missing")) == (2, 3)


@pytest.mark.parametrize("folder", ["worksheets", "packets", "pages"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_yml_file_is_refused_not_skipped(scratch, folder, command):
    """``new-sheet.yml`` would be skipped without a word; it is refused with the name it needs.
    (Not read instead: ids come from file names, and ``a.yml`` beside ``a.yaml`` would clash.)"""
    source = next((scratch.content / folder).glob("*.yaml"))
    misnamed = source.with_name("new-sheet.yml")
    misnamed.write_bytes(source.read_bytes())
    out = scratch.root / "out"
    extra = ["--out", str(out)] if command == "build" else []
    result = subprocess.run(
        [sys.executable, "-m", "worksheets", "--project", str(scratch.root), command, *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    expected = f"{misnamed}:1:1: this file is not read: only .yaml files are, as ids come from file names; "
    assert result.stderr == expected + "rename it to new-sheet.yaml\n"
    assert not out.exists()


def test_a_site_yml_is_named_in_the_message(scratch):
    site = scratch.content / "site.yaml"
    site.rename(site.with_suffix(".yml"))
    with pytest.raises(InputError, match=r"site\.yaml is missing \(rename site\.yml to site\.yaml\)"):
        Project.at(scratch.root)


def with_sources(minimal: str, sources: str) -> str:
    """The minimal sheet whose guide lists ``sources`` (a YAML flow list), on line 12."""
    return minimal.replace("  watch_for: Failures.\n", f"  watch_for: Failures.\n  sources: {sources}\n")


def test_the_guides_cite_only_references_of_the_list(catalog):
    """Every key a guide lists is a reference of ``references.yaml``; the brief's pairs hold."""
    cited = {ws.id: ws.notes.sources for ws in catalog.worksheets}
    assert cited["smart-goals"] == ["doran-1981"]
    assert cited["grow"] == ["whitmore-1992"]
    assert cited["worry-tree"] == ["butler-hope-1995"]
    assert cited["goal-attainment-scale"] == ["kiresuk-sherman-1968", "turner-stokes-2009"]
    assert all(key in catalog.references for keys in cited.values() for key in keys)
    assert "*Management Review*" in catalog.references["doran-1981"], "the journal in italics"


def test_an_unknown_or_repeated_source_is_refused_at_its_line(write_sheet, minimal):
    path = write_sheet("cites.yaml", with_sources(minimal, "[doran-1981, doran-1891, doran-1981]"))
    assert problems(path) == [
        f"{path}:12:25: no reference 'doran-1891' in content/references.yaml; did you mean 'doran-1981'?",
        f"{path}:12:37: 'doran-1981' is already in the sources",
    ]


def test_a_sheet_needs_no_sources_and_a_project_no_references(scratch, write_sheet, minimal):
    """Sources are optional; without ``references.yaml`` a guide that cites nothing loads, and one
    that cites something is refused, since what it names cannot be printed."""
    (scratch.content / "references.yaml").unlink()
    for path in scratch.worksheets_dir.glob("*.yaml"):
        path.write_text(re.sub(r"^  sources: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M))
    assert load_worksheet(write_sheet("plain.yaml", minimal)).notes.sources == []
    assert load_catalog(scratch).references == {}
    path = write_sheet("cites.yaml", with_sources(minimal, "[doran-1981]"))
    assert problems(path) == [f"{path}:12:13: no reference 'doran-1981' in content/references.yaml"]
