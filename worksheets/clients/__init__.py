"""Clients: client records (health information) and what is made from them.

Takes a record file and the ``Catalog``; gives checked records, saved safely with the person's
own comments and layout, the questions of ``goals add``, take-home PDFs, and answers read back
from filled PDFs.
"""

from __future__ import annotations

from ..exports import lazy_exports

_EXPORTS = {
    "ClientRecord": "records",
    "GAS_LEVELS": "records",
    "GasScale": "records",
    "SCALE_SHEET": "gas",
    "Goal": "records",
    "apply": "fillin",
    "ask": "questions",
    "folder_note": "takehome",
    "interview": "questions",
    "latest": "records",
    "load_record": "records",
    "new_goal_id": "records",
    "parse_date": "questions",
    "record_catalog": "language",
    "prefill": "takehome",
    "read_filled": "fillin",
    "write_report": "report",
    "record_file": "records",
    "reviews": "gas",
    "scale_from": "gas",
    "text_problem": "records",
    "update": "records",
}
"""What the stages above use, and the module each comes from (imported when first asked for)."""

__all__ = list(_EXPORTS)


__getattr__ = lazy_exports(__name__, _EXPORTS)
