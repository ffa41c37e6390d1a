"""How client records are written as YAML: a new record in the tool's layout, and a change
carried onto an existing file keeping everything the person wrote around the data.

Records are written by hand as well as by the tool. Dumping the new data over a file would drop
every comment and re-lay it, so a change is applied onto the file instead: its text is loaded
with ruamel.yaml's round-trip loader (which keeps comments, key order, quoting, flow or block
style and blank lines), the new data is merged into that tree changing only what differs, and the
tree is written out again, indented as the file was. PyYAML cannot do this: it drops comments as
it reads. A new record, with no file yet, is written by PyYAML.

This module only writes; it does not judge. The file was read and checked by the hardened reader
(``yamlsource``) before, and ``records.save_record`` reads the result back before saving it.
Values are compared as the data model sees them (``old`` and ``new``), never as ruamel reads them:
ruamel reads YAML 1.2 and our reader YAML 1.1, and where the two differ the person's own text is
kept untouched unless its meaning changed.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter
from difflib import SequenceMatcher
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    LiteralScalarString,
    PlainScalarString,
    SingleQuotedScalarString,
)
from ruamel.yaml.tokens import CommentToken

OTHER_BREAKS = ("\x85", "\u2028", "\u2029")
"""Characters YAML reads as line breaks: written bare they would come back as spaces, so text
holding one is written double-quoted, where they are escaped."""

_WIDTH = 1_000_000
"""Never fold a long line: a person's long line stays one line."""


class LayoutError(Exception):
    """The file could not be carried through the change (ruamel.yaml could not read it)."""


def apply_change(text: str, old: Any, new: Any, added: Any) -> str:
    """``text`` (a YAML mapping) changed from holding ``old`` to holding ``new``.

    ``old`` and ``new`` are the data before and after, with every key of the model, defaults
    included; ``added`` is ``new`` without the keys left at their defaults, which are the only
    ones written when a key is not in the file yet (so a default is never added, and a default
    someone wrote stays). Unchanged values keep their text, and comments stay where they were.
    """
    crlf = "\r\n" in text and text.count("\r\n") == text.count("\n")
    text = text.replace("\r\n", "\n")  # YAML reads both as one line break
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = _WIDTH
    try:
        tree = rt.load(text)
    except YAMLError as exc:
        raise LayoutError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    if not isinstance(tree, CommentedMap):
        raise LayoutError("the file is not a mapping")
    out = io.StringIO()
    try:
        mapping, sequence, offset = _indents(tree)
        rt.indent(mapping=mapping, sequence=sequence, offset=offset)
        rt.explicit_start = _starts_with_marker(text)
        rt.representer.ignore_aliases = lambda data: True  # one date used twice is not an &anchor
        rt.dump(_merge(tree, old, new, added), out)
    except (YAMLError, LookupError, TypeError, ValueError, AttributeError) as exc:  # a shape ruamel cannot carry
        raise LayoutError(f"{type(exc).__name__}: {exc}") from None
    return out.getvalue().replace("\n", "\r\n") if crlf else out.getvalue()


def _merge(node: Any, old: Any, new: Any, added: Any) -> Any:
    """The node for ``new`` where ``node`` held ``old``: ``node`` itself when the meaning did not
    change, changed in place when both are mappings or both lists, else a new node."""
    if _same(old, new):
        return node
    if isinstance(node, CommentedMap) and isinstance(old, dict) and isinstance(new, dict):
        _merge_mapping(node, old, new, added)
        return node
    if isinstance(node, CommentedSeq) and isinstance(old, list) and isinstance(new, list):
        _merge_sequence(node, old, new, added)
        return node
    return fresh(added, flow=_flow(node))


def _merge_mapping(node: CommentedMap, old: dict[Any, Any], new: dict[Any, Any], added: dict[Any, Any]) -> None:
    """Change keys in place, drop keys ``new`` no longer has, and put keys new to the file where
    ``new`` orders them (after the nearest key that comes before them)."""
    for key in list(node):
        if key not in new:
            keys = list(node)
            _remove(node, key, keys[keys.index(key) - 1] if keys.index(key) else None)
        elif key not in old or not _same(old[key], new[key]):
            node[key] = _merge(node[key], old.get(key), new[key], added.get(key, new[key]))
    order = list(new)
    for key in added:
        if key not in node:
            earlier = set(order[: order.index(key)])
            at = max((i + 1 for i, k in enumerate(node) if k in earlier), default=0)
            tail = _take_tail(node, list(node)[at - 1]) if at else ""
            node.insert(at, key, fresh(added[key], flow=_flow(node)))
            _add_tail(node, key, tail)


def _merge_sequence(node: CommentedSeq, old: list[Any], new: list[Any], added: list[Any]) -> None:
    """Turn the list from ``old`` into ``new`` with as few changes as difflib finds, so items that
    did not change keep their comments, and an item that changed keeps its own.

    Changes are applied from the end, so the positions of those still to apply stay right.
    """
    a, b = [_frozen(x) for x in old], [_frozen(x) for x in new]
    for tag, i1, i2, j1, j2 in reversed(_opcodes(a, b)):
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            node[i1 + k] = _merge(node[i1 + k], old[i1 + k], new[j1 + k], added[j1 + k])
        for i in reversed(range(i1 + paired, i2)):
            _remove(node, i, i - 1 if i else None)
        flow = any(_flow(item) for item in node)
        for at in range(i1 + paired, i1 + paired + j2 - j1 - paired):
            tail = _take_tail(node, at - 1) if at else ""
            node.insert(at, fresh(added[j1 + at - i1], flow=flow))
            _add_tail(node, at, tail)


def _opcodes(a: list[Any], b: list[Any]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes from ``a`` to ``b``, with the common start and end matched first: a
    change to a long list (a new rating among hundreds) then costs no more than the change, where
    difflib alone takes time growing with the square of the length."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    middle = SequenceMatcher(None, a[start : len(a) - end], b[start : len(b) - end], autojunk=False)
    ops = [(tag, i1 + start, i2 + start, j1 + start, j2 + start) for tag, i1, i2, j1, j2 in middle.get_opcodes()]
    return [op for op in ops if op[1] != op[2] or op[3] != op[4]]


def _remove(node: CommentedMap | CommentedSeq, key: Any, before: Any) -> None:
    """Remove ``node[key]``; the comment lines that followed it (which ruamel keeps with it, but
    which stand before whatever comes next) go to the element ``before`` it."""
    tail = _take_tail(node, key)
    del node[key]
    if before is not None:
        _add_tail(node, before, tail)


def _comment_place(node: CommentedMap | CommentedSeq, key: Any) -> tuple[Any, Any, int]:
    """Where ruamel keeps the comment after the element ``node[key]``: on the last value inside
    it when it is a block mapping or list, else on itself; as (container, key, slot)."""
    value = node[key]
    while isinstance(value, CommentedMap | CommentedSeq) and value and not _flow(value):
        node, key = value, list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1
        value = node[key]
    return node, key, 2 if isinstance(node, CommentedMap) else 0


def _take_tail(node: CommentedMap | CommentedSeq, key: Any) -> str:
    """Take away the whole lines of comments and blank lines after ``node[key]`` and return them;
    a comment at the end of its own line stays."""
    owner, at, slot = _comment_place(node, key)
    entry = owner.ca.items.get(at)
    if not entry or entry[slot] is None:
        return ""
    own, _, tail = entry[slot].value.partition("\n")
    if own:
        entry[slot].value = own + "\n"
    else:
        entry[slot] = None
    return tail


def _add_tail(node: CommentedMap | CommentedSeq, key: Any, tail: str) -> None:
    """Put whole lines of comments (from ``_take_tail``) after ``node[key]``."""
    if not tail:
        return
    owner, at, slot = _comment_place(node, key)
    entry = owner.ca.items.setdefault(at, [None, None, None, None])
    if entry[slot] is None:
        entry[slot] = CommentToken("\n" + tail, CommentMark(0))
    else:
        entry[slot].value += tail


def fresh(value: Any, *, flow: bool = False) -> Any:
    """A new node for ``value``; mappings and lists in flow style (``{a: 1}``) when ``flow``, as
    their neighbours are, else in block style."""
    if isinstance(value, dict):
        mapping = CommentedMap((k, fresh(v)) for k, v in value.items())
        if flow:
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        items = CommentedSeq(fresh(v) for v in value)
        if flow:
            items.fa.set_flow_style()
        return items
    if isinstance(value, str):
        return styled(value)
    return value


def styled(text: str) -> str:
    """``text`` marked with the style to write it in, so our reader gets the same text back: the
    style PyYAML chooses for it when writing a new record (``new_record``). Our reader is PyYAML
    (YAML 1.1), where ``1:30``, ``0b11`` or ``yes`` are not text, and ruamel.yaml (YAML 1.2) would
    write some of those bare; ruamel still quotes what it must (a ``,`` inside ``{...}``)."""
    written = yaml.dump(text, Dumper=_Dumper, allow_unicode=True, width=_WIDTH)
    style = {"'": SingleQuotedScalarString, '"': DoubleQuotedScalarString, "|": LiteralScalarString}
    return style.get(written[0], PlainScalarString)(text)


class _Dumper(yaml.SafeDumper):
    """Writes new records as a person would: lists indented under their key, and text with line
    breaks as ``|`` blocks, so a saved record stays easy to read and to edit by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        """Never write anchors: the same date used twice would come out as ``&id001`` and
        ``*id001``, which records may not contain."""
        return True


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    """Text holding a line break YAML would fold (``OTHER_BREAKS``) double-quoted, where it is
    escaped; other multi-line text as a ``|`` block. PyYAML still quotes what it must (a line
    with a trailing space cannot be a block)."""
    style = '"' if any(c in text for c in OTHER_BREAKS) else "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _text)


def new_record(data: dict[str, Any]) -> str:
    """A record that has no file yet, in the tool's layout: keys in the order given, lists
    indented under their key, text as ``styled`` writes it."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _flow(node: Any) -> bool:
    """Whether ``node`` is a mapping or list written in flow style."""
    return isinstance(node, CommentedMap | CommentedSeq) and bool(node.fa.flow_style())


def _same(a: Any, b: Any) -> bool:
    return _frozen(a) == _frozen(b)


def _frozen(value: Any) -> Any:
    """``value`` as something hashable that is equal only for the same data; ``True`` and ``1``
    or a date and a date-time are different values in a record, though Python finds them equal."""
    if isinstance(value, dict):
        return ("map", tuple((k, _frozen(v)) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))))
    if isinstance(value, list):
        return ("list", tuple(_frozen(v) for v in value))
    if isinstance(value, bool | int | float | datetime.date):
        return (type(value).__name__, value)
    return value


def _indents(tree: CommentedMap) -> tuple[int, int, int]:
    """How the file indents, as ruamel.yaml's ``indent`` wants it: a mapping inside a mapping,
    the items of a list (the text after ``-``), and the ``-`` itself, each counted from the
    column of the key above; the most common of each, or this tool's own layout (2, 4, 2)."""
    mappings: Counter[int] = Counter()
    sequences: Counter[tuple[int, int]] = Counter()
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CommentedSeq):
            stack.extend(node)
            continue
        if not isinstance(node, CommentedMap) or _flow(node):
            continue
        for key, value in node.items():
            stack.append(value)
            if _flow(value) or not isinstance(value, CommentedMap | CommentedSeq) or not value:
                continue
            column = node.lc.key(key)[1]
            if isinstance(value, CommentedMap):
                mappings[value.lc.key(next(iter(value)))[1] - column] += 1
            else:
                dash, item = node.lc.value(key)[1], value.lc.item(0)[1]
                sequences[(item - column, dash - column)] += 1
    mapping = mappings.most_common(1)[0][0] if mappings else 2
    sequence, offset = sequences.most_common(1)[0][0] if sequences else (4, 2)
    if mapping < 1 or offset < 0 or sequence < offset + 2:
        return 2, 4, 2
    return mapping, sequence, offset


def _starts_with_marker(text: str) -> bool:
    """Whether the document starts with ``---`` (after any comments), to write it again."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped == "---" or stripped.startswith("--- ")
    return False
