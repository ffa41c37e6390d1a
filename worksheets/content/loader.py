"""Load and validate the content folder into a Catalog: the single input of every later stage.

Loading is two passes per file. Pydantic checks each file's shape against the models; then the
checks that span a whole worksheet (unique ids, flowchart links, the wheel's table, the worked
example's answers) run on the typed result. Both passes report ``file:line:col`` through the
positions that ``yamlsource`` kept, and a file's problems are gathered before anything is raised,
so one run of ``worksheets check`` shows all that is wrong with the first bad file.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import InputError, Problem, did_you_mean
from ..project import Project
from .fields import KINDS, AnswerError, FlowchartField, TableField, WheelField, describe
from .markup import nesting_problem, url_problems
from .modelbase import ID_PATTERN, PATTERN_NAMES
from .models import Packet, Page, References, Site, Strings, Worksheet
from .yamlsource import Document, Key, read_yaml

MAX_CHART_DEPTH = 20
"""How many boxes a flowchart may have from the first to its deepest. The worry tree has 5; a
chart is drawn as tables nested once per question, and WeasyPrint 70 fails with a RecursionError
at 73 questions deep (Jinja at about 245 boxes in a row)."""

_EXPECTED = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping (key: value lines)",
    "model_type": "expected a mapping (key: value lines)",
    "model_attributes_type": "expected a mapping (key: value lines)",
    "string_too_short": "expected some text, not an empty value",
    "date_type": "expected a date like 2026-11-02",
    "date_from_datetime_inexact": "expected a date without a time, like 2026-11-02",
}


REFERENCES = "references.yaml"
"""The file of ``content/`` listing the references a therapist guide may cite (optional)."""


@dataclass(frozen=True)
class Catalog:
    """Everything the content folder says, validated: the site, its strings and its worksheets."""

    site: Site
    strings: Strings
    worksheets: tuple[Worksheet, ...]
    pages: tuple[Page, ...]
    packets: tuple[Packet, ...] = ()
    untranslated: tuple[Worksheet, ...] = ()
    """In a translated catalog, the source language's worksheets not yet translated into it."""
    references: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Citations (Markdown) by key, from ``content/references.yaml``: the same in every language."""

    def packets_with(self, worksheet_id: str) -> list[Packet]:
        """The packets that hold a worksheet."""
        return [p for p in self.packets if worksheet_id in p.worksheets]

    def get(self, worksheet_id: str) -> Worksheet:
        """The worksheet with this id; KeyError with a suggestion when there is none."""
        for worksheet in self.worksheets:
            if worksheet.id == worksheet_id:
                return worksheet
        ids = [w.id for w in self.worksheets]
        raise KeyError(f"no worksheet '{worksheet_id}'{did_you_mean(worksheet_id, ids)}")


def _data_loc(data: Any, loc: tuple[Any, ...]) -> tuple[Key, ...]:
    """Keep the parts of a pydantic error location that exist in the data.

    Pydantic adds the tag of a discriminated union (``'scale'``) and the member of a plain union
    (``'int'``) to locations; those name no place in the file.
    """
    out: list[Key] = []
    for part in loc:
        if (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and part < len(data)
        ):
            data = data[part]
        elif isinstance(data, dict | list):
            continue
        else:
            break
        out.append(part)
    return tuple(out)


def _message(error: Any, doc: Document) -> Problem:
    """Turn one pydantic error into a Problem that says what was expected, and where."""
    kind, ctx = error["type"], error.get("ctx", {})
    loc = _data_loc(doc.data, error["loc"])
    if kind == "unknown_key":
        return doc.problem((*loc, ctx["key"]), error["msg"], key=True)
    if kind == "missing":
        name = error["loc"][-1]
        return doc.problem(loc, f"missing required key '{name}'")
    if kind == "union_tag_invalid":
        tag = ctx["tag"]
        hint = did_you_mean(tag, KINDS) or f"; expected one of: {', '.join(KINDS)}"
        return doc.problem((*loc, "kind"), f"unknown field kind '{tag}'{hint}")
    if kind == "union_tag_not_found":
        return doc.problem(loc, f"missing required key 'kind' (one of: {', '.join(KINDS)})")
    got = f", got {describe(error['input'])}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        hint = did_you_mean(str(error["input"]), [e.strip(" '") for e in expected.split(",")])
        return doc.problem(loc, f"expected one of {expected}{got}{hint}")
    if kind == "string_pattern_mismatch":
        expected = PATTERN_NAMES.get(ctx["pattern"], "text matching " + ctx["pattern"])
        # A mapping's key (a tag name, a reference) is pointed at, not the value it names.
        return doc.problem(loc, f"expected {expected}", key=error["loc"][-1:] == ("[key]",))
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = "at least" if kind == "greater_than_equal" else "at most"
        return doc.problem(loc, f"expected {bound} {ctx.get('ge', ctx.get('le'))}, got {error['input']}")
    if kind == "too_short" and ctx.get("actual_length") == 0:
        return doc.problem(loc, "expected at least one item, got an empty list")
    if kind == "value_error":
        return doc.problem(loc, str(ctx["error"]))
    if kind in _EXPECTED:
        return doc.problem(loc, f"{_EXPECTED[kind]}{got if kind.endswith('type') else ''}")
    return doc.problem(loc, error["msg"][0].lower() + error["msg"][1:])


def validate(doc: Document, model: type[BaseModel], data: Any) -> Any:
    """Validate ``data`` (read from ``doc``) as ``model``; InputError listing every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = sorted({_message(e, doc) for e in exc.errors()}, key=lambda p: (p.line, p.column))
        raise InputError(problems) from None


def _worksheet_problems(
    doc: Document, ws: Worksheet, content: Path, references: Mapping[str, str]
) -> Iterator[Problem]:
    """The checks that need the whole worksheet: unique ids, links, references, the example."""
    seen: dict[str, tuple[Key, ...]] = {}
    for s, section in enumerate(ws.sections):
        if section.id in {x.id for x in ws.sections[:s]}:
            yield doc.problem(("sections", s, "id"), f"duplicate section id '{section.id}'")
        for f, field in enumerate(section.fields):
            loc = ("sections", s, "fields", f)
            if field.id in seen:
                line = doc.where((*seen[field.id], "id"))[0]
                msg = f"duplicate field id '{field.id}' (first used on line {line})"
                yield doc.problem((*loc, "id"), msg)
            seen[field.id] = loc
            yield from _field_problems(doc, ws, field, loc)

    if ws.example is not None:
        yield from answer_problems(doc, ws, ws.example.answers, ("example", "answers"))

    yield from _source_problems(doc, ws, references)

    markdown = [(("intro",), ws.intro)]
    markdown += [(("notes", part), getattr(ws.notes, part)) for part in ws.notes.PARTS]
    markdown += [(("sections", s, "prompt"), x.prompt) for s, x in enumerate(ws.sections) if x.prompt]
    yield from _markdown_problems(doc, content, markdown)


def _source_problems(doc: Document, ws: Worksheet, references: Mapping[str, str]) -> Iterator[Problem]:
    """Each key in the guide's ``sources`` names a reference of ``references.yaml``, once."""
    known = list(references)
    sources = ws.notes.sources
    for i, key in enumerate(sources):
        if key not in references:
            msg = f"no reference '{key}' in content/{REFERENCES}{did_you_mean(key, known)}"
            yield doc.problem(("notes", "sources", i), msg)
        elif key in sources[:i]:
            yield doc.problem(("notes", "sources", i), f"'{key}' is already in the sources")


def _markdown_problems(doc: Document, content: Path, places: list[tuple[tuple[Key, ...], str]]) -> Iterator[Problem]:
    """Deep nesting, bad links and images in the Markdown at ``places`` of ``doc`` (images are looked
    for in the ``content`` folder's ``images/``). Nesting comes first: Markdown nested hundreds deep
    must not be converted to look for links."""
    for loc, text in places:
        deep = nesting_problem(text)
        if deep is not None:
            index, message = deep
            yield _text_line_problem(doc, loc, index, text.splitlines()[index], message)
            continue
        for url, message in url_problems(text, content):
            yield doc.problem(loc, message, at=url)


def _text_line_problem(doc: Document, loc: tuple[Key, ...], index: int, written: str, message: str) -> Problem:
    """A Problem at line ``index`` of the text at ``loc``, which reads ``written``, at its first
    character that is not a space. The line is looked for from ``index`` lines below the text's
    first (every line of a text takes a line of the file or more, and a block's text starts
    below its ``|`` or ``>``), so an earlier line that reads the same is passed over."""
    line, column = doc.where(loc)
    block = line <= len(doc.lines) and doc.lines[line - 1][column - 1 : column] in ("|", ">")
    first = line + 1 if block else line
    for number in range(first + index, len(doc.lines) + 1):
        found = doc.lines[number - 1].find(written)
        if found >= 0:
            return Problem(doc.path, number, found + len(written) - len(written.lstrip()) + 1, message)
    return Problem(doc.path, line, column, message)


def answer_problems(doc: Document, ws: Worksheet, answers: dict[str, Any], at: tuple[Key, ...]) -> Iterator[Problem]:
    """Problems with answers to ``ws`` found at ``at`` in ``doc``: unknown fields, wrong shapes."""
    fields = {f.id: f for f in ws.fields}
    answerable = [i for i, f in fields.items() if f.names()]
    for key, value in answers.items():
        loc = (*at, key)
        if key not in fields:
            msg = f"'{key}' is not a field of worksheet '{ws.id}'{did_you_mean(str(key), answerable)}"
            yield doc.problem(loc, msg, key=True)
            continue
        try:
            fields[key].flatten(value)
        except AnswerError as exc:
            yield doc.problem((*loc, *exc.loc), exc.message)


def _field_problems(doc: Document, ws: Worksheet, field: Any, loc: tuple[Key, ...]) -> Iterator[Problem]:
    """Ids unique inside one field, and the links of flowcharts and wheels."""
    for part in ("options", "items", "columns", "moments", "nodes"):
        ids = [x.id for x in getattr(field, part, [])]
        for i, x in enumerate(ids):
            if x in ids[:i]:
                yield doc.problem((*loc, part, i, "id"), f"duplicate id '{x}' in {part}")
    if isinstance(field, TableField) and isinstance(field.rows, list):
        ids = [r.id for r in field.rows]
        for i, x in enumerate(ids):
            if x in ids[:i]:
                yield doc.problem((*loc, "rows", i, "id"), f"duplicate row id '{x}'")
    if isinstance(field, FlowchartField):
        yield from _flowchart_problems(doc, field, loc)
    if isinstance(field, WheelField):
        tables = {f.id: f for f in ws.fields if isinstance(f, TableField)}
        table = tables.get(field.table)
        if table is None:
            msg = f"no table '{field.table}' in this worksheet{did_you_mean(field.table, list(tables))}"
            yield doc.problem((*loc, "table"), msg)
        elif not isinstance(table.rows, list):
            yield doc.problem((*loc, "table"), f"table '{table.id}' needs named rows to draw a wheel")
        else:
            scores = [c.id for c in table.columns if c.kind == "score"]
            if field.score not in scores:
                msg = f"'{field.score}' is not a score column of table '{table.id}'"
                yield doc.problem((*loc, "score"), msg + did_you_mean(field.score, scores))


def _flowchart_problems(doc: Document, chart: FlowchartField, loc: tuple[Key, ...]) -> Iterator[Problem]:
    """Every link goes to a node, every node but the first is reached from exactly one, and the
    tree this makes holds every node and is not too deep to draw."""
    problems = list(_flowchart_link_problems(doc, chart, loc))
    ids = [n.id for n in chart.nodes]
    if problems or len(set(ids)) < len(ids):  # duplicate ids are reported with the field's other ids
        yield from problems
    else:
        yield from _flowchart_tree_problems(doc, chart, loc)


def _flowchart_link_problems(doc: Document, chart: FlowchartField, loc: tuple[Key, ...]) -> Iterator[Problem]:
    """Every link goes to a node; every node but the first is reached from exactly one."""
    ids = [n.id for n in chart.nodes]
    parents: Counter[str] = Counter()
    for i, node in enumerate(chart.nodes):
        for key in ("yes", "no", "next"):
            target = getattr(node, key)
            if target is None:
                continue
            if target not in ids:
                msg = f"'{key}' goes to '{target}', which is not a node here{did_you_mean(target, ids)}"
                yield doc.problem((*loc, "nodes", i, key), msg)
            elif target == ids[0]:
                yield doc.problem((*loc, "nodes", i, key), "no link may go back to the first node")
            else:
                parents[target] += 1
    for i, node in enumerate(chart.nodes[1:], start=1):
        if parents[node.id] == 0:
            yield doc.problem((*loc, "nodes", i, "id"), f"no link leads to node '{node.id}'")
        elif parents[node.id] > 1:
            msg = f"{parents[node.id]} links lead to node '{node.id}'; a flowchart here is a tree"
            yield doc.problem((*loc, "nodes", i, "id"), msg + " (repeat the box instead)")


def _flowchart_tree_problems(doc: Document, chart: FlowchartField, loc: tuple[Key, ...]) -> Iterator[Problem]:
    """Nodes the first cannot reach (links that go round in a circle of their own), and paths
    deeper than ``MAX_CHART_DEPTH``. Walked without recursion, so any chart gets an answer."""
    where = {node.id: i for i, node in enumerate(chart.nodes)}
    depth = {chart.nodes[0].id: 1}
    pending = [chart.nodes[0]]
    while pending:
        node = pending.pop()
        for target in node.targets:
            depth[target] = depth[node.id] + 1
            pending.append(chart.nodes[where[target]])
    for i, node in enumerate(chart.nodes):
        if node.id not in depth:
            msg = f"node '{node.id}' cannot be reached from the first node; its links go round in a circle"
            yield doc.problem((*loc, "nodes", i, "id"), msg)
    too_deep = [i for i, node in enumerate(chart.nodes) if depth.get(node.id) == MAX_CHART_DEPTH + 1]
    if too_deep:
        msg = f"this box is {MAX_CHART_DEPTH + 1} boxes down from the first; at most {MAX_CHART_DEPTH} can be drawn"
        yield doc.problem((*loc, "nodes", too_deep[0], "id"), msg)


def _read_named(path: Path, what: str) -> Document:
    """Read a file whose id is its name (a worksheet, a page), adding that id to its data."""
    doc = read_yaml(path)
    if "id" in doc.data:
        raise InputError([doc.problem(("id",), f"remove 'id': a {what}'s id is its file name", key=True)])
    if not re.fullmatch(ID_PATTERN, path.stem):
        msg = "the file name must be an id (lowercase letters, digits and hyphens) then .yaml"
        raise InputError([Problem(path, 1, 1, msg)])
    doc.data = {"id": path.stem, **doc.data}
    return doc


def _yaml_files(folder: Path) -> list[Path]:
    """The ``*.yaml`` files of ``folder``, in order; InputError naming any ``.yml`` (or ``.YAML``)
    file there, which would otherwise be skipped without a word.

    Such a file is refused rather than read: an id is its file name, so ``grow.yml`` beside
    ``grow.yaml`` would be two files with one id, and one spelling keeps ids and names plain.
    """
    misnamed = sorted(p for p in folder.glob("*") if p.suffix.lower() in (".yml", ".yaml") and p.suffix != ".yaml")
    if misnamed:
        msg = "this file is not read: only .yaml files are, as ids come from file names; rename it to {}.yaml"
        raise InputError([Problem(p, 1, 1, msg.format(p.stem)) for p in misnamed])
    return sorted(folder.glob("*.yaml"))


def _raise_any(problems: Iterable[Problem]) -> None:
    found = list(problems)
    if found:
        raise InputError(found)


def load_references(content: Path) -> dict[str, str]:
    """The citations of ``content/references.yaml`` by key; none when there is no such file (a
    project whose guides cite nothing needs none)."""
    path = content / REFERENCES
    if not path.exists():
        return {}
    doc = read_yaml(path)
    references = validate(doc, References, doc.data).root
    _raise_any(_markdown_problems(doc, content, [((key,), text) for key, text in references.items()]))
    return dict(references)


def load_worksheet(path: Path, references: Mapping[str, str] | None = None) -> Worksheet:
    """Read and check one worksheet file (in a project's ``content/worksheets/``); its guide's
    sources are checked against ``references``, read from its content folder when not given."""
    content = path.resolve().parent.parent
    doc = _read_named(path, "worksheet")
    worksheet = validate(doc, Worksheet, doc.data)
    if references is None:
        references = load_references(content)
    _raise_any(_worksheet_problems(doc, worksheet, content, references))
    return worksheet


def load_packet(path: Path, worksheet_ids: list[str]) -> Packet:
    """Read and check one packet file against the worksheets that exist."""
    doc = _read_named(path, "packet")
    packet = validate(doc, Packet, doc.data)
    problems = []
    for i, worksheet_id in enumerate(packet.worksheets):
        if worksheet_id not in worksheet_ids:
            msg = f"no worksheet '{worksheet_id}'{did_you_mean(worksheet_id, worksheet_ids)}"
            problems.append(doc.problem(("worksheets", i), msg))
        elif worksheet_id in packet.worksheets[:i]:
            problems.append(doc.problem(("worksheets", i), f"'{worksheet_id}' is already in this packet"))
    _raise_any(problems)
    return packet


def strings_file(project: Project, language: str) -> Path:
    """The interface strings of the content's language: ``strings/en-GB.yaml``, else the file of
    its main language (``strings/en.yaml``), which a regional variant shares."""
    folder = project.content / "strings"
    exact = folder / f"{language}.yaml"
    return exact if exact.exists() else folder / f"{language.split('-')[0]}.yaml"


def load_catalog(project: Project) -> Catalog:
    """Read and check everything under ``content/``; InputError at the first bad file."""
    site_path = project.content / "site.yaml"
    doc = read_yaml(site_path)
    site = validate(doc, Site, doc.data)
    _raise_any(_markdown_problems(doc, project.content, [(("intro",), site.intro)]))
    strings_path = strings_file(project, site.language)
    if not strings_path.exists():
        msg = f"no strings file for language '{site.language}' (expected {strings_path})"
        raise InputError([doc.problem(("language",), msg)])
    doc = read_yaml(strings_path)
    strings = validate(doc, Strings, doc.data)
    paths = _yaml_files(project.worksheets_dir)
    if not paths:
        raise InputError([Problem(project.worksheets_dir, 1, 1, "no worksheets (*.yaml files) found")])
    references = load_references(project.content)
    worksheets = [load_worksheet(p, references) for p in paths]
    pages = []
    for path in _yaml_files(project.content / "pages"):
        doc = _read_named(path, "page")
        page = validate(doc, Page, doc.data)
        _raise_any(_markdown_problems(doc, project.content, [(("body",), page.body)]))
        pages.append(page)
    ids = [w.id for w in worksheets]
    if site.progress_sheet is not None and site.progress_sheet not in ids:
        site_doc = read_yaml(site_path)
        msg = f"progress_sheet: no worksheet '{site.progress_sheet}'{did_you_mean(site.progress_sheet, ids)}"
        raise InputError([site_doc.problem(("progress_sheet",), msg)])
    packets = [load_packet(p, ids) for p in _yaml_files(project.content / "packets")]
    by_order = attrgetter("order", "id")
    return Catalog(
        site,
        strings,
        tuple(sorted(worksheets, key=by_order)),
        tuple(sorted(pages, key=by_order)),
        tuple(sorted(packets, key=by_order)),
        references=MappingProxyType(references),
    )
