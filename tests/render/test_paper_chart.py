"""The progress chart and its table with many ratings: never a solid block, never dozens of pages.

Up to ``CHART_POINTS`` ratings are drawn one by one. More are drawn as averages over the shortest
period (week, month, quarter, year, several years) that gives at most that many points, with a
note under the chart saying so. The table beside the chart lists every rating while they fit on
about a page (``TABLE_ROWS``); beyond that it lists every rating with a note, since a note is the
client's own words, and says how many are in the chart only.
"""

from __future__ import annotations

import datetime
import random
import re
import statistics
import subprocess
from collections import defaultdict
from html import escape

from worksheets.clients.records import ClientRecord, Goal
from worksheets.content.models import Rating
from worksheets.render.charts import CHART_POINTS
from worksheets.render.html import TABLE_ROWS, environment, progress_chart, render_takehome
from worksheets.render.pdf import render_pdf

START = datetime.date(2024, 1, 1)


def daily(count: int, *, every: int = 1, note_every: int = 0) -> list[Rating]:
    """``count`` ratings ``every`` days apart from ``START``, with varied values, and a note on
    every ``note_every``-th."""
    rng = random.Random(count)
    return [
        Rating(
            date=START + datetime.timedelta(days=n * every),
            rating=rng.randint(0, 10),
            note=f"Note{n}" if note_every and n % note_every == 0 else None,
        )
        for n in range(count)
    ]


def circles(svg: str) -> int:
    """The points drawn: one circle each, as arcs of the path of dots."""
    dots = re.search(r'<path class="dots" d="([^"]*)"', svg)
    return dots.group(1).count("M") if dots else 0


def values_printed(svg: str) -> list[str]:
    """The numbers printed above the points (the group of bold text in the ink colour)."""
    group = re.search(r'<g [^>]*font-weight="bold" fill="#1b3f8b">(.*?)</g>', svg)
    return re.findall(r">([\d.]+)</text>", group.group(1)) if group else []


def test_a_few_ratings_are_drawn_one_by_one_in_date_order(catalog):
    ratings = daily(CHART_POINTS)[::-1]  # a record may hold them in any order
    shown = progress_chart(ratings, catalog.strings, "en-GB", "Progress")
    assert circles(shown.svg) == CHART_POINTS and shown.note == ""
    assert values_printed(shown.svg) == [str(r.rating) for r in reversed(ratings)]


def test_many_ratings_are_drawn_as_monthly_averages_with_a_note(catalog):
    ratings = daily(300)  # 300 days: 43 weeks, 11 months
    shown = progress_chart(ratings, catalog.strings, "en-GB", "Progress")
    by_month = defaultdict(list)
    for r in ratings:
        by_month[r.date.year, r.date.month].append(r.rating)
    expected = [f"{round(statistics.fmean(v), 1):.1f}".removesuffix(".0") for v in by_month.values()]
    assert values_printed(shown.svg) == expected
    assert circles(shown.svg) == len(by_month) <= CHART_POINTS
    assert "one month's ratings: 300 ratings from 1 January 2024 to 26 October 2024" in shown.note
    assert f"<title>Progress: {escape(shown.note)}" in shown.svg, "a screen reader is told what the points are"


def test_the_period_is_the_shortest_that_fits(catalog):
    def period(ratings: list[Rating]) -> str:
        note = progress_chart(ratings, catalog.strings, "en-GB", "Progress").note
        return next(p for p in ("week's", "month's", "three months'", "one year's", "years'") if p in note)

    assert period(daily(60, every=2)) == "week's"  # 18 weeks
    assert period(daily(400)) == "month's"  # 14 months
    assert period(daily(1200)) == "three months'"  # 40 months, 14 quarters
    assert period(daily(3000)) == "one year's"  # 33 quarters, 9 years
    ratings = daily(200, every=365)  # 200 years
    assert period(ratings) == "years'"
    assert circles(progress_chart(ratings, catalog.strings, "en-GB", "Progress").svg) <= CHART_POINTS


def test_the_table_lists_every_rating_while_they_fit_then_every_note(catalog):
    few = daily(TABLE_ROWS, note_every=10)
    shown = progress_chart(few, catalog.strings, "en-GB", "Progress")
    assert shown.listed == few and shown.unlisted == 0
    many = daily(TABLE_ROWS + 1, note_every=10)
    shown = progress_chart(many, catalog.strings, "en-GB", "Progress")
    assert shown.listed == [r for r in many if r.note] and shown.unlisted == TABLE_ROWS + 1 - 5
    assert progress_chart(daily(500), catalog.strings, "en-GB", "Progress").listed == [], "no notes, no table"


def test_a_take_home_sheet_with_thousands_of_ratings_stays_short(project, catalog):
    ratings = daily(3000, note_every=97)
    goal = Goal(id="walk", worksheet="progress-and-wins", title="Walk", set_on=START, progress=ratings)
    html = render_takehome(
        environment(project), catalog, ClientRecord(client="C", goals=[goal]), [goal], paper="a4", date=""
    )
    pdf = render_pdf(html, project)
    assert pdf.pages <= 5, "the chart, one page of notes, the sheet and the week's sheet"
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode().split()
    )
    assert "Each point is the average of one year's ratings: 3000 ratings" in text
    assert all(f"Note{n}" in text.split() for n in range(0, 3000, 97)), "every note is printed"
    assert f"{3000 - 31} ratings without a note are in the chart only." in text
