"""Links that open a worksheet's page already filled in with a goal's answers.

The answers travel in the link's fragment (after ``#``), which a browser never sends to a
server: the site's host sees a visit to a worksheet page, never what the client wrote. The page's
script reads the fragment, fills the form and says which fields were filled.

The fragment is ``fill=`` and the answers as JSON (``{"v": 1, "sheet": ID, "fields": {NAME:
VALUE}}``, keyed by the form's field names as ``worksheets fields`` prints them), compressed with
raw DEFLATE (which browsers decompress with ``DecompressionStream("deflate-raw")``) and written in
base64url. A link longer than ``MAX_LINK`` characters is refused rather than cut: a QR code holds
about 2,900 characters at most, and a long link is hard to pass on in any other way.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from ..content import Catalog, Worksheet

FORMAT = 1
"""The version of the fragment's JSON; a page refuses a version it does not know."""

MAX_LINK = 2_000
"""The longest link made: it still fits a QR code that a phone reads from paper."""


def page_url(base: str, catalog: Catalog, source: str, ws: Worksheet) -> str:
    """The address of worksheet ``ws``'s page on the site at ``base``, in ``catalog``'s language
    (``source`` is the content's own language, whose pages are at the site's root)."""
    from ..site import Languages

    return f"{base}{Languages.folder(catalog.site.language, source)}worksheets/{ws.id}.html"


def goal_link(base: str, catalog: Catalog, source: str, ws: Worksheet, answers: dict[str, Any]) -> str:
    """The link that opens ``ws``'s page filled in with a goal's ``answers`` (whoever makes one
    refuses it when it is longer than ``MAX_LINK``)."""
    return f"{page_url(base, catalog, source, ws)}#{fragment(ws, answers)}"


def fragment(ws: Worksheet, answers: dict[str, Any]) -> str:
    """The fragment (without ``#``) that fills worksheet ``ws`` with ``answers`` (keyed by field
    id, as a record holds them)."""
    values = {name: _value(value) for name, value in ws.flatten(answers).items()}
    data = json.dumps({"v": FORMAT, "sheet": ws.id, "fields": values}, ensure_ascii=False, separators=(",", ":"))
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw DEFLATE: no zlib header, as browsers expect
    packed = packer.compress(data.encode("utf-8")) + packer.flush()
    return "fill=" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def _value(value: Any) -> str | bool:
    """A field's value as the page's form holds it: text, or a tick box's state."""
    if isinstance(value, bool):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
