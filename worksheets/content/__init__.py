"""Content: from YAML files to a checked, immutable ``Catalog``.

Takes the files in ``content/`` (and client records, which are read the same way) and gives
validated models, every problem located as ``file:line:col``, and the warnings for text no
bundled font can print. Imports nothing from the stages above it.
"""

from __future__ import annotations

from ..exports import lazy_exports

_EXPORTS = {
    "AIMS": "modelbase",
    "AnswerError": "fields",
    "AnyField": "fields",
    "BoxField": "fields",
    "Catalog": "loader",
    "ChecklistField": "fields",
    "ChoiceField": "fields",
    "DateField": "fields",
    "Document": "yamlsource",
    "FlowchartField": "fields",
    "GoalWork": "models",
    "Id": "modelbase",
    "Key": "yamlsource",
    "LANGUAGE_PATTERN": "modelbase",
    "URL_PATTERN": "modelbase",
    "LinesField": "fields",
    "MAX_BYTES": "yamlsource",
    "PDF_FONTS": "fontfaces",
    "Face": "fontfaces",
    "faces": "fontfaces",
    "codes_of": "fontfaces",
    "Model": "modelbase",
    "Packet": "models",
    "GasLevel": "models",
    "Rating": "models",
    "ScaleField": "fields",
    "Step": "models",
    "Strings": "models",
    "TableField": "fields",
    "Text": "modelbase",
    "TextField": "fields",
    "TimelineField": "fields",
    "WheelField": "fields",
    "Worksheet": "models",
    "answer_problems": "loader",
    "content_warnings": "glyphs",
    "decimal": "languages",
    "describe": "fields",
    "document_warnings": "glyphs",
    "language_catalog": "translations",
    "listed": "languages",
    "load_catalog": "loader",
    "long_date": "languages",
    "minutes": "languages",
    "month_year": "languages",
    "name_in": "languages",
    "number": "languages",
    "own_name": "languages",
    "short_date": "languages",
    "parse_yaml": "yamlsource",
    "read_yaml": "yamlsource",
    "text_warnings": "glyphs",
    "translate_into": "translations",
    "translation_status": "translations",
    "translation_template": "translations",
    "update_catalogues": "translations",
    "project_translations": "translations",
    "to_html": "markup",
    "validate": "loader",
    "whole_number": "fields",
}
"""What the stages above use, and the module each comes from (imported when first asked for)."""

__all__ = list(_EXPORTS)


__getattr__ = lazy_exports(__name__, _EXPORTS)
