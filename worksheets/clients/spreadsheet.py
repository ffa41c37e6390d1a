"""A client's progress as CSV for a spreadsheet: one row per progress entry.

Two things about spreadsheets shape it. A cell whose text starts with ``=``, ``+``, ``-`` or
``@`` (or a tab or carriage return, which some programs skip first) is read as a formula, so a
client's note could run one ("CSV injection"); such text gets a ``'`` in front, which spreadsheets
take as "this is text". Every text cell is also in quotes, so that a separator inside it (a
semicolon, which is the separator where a comma is the decimal mark) cannot start a new cell
that begins with ``=``. Numbers (a rating, a GAS level of -1) are written as numbers and stay
numbers. And Excel reads a CSV file as the computer's legacy code page unless it starts with a
byte order mark, so the file is UTF-8 with one: accented and Arabic text arrive whole.
"""

from __future__ import annotations

import csv
import io

from .records import ClientRecord

HEADER = ("goal", "title", "date", "rating", "gas_level", "note")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(text: str) -> str:
    """``text`` as a cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def progress_csv(record: ClientRecord) -> bytes:
    """One row per progress entry of every goal, in the record's order, as UTF-8 with a byte
    order mark and CRLF line ends (what spreadsheet programs expect of CSV, RFC 4180)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(HEADER)
    for goal in record.goals:
        for entry in goal.progress:
            writer.writerow(
                (
                    goal.id,
                    cell_text(goal.title),
                    entry.date.isoformat(),
                    "" if entry.rating is None else entry.rating,
                    "" if entry.gas is None else entry.gas,
                    "" if entry.note is None else cell_text(entry.note),
                )
            )
    return out.getvalue().encode("utf-8-sig")
