"""Saving a record keeps what the person wrote: comments, layout, quoting, blank lines.

Every command that changes a record (goals progress, done, add, import) is run on a hand-written
record full of comments, several times over, and the comments must all still be there, in order,
with only the lines that carry the change being new.
"""

from __future__ import annotations

import datetime
import difflib
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from worksheets.cli import cli
from worksheets.clients.records import backup_path, load_record, save_record
from worksheets.content.models import Rating
from worksheets.content.yamlsource import MAX_BYTES

from conftest import ROOT, fill, fillable, run

COMMENTED = """\
# Jordan's record: kept by hand as well as by the tool
client: Jordan R.   # initials only, as agreed

therapist: 'Sam Lee'
goals:
# the goal we started with
- id: eat-well
  worksheet: smart-goals
  title: "Eat fruit and vegetables every day"
  set_on: "2026-11-02"   # quoted, as another program wrote it
  answers:
    own-words: Eat better.   # her own words
    specific: |
      Eat fruit or vegetables at every meal.
      Start with breakfast.
    importance: 8
  steps:
  - {text: Buy a notebook to log meals, due: 2026-11-05, done: true}
  # this one is hard for her
  - {text: Find three easy recipes, due: 2026-11-12}
  progress:
  - date: 2026-11-09
    rating: 4   # a slow start
    note: Logged meals 5 of 7 days

  - date: 2026-11-16
    rating: 5
# paused over the holidays
- id: worry-less
  worksheet: worry-tree
  title: Handle money worries
  status: paused
# end of record
"""

COMMENTS = [line.split("#", 1)[1] for line in COMMENTED.splitlines() if "#" in line]


def comments_of(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines taken out of ``before`` and the lines put into ``after``."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "clients" / "jordan.yaml"
    path.parent.mkdir()
    path.write_text(COMMENTED, encoding="utf-8")
    return path


def test_saving_an_unchanged_record_keeps_it_byte_for_byte(record, catalog):
    save_record(record, load_record(record, catalog), catalog)
    assert record.read_text(encoding="utf-8") == COMMENTED
    assert backup_path(record).read_text(encoding="utf-8") == COMMENTED


def test_goals_progress_and_done_keep_every_comment_over_three_saves(record, catalog):
    for day, rating in (("2026-11-23", 6), ("2026-11-12", 3), ("2026-11-30", 7)):
        code, _, err = run("goals", "progress", str(record), "eat-well", "--rating", str(rating), "--date", day)
        assert code == 0, err
    before = record.read_text(encoding="utf-8")
    code, _, err = run("goals", "done", str(record), "eat-well", "2")
    assert code == 0, err
    after = record.read_text(encoding="utf-8")
    assert comments_of(after) == COMMENTS
    removed, added = changed_lines(before, after)
    assert removed == ["  - {text: Find three easy recipes, due: 2026-11-12}"]
    assert added == ["  - {text: Find three easy recipes, due: 2026-11-12, done: true}"]
    assert "therapist: 'Sam Lee'" in after and 'title: "Eat fruit and vegetables every day"' in after
    assert 'set_on: "2026-11-02"   # quoted, as another program wrote it' in after
    assert "\n\n  - date: 2026-11-16\n" in after, "the blank line before a rating stays before it"
    assert "    rating: 7\n# paused over the holidays\n- id: worry-less\n" in after, "and a comment above a goal"
    goal = load_record(record, catalog).goal("eat-well")
    assert [(str(r.date), r.rating) for r in goal.progress] == [
        ("2026-11-09", 4),
        ("2026-11-12", 3),
        ("2026-11-16", 5),
        ("2026-11-23", 6),
        ("2026-11-30", 7),
    ]
    assert goal.set_on == datetime.date(2026, 11, 2) and all(s.done for s in goal.steps)
    new_items = [line for line in after.splitlines() if "2026-11-12" in line or "2026-11-30" in line]
    assert "  - date: 2026-11-12" in new_items, "a new rating is written in the style of its neighbours"


def test_only_the_changed_lines_differ_in_the_tools_own_layout(tmp_path, catalog):
    from conftest import RECORD

    path = tmp_path / "jordan.yaml"
    path.write_text("# Jordan\n" + RECORD.replace("rating: 5}", "rating: 5}  # better"), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    assert run("goals", "done", str(path), "eat-well", "2")[0] == 0
    removed, added = changed_lines(before, path.read_text(encoding="utf-8"))
    assert removed == ["      - {text: Find three easy recipes, due: 2026-11-12}"]
    assert added == ["      - {text: Find three easy recipes, due: 2026-11-12, done: true}"]


def test_goals_add_keeps_every_comment(record, catalog):
    for n in range(2):
        result = CliRunner().invoke(
            cli,
            ["--project", str(ROOT), "goals", "add", str(record), "--worksheet", "grow"],
            input=f"Sleep better {n}\n" + "\n" * 30 + "y\n",
        )
        assert result.exit_code == 0, result.output
    text = record.read_text(encoding="utf-8")
    assert comments_of(text) == COMMENTS
    assert [g.id for g in load_record(record, catalog).goals][-2:] == ["sleep-better-0", "sleep-better-1"]
    assert text.endswith("# end of record\n"), "comments after the last goal stay after the goals"


def test_import_keeps_every_comment(record, catalog, tmp_path):
    data = fillable("progress-and-wins")
    seven = [str(o) for o in PdfReader(BytesIO(data)).get_fields()["rating"]["/Opt"]].index("7")
    filled = fill(data, {"rating": f"/{seven}", "week-of": "2026-12-07", "win": "Walked"}, tmp_path / "w.pdf")
    for _ in range(2):
        code, _, err = run("import", str(filled), str(record), "--goal", "worry-less", "--yes")
        assert code == 0, err
    code, _, err = run("import", str(filled), str(record), "--yes")
    assert code == 0, err
    assert comments_of(record.read_text(encoding="utf-8")) == COMMENTS
    goals = load_record(record, catalog).goals
    assert [r.rating for r in goals[1].progress] == [7, 7]
    assert goals[-1].answers == {"week-of": datetime.date(2026, 12, 7), "rating": 7, "win": "Walked"}


def test_a_new_record_is_written_in_the_tools_layout(tmp_path):
    path = tmp_path / "kim.yaml"
    result = CliRunner().invoke(
        cli,
        ["--project", str(ROOT), "goals", "add", str(path), "--worksheet", "grow"],
        input="Kim\n\nSleep better\n" + "\n" * 30 + "y\n",
    )
    assert result.exit_code == 0, result.output
    today = datetime.date.today().isoformat()
    expected = (
        "client: Kim\ngoals:\n  - id: sleep-better\n    worksheet: grow\n    title: Sleep better\n"
        f"    set_on: {today}\n"
    )
    assert path.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize(
    ("note", "written"),
    [
        ("line\u2028break", r'"line\Lbreak"'),
        ("next\x85line", r'"next\Nline"'),
        ("para\u2029graph", r'"para\Pgraph"'),
        ("two\nlines", "|-\n      two\n      lines"),
        ("1:30", "'1:30'"),
        ("yes", "'yes'"),
        ("2026-11-02", "'2026-11-02'"),
    ],
)
def test_new_text_in_an_existing_record_reads_back_as_it_was_given(record, catalog, note, written):
    loaded = load_record(record, catalog)
    goal = loaded.goal("eat-well")
    entry = Rating(date=datetime.date(2026, 12, 1), rating=6, note=note)
    changed = goal.model_copy(update={"progress": [*goal.progress, entry]})
    save_record(record, loaded.model_copy(update={"goals": [changed, loaded.goals[1]]}), catalog)
    assert f"note: {written}" in record.read_text(encoding="utf-8")
    assert load_record(record, catalog).goal("eat-well").progress[-1].note == note


@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=60))
def test_any_text_saved_into_a_commented_record_reads_back_unchanged(record, catalog, text):
    record.write_text(COMMENTED, encoding="utf-8")
    loaded = load_record(record, catalog)
    goal = loaded.goal("eat-well").model_copy(update={"answers": {"own-words": text, "importance": 8}})
    save_record(record, loaded.model_copy(update={"goals": [goal, loaded.goals[1]]}), catalog)
    assert load_record(record, catalog).goal("eat-well").answers["own-words"] == text
    saved, at = record.read_text(encoding="utf-8"), 0
    for comment in COMMENTS:  # in order (the text itself may hold a #)
        at = saved.index("#" + comment, at) + 1


def test_windows_line_endings_are_kept(record, catalog):
    record.write_bytes(COMMENTED.replace("\n", "\r\n").encode())
    assert run("goals", "done", str(record), "eat-well", "2")[0] == 0
    data = record.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") == COMMENTED.count("\n")


def big_record(size: int) -> str:
    """A hand-written record of about ``size`` bytes: ratings with long notes, one per line (long
    notes rather than many ratings, as reading a million bytes of short items takes a while)."""
    line = "  - {date: 2026-11-09, rating: 4, note: " + " ".join(["Walked to the shop and back."] * 60) + "}\n"
    head = COMMENTED.split("  progress:\n")[0] + "  progress:\n"
    return head + line * ((size - len(head)) // len(line))


def test_a_record_near_the_size_limit_can_still_be_changed(record, catalog):
    record.write_text(big_record(MAX_BYTES - 2_000), encoding="utf-8")
    size = record.stat().st_size
    code, _, err = run("goals", "progress", str(record), "eat-well", "--rating", "6", "--date", "2026-12-01")
    assert code == 0, err
    assert size < record.stat().st_size < size + 100


def test_a_change_that_would_go_over_the_size_limit_is_refused_plainly(record, catalog):
    record.write_text(big_record(MAX_BYTES - 200), encoding="utf-8")
    before = record.read_bytes()
    command = [sys.executable, "-m", "worksheets", "--project", str(ROOT), "goals", "progress", str(record)]
    result = subprocess.run(
        [*command, "eat-well", "--rating", "6", "--note", "x" * 300], capture_output=True, text=True
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    message = re.escape(f"{record}:1:1: with this change the record, {len(before):,} bytes now, would be ")
    limit = r"[\d,]+ bytes, over the limit of 1,000,000; nothing was saved\. Move goals that are done"
    assert re.match(message + limit, result.stderr), result.stderr
    assert record.read_bytes() == before
    assert sorted(p.name for p in record.parent.iterdir()) == ["jordan.yaml"], "no backup, no lock file"
