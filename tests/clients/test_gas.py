"""Goal Attainment Scaling in client records: scales, levels, T-scores, and the goals commands."""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from worksheets.cli import cli
from worksheets.clients.gas import level_on, reviews, t_score
from worksheets.clients.records import load_record

from conftest import fill, fillable, pdf_text, run

LEVELS = """\
      levels:
        2: Walks five days a week and enjoys it
        1: Walks four days a week
        0: Walks three days a week
        -1: Walks once or twice a week
        -2: Does not walk
"""


def scaled_record(path: Path, goals: list[tuple[str, int, list[tuple[str, int]]]], *, baseline: str = "") -> Path:
    """A record of goals each with a scale of ``weight`` and GAS levels on the given dates."""
    text = "client: Jordan R.\ngoals:\n"
    for goal_id, weight, levels in goals:
        text += f"  - id: {goal_id}\n    worksheet: smart-goals\n    title: Goal {goal_id}\n"
        text += f"    gas:\n      weight: {weight}\n{baseline}{LEVELS}"
        if levels:
            text += "    progress:\n" + "".join(f"      - {{date: {d}, gas: {x}}}\n" for d, x in levels)
    path.write_text(text, encoding="utf-8")
    return path


def test_t_score_known_answers():
    assert t_score([(1, 0), (2, 0), (3, 0)], 0.3) == 50.0
    # One goal: one level is ten points whatever the weight and rho.
    assert t_score([(3, 1)], 0.3) == pytest.approx(60.0)
    assert t_score([(2, -2)], 0.5) == pytest.approx(30.0)
    # The worked example of docs/client-records.md: weights 2, 1, 3 at +1, +1, 0.
    assert round(t_score([(2, 1), (1, 1), (3, 0)], 0.3), 1) == 56.6
    # By hand: 50 + 10 * 3 / sqrt(0.7 * 14 + 0.3 * 36).
    assert t_score([(2, 1), (1, 1), (3, 0)], 0.3) == pytest.approx(50 + 30 / 20.6**0.5)
    # Independent goals (rho 0) spread wider than correlated ones.
    assert t_score([(1, 1), (1, 1)], 0.0) > t_score([(1, 1), (1, 1)], 0.3)
    with pytest.raises(ValueError):
        t_score([], 0.3)


def test_reviews_use_the_latest_level_or_the_baseline(tmp_path, catalog):
    path = scaled_record(
        tmp_path / "jordan.yaml",
        [("walk", 2, [("2026-11-09", 0), ("2026-11-23", 1)]), ("sleep", 1, [("2026-11-23", 1)])],
        baseline="      baseline: -1\n",
    )
    record = load_record(path, catalog)
    assert level_on(record.goal("walk"), datetime.date(2026, 11, 1)) == -1  # the baseline
    assert level_on(record.goal("walk"), datetime.date(2026, 11, 16)) == 0
    found = reviews(record, 0.3)
    assert [r.date.isoformat() for r in found] == ["2026-11-09", "2026-11-23"]
    # On 9 November sleep still stood at its baseline, -1.
    assert found[0].score == pytest.approx(t_score([(2, 0), (1, -1)], 0.3))
    assert found[1].score == pytest.approx(t_score([(2, 1), (1, 1)], 0.3)) and found[1].goals == 2
    later = reviews(record, 0.3, start=datetime.date(2026, 11, 10))
    assert [r.date.isoformat() for r in later] == ["2026-11-23"]


def test_a_goal_without_a_level_means_not_enough_data(tmp_path, catalog):
    path = scaled_record(tmp_path / "jordan.yaml", [("walk", 2, [("2026-11-09", 0)]), ("sleep", 1, [])])
    (review,) = reviews(load_record(path, catalog), 0.3)
    assert review.score is None and review.unknown == ("sleep",)


def test_scale_then_progress_from_the_command_line(tmp_path, catalog):
    path = tmp_path / "jordan.yaml"
    path.write_text(
        textwrap.dedent("""\
            client: Jordan R.   # seen on Tuesdays
            goals:
              - id: walk
                worksheet: smart-goals
                title: Walk more
                answers:
                  own-words: Get out of the house every day
            """),
        encoding="utf-8",
    )
    code, out, _ = run("goals", "progress", str(path), "walk", "--gas", "1")
    assert code == 2 and "no attainment scale yet" in out + _
    answers = "2\n-1\nWalk every day\nWalk five days\n\nWalk twice a week\nNo walks\ny\n"
    result = CliRunner().invoke(cli, ["goals", "scale", str(path), "walk"], input=answers)
    assert result.exit_code == 0, result.output
    assert "Get out of the house every day" in result.output  # the client's own words, to write from
    code, out, err = run("goals", "progress", str(path), "walk", "--gas", "-1", "--date", "2026-11-20")
    assert code == 0 and "level -1" in out, err
    code, out, err = run("goals", "progress", str(path), "walk", "--rating", "4", "--gas", "0")
    assert code == 0, err
    code, _, err = run("goals", "progress", str(path), "walk")
    assert code == 2 and "--rating" in err
    text = path.read_text(encoding="utf-8")
    assert "# seen on Tuesdays" in text
    goal = load_record(path, catalog).goal("walk")
    assert goal.gas.weight == 2 and goal.gas.baseline == -1
    assert goal.gas.levels[0] == "Walk more"  # Enter kept the goal's title as the expected outcome
    assert goal.gas.levels[2] == "Walk every day" and goal.gas.levels[-2] == "No walks"
    assert [(e.rating, e.gas) for e in goal.progress] == [(None, -1), (4, 0)]
    code, out, _ = run("goals", "list", str(path))
    assert "attainment level 0" in out and "weight 2" in out
    assert f"GAS T-score at the review of {datetime.date.today()}: 50.0, over 1 goal" in out


SCALED = """\
client: Jordan R.
goals:
  - id: walk
    worksheet: smart-goals
    title: Walk more
    gas:
      weight: 2
      baseline: -1
{levels}    progress:
      - {{date: 2026-11-02, gas: -1, rating: 3, note: A hard week}}
      - {{date: 2026-11-09, gas: 0, rating: 5}}
      - {{date: 2026-11-16, gas: 1, note: Four walks in the rain}}
"""


def test_a_take_home_goal_with_a_scale_gets_its_scale_sheet_filled_in(tmp_path):
    path = tmp_path / "jordan.yaml"
    path.write_text(SCALED.format(levels=LEVELS), encoding="utf-8")
    code, _, err = run("prefill", str(path), "--out", str(tmp_path / "out"))
    assert code == 0, err
    text = pdf_text((tmp_path / "out" / "jordan.pdf").read_bytes())
    sheet = text[text.index("Goal attainment scale") :]
    for level in ("Walks five days a week and enjoys it", "Walks three days a week", "Does not walk"):
        assert level in sheet
    assert "Four walks in the rain" in sheet and "16 Nov" in sheet  # the reviews, dated
    assert "Attainment level" in text and "\u22121" in text  # the ratings table, with a true minus


def test_a_filled_scale_sheet_sets_a_goals_scale(tmp_path, catalog):
    path = tmp_path / "jordan.yaml"
    path.write_text(SCALED.format(levels=LEVELS).split("    gas:")[0], encoding="utf-8")
    rows = ["much-more", "more", "expected", "less", "much-less"]
    values = {f"ladder.{row}.looks-like": f"Level {5 - n} in my words" for n, row in enumerate(rows)}
    filled = fill(fillable("goal-attainment-scale"), {"goal": "Walk more", **values}, tmp_path / "gas.pdf")
    code, out, err = run("import", str(filled), str(path), "--goal", "walk", "--yes")
    assert code == 0 and "set the attainment scale of 'walk'" in out, err
    goal = load_record(path, catalog).goal("walk")
    assert goal.gas.weight == 1
    assert goal.gas.levels[2] == "Level 5 in my words" and goal.gas.levels[-2] == "Level 1 in my words"
    # Four levels written are not a scale: the sheet then sets nothing.
    partial = fill(fillable("goal-attainment-scale"), dict(list(values.items())[:4]), tmp_path / "partial.pdf")
    code, out, err = run("import", str(partial), str(path), "--goal", "walk", "--yes")
    assert code == 2 and "was set with 'smart-goals'" in out + err


def test_the_latest_level_is_the_latest_by_date_whatever_the_order_in_the_file(tmp_path, catalog):
    path = scaled_record(tmp_path / "jordan.yaml", [("walk", 1, [("2026-11-20", 1), ("2026-11-10", -2)])])
    record = load_record(path, catalog)
    assert level_on(record.goal("walk"), datetime.date(2026, 11, 30)) == 1
    assert [round(r.score, 1) for r in reviews(record, 0.3)] == [30.0, 60.0]
    _, out, _ = run("goals", "list", str(path))
    assert "attainment level +1 on 2026-11-20" in out and "2026-11-20: 60.0" in out
