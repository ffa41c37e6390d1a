"""Client records and take-home sheets: validation, safe saving, the goals commands, prefill."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from worksheets.cli import cli
from worksheets.clients.records import backup_path, load_record, save_record
from worksheets.clients.takehome import prefill
from worksheets.errors import InputError

from conftest import RECORD, ROOT, folded, pdf_text, run


@pytest.fixture
def record(tmp_path) -> Path:
    path = tmp_path / "clients" / "jordan.yaml"
    path.parent.mkdir()
    path.write_text(RECORD, encoding="utf-8")
    return path


def problems(path: Path, catalog) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_record(path, catalog)
    return [str(p) for p in caught.value.problems]


def test_a_hand_written_record_loads(record, catalog):
    loaded = load_record(record, catalog)
    assert loaded.client == "Jordan R." and [g.id for g in loaded.goals] == ["eat-well", "worry-less"]
    goal = loaded.goal("eat-well")
    assert goal.answers["importance"] == 8 and goal.steps[0].done and goal.progress[-1].rating == 7


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("importance: 8", "importance: very"), "11:19: expected a whole number from 0 to 10, got text"),
        (("status: paused", "status: resting"), "22:13: expected one of 'active', 'done' or 'paused', got text"),
    ],
)
def test_record_problems_are_located(record, catalog, change, expected):
    record.write_text(RECORD.replace(*change), encoding="utf-8")
    assert f"{record}:{expected}" in problems(record, catalog)


def test_a_bad_record_makes_every_command_exit_2_and_writes_nothing(record, tmp_path):
    record.write_text(RECORD.replace("rating: 7}", "rating: 70}"), encoding="utf-8")
    before = record.read_bytes()
    out = tmp_path / "out"
    for args in (
        ["goals", "list", str(record)],
        ["goals", "progress", str(record), "eat-well", "--rating", "5"],
        ["goals", "done", str(record), "eat-well", "2"],
        ["prefill", str(record), "--out", str(out)],
    ):
        code, _, err = run(*args)
        assert code == 2, args
        assert f"{record}:18:36:" in err and "Traceback" not in err
    assert record.read_bytes() == before
    assert not out.exists() and not backup_path(record).exists()


ADD_INPUT = "\n".join(
    [
        "Jordan R.",  # client (a new file)
        "Sam Lee",  # therapist
        "Walk more",  # the goal's title
        "Get fitter",  # own-words
        "Walk 30 minutes\\nfive days a week",  # specific (typed on one line)
        "",  # measure: skipped
        "I can keep up with my kids",  # matters
        "",  # can-act: skipped
        "eleven",  # stretch: not a number, asked again
        "6",  # stretch
        "",
        "",
        "",  # meaning, along-the-way, feel
        "2027-13-01",  # date: no 13th month, asked again
        "2027-01-31",
        "Two months to build up",  # why-date
        "",  # sentence
        "Buy shoes",  # first-steps row 1, step
        "Saturday",  # row 1, when
        "y",  # row 1, done
        "",  # row 2: empty, the table ends
        "9",  # importance
        "7",  # confidence
        "Buy walking shoes",  # step 1
        "2026-11-30",  # its due date
        "",  # no more steps
        "2027-02-01",  # target date
        "y",  # save
        "",
    ]
)


def test_goals_add_asks_field_by_field_and_saves(tmp_path, catalog):
    path = tmp_path / "new" / "jordan.yaml"
    result = CliRunner().invoke(
        cli, ["--project", str(ROOT), "goals", "add", str(path), "--worksheet", "smart-goals"], input=ADD_INPUT
    )
    assert result.exit_code == 0, result.output
    assert "Saved goal 'walk-more'" in result.output
    assert "please give a whole number from 0 to 10" in result.output
    assert "please write the date as YYYY-MM-DD" in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    record = load_record(path, catalog)
    assert (record.client, record.therapist) == ("Jordan R.", "Sam Lee")
    goal = record.goal("walk-more")
    assert goal.worksheet == "smart-goals" and str(goal.target_date) == "2027-02-01"
    assert goal.answers == {
        "own-words": "Get fitter",
        "specific": "Walk 30 minutes\\nfive days a week",
        "matters": "I can keep up with my kids",
        "stretch": 6,
        "date": goal.answers["date"],
        "why-date": "Two months to build up",
        "first-steps": [{"step": "Buy shoes", "when": "Saturday", "done": True}],
        "importance": 9,
        "confidence": 7,
    }
    assert str(goal.answers["date"]) == "2027-01-31"
    assert [(s.text, str(s.due), s.done) for s in goal.steps] == [("Buy walking shoes", "2026-11-30", False)]
    again = CliRunner().invoke(
        cli,
        ["--project", str(ROOT), "goals", "add", str(path), "--worksheet", "worry-tree"],
        input="Walk more\n" + "\n" * 20 + "y\n",
    )
    assert again.exit_code == 0, again.output
    assert [g.id for g in load_record(path, catalog).goals] == ["walk-more", "walk-more-2"]


def test_goals_list_progress_and_done(record, catalog):
    code, out, _ = run(
        "goals", "progress", str(record), "eat-well", "--rating", "8", "--note", "Cooked twice", "--date", "2026-11-30"
    )
    assert code == 0 and "Recorded 8/10" in out
    code, out, _ = run("goals", "done", str(record), "eat-well", "2")
    assert code == 0
    goal = load_record(record, catalog).goal("eat-well")
    assert [r.rating for r in goal.progress] == [4, 5, 7, 8] and goal.progress[-1].note == "Cooked twice"
    assert all(s.done for s in goal.steps)
    code, out, _ = run("goals", "list", str(record))
    assert "eat-well [active] Eat fruit and vegetables every day" in out
    assert "steps 2/2 done, latest rating 8 on 2026-11-30" in out
    assert "worry-less [paused]" in out
    code, _, err = run("goals", "done", str(record), "eat-well", "3")
    assert code == 2 and "has 2 steps" in err
    code, _, err = run("goals", "progress", str(record), "eat-wel", "--rating", "3")
    assert code == 2 and "did you mean 'eat-well'?" in err
    code, _, err = run("goals", "progress", str(record), "eat-well", "--rating", "11")
    assert code == 2


def test_saving_keeps_a_backup_and_owner_only_permissions(record, catalog):
    first = load_record(record, catalog)
    save_record(record, first, catalog)
    original = record.read_bytes()
    changed = first.model_copy(update={"therapist": "Ana Souza"})
    save_record(record, changed, catalog)
    assert backup_path(record).read_bytes() == original
    assert load_record(record, catalog).therapist == "Ana Souza"
    for path in (record, backup_path(record)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in record.parent.iterdir()) == ["jordan.yaml", "jordan.yaml.bak"]


WRITER = """
import datetime, sys
from pathlib import Path
from worksheets.content.loader import load_catalog
from worksheets.content.models import Rating
from worksheets.project import Project
from worksheets.clients.records import update
catalog = load_catalog(Project.at({root!r}))
path, day = Path({path!r}), {day}
for n in range(15):
    with update(path, catalog) as box:
        goal = box["record"].goal("eat-well")
        entry = Rating(date=datetime.date(2027, 1, 1) + datetime.timedelta(days=day + 2 * n), rating=n % 11)
        goals = [g.model_copy(update={{"progress": [*g.progress, entry]}}) if g.id == "eat-well" else g
                 for g in box["record"].goals]
        box["record"] = box["record"].model_copy(update={{"goals": goals}})
"""


def test_concurrent_updates_both_land(record, catalog):
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), path=str(record), day=day)])
        for day in (0, 1)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    progress = load_record(record, catalog).goal("eat-well").progress
    assert len(progress) == 3 + 2 * 15
    assert len({r.date for r in progress}) == len(progress)


def test_prefill_prints_the_clients_own_words(record, tmp_path, project, catalog):
    long_answer = " ".join(f"word{n}" for n in range(700))
    assert len(long_answer) > 5000
    text = RECORD.replace("client: Jordan R.", "client: Νίκος Παπαδόπουλος")
    text = text.replace("therapist: Sam Lee", "therapist: Анна Іванова")
    markup = '<script>alert(1)</script> {{ 7 * 7 }} <img src="file:///etc/passwd"> Zoë Łódź'
    text = text.replace("own-words: Eat better.", f"own-words: '{markup}'\n      specific: {long_answer}")
    record.write_text(text, encoding="utf-8")
    [sheet] = prefill(project, catalog, [record], tmp_path / "out")
    data = sheet.path.read_bytes()
    printed = pdf_text(data)
    words = printed.split()
    assert all(f"word{n}" in words for n in range(700)), "every word of a long answer is printed"
    assert markup in printed
    for name in ("Νίκος Παπαδόπουλος", "Анна Іванова", "Eat fruit and vegetables every day"):
        assert name in printed
    assert "Handle money worries" not in printed, "paused goals are left out unless named"
    assert "Confidential" in printed
    assert stat.S_IMODE(sheet.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(sheet.path.parent.stat().st_mode) == 0o700
    metadata = PdfReader(BytesIO(data)).metadata
    assert metadata.title == catalog.strings.takehome_title
    assert "Νίκος" not in str(dict(metadata)) and "Jordan" not in str(dict(metadata))


def test_the_chart_shows_each_rating(record, tmp_path, project, catalog):
    [sheet] = prefill(project, catalog, [record], tmp_path / "out", goal_ids=["eat-well"])
    reader = PdfReader(sheet.path)
    first = folded(reader.pages[0].extract_text())
    assert "My progress so far" in first
    for label in ("9 Nov", "16 Nov", "23 Nov"):
        assert label in first
    chart_numbers = first.split("My progress so far", 1)[1].split()
    for rating in ("4", "5", "7"):
        assert rating in chart_numbers
    assert "Logged meals 5 of 7 days" in first


def test_prefill_many_clients_and_chosen_goals(record, tmp_path):
    other = record.with_name("amira.yaml")
    other.write_text(RECORD.replace("Jordan R.", "Amira H."), encoding="utf-8")
    out = tmp_path / "take-home"
    code, stdout, _ = run(
        "prefill",
        str(record),
        str(other),
        "--goal",
        "worry-less",
        "--goal",
        "eat-well",
        "--out",
        str(out),
        "--paper",
        "a4",
    )
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["amira.pdf", "jordan.pdf"]
    assert "Wrote" in stdout and "2 goals" in stdout
    assert "Eat fruit" not in stdout, "nothing from a record is echoed"
    text = pdf_text((out / "amira.pdf").read_bytes())
    assert "Amira H." in text and text.index("Handle money worries") < text.index("Eat fruit and vegetables")
    code, _, err = run("prefill", str(record), "--goal", "nope", "--out", str(out))
    assert code == 2 and "no goal 'nope'" in err


def test_prefill_refuses_folders_that_get_published(record, built_site, scratch, tmp_path):
    for folder in (scratch.content / "private", scratch.root / "site" / "clients", built_site / "pdf" / "x"):
        code, _, err = run("prefill", str(record), "--out", str(folder), project=scratch.root)
        assert code == 2 and "refusing to write client sheets" in err
        assert not folder.exists()


def test_record_text_with_line_breaks_is_saved_as_a_block(record, catalog):
    loaded = load_record(record, catalog)
    goal = loaded.goal("eat-well").model_copy(update={"answers": {"own-words": "line one\nline two"}})
    save_record(record, loaded.model_copy(update={"goals": [goal, loaded.goals[1]]}), catalog)
    saved = record.read_text()
    assert "  - id: eat-well\n    worksheet: smart-goals\n" in saved
    assert "own-words: |-\n        line one\n        line two" in saved
    assert load_record(record, catalog).goal("eat-well").answers["own-words"] == "line one\nline two"


def test_a_record_can_be_written_by_hand_with_comments(tmp_path, catalog):
    path = tmp_path / "kim.yaml"
    path.write_text(
        textwrap.dedent("""\
        # Kim's goals
        client: Kim   # initials are fine
        goals: []
    """)
    )
    assert load_record(path, catalog).client == "Kim"
    assert os.access(path, os.R_OK)
