"""``worksheets goals``: record goals and progress in a client's file, from the command line.

Every change goes through ``records.update``: locked, checked, saved atomically, owner-only, with
the previous version kept. Text typed on the command line or at a prompt is checked before any
lock is taken, so a bad value is a message naming it and nothing is written. What a record says
is shown only to the person at the terminal, and only through ``visible``.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import InputError, Problem, visible
from .common import answer, catalog_of, optional_text

if TYPE_CHECKING:
    from ..clients import ClientRecord, Goal

# Content models are imported inside the commands, so that loading the command line stays quick.

RECORD = click.Path(dir_okay=False, path_type=Path)
EXISTING = click.Path(dir_okay=False, exists=True, path_type=Path)


def _goal(record: ClientRecord, path: Path, goal_id: str) -> Goal:
    try:
        return record.goal(goal_id)
    except KeyError as exc:
        raise InputError([Problem(path, 1, 1, exc.args[0])]) from None


def _replace_goal(record: ClientRecord, goal: Goal) -> ClientRecord:
    goals = [goal if g.id == goal.id else g for g in record.goals]
    return record.model_copy(update={"goals": goals})


@click.group()
def goals() -> None:
    """Record goals, steps and progress in a client's file (CLIENT.yaml)."""


@goals.command()
@click.argument("path", metavar="CLIENT.yaml", type=RECORD)
@click.option("--worksheet", "worksheet_id", required=True, metavar="ID", help="The worksheet the goal is set with.")
@click.option("--editor", is_flag=True, help="Write long answers in your text editor.")
@click.pass_context
def add(ctx: click.Context, path: Path, worksheet_id: str, editor: bool) -> None:
    """Set a new goal: asks what the worksheet asks, then steps and a target date."""
    from ..clients import (
        SCALE_SHEET,
        Goal,
        ask,
        interview,
        load_record,
        new_goal_id,
        parse_date,
        record_catalog,
        record_file,
        scale_from,
        update,
    )
    from ..content import Step

    project, catalog = catalog_of(ctx)
    try:
        catalog.get(worksheet_id)
    except KeyError as exc:
        raise click.BadParameter(visible(exc.args[0]), param_hint="--worksheet") from None
    spoken = catalog  # the client's language: the worksheet's questions are asked in it
    if record_file(path).exists():
        record = load_record(path, catalog)  # a bad record is refused before the questions, not after them
        spoken = record_catalog(project, catalog, record, record_file(path))
        client, therapist = None, None
    else:
        client, therapist = _new_client()
    try:
        ws = spoken.get(worksheet_id)
    except KeyError:
        message = f"worksheet '{worksheet_id}' is not yet translated into {spoken.site.language}, the client's language"
        raise click.BadParameter(message, param_hint="--worksheet") from None
    title = click.prompt("The goal, in a few words", value_proc=answer(required=True))
    answers = interview(ws, spoken.strings, editor=editor)
    click.echo(click.style("\nSteps", bold=True))
    steps = []
    while (text := ask(f"Step {len(steps) + 1} (leave empty to finish)")) is not None:
        steps.append(Step(text=text, due=ask("  Due date (YYYY-MM-DD, optional)", parse_date)))
    target = ask("Target date (YYYY-MM-DD, optional)", parse_date)
    click.echo(click.style("\nSummary", bold=True))
    click.echo(f"  Goal: {visible(title)}\n  Worksheet: {ws.title}")
    click.echo(f"  Answers: {len(answers)} of {len(ws.fields)} fields")
    click.echo(f"  Steps: {len(steps)}\n  Target date: {target or '-'}")
    if not click.confirm("Save this goal?", default=True):
        click.echo("Nothing saved.")
        return
    with update(path, catalog, client=client) as box:
        record = box["record"]
        if client is not None and therapist:
            record = record.model_copy(update={"therapist": therapist})
        goal = Goal(
            id=new_goal_id(record, title),
            worksheet=ws.id,
            title=title,
            set_on=datetime.date.today(),
            target_date=target,
            answers=answers,
            steps=steps,
            gas=scale_from(answers) if ws.id == SCALE_SHEET else None,  # its ladder, written in full, is the scale
        )
        box["record"] = record.model_copy(update={"goals": [*record.goals, goal]})
    click.echo(f"Saved goal '{goal.id}' in {visible(str(path))}")


def _new_client() -> tuple[str, str | None]:
    """Ask who a new record is for: the client's name and, optionally, the therapist's."""
    client = click.prompt("Client's name or initials, as printed on sheets", value_proc=answer(required=True))
    therapist = click.prompt("Therapist (optional)", default="", show_default=False, value_proc=answer(required=False))
    return client, therapist


@goals.command("list")
@click.argument("path", metavar="CLIENT.yaml", type=EXISTING)
@click.pass_context
def list_goals(ctx: click.Context, path: Path) -> None:
    """List a client's goals (id, status, title, steps done, the latest rating and attainment
    level) and the GAS T-score at the latest review."""
    from ..clients import load_record, reviews

    catalog = catalog_of(ctx)[1]
    record = load_record(path, catalog)
    click.echo(visible(record.client + (f" (with {record.therapist})" if record.therapist else "")))
    for goal in record.goals:
        done = sum(s.done for s in goal.steps)
        target = f", by {goal.target_date}" if goal.target_date else ""
        click.echo(visible(f"  {goal.id} [{goal.status}] {goal.title} ({goal.worksheet}{target})"))
        click.echo(f"      steps {done}/{len(goal.steps)} done{_latest(goal)}")
    found = reviews(record, catalog.site.gas_rho)
    if found:
        last, goals = found[-1], f"{found[-1].goals} goal{'s' if found[-1].goals > 1 else ''}"
        score = (
            f"{last.score:.1f}"
            if last.score is not None
            else f"not enough data (no level yet: {', '.join(last.unknown)})"
        )
        click.echo(visible(f"GAS T-score at the review of {last.date}: {score}, over {goals}"))


def _latest(goal: Goal) -> str:
    """The goal's most recent rating and attainment level, each by date (of two on one day, the
    later in the file)."""
    from ..clients import latest

    said = ""
    for key, shown in (("rating", "latest rating {}"), ("gas", "attainment level {}")):
        entry = latest(goal.progress, key)
        if entry is not None:
            value = getattr(entry, key)
            said += ", " + shown.format(f"{value:+d}" if key == "gas" and value else value) + f" on {entry.date}"
    if goal.gas is not None:
        said += f", weight {goal.gas.weight}"
    return said


@goals.command()
@click.argument("path", metavar="CLIENT.yaml", type=EXISTING)
@click.argument("goal_id", metavar="GOAL")
@click.option("--rating", type=click.IntRange(0, 10), default=None, help="Progress from 0 (none yet) to 10.")
@click.option(
    "--gas",
    type=click.IntRange(-2, 2),
    default=None,
    help="The Goal Attainment Scaling level reached, -2 to 2 (the goal needs a scale: `goals scale`).",
)
@click.option("--note", default=None, callback=optional_text, help="What happened, in a few words.")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="YYYY-MM-DD [default: today].")
@click.pass_context
def progress(
    ctx: click.Context,
    path: Path,
    goal_id: str,
    rating: int | None,
    gas: int | None,
    note: str | None,
    day: datetime.datetime | None,
) -> None:
    """Record a progress rating, an attainment level, or both, for a goal."""
    from ..clients import update
    from ..content import Rating

    if rating is None and gas is None:
        raise click.UsageError("give --rating (0 to 10), --gas (-2 to 2) or both")
    with update(path, catalog_of(ctx)[1]) as box:
        goal = _goal(box["record"], path, goal_id)
        if gas is not None and goal.gas is None:
            message = (
                f"goal '{goal_id}' has no attainment scale yet; agree its five levels with `worksheets goals scale`"
            )
            raise click.BadParameter(visible(message), param_hint="--gas")
        when = day.date() if day else datetime.date.today()
        entry = Rating(date=when, rating=rating, gas=gas, note=note or None)
        entries = sorted([*goal.progress, entry], key=lambda r: r.date)
        box["record"] = _replace_goal(box["record"], goal.model_copy(update={"progress": entries}))
    recorded = [
        f"{rating}/10" if rating is not None else "",
        f"level {gas:+d}" if gas else "level 0" if gas == 0 else "",
    ]
    click.echo(visible(f"Recorded {' and '.join(r for r in recorded if r)} for '{goal_id}' in {path}"))


_LEVEL_QUESTIONS = {
    2: "Level +2, much more than expected",
    1: "Level +1, somewhat more than expected",
    0: "Level 0, the expected outcome",
    -1: "Level -1, somewhat less than expected",
    -2: "Level -2, much less than expected",
}


@goals.command()
@click.argument("path", metavar="CLIENT.yaml", type=EXISTING)
@click.argument("goal_id", metavar="GOAL")
@click.pass_context
def scale(ctx: click.Context, path: Path, goal_id: str) -> None:
    """Agree a goal's attainment scale: its weight, where it stands now, and five levels of outcome.

    The client's own words from the goal's worksheet are shown first, to write the levels from;
    a scale already agreed is offered as the defaults, so Enter keeps a level as it is.
    """
    from ..clients import GAS_LEVELS, GasScale, load_record, update

    catalog = catalog_of(ctx)[1]
    goal = _goal(load_record(path, catalog), path, goal_id)  # a bad record or goal: refused before the questions
    click.echo(click.style(visible(goal.title), bold=True))
    ws = catalog.get(goal.worksheet)
    labels = {f.id: f.label for f in ws.fields}
    for field_id, value in goal.answers.items():
        if isinstance(value, str):
            click.echo(visible(f"  {labels.get(field_id, field_id)}: {value}"))
    old = goal.gas
    weight = click.prompt(
        "Weight: how much this goal counts, 1 to 3", type=click.IntRange(1, 3), default=old.weight if old else 1
    )
    baseline = click.prompt(
        "Where it stands now: -2, -1, or none",
        type=click.Choice(["-2", "-1", "none"]),
        default=str(old.baseline) if old and old.baseline else "none",
        show_choices=False,
    )
    levels = {}
    for level in GAS_LEVELS:
        before = old.levels[level] if old else (goal.title if level == 0 else None)
        levels[level] = click.prompt(
            _LEVEL_QUESTIONS[level], default=before, show_default=before is not None, value_proc=answer(required=True)
        )
    new = GasScale(weight=weight, baseline=None if baseline == "none" else int(baseline), levels=levels)
    if not click.confirm("Save this scale?", default=True):
        click.echo("Nothing saved.")
        return
    with update(path, catalog) as box:
        goal = _goal(box["record"], path, goal_id)
        box["record"] = _replace_goal(box["record"], goal.model_copy(update={"gas": new}))
    click.echo(visible(f"Saved the attainment scale of '{goal_id}' in {path}"))


@goals.command()
@click.argument("path", metavar="CLIENT.yaml", type=EXISTING)
@click.argument("goal_id", metavar="GOAL")
@click.argument("step", type=click.IntRange(1))
@click.pass_context
def done(ctx: click.Context, path: Path, goal_id: str, step: int) -> None:
    """Mark step number STEP of a goal as done (steps count from 1, as `goals list` shows)."""
    from ..clients import update

    with update(path, catalog_of(ctx)[1]) as box:
        goal = _goal(box["record"], path, goal_id)
        if step > len(goal.steps):
            raise click.BadParameter(visible(f"goal '{goal_id}' has {len(goal.steps)} steps"), param_hint="STEP")
        steps = list(goal.steps)
        steps[step - 1] = steps[step - 1].model_copy(update={"done": True})
        box["record"] = _replace_goal(box["record"], goal.model_copy(update={"steps": steps}))
    click.echo(visible(f"Step {step} of '{goal_id}' is done."))
