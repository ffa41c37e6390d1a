"""Render: from a ``Catalog`` (and answers) to HTML, and from HTML to PDF bytes.

Takes validated models; gives HTML (Jinja2, four modes), diagrams as SVG, and PDFs made by
WeasyPrint with the project's own fonts and nothing fetched from outside, in worker processes
when there are many, or on a Dask cluster. Knows nothing of the site or of client records.
"""

from __future__ import annotations

import warnings

from ..exports import lazy_exports

warnings.filterwarnings(
    "ignore",
    message="(No fonts configured in FontConfig|FontConfig cannot load default config file)",
    category=UserWarning,
    module=r"weasyprint\.text\.fonts",
)
"""WeasyPrint warns, when first imported, if the computer has no fonts. Ours need none: every PDF
is rendered with an empty font configuration (fonts.conf) and the fonts its stylesheets load from
templates/fonts, so on a new server or container the warning would only alarm."""

_EXPORTS = {
    "Cluster": "pool",
    "Document": "pool",
    "PageReport": "pool",
    "SheetQr": "html",
    "Workers": "pool",
    "check_templates": "html",
    "default_jobs": "pool",
    "environment": "html",
    "render_all": "pool",
    "render_document": "html",
    "render_packet": "html",
    "render_report": "html",
    "render_pdf": "pdf",
    "progress_sheet_id": "html",
    "qr_svg": "diagrams",
    "render_takehome": "html",
    "render_takehome_sheet": "html",
    "render_template": "html",
    "write_pdf": "pdf",
}
"""What the stages above use, and the module each comes from (imported when first asked for)."""

__all__ = list(_EXPORTS)


__getattr__ = lazy_exports(__name__, _EXPORTS)
