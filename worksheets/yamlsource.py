"""Read a YAML file into plain Python data while remembering where every key and value stood.

PyYAML's ``safe_load`` forgets positions, accepts duplicate keys (the last one silently wins) and
turns ``yes``/``no``/``on``/``off`` into booleans. Content is written by hand, so each of those is
a trap: here the file is composed into nodes, walked once, and every mapping key and value is
recorded by its path (``("sections", 0, "title")``) so later checks can point at the exact line.
Anchors and aliases are refused: they are never needed in a worksheet and are the road to
"billion laughs" expansion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem

MAX_BYTES = 1_000_000
"""Larger than any real worksheet or client record by far; refuses runaway files early."""

Key = str | int
Pos = tuple[int, int]


class _Loader(yaml.SafeLoader):
    """SafeLoader whose booleans are only ``true`` and ``false`` (as in YAML 1.2).

    A label such as ``No`` or an answer such as ``on`` must stay text.
    """


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

    def where(self, loc: tuple[Key, ...], *, key: bool = False) -> Pos:
        """Position of the value (or, with ``key``, the key) at ``loc``, else its nearest parent."""
        loc = tuple(loc)
        if key and loc in self.keys:
            return self.keys[loc]
        while loc not in self.values and loc:
            loc = loc[:-1]
        return self.values.get(loc, (1, 1))

    def problem(self, loc: tuple[Key, ...], message: str, *, key: bool = False) -> Problem:
        """A Problem pointing at ``loc`` in this file."""
        line, column = self.where(loc, key=key)
        return Problem(self.path, line, column, message)


def _pos(node: yaml.Node) -> Pos:
    return node.start_mark.line + 1, node.start_mark.column + 1


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
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        msg = f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        raise InputError([Problem(path, line, column, msg)]) from None

    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"invalid YAML: {exc.problem or exc.context}"
        if "\\t" in (exc.problem or "") or "\t" in (exc.problem or ""):
            message += " (use spaces, not tabs, to indent)"
        raise InputError([Problem(path, line, column, message)]) from None
    finally:
        loader.dispose()
    if root is None:
        raise InputError([Problem(path, 1, 1, f"the file is empty; expected {expect}")])

    doc = Document(path, None)
    problems: list[Problem] = []
    seen: set[int] = set()

    def walk(node: yaml.Node, loc: tuple[Key, ...]) -> Any:
        if id(node) in seen or getattr(node, "anchor", None):
            line, column = _pos(node)
            problems.append(Problem(path, line, column, "anchors and aliases (& and *) are not allowed"))
            return None
        seen.add(id(node))
        doc.values[loc] = _pos(node)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    line, column = _pos(key_node)
                    problems.append(Problem(path, line, column, "a key must be a plain word"))
                    continue
                key = loader.construct_object(key_node)
                if key in result:
                    line, column = _pos(key_node)
                    first = doc.keys[(*loc, key)][0]
                    msg = f"duplicate key '{key}' (first given on line {first})"
                    problems.append(Problem(path, line, column, msg))
                    continue
                doc.keys[(*loc, key)] = _pos(key_node)
                result[key] = walk(value_node, (*loc, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [walk(item, (*loc, i)) for i, item in enumerate(node.value)]
        try:
            return loader.construct_object(node)
        except yaml.MarkedYAMLError as exc:
            line, column = _pos(node)
            problems.append(Problem(path, line, column, f"invalid value: {exc.problem}"))
        except ValueError as exc:  # a date that looks like one but is not: 2026-13-02
            line, column = _pos(node)
            problems.append(Problem(path, line, column, f"invalid date {node.value} ({exc})"))
        return None

    data = walk(root, ())
    if problems:
        raise InputError(problems)
    if not isinstance(data, dict) and expect.startswith("a mapping"):
        line, column = _pos(root)
        raise InputError([Problem(path, line, column, f"expected {expect} at the top level")])
    doc.data = data
    return doc
