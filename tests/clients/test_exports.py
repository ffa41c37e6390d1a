"""Client records that travel: export as FHIR R4 and CSV, and FHIR read back with import-fhir.

The exported Bundle is parsed back with the ``fhir.resources`` R4B models, the CSV with the
``csv`` module, and every command runs through the real command line.
"""

from __future__ import annotations

import csv
import datetime
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from fhir.resources.R4B.bundle import Bundle

from worksheets.cli import cli
from worksheets.clients.fhir import GOAL_IDS, PROGRESS_CODES, achievement_status
from worksheets.clients.records import load_record

from conftest import ROOT, run

RECORD = """\
client: Jordan Rivière سارة
therapist: Sam Lee
goals:
  - id: eat-well
    worksheet: smart-goals
    title: Manger des légumes, café au lait le matin
    set_on: 2026-11-02
    target_date: 2027-02-01
    gas:
      weight: 2
      baseline: -1
      levels:
        2: Fruit or vegetables at every meal
        1: At two meals most days
        0: At one meal most days
        -1: On a few days a week
        -2: Hardly any
    answers:
      own-words: Eat better.
    steps:
      - {text: Buy a notebook, due: 2026-11-05, done: true}
      - {text: Find three recipes}
    progress:
      - {date: 2026-11-09, rating: 4, note: "=HYPERLINK(\\"http://evil.example\\")"}
      - {date: 2026-11-16, rating: 5, gas: -1, note: مشيت إلى السوق}
      - {date: 2026-11-16, gas: 0, note: "-2 days off"}
      - {date: 2026-11-23, gas: 1}
  - id: sleep
    worksheet: grow
    title: نوم قبل الحادية عشرة
    status: paused
    progress:
      - {date: 2026-11-10, rating: 6}
      - {date: 2026-11-17, rating: 3, note: "@home, late nights"}
  - id: walk
    worksheet: smart-goals
    title: Walk to work
    status: done
    set_on: 2026-10-01
    progress:
      - {date: 2026-10-20, rating: 10, note: "+1 walk on Sunday"}
"""


@pytest.fixture
def record(tmp_path: Path) -> Path:
    folder = tmp_path / "clients"
    folder.mkdir()
    path = folder / "jordan.yaml"
    path.write_text(RECORD, encoding="utf-8")
    return path


def export(record: Path, kind: str, output: Path, project: Path = ROOT) -> tuple[int, str, str]:
    return run("export", str(record), "--format", kind, "-o", str(output), project=project)


def exported(record: Path, kind: str = "fhir") -> Path:
    output = record.parent.parent / f"out.{'json' if kind == 'fhir' else 'csv'}"
    code, out, err = export(record, kind, output)
    assert code == 0, err
    assert out == f"Wrote {output} (3 goals, 7 progress entries)\n", "file name and counts only"
    return output


def resources(bundle: Bundle, kind: str) -> list:
    return [e for e in bundle.entry if e.resource.get_resource_type() == kind]


def test_fhir_export_reads_back_with_the_r4b_models(record, catalog):
    output = exported(record)
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    bundle = Bundle.model_validate_json(output.read_bytes())
    assert bundle.type == "collection" and bundle.timestamp is None
    [patient] = resources(bundle, "Patient")
    assert [n.text for n in patient.resource.name] == ["Jordan Rivière سارة"]
    assert patient.resource.birthDate is None and patient.resource.identifier is None
    assert patient.resource.telecom is None and patient.resource.address is None
    goals = {g.resource.identifier[0].value: g for g in resources(bundle, "Goal")}
    assert list(goals) == ["eat-well", "sleep", "walk"]
    assert {g.resource.identifier[0].system for g in goals.values()} == {GOAL_IDS}
    statuses = {k: g.resource.lifecycleStatus for k, g in goals.items()}
    assert statuses == {"eat-well": "active", "sleep": "on-hold", "walk": "completed"}
    achieved = {k: g.resource.achievementStatus.coding[0].code for k, g in goals.items()}
    # eat-well's levels went -1, 0, 1: improving; sleep's ratings 6 then 3; walk was done at 10.
    assert achieved == {"eat-well": "improving", "sleep": "worsening", "walk": "achieved"}
    eat = goals["eat-well"].resource
    assert eat.description.text == "Manger des légumes, café au lait le matin"
    assert eat.startDate == datetime.date(2026, 11, 2)
    assert eat.target[0].dueDate == datetime.date(2027, 2, 1) and eat.target[0].detailInteger == 0
    assert [n.text for n in eat.note] == ["Buy a notebook", "Find three recipes"]
    assert goals["sleep"].resource.description.text == "نوم قبل الحادية عشرة"
    patient_ref = patient.fullUrl
    assert {g.resource.subject.reference for g in goals.values()} == {patient_ref}

    observations = [o.resource for o in resources(bundle, "Observation")]
    found = []
    by_url = {g.fullUrl: k for k, g in goals.items()}
    for obs in observations:
        assert obs.status == "final" and obs.subject.reference == patient_ref
        [coding] = obs.code.coding
        assert coding.system == PROGRESS_CODES and obs.code.text
        [focus] = obs.focus
        note = obs.note[0].text if obs.note else None
        found.append((by_url[focus.reference], str(obs.effectiveDateTime), coding.code, obs.valueInteger, note))
    assert found == [
        ("eat-well", "2026-11-09", "rating", 4, '=HYPERLINK("http://evil.example")'),
        ("eat-well", "2026-11-16", "rating", 5, "مشيت إلى السوق"),
        ("eat-well", "2026-11-16", "gas-level", -1, "مشيت إلى السوق"),
        ("eat-well", "2026-11-16", "gas-level", 0, "-2 days off"),
        ("eat-well", "2026-11-23", "gas-level", 1, None),
        ("sleep", "2026-11-10", "rating", 6, None),
        ("sleep", "2026-11-17", "rating", 3, "@home, late nights"),
        ("walk", "2026-10-20", "rating", 10, "+1 walk on Sunday"),
    ]
    ids = [e.fullUrl for e in bundle.entry]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)


def test_two_exports_of_one_record_are_the_same_bytes(record, tmp_path):
    first = exported(record).read_bytes()
    again = tmp_path / "again.json"
    assert export(record, "fhir", again)[0] == 0
    assert again.read_bytes() == first
    assert "Jordan" not in run("export", str(record), "--format", "fhir", "-o", str(again))[1]


def test_csv_has_a_row_per_entry_and_no_formulas(record):
    output = exported(record, "csv")
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    data = output.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "a byte order mark, so spreadsheets read UTF-8"
    with output.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    got = [(r["goal"], r["date"], r["rating"], r["gas_level"], r["note"]) for r in rows]
    assert got == [
        ("eat-well", "2026-11-09", "4", "", '\'=HYPERLINK("http://evil.example")'),
        ("eat-well", "2026-11-16", "5", "-1", "مشيت إلى السوق"),
        ("eat-well", "2026-11-16", "", "0", "'-2 days off"),
        ("eat-well", "2026-11-23", "", "1", ""),
        ("sleep", "2026-11-10", "6", "", ""),
        ("sleep", "2026-11-17", "3", "", "'@home, late nights"),
        ("walk", "2026-10-20", "10", "", "'+1 walk on Sunday"),
    ]
    assert rows[0]["title"] == "Manger des légumes, café au lait le matin"
    assert rows[4]["title"] == "نوم قبل الحادية عشرة"
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row.values())


def comparable(path: Path, catalog) -> list:
    """The record's goals as export and import carry them: everything but the worksheet answers."""
    return [g.model_copy(update={"answers": {}}) for g in load_record(path, catalog).goals]


def test_export_then_import_gives_the_same_goals(record, tmp_path, catalog):
    output = exported(record)
    new = tmp_path / "clients" / "copy.yaml"
    code, out, err = run("import-fhir", str(output), str(new), "--yes")
    assert code == 0, err
    assert "add goal 'eat-well'" in out and out.endswith(f"Saved {new}\n")
    copy = load_record(new, catalog)
    assert copy.client == "Jordan Rivière سارة"
    assert comparable(new, catalog) == comparable(record, catalog)
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    before = new.read_bytes()
    code, out, err = run("import-fhir", str(output), str(new), "--yes")
    assert code == 0 and "nothing new" in out and "Nothing saved." in out
    assert new.read_bytes() == before
    code, out, _ = run("import-fhir", str(output), str(record), "--yes")
    assert code == 0 and "nothing new" in out, "the record the file came from has it all"


def test_a_goal_in_the_record_gets_only_the_entries_it_lacks(record, tmp_path, catalog):
    output = exported(record)
    text = RECORD.split("  - id: sleep")[0]
    older = tmp_path / "clients" / "older.yaml"
    older.write_text(text.split("      - {date: 2026-11-16, rating: 5")[0] + "    # later entries\n", encoding="utf-8")
    code, out, err = run("import-fhir", str(output), str(older), "--yes")
    assert code == 0, err
    assert "add 3 progress entries to 'eat-well'" in out and "add goal 'sleep'" in out
    assert comparable(older, catalog) == comparable(record, catalog)
    assert "# later entries" in older.read_text(encoding="utf-8"), "the person's comment stays"


def test_answering_no_writes_nothing(record, tmp_path):
    output = exported(record)
    new = tmp_path / "clients" / "copy.yaml"
    result = CliRunner().invoke(cli, ["--project", str(ROOT), "import-fhir", str(output), str(new)], input="n\n")
    assert result.exit_code == 0 and "Nothing saved." in result.stdout
    assert not new.exists() and sorted(p.name for p in new.parent.iterdir()) == ["jordan.yaml"]


BAD_GOAL = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "name": [{"text": "Kim"}]}},
        {"fullUrl": "urn:uuid:2", "resource": {"resourceType": "Goal", "lifecycleStatus": "active"}},
    ],
}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"client: Kim\n", "1:1: not valid JSON: Expecting value"),
        (b'{\n  "resourceType": "Bundle",\n  "entry": [\n    {"resource": }\n  ]\n}\n', "4:18: not valid JSON"),
        (
            b'{"resourceType": "Patient"}',
            '1:1: expected a FHIR Bundle (a JSON object with "resourceType": "Bundle"), got a Patient',
        ),
        (json.dumps(BAD_GOAL).encode(), "1:1: Bundle.entry[1].resource.description: Field required"),
        (b"\xff\xfe{}", "1:1: not UTF-8 text"),
        (b"[" * 100_000, "1:1: not FHIR JSON: nested too deeply"),
    ],
    ids=["not-json", "broken-line", "not-a-bundle", "invalid-goal", "not-utf8", "nested"],
)
def test_a_bad_file_is_refused_and_nothing_written(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    folder = tmp_path / "clients"
    folder.mkdir()
    new = folder / "kim.yaml"
    code, out, err = run("import-fhir", str(bad), str(new), "--client", "Kim", "--yes")
    assert code == 2, err
    assert f"{bad}:{message}" in err, err
    assert "Traceback" not in err and out == ""
    assert list(folder.iterdir()) == [], "no record, no lock file"


def test_a_bad_file_leaves_an_existing_record_alone(record, tmp_path):
    bad = tmp_path / "bad.json"
    BAD = {
        **BAD_GOAL,
        "entry": [
            BAD_GOAL["entry"][0],
            {
                "resource": {
                    **BAD_GOAL["entry"][1]["resource"],
                    "description": {"text": "x"},
                    "subject": {"reference": "urn:uuid:1"},
                    "startDate": "2026-11",
                }
            },
        ],
    }
    bad.write_text(json.dumps(BAD), encoding="utf-8")
    before = record.read_bytes()
    code, _, err = run("import-fhir", str(bad), str(record), "--yes")
    assert code == 2 and f"{bad}:1:1: Bundle.entry[1]: startDate '2026-11' is not a whole date" in err, err
    assert record.read_bytes() == before and sorted(p.name for p in record.parent.iterdir()) == ["jordan.yaml"]


FOREIGN = {
    "resourceType": "Bundle",
    "type": "searchset",
    "entry": [
        {
            "fullUrl": "http://ehr.example/Patient/7",
            "resource": {
                "resourceType": "Patient",
                "id": "7",
                "name": [{"given": ["Kim"], "family": "Lee"}],
                "birthDate": "1990-01-01",
            },
        },
        {
            "fullUrl": "http://ehr.example/Goal/g1",
            "resource": {
                "resourceType": "Goal",
                "id": "g1",
                "lifecycleStatus": "on-hold",
                "description": {"text": "Walk every day"},
                "subject": {"reference": "Patient/7"},
                "startDate": "2026-09-01",
                "note": [{"text": "Discussed at intake"}],
            },
        },
        {
            "resource": {
                "resourceType": "Goal",
                "lifecycleStatus": "entered-in-error",
                "description": {"text": "Oops"},
                "subject": {"reference": "Patient/7"},
            }
        },
        {
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                "focus": [{"reference": "Goal/g1"}],
                "valueInteger": 70,
            }
        },
        {
            "resource": {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [{"system": PROGRESS_CODES, "code": "rating"}]},
                "focus": [{"reference": "Goal/g1"}],
                "effectiveDateTime": "2026-09-08T10:30:00+02:00",
                "valueInteger": 3,
            }
        },
    ],
}


def test_a_goal_from_another_system_gets_a_worksheet_and_an_id(tmp_path, catalog):
    source = tmp_path / "ehr.json"
    source.write_text(json.dumps(FOREIGN), encoding="utf-8")
    new = tmp_path / "kim.yaml"
    code, out, err = run("import-fhir", str(source), str(new), "--worksheet", "grow", "--yes")
    assert code == 0, err
    [goal] = load_record(new, catalog).goals
    assert (goal.id, goal.worksheet, goal.title, goal.status) == ("walk-every-day", "grow", "Walk every day", "paused")
    assert goal.set_on == datetime.date(2026, 9, 1)
    assert [(e.date, e.rating) for e in goal.progress] == [(datetime.date(2026, 9, 8), 3)]
    assert load_record(new, catalog).client == "Kim Lee"
    assert "left out: Bundle.entry[2]: a goal marked entered-in-error" in out
    assert "left out: Bundle.entry[3]: an observation" in out and "left out: Bundle.entry[1]: a note" in out
    code, out, _ = run("import-fhir", str(source), str(new), "--yes")
    assert code == 0 and "nothing new" in out, "the same title is the same goal"
    code, _, err = run("import-fhir", str(source), str(tmp_path / "x.yaml"), "--worksheet", "nope", "--yes")
    assert code == 2 and "--worksheet" in err


def test_output_is_refused_inside_the_project_and_onto_the_record(record, scratch):
    inside = scratch.content / "jordan.json"
    code, _, err = export(record, "fhir", inside, project=scratch.root)
    assert code == 2 and "refusing to write client sheets into" in err and not inside.exists()
    (scratch.root / "site").mkdir()
    code, _, err = export(record, "csv", scratch.root / "site" / "x.csv", project=scratch.root)
    assert code == 2 and "it is part of the site or its content" in err
    before = record.read_bytes()
    code, _, err = export(record, "csv", record)
    assert code == 2 and "a csv export is written to a file ending in .csv" in err and record.read_bytes() == before
    odd = record.with_name("jordan.json")  # a record may have any name
    odd.write_bytes(before)
    code, _, err = export(odd, "fhir", odd)
    assert code == 2 and "this is the client record itself" in err and odd.read_bytes() == before


@pytest.mark.parametrize(
    ("status", "entries", "expected"),
    [
        ("active", [], "in-progress"),
        ("active", [{"rating": 3}], "in-progress"),
        ("active", [{"rating": 3}, {"rating": 3}], "no-change"),
        ("done", [{"rating": 9}], "not-achieved"),
        ("done", [], None),
        ("done", [{"rating": 2, "gas": 0}], "achieved"),
    ],
)
def test_achievement_status_follows_the_progress(status, entries, expected):
    from worksheets.clients.records import Goal

    scale = {"levels": dict.fromkeys((2, 1, 0, -1, -2), "x")}
    progress = [{"date": datetime.date(2026, 1, i + 1), **e} for i, e in enumerate(entries)]
    goal = Goal.model_validate(
        {"id": "g", "worksheet": "grow", "title": "t", "status": status, "gas": scale, "progress": progress}
    )
    assert achievement_status(goal) == expected


def test_the_readme_tour_shows_both_commands():
    tour = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("export", "import-fhir"):
        assert f"\nworksheets {command} clients/" in tour or f"\nworksheets {command} ~/" in tour, command
        code, out, _ = run(command, "--help")
        assert code == 0 and "Usage:" in out


def test_csv_text_cells_are_quoted_so_a_separator_cannot_start_a_formula(tmp_path):
    path = tmp_path / "kim.yaml"
    path.write_text(
        "client: Kim\ngoals:\n  - id: walk\n    worksheet: grow\n    title: Walk;=1+1\n"
        "    progress:\n      - {date: 2026-11-02, rating: 3, note: 'a;@SUM(A1)'}\n",
        encoding="utf-8",
    )
    output = tmp_path / "kim.csv"
    code, _, err = export(path, "csv", output)
    assert code == 0, err
    line = output.read_text(encoding="utf-8-sig").splitlines()[1]
    assert line == '"walk","Walk;=1+1","2026-11-02",3,"","a;@SUM(A1)"', "text quoted, numbers bare"
    assert next(csv.reader([line]))[1] == "Walk;=1+1"


def test_another_clients_export_is_never_merged_into_this_clients_goals(record, tmp_path, catalog):
    other = tmp_path / "sam.yaml"
    sam = RECORD.replace("client: Jordan Rivière سارة", "client: Sam K.")  # the same goal ids, other goals
    sam = sam.replace("Manger des légumes, café au lait le matin", "Cook twice a week").replace("Walk to work", "Run")
    other.write_text(sam, encoding="utf-8")
    bundle = exported(other)
    before = {g.id: len(g.progress) for g in load_record(record, catalog).goals}
    code, out, err = run("import-fhir", str(bundle), str(record), "--yes")
    assert code == 0 and "the file is about 'Sam K.'" in out, err
    after = load_record(record, catalog).goals
    assert {g.id: len(g.progress) for g in after[:3]} == before, "no entry added to Jordan's own goals"
    added = [(g.id, g.title) for g in after[3:]]
    assert added == [("cook-twice-a-week", "Cook twice a week"), ("goal", "نوم قبل الحادية عشرة"), ("run", "Run")]


def test_two_goals_of_one_file_with_one_title_are_both_added(tmp_path, catalog):
    first, goal = FOREIGN["entry"][:2]
    twice = {**FOREIGN, "entry": [first, goal, {**goal, "fullUrl": "urn:uuid:x"}]}
    source = tmp_path / "ehr.json"
    source.write_text(json.dumps(twice), encoding="utf-8")
    new = tmp_path / "kim.yaml"
    code, _, err = run("import-fhir", str(source), str(new), "--yes")
    assert code == 0, err
    assert [g.id for g in load_record(new, catalog).goals] == ["walk-every-day", "walk-every-day-2"]


def test_a_number_too_long_to_read_is_a_message(tmp_path):
    bad = tmp_path / "big.json"
    bad.write_text('{"resourceType": "Bundle", "total": ' + "9" * 5000 + "}", encoding="utf-8")
    code, _, err = run("import-fhir", str(bad), str(tmp_path / "kim.yaml"), "--client", "Kim", "--yes")
    assert code == 2 and f"{bad}:1:1: not FHIR JSON" in err and "Traceback" not in err, err


def test_levels_are_imported_in_date_order_and_score_as_the_latest(tmp_path, catalog):
    path = tmp_path / "kim.yaml"
    path.write_text(RECORD, encoding="utf-8")
    bundle = json.loads(exported(path).read_text(encoding="utf-8"))
    bundle["entry"] = bundle["entry"][:1] + bundle["entry"][1:][::-1]  # newest first, as some systems list them
    source = tmp_path / "reversed.json"
    source.write_text(json.dumps(bundle), encoding="utf-8")
    new = tmp_path / "copy.yaml"
    code, _, err = run("import-fhir", str(source), str(new), "--yes")
    assert code == 0, err
    goal = load_record(new, catalog).goal("eat-well")
    assert [e.date for e in goal.progress] == sorted(e.date for e in goal.progress)
