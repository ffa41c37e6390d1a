"""Reading and validating content: every mistake is reported at its file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from worksheets.errors import InputError
from worksheets.loader import load_catalog, load_worksheet
from worksheets.yamlsource import MAX_BYTES, read_yaml


def problems(path: Path) -> list[str]:
    """The messages that loading ``path`` as a worksheet gives, as printed by the CLI."""
    with pytest.raises(InputError) as caught:
        load_worksheet(path)
    return [str(p) for p in caught.value.problems]


def test_the_real_catalog_loads(catalog):
    ids = [w.id for w in catalog.worksheets]
    assert len(ids) == 9
    assert ids[0] == "what-i-want" and ids[-1] == "progress-and-wins"
    for ws in catalog.worksheets:
        assert ws.example is not None, f"{ws.id} has no worked example"
        assert ws.names(), f"{ws.id} has nothing to fill in"


def test_minimal_sheet_is_valid(write_sheet, minimal):
    ws = load_worksheet(write_sheet("ok.yaml", minimal))
    assert ws.id == "ok" and ws.names() == ["answer", "rating"]


def test_duplicate_yaml_key_is_an_error_on_its_line(write_sheet, minimal):
    path = write_sheet("dup.yaml", minimal.replace("minutes: 5\n", "minutes: 5\nminutes: 6\n"))
    assert problems(path) == [f"{path}:6:1: duplicate key 'minutes' (first given on line 5)"]


def test_unknown_key_names_the_near_miss(write_sheet, minimal):
    path = write_sheet("typo.yaml", minimal.replace("    title: Section one", "    titel: Section one"))
    messages = problems(path)
    assert f"{path}:14:5: unknown key 'titel'; did you mean 'title'?" in messages


def test_unknown_field_kind_suggests_the_right_one(write_sheet, minimal):
    path = write_sheet("kind.yaml", minimal.replace("kind: scale", "kind: scael"))
    assert problems(path) == [f"{path}:22:15: unknown field kind 'scael'; did you mean 'scale'?"]


def test_every_problem_in_a_file_is_listed(write_sheet, minimal):
    text = minimal.replace("minutes: 5", "minutes: five").replace("kind: scale", "kind: scael")
    path = write_sheet("many.yaml", text.replace("title: Test sheet\n", ""))
    messages = problems(path)
    assert f"{path}:1:1: missing required key 'title'" in messages
    assert f"{path}:4:10: expected a whole number, got text" in messages
    assert f"{path}:21:15: unknown field kind 'scael'; did you mean 'scale'?" in messages


def test_wrong_type_says_what_was_expected(write_sheet, minimal):
    path = write_sheet("type.yaml", minimal.replace("tags: [test]", "tags: test"))
    assert problems(path) == [f"{path}:4:7: expected a list, got text"]


def test_yes_and_no_stay_text(write_sheet, minimal):
    text = minimal.replace("label: Your answer", "label: No")
    ws = load_worksheet(write_sheet("norway.yaml", text))
    assert ws.fields[0].label == "No"


def test_duplicate_field_ids(write_sheet, minimal):
    path = write_sheet("dupid.yaml", minimal.replace("id: rating", "id: answer"))
    assert problems(path) == [f"{path}:21:13: duplicate field id 'answer' (first used on line 17)"]


def test_tabs_are_refused_with_advice(write_sheet, minimal):
    path = write_sheet("tabs.yaml", minimal.replace("  purpose: Testing.", "\tpurpose: Testing."))
    [message] = problems(path)
    assert message.startswith(f"{path}:8:1: invalid YAML") and "not tabs" in message


def test_empty_file_and_top_level_list(write_sheet):
    empty = write_sheet("empty.yaml", "# nothing here\n")
    assert problems(empty) == [f"{empty}:1:1: the file is empty; expected a mapping"]
    listed = write_sheet("listed.yaml", "- a\n- b\n")
    assert problems(listed) == [f"{listed}:1:1: expected a mapping at the top level"]


def test_anchors_and_aliases_are_refused(write_sheet, minimal):
    text = minimal.replace("tags: [test]", "tags: &t [test]\nalso: *t")
    path = write_sheet("alias.yaml", text)
    assert f"{path}:4:7: anchors and aliases (& and *) are not allowed" in problems(path)


def test_non_utf8_bytes_are_located(scratch):
    path = scratch.worksheets_dir / "latin1.yaml"
    path.write_bytes(b"title: ok\nsummary: caf\xe9\n")
    assert problems(path) == [f"{path}:2:13: the file is not UTF-8 text (byte 0xe9); save it as UTF-8"]


def test_oversized_file_is_refused(scratch):
    path = scratch.worksheets_dir / "huge.yaml"
    path.write_text("title: x\n" + "# padding\n" * (MAX_BYTES // 10 + 1))
    [message] = problems(path)
    assert message.startswith(f"{path}:1:1: the file is too large")


def test_bad_file_name(write_sheet, minimal):
    path = write_sheet("Bad Name.yaml", minimal)
    assert problems(path) == [
        f"{path}:1:1: the file name must be an id (lowercase letters, digits and hyphens) then .yaml"
    ]


def test_id_key_is_refused(write_sheet, minimal):
    path = write_sheet("with-id.yaml", "id: other\n" + minimal)
    assert problems(path) == [f"{path}:1:1: remove 'id': a worksheet's id is its file name"]


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


def test_broken_flowchart_link_and_orphan(write_sheet, minimal):
    path = write_sheet("flow.yaml", minimal + FLOW)
    messages = problems(path)
    assert f"{path}:33:54: 'no' goes to 'bda', which is not a node here; did you mean 'bad'?" in messages
    assert f"{path}:35:18: no link leads to node 'bad'" in messages


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
    site.write_text(site.read_text().replace("language: en", "language: fr"))
    with pytest.raises(InputError) as caught:
        load_catalog(scratch)
    assert "no strings file for language 'fr'" in str(caught.value)


def test_translation_must_give_every_string(scratch):
    strings = scratch.content / "strings" / "en.yaml"
    strings.write_text(strings.read_text().replace("priority: Priority\n", ""))
    with pytest.raises(InputError) as caught:
        load_catalog(scratch)
    assert str(caught.value) == f"{strings}:3:1: missing required key 'priority'"


def test_read_yaml_keeps_positions(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("a:\n  b: [1, 2]\n  c: {d: x}\n")
    doc = read_yaml(path)
    assert doc.data == {"a": {"b": [1, 2], "c": {"d": "x"}}}
    assert doc.where(("a", "b", 1)) == (2, 10)
    assert doc.where(("a", "c", "d"), key=True) == (3, 7)
    assert doc.where(("a", "missing")) == (2, 3)
