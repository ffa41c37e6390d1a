"""Clients: client records (health information) and what is made from them.

Takes a record file and the ``Catalog``; gives checked records, saved safely with the person's
own comments and layout, the questions of ``goals add``, take-home PDFs, and answers read back
from filled PDFs.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ClientRecord": "records",
    "Goal": "records",
    "apply": "fillin",
    "ask": "questions",
    "folder_note": "takehome",
    "interview": "questions",
    "load_record": "records",
    "new_goal_id": "records",
    "parse_date": "questions",
    "prefill": "takehome",
    "read_filled": "fillin",
    "record_file": "records",
    "text_problem": "records",
    "update": "records",
}
"""What the stages above use, and the module each comes from. They are imported when first
asked for, so that opening one light module of this package does not load the heavy ones."""

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
