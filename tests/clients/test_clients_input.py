"""What a person types (options, answers at prompts) and what records say, at the terminal.

Bad text from the command line or a prompt is a message naming it, exit 2, and nothing written,
not even a lock file; text from a record is shown with its control characters made visible.
The commands run as real processes, with real bytes on their command line and standard input.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from worksheets.clients.records import load_record
from worksheets.errors import Problem, visible

from conftest import RECORD, ROOT


def worksheets(*args: str | bytes, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    """Run the command line as a person does; arguments may be bytes that are not UTF-8."""
    return subprocess.run(
        [sys.executable, "-m", "worksheets", "--project", str(ROOT), *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=60,
    )


def out(result: subprocess.CompletedProcess) -> str:
    return result.stdout.decode("utf-8", "backslashreplace")


def err(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8", "backslashreplace")


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "clients" / "jordan.yaml"
    path.parent.mkdir()
    path.write_text(RECORD, encoding="utf-8")
    return path


def assert_refused_untouched(result: subprocess.CompletedProcess, record: Path, message: str) -> None:
    assert result.returncode == 2, err(result)
    assert message in err(result), err(result)
    assert "Traceback" not in err(result)
    assert record.read_text(encoding="utf-8") == RECORD
    assert sorted(p.name for p in record.parent.iterdir()) == [record.name], "no backup, no lock file"


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * 20_001, "Invalid value for '--note': the text is 20,001 characters long; one text may have at most"),
        (b"Cooked \xff twice", "Invalid value for '--note': the text holds a byte that is not UTF-8 text (0xff)"),
    ],
)
def test_a_note_a_record_cannot_hold_is_refused_before_the_lock(record, note, message):
    result = worksheets("goals", "progress", str(record), "eat-well", "--rating", "5", "--note", note)
    assert_refused_untouched(result, record, message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["goals", "progress", "{record}", "eat-wel", "--rating", "5"], "no goal 'eat-wel' in this record"),
        (["goals", "done", "{record}", "eat-well", "3"], "goal 'eat-well' has 2 steps"),
    ],
)
def test_a_refusal_under_the_lock_leaves_no_lock_file(record, args, message):
    assert_refused_untouched(worksheets(*(a.format(record=record) for a in args)), record, message)


def test_a_note_at_the_limit_is_saved(record, catalog):
    result = worksheets("goals", "progress", str(record), "eat-well", "--rating", "5", "--note", "x" * 20_000)
    assert result.returncode == 0, err(result)
    assert load_record(record, catalog).goal("eat-well").progress[-1].note == "x" * 20_000
    assert sorted(p.name for p in record.parent.iterdir()) == ["jordan.yaml", "jordan.yaml.bak"]


@pytest.mark.parametrize("client", ["", "   "])
def test_import_refuses_an_empty_client_name(tmp_path, client):
    from conftest import fill, fillable

    filled = fill(fillable("grow"), {"what": "Walk more"}, tmp_path / "grow.pdf")
    result = worksheets("import", str(filled), str(tmp_path / "new.yaml"), "--client", client, "--yes")
    assert result.returncode == 2 and "Invalid value for '--client': the text is empty" in err(result)
    assert "Traceback" not in err(result) and sorted(p.name for p in tmp_path.iterdir()) == ["grow.pdf"]


ADD = [
    b"Jo\xffrdan",  # the client's name: not UTF-8, asked again
    b"Jordan",
    b"",  # no therapist
    b"x" * 20_001,  # the goal: too long, asked again
    b"Walk more",
    *[b""] * 5,  # own-words, specific, measure, matters, can-act: skipped
    "\u00b2".encode(),  # stretch: a superscript two is not a number, asked again
    "\u0666".encode(),  # stretch: Arabic-Indic six
    *[b""] * 7,  # meaning, along-the-way, feel, date, why-date, sentence, first-steps: skipped
    "\uff19".encode(),  # importance: full-width nine
    b"",  # confidence skipped
    b"Buy \xfe shoes",  # step 1: not UTF-8, asked again
    b"Buy shoes",
    b"",  # its due date
    b"",  # no more steps
    b"",  # no target date
    b"y",
]


def test_goals_add_asks_again_for_text_it_cannot_save(tmp_path, catalog):
    path = tmp_path / "jordan.yaml"
    result = worksheets("goals", "add", str(path), "--worksheet", "smart-goals", stdin=b"\n".join(ADD) + b"\n")
    assert result.returncode == 0, err(result) + out(result)
    said = out(result) + err(result)
    assert said.count("the answer holds a byte that is not UTF-8 text") == 2
    assert "the answer is 20,001 characters long" in said
    assert "please give a whole number from 0 to 10" in said
    assert "\\nSteps" not in said and "\nSteps\n" in said and "\nSummary\n" in said
    record = load_record(path, catalog)
    [goal] = record.goals
    assert (record.client, goal.title, [s.text for s in goal.steps]) == ("Jordan", "Walk more", ["Buy shoes"])
    assert goal.answers == {"stretch": 6, "importance": 9}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jordan.yaml"]


ESCAPES = r'"\e]0;owned\a\e[31mRed\e[0m \u202eevil\u202c"'


def test_goals_list_shows_control_characters_made_visible(record, catalog):
    text = RECORD.replace("client: Jordan R.", f"client: {ESCAPES}")
    text = text.replace("title: Handle money worries", f"title: {ESCAPES}")
    record.write_text(text, encoding="utf-8")
    result = worksheets("goals", "list", str(record))
    assert result.returncode == 0, err(result)
    shown = out(result)
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert shown.count(r"\x1b]0;owned\x07\x1b[31mRed\x1b[0m \u202eevil\u202c") == 2


def test_the_latest_rating_is_the_one_with_the_latest_date(record):
    record.write_text(RECORD.replace("date: 2026-11-23", "date: 2026-11-01"), encoding="utf-8")
    result = worksheets("goals", "list", str(record))
    assert "latest rating 5 on 2026-11-16" in out(result)


def test_dates_in_quotes_are_read_as_dates(record, catalog):
    text = RECORD.replace("set_on: 2026-11-02", 'set_on: "2026-11-02"').replace("due: 2026-11-12", "due: '2026-11-12'")
    record.write_text(text.replace("{date: 2026-11-23,", '{date: "2026-11-23",'), encoding="utf-8")
    goal = load_record(record, catalog).goal("eat-well")
    assert (str(goal.set_on), str(goal.steps[1].due), str(goal.progress[-1].date)) == (
        "2026-11-02",
        "2026-11-12",
        "2026-11-23",
    )
    result = worksheets("goals", "progress", str(record), "eat-well", "--rating", "8")
    assert result.returncode == 0, err(result)
    assert 'set_on: "2026-11-02"\n' in record.read_text(encoding="utf-8"), "kept as it was written"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("bell\x07 del\x7f csi\x9b", "bell\\x07 del\\x7f csi\\x9b"),
        ("two\nlines\tand\rreturn", "two\\nlines\\tand\\rreturn"),
        ("\u202eabc\u202c \u2066x\u2069 \u200f", "\\u202eabc\\u202c \\u2066x\\u2069 \\u200f"),
        ("bad \udcff byte", "bad \\udcff byte"),
        ("Zoë Łódź 日本 \u00a0", "Zoë Łódź 日本 \u00a0"),
    ],
)
def test_visible_writes_out_what_would_act_on_a_terminal(text, shown):
    assert visible(text) == shown
    assert str(Problem(Path("a\x1b.yaml"), 2, 3, f"unknown key '{text}'")) == f"a\\x1b.yaml:2:3: unknown key '{shown}'"


def test_goals_add_refuses_a_bad_record_before_asking_anything(record):
    record.write_text(RECORD.replace("rating: 7}", "rating: 70}"), encoding="utf-8")
    result = worksheets("goals", "add", str(record), "--worksheet", "grow")
    assert result.returncode == 2 and f"{record}:18:36: expected at most 10, got 70" in err(result)
    assert out(result) == "", "no question was asked"


def test_a_packet_title_is_checked_like_a_note(tmp_path):
    target = tmp_path / "group.pdf"
    for title, message in (("x" * 20_001, "20,001 characters long"), (b"Tuesday \xff group", "(0xff)")):
        result = worksheets("packet", "--worksheets", "grow", "--title", title, "-o", str(target))
        assert result.returncode == 2 and "Invalid value for '--title'" in err(result) and message in err(result)
        assert "Traceback" not in err(result) and not target.exists()
