"""The field kinds a worksheet is made of: one model each, matched by one macro in
``templates/fields.html``.

A model knows three things about its kind: its settings (validated like all content), the
fillable names it contributes (``names``: what ``worksheets fields`` prints and what a form field
is called), and the shape of an answer (``flatten``: a client's nested answer turned into values
keyed by those names, which is all a template ever looks up). Adding a kind is one class here and
one macro.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, model_validator

from ..errors import did_you_mean
from .modelbase import Id, Model, Text

Lines = Annotated[int, Field(ge=1, le=40)]


class AnswerError(Exception):
    """An answer of the wrong shape; ``loc`` is the path below the field's own answer."""

    def __init__(self, loc: tuple[Any, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def _text(value: Any, loc: tuple[Any, ...] = ()) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise AnswerError(loc, f"expected text, got {describe(value)}")
    return str(value)


def _int_in(value: Any, low: int, high: int, loc: tuple[Any, ...] = ()) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerError(loc, f"expected a whole number from {low} to {high}, got {describe(value)}")
    if not low <= value <= high:
        raise AnswerError(loc, f"expected a whole number from {low} to {high}, got {value}")
    return value


def _mapping(value: Any, loc: tuple[Any, ...] = ()) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise AnswerError(loc, f"expected a mapping of ids to answers, got {describe(value)}")
    return value


def _known(key: Any, known: list[str], what: str, loc: tuple[Any, ...]) -> str:
    if key not in known:
        raise AnswerError(loc, f"unknown {what} '{key}'{did_you_mean(str(key), known)}")
    return str(key)


def _typed(values: dict[str, Any], name: str) -> str | None:
    """What was typed into one form field, or None when it was left empty."""
    value = values.get(name)
    return (value.strip() or None) if isinstance(value, str) else None


def whole_number(text: str, low: int, high: int) -> int:
    """The whole number from ``low`` to ``high`` written in ``text``; ValueError otherwise.

    Clients write numbers in their own script, so the decimal digits of every script count
    (``str.isdecimal``: Arabic-Indic, Devanagari or full-width digits as well as 0 to 9).
    Superscripts, circled digits and the like are digits only in a looser sense
    (``str.isdigit``) and ``int`` refuses them, so they are refused here too. The one parser for
    numbers typed into a filled PDF and for answers given at the terminal.
    """
    if not text.isdecimal() or len(text) > _MAX_DIGITS or not low <= int(text) <= high:
        raise ValueError(f"expected a whole number from {low} to {high}")
    return int(text)


_MAX_DIGITS = 20
"""More digits than any number a sheet asks for, even with leading zeros; ``int`` is not asked to
read thousands of digits (Python refuses more than 4,300)."""


def _number(values: dict[str, Any], name: str, low: int, high: int) -> int | None:
    text = _typed(values, name)
    if text is None:
        return None
    try:
        return whole_number(text, low, high)
    except ValueError as exc:
        shown = text if len(text) <= 30 else f"{text[:30]}..."
        raise AnswerError((name,), f"'{shown}' in {name}: {exc}") from None


def describe(value: Any) -> str:
    """A few words for a value of the wrong kind, for messages ("got a list")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return "a date"
    return type(value).__name__


class Option(Model):
    """One tick box or choice: an id (for the form and the answers) and what is printed."""

    id: Id
    label: Text


class _Field(Model):
    """What every field has: an id unique in its worksheet, a label, an optional hint, and a
    width (``half`` sets two short fields side by side, to keep a sheet on one page)."""

    id: Id
    label: Text
    hint: Text | None = None
    width: Literal["full", "half"] = "full"

    def names(self) -> list[str]:
        """Fillable names this field contributes, in reading order."""
        return [self.id]

    def flatten(self, value: Any) -> dict[str, Any]:
        """Check one answer for this field and return it keyed by fillable names."""
        return {self.id: _text(value)}

    def gather(self, values: dict[str, Any]) -> Any:
        """The inverse of ``flatten``: this field's answer from values typed into a form, keyed by
        fillable name (text, or True for a ticked box); None when nothing was filled in."""
        return _typed(values, self.id)


class TextField(_Field):
    """A single line to write a short answer on."""

    kind: Literal["text"]


class LinesField(_Field):
    """Ruled write-on lines for an answer of a sentence or a few."""

    kind: Literal["lines"]
    lines: Lines = 3


class BoxField(_Field):
    """An open box for free writing or drawing; ``lines`` sets its height."""

    kind: Literal["box"]
    lines: Lines = 6


class DateField(_Field):
    """A date to write in."""

    kind: Literal["date"]

    def flatten(self, value: Any) -> dict[str, Any]:
        if isinstance(value, datetime.date):
            return {self.id: value.isoformat()}
        return {self.id: _text(value)}

    def gather(self, values: dict[str, Any]) -> Any:
        text = _typed(values, self.id)
        try:
            return datetime.date.fromisoformat(text) if text else None
        except ValueError:
            return text  # a date written another way is kept as written


class ScaleField(_Field):
    """A row of numbers to circle (0 to 10 unless told), with words at either end."""

    kind: Literal["scale"]
    min: Annotated[int, Field(ge=0, le=10)] = 0
    max: Annotated[int, Field(ge=1, le=10)] = 10
    low: Text | None = None
    high: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ScaleField:
        if self.min >= self.max:
            raise ValueError(f"'min' ({self.min}) must be less than 'max' ({self.max})")
        return self

    @property
    def points(self) -> list[int]:
        """The numbers printed on the scale."""
        return list(range(self.min, self.max + 1))

    def flatten(self, value: Any) -> dict[str, Any]:
        return {self.id: _int_in(value, self.min, self.max)}

    def gather(self, values: dict[str, Any]) -> Any:
        return _number(values, self.id, self.min, self.max)


class ChoiceField(_Field):
    """Options to pick from: one (``multiple: false``) or several."""

    kind: Literal["choice"]
    options: Annotated[list[Option], Field(min_length=2)]
    multiple: bool = False

    def names(self) -> list[str]:
        """One name for a pick-one choice; one per option (a tick box each) for ``multiple``."""
        return [f"{self.id}.{o.id}" for o in self.options] if self.multiple else [self.id]

    def flatten(self, value: Any) -> dict[str, Any]:
        known = [o.id for o in self.options]
        if self.multiple:
            if not isinstance(value, list):
                raise AnswerError((), f"expected a list of option ids, got {describe(value)}")
            return {f"{self.id}.{_known(v, known, 'option', (i,))}": True for i, v in enumerate(value)}
        return {self.id: _known(value, known, "option", ())}

    def gather(self, values: dict[str, Any]) -> Any:
        if self.multiple:
            return [o.id for o in self.options if values.get(f"{self.id}.{o.id}") is True] or None
        picked = _typed(values, self.id)
        return picked if picked in [o.id for o in self.options] else None


class ChecklistField(_Field):
    """Items to tick; with ``priority: N`` each ticked item also gets a priority from 1 to N."""

    kind: Literal["checklist"]
    items: Annotated[list[Option], Field(min_length=1)]
    priority: Annotated[int, Field(ge=2, le=5)] | None = None

    def names(self) -> list[str]:
        names = []
        for item in self.items:
            names.append(f"{self.id}.{item.id}")
            if self.priority:
                names.append(f"{self.id}.{item.id}.priority")
        return names

    def flatten(self, value: Any) -> dict[str, Any]:
        known = [i.id for i in self.items]
        out: dict[str, Any] = {}
        if self.priority:
            for key, rank in _mapping(value).items():
                item = _known(key, known, "item", (key,))
                out[f"{self.id}.{item}"] = True
                out[f"{self.id}.{item}.priority"] = _int_in(rank, 1, self.priority, (key,))
            return out
        if not isinstance(value, list):
            raise AnswerError((), f"expected a list of the ticked item ids, got {describe(value)}")
        for i, key in enumerate(value):
            out[f"{self.id}.{_known(key, known, 'item', (i,))}"] = True
        return out

    def gather(self, values: dict[str, Any]) -> Any:
        """Ticked items; with priorities, a ticked item with none chosen gets the lowest."""
        if not self.priority:
            return [i.id for i in self.items if values.get(f"{self.id}.{i.id}") is True] or None
        ranks = {}
        for item in self.items:
            name = f"{self.id}.{item.id}"
            rank = _number(values, f"{name}.priority", 1, self.priority)
            if values.get(name) is True or rank is not None:
                ranks[item.id] = rank or self.priority
        return ranks or None


class Column(Model):
    """A table column: ``text`` to write in, ``check`` to tick, or ``score`` from 0 to 10."""

    id: Id
    label: Text
    kind: Literal["text", "check", "score"] = "text"
    width: Annotated[int, Field(ge=1, le=12)] = 3

    def value(self, value: Any, loc: tuple[Any, ...]) -> Any:
        """Check one cell's answer."""
        if self.kind == "check":
            if not isinstance(value, bool):
                raise AnswerError(loc, f"expected true or false, got {describe(value)}")
            return value
        if self.kind == "score":
            return _int_in(value, 0, 10, loc)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return _text(value, loc)

    def gather(self, values: dict[str, Any], name: str) -> Any:
        """One cell's answer from a form: ticked or not, a score, or text."""
        if self.kind == "check":
            return True if values.get(name) is True else None
        if self.kind == "score":
            return _number(values, name, 0, 10)
        return _typed(values, name)


class Row(Model):
    """A named table row; ``write_in`` leaves its name blank for the client to fill."""

    id: Id
    label: Text
    write_in: bool = False


class TableField(_Field):
    """A grid: named rows (``rows`` as a list) or a number of blank numbered rows."""

    kind: Literal["table"]
    columns: Annotated[list[Column], Field(min_length=1, max_length=8)]
    rows: Annotated[int, Field(ge=1, le=30)] | Annotated[list[Row], Field(min_length=1)]
    row_header: Text | None = None
    lines: Annotated[int, Field(ge=1, le=6)] = 1

    @property
    def row_keys(self) -> list[str]:
        """The row part of each cell's name: the row id, or its number counted from 1."""
        if isinstance(self.rows, int):
            return [str(n) for n in range(1, self.rows + 1)]
        return [r.id for r in self.rows]

    @property
    def row_head_width(self) -> float:
        """Percent of the width for the row names: narrow when rows are only numbered."""
        return 6.0 if isinstance(self.rows, int) else 22.0

    @property
    def column_widths(self) -> list[float]:
        """Percent of the width for each column, shared out by the columns' ``width`` weights."""
        total = sum(c.width for c in self.columns)
        return [round((100 - self.row_head_width) * c.width / total, 2) for c in self.columns]

    def names(self) -> list[str]:
        names = []
        for n, key in enumerate(self.row_keys):
            if isinstance(self.rows, list) and self.rows[n].write_in:
                names.append(f"{self.id}.{key}.label")
            names.extend(f"{self.id}.{key}.{c.id}" for c in self.columns)
        return names

    def flatten(self, value: Any) -> dict[str, Any]:
        if isinstance(self.rows, int):
            if not isinstance(value, list):
                raise AnswerError((), f"expected a list of rows, got {describe(value)}")
            if len(value) > self.rows:
                raise AnswerError((), f"expected at most {self.rows} rows, got {len(value)}")
            pairs = [(str(n + 1), n, row) for n, row in enumerate(value)]
        else:
            keys = self.row_keys
            pairs = [(_known(k, keys, "row", (k,)), k, r) for k, r in _mapping(value).items()]
        columns = {c.id: c for c in self.columns}
        write_ins = {r.id for r in self.rows if r.write_in} if isinstance(self.rows, list) else set()
        out: dict[str, Any] = {}
        for key, loc, row in pairs:
            for col, cell in _mapping(row, (loc,)).items():
                if col == "label" and key in write_ins:
                    out[f"{self.id}.{key}.label"] = _text(cell, (loc, col))
                    continue
                column = columns.get(col)
                if column is None:
                    _known(col, list(columns), "column", (loc, col))
                out[f"{self.id}.{key}.{col}"] = column.value(cell, (loc, col))
        return out

    def gather(self, values: dict[str, Any]) -> Any:
        rows: dict[str, dict[str, Any]] = {}
        for key in self.row_keys:
            cells = {c.id: c.gather(values, f"{self.id}.{key}.{c.id}") for c in self.columns}
            row = {k: v for k, v in cells.items() if v is not None}
            label = _typed(values, f"{self.id}.{key}.label")
            if label:
                row = {"label": label, **row}
            if row:
                rows[key] = row
        if isinstance(self.rows, int):
            filled = [int(k) for k in rows]
            return [rows.get(str(n), {}) for n in range(1, max(filled) + 1)] if filled else None
        return rows or None


class Node(Model):
    """A flowchart box: a question (with ``yes``/``no``) or a step (with an optional ``next``)."""

    id: Id
    text: Text
    lines: Annotated[int, Field(ge=0, le=12)] = 0
    yes: Id | None = None
    no: Id | None = None
    next: Id | None = None

    @model_validator(mode="after")
    def _one_way_on(self) -> Node:
        if (self.yes is None) != (self.no is None):
            raise ValueError("a question needs both 'yes' and 'no'")
        if self.yes is not None and self.next is not None:
            raise ValueError("a node has either 'yes' and 'no', or 'next', not both")
        return self

    @property
    def targets(self) -> list[str]:
        """Ids this node points to, in drawing order (yes before no)."""
        return [t for t in (self.yes, self.no, self.next) if t is not None]


class FlowchartField(_Field):
    """Boxes joined by arrows, with Yes/No branches; drawn as a tree from the first node.

    Each node is reached from exactly one other, so the chart reads top to bottom with no
    crossing lines; a box with ``lines`` has room to write in.
    """

    kind: Literal["flowchart"]
    nodes: Annotated[list[Node], Field(min_length=2)]

    def node(self, node_id: str) -> Node:
        """The node with this id."""
        return next(n for n in self.nodes if n.id == node_id)

    def leaves(self, node_id: str) -> int:
        """How many end boxes hang below a node: branches get page width in that proportion."""
        targets = self.node(node_id).targets
        return sum(self.leaves(t) for t in targets) if targets else 1

    def drawing_order(self, node_id: str | None = None) -> list[Node]:
        """The nodes as they are read: down from the first, each yes branch before its no."""
        node = self.node(node_id or self.nodes[0].id)
        return [node, *(n for target in node.targets for n in self.drawing_order(target))]

    def names(self) -> list[str]:
        return [f"{self.id}.{n.id}" for n in self.drawing_order() if n.lines]

    def flatten(self, value: Any) -> dict[str, Any]:
        known = [n.id for n in self.nodes if n.lines]
        return {
            f"{self.id}.{_known(k, known, 'box with writing space', (k,))}": _text(v, (k,))
            for k, v in _mapping(value).items()
        }

    def gather(self, values: dict[str, Any]) -> Any:
        boxes = {n.id: _typed(values, f"{self.id}.{n.id}") for n in self.nodes if n.lines}
        return {k: v for k, v in boxes.items() if v} or None


class Moment(Model):
    """One stop on a timeline: a time of day, what to think about, and room to write."""

    id: Id
    label: Text
    prompt: Text
    lines: Lines = 3


class TimelineField(_Field):
    """A day drawn as a line from morning to night, with prompts and writing space beside it."""

    kind: Literal["timeline"]
    moments: Annotated[list[Moment], Field(min_length=2)]

    def names(self) -> list[str]:
        return [f"{self.id}.{m.id}" for m in self.moments]

    def flatten(self, value: Any) -> dict[str, Any]:
        known = [m.id for m in self.moments]
        return {f"{self.id}.{_known(k, known, 'moment', (k,))}": _text(v, (k,)) for k, v in _mapping(value).items()}

    def gather(self, values: dict[str, Any]) -> Any:
        moments = {m.id: _typed(values, f"{self.id}.{m.id}") for m in self.moments}
        return {k: v for k, v in moments.items() if v} or None


class WheelField(_Field):
    """A wheel-of-life diagram drawn from a table: one segment per row, scored 0 to 10.

    It has nothing to fill of its own: on paper the client shades each segment up to the score
    written in the table; on a filled sheet it is shaded from those answers.
    """

    kind: Literal["wheel"]
    table: Id
    score: Id

    def names(self) -> list[str]:
        return []

    def flatten(self, value: Any) -> dict[str, Any]:
        raise AnswerError((), "the wheel is drawn from its table's scores; answer the table instead")

    def gather(self, values: dict[str, Any]) -> Any:
        return None


AnyField = Annotated[
    TextField
    | LinesField
    | BoxField
    | DateField
    | ScaleField
    | ChoiceField
    | ChecklistField
    | TableField
    | FlowchartField
    | TimelineField
    | WheelField,
    Discriminator("kind"),
]

KINDS: tuple[str, ...] = (
    "text",
    "lines",
    "box",
    "date",
    "scale",
    "choice",
    "checklist",
    "table",
    "flowchart",
    "timeline",
    "wheel",
)


class Section(Model):
    """A titled part of a worksheet: a prompt for the client and the fields to answer it."""

    id: Id
    title: Text
    prompt: Text | None = None
    fields: Annotated[list[AnyField], Field(min_length=1)]
