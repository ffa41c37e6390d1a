"""Read a YAML file into plain Python data while remembering where every key and value stood.

PyYAML's ``safe_load`` forgets positions, accepts duplicate keys (the last one silently wins) and
turns ``yes``/``no``/``on``/``off`` into booleans. Content is written by hand, so each of those is
a trap: here the file is composed into nodes, walked once, and every mapping key and value is
recorded by its path (``("sections", 0, "title")``) so later checks can point at the exact line.
Anchors and aliases, merge keys and explicit tags (``!!binary``) are refused: a worksheet never
needs them, aliases are the road to "billion laughs" expansion and tags to surprising types. A
byte-order mark, control characters and very deep nesting are refused with a located message
rather than a traceback.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Problem

MAX_BYTES = 1_000_000
"""Larger than any real worksheet or client record by far; refuses runaway files early."""

MAX_DEPTH = 40
"""Deeper than any worksheet needs (about eight levels); PyYAML composes recursively, so a file of
``[[[[...`` would otherwise end in a RecursionError."""

PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}
"""The types a hand-written file may hold; anything else (``!!binary``, ``!!set``, ``!custom``) is refused."""

Key = str | int
Pos = tuple[int, int]


class _Loader(yaml.SafeLoader):
    """SafeLoader whose booleans are only ``true`` and ``false`` (as in YAML 1.2), and which stops
    at ``MAX_DEPTH`` levels of nesting.

    A label such as ``No`` or an answer such as ``on`` must stay text.
    """

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("anchors and aliases (& and *) are not allowed", event.start_mark)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that content may not use, found while composing (before any expansion)."""

    def __init__(self, message: str, mark: yaml.Mark) -> None:
        super().__init__(problem=message, problem_mark=mark)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class Document:
    """Data read from one YAML file, with the position (line, column; from 1) of every part."""

    path: Path
    data: Any
    values: dict[tuple[Key, ...], Pos] = field(default_factory=dict)
    keys: dict[tuple[Key, ...], Pos] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def where(self, loc: tuple[Key, ...], *, key: bool = False) -> Pos:
        """Position of the value (or, with ``key``, the key) at ``loc``, else its nearest parent."""
        loc = tuple(loc)
        if key and loc in self.keys:
            return self.keys[loc]
        while loc not in self.values and loc:
            loc = loc[:-1]
        return self.values.get(loc, (1, 1))

    def problem(self, loc: tuple[Key, ...], message: str, *, key: bool = False, at: str = "") -> Problem:
        """A Problem pointing at ``loc`` in this file; with ``at``, at the first place that text is
        written from there on (a link in a block of Markdown several lines long)."""
        line, column = self.where(loc, key=key)
        for number in range(line, len(self.lines) + 1) if at else ():
            found = self.lines[number - 1].find(at, column - 1 if number == line else 0)
            if found >= 0:
                line, column = number, found + 1
                break
        return Problem(self.path, line, column, message)


def _pos(node: yaml.Node) -> Pos:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _line_column(text: Any, index: int, newline: Any) -> Pos:
    """Line and column (from 1) of ``index`` in ``text`` (bytes or str, with its newline)."""
    return text[:index].count(newline) + 1, index - (text.rfind(newline, 0, index) + 1) + 1


def read_yaml(path: Path, *, expect: str = "a mapping") -> Document:
    """Parse ``path``; raise InputError naming the file, line and column for anything wrong.

    ``expect`` describes the top level for the message when the file is empty or not a mapping.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(path, 1, 1, f"cannot read the file: {exc.strerror}")]) from None
    return parse_yaml(raw, path, expect=expect)


def parse_yaml(raw: bytes, path: Path, *, expect: str = "a mapping") -> Document:
    """Parse YAML bytes said to come from ``path`` (for messages); see ``read_yaml``."""
    if len(raw) > MAX_BYTES:
        size = f"{len(raw):,} bytes"
        msg = f"the file is too large ({size}); the limit is {MAX_BYTES:,} bytes"
        raise InputError([Problem(path, 1, 1, msg)])
    if raw.startswith(codecs.BOM_UTF8):
        msg = "the file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"
        raise InputError([Problem(path, 1, 1, msg)])
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError([Problem(path, 1, 1, "the file is UTF-16 text; save it as UTF-8")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(raw, exc.start, b"\n")
        msg = f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        raise InputError([Problem(path, line, column, msg)]) from None

    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a control character, checked as the text is read
        line, column = _line_column(text, exc.position, "\n")
        msg = f"the file holds a control character (U+{exc.character:04X}), which YAML does not allow; delete it"
        raise InputError([Problem(path, line, column, msg)]) from None
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = exc.problem if isinstance(exc, _Refused) else f"invalid YAML: {exc.problem or exc.context}"
        if exc.problem and exc.context and exc.context_mark and exc.context_mark.line != mark.line:
            message += f" ({exc.context} started on line {exc.context_mark.line + 1})"
        if "\\t" in (exc.problem or "") or "\t" in (exc.problem or ""):
            message += " (use spaces, not tabs, to indent)"
        raise InputError([Problem(path, line, column, message)]) from None
    finally:
        loader.dispose()
    if root is None:
        raise InputError([Problem(path, 1, 1, f"the file is empty; expected {expect}")])

    doc = Document(path, None, lines=text.splitlines())
    problems: list[Problem] = []

    def refuse(node: yaml.Node, message: str) -> None:
        line, column = _pos(node)
        problems.append(Problem(path, line, column, message))

    def allowed(node: yaml.Node) -> bool:
        """Whether ``node`` is plain data: no merge key, no odd tag (aliases never get this far)."""
        if node.tag == "tag:yaml.org,2002:merge":
            refuse(node, "merge keys (<<) are not allowed; write the keys out")
        elif node.tag not in PLAIN_TAGS:
            refuse(node, f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed; remove it")
        else:
            return True
        return False

    def scalar(node: yaml.ScalarNode) -> Any:
        try:
            return loader.construct_object(node)
        except yaml.MarkedYAMLError as exc:
            refuse(node, f"invalid value: {exc.problem}")
        except ValueError as exc:  # a date that looks like one but is not: 2026-13-02
            refuse(node, f"invalid date {node.value} ({exc})")
        return None

    def walk(node: yaml.Node, loc: tuple[Key, ...]) -> Any:
        if not allowed(node):
            return None
        doc.values[loc] = _pos(node)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    refuse(key_node, "a key must be a plain word")
                    continue
                if not allowed(key_node):
                    continue
                key = scalar(key_node)
                if key in result:
                    first = doc.keys[(*loc, key)][0]
                    refuse(key_node, f"duplicate key '{key}' (first given on line {first})")
                    continue
                doc.keys[(*loc, key)] = _pos(key_node)
                result[key] = walk(value_node, (*loc, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [walk(item, (*loc, i)) for i, item in enumerate(node.value)]
        return scalar(node)

    data = walk(root, ())
    if problems:
        raise InputError(problems)
    if not isinstance(data, dict) and expect.startswith("a mapping"):
        line, column = _pos(root)
        raise InputError([Problem(path, line, column, f"expected {expect} at the top level")])
    doc.data = data
    return doc
