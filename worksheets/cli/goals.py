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
        Goal,
        ask,
        interview,
        load_record,
        new_goal_id,
        parse_date,
        record_catalog,
        record_file,
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
    """List a client's goals: id, status, title, steps done and the latest rating."""
    from ..clients import load_record

    record = load_record(path, catalog_of(ctx)[1])
    click.echo(visible(record.client + (f" (with {record.therapist})" if record.therapist else "")))
    for goal in record.goals:
        done = sum(s.done for s in goal.steps)
        target = f", by {goal.target_date}" if goal.target_date else ""
        click.echo(visible(f"  {goal.id} [{goal.status}] {goal.title} ({goal.worksheet}{target})"))
        click.echo(f"      steps {done}/{len(goal.steps)} done{_latest(goal)}")


def _latest(goal: Goal) -> str:
    """The goal's most recent rating by date (of two on one day, the later in the file)."""
    if not goal.progress:
        return ""
    _, latest = max(enumerate(goal.progress), key=lambda pair: (pair[1].date, pair[0]))
    return f", latest rating {latest.rating} on {latest.date}"


@goals.command()
@click.argument("path", metavar="CLIENT.yaml", type=EXISTING)
@click.argument("goal_id", metavar="GOAL")
@click.option("--rating", type=click.IntRange(0, 10), required=True, help="Progress from 0 (none yet) to 10.")
@click.option("--note", default=None, callback=optional_text, help="What happened, in a few words.")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="YYYY-MM-DD [default: today].")
@click.pass_context
def progress(
    ctx: click.Context, path: Path, goal_id: str, rating: int, note: str | None, day: datetime.datetime | None
) -> None:
    """Record a progress rating for a goal."""
    from ..clients import update
    from ..content import Rating

    with update(path, catalog_of(ctx)[1]) as box:
        goal = _goal(box["record"], path, goal_id)
        entry = Rating(date=(day.date() if day else datetime.date.today()), rating=rating, note=note or None)
        ratings = sorted([*goal.progress, entry], key=lambda r: r.date)
        box["record"] = _replace_goal(box["record"], goal.model_copy(update={"progress": ratings}))
    click.echo(visible(f"Recorded {rating}/10 for '{goal_id}' in {path}"))


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
