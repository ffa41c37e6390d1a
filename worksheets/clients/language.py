"""The language a client's record asks for: the catalog its take-home sheets and questions use.

A record may say ``language: es``. Its take-home sheets are then printed from the catalog in that
language, and a goal whose worksheet is not yet fully translated is left out of them (never
printed half in one language, half in another), with a warning that names it.
"""

from __future__ import annotations

from pathlib import Path

from ..content import Catalog, language_catalog, read_yaml
from ..errors import InputError
from ..project import Project
from .records import ClientRecord


def record_catalog(
    project: Project, catalog: Catalog, record: ClientRecord, path: Path, known: dict[str, Catalog] | None = None
) -> Catalog:
    """``catalog`` in the language of ``record`` (read from ``path``); InputError at the record's
    ``language`` line for a language the project has no translation into, or one whose interface
    is not translated yet. ``known`` keeps the catalogs made so far, so that many records in one
    language translate the content once."""
    language = record.language or catalog.site.language
    if known is not None and language in known:
        return known[language]
    try:
        translated, _ = language_catalog(project, catalog, language)
    except ValueError as exc:
        raise InputError([read_yaml(path).problem(("language",), str(exc))]) from None
    if known is not None:
        known[language] = translated
    return translated


def untranslated_goals(catalog: Catalog, goals: list, path: Path) -> tuple[list, list[str]]:
    """The goals whose worksheet ``catalog`` has, and a warning for each of the others."""
    missing = {ws.id for ws in catalog.untranslated}
    kept = [g for g in goals if g.worksheet not in missing]
    language = catalog.site.language
    warnings = [
        f"{path}: warning: goal '{g.id}' is left out: worksheet '{g.worksheet}' is not yet translated into {language}"
        for g in goals
        if g.worksheet in missing
    ]
    return kept, warnings
