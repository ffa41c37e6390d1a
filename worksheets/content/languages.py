"""What the tool knows of a language, from Babel's copy of the Unicode CLDR: its name, its
direction, and how it writes dates, numbers and lists. Never the machine's locale, so a sheet
prints the same on every computer."""

from __future__ import annotations

import datetime
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit


@cache
def locale(code: str) -> Locale:
    """The CLDR locale of a language code (``es``, ``pt-BR``); ValueError when CLDR has none."""
    try:
        return Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"'{code}' is not a language that Unicode's CLDR knows") from exc


def direction(code: str) -> str:
    """``rtl`` for a language written right to left (Arabic, Hebrew, Persian…), else ``ltr``."""
    return "rtl" if locale(code).character_order == "right-to-left" else "ltr"


def own_name(code: str) -> str:
    """The language's name in itself, as a switcher shows it: English, Español, العربية."""
    name = locale(code).get_language_name(locale(code)) or code
    return name[:1].upper() + name[1:]


def name_in(code: str, language: str) -> str:
    """The name of language ``code`` in ``language`` ("inglés" for en in es)."""
    return locale(code).get_language_name(locale(language)) or code


def long_date(day: datetime.date, language: str) -> str:
    """A date written out: "26 November 2026", "26 de noviembre de 2026"."""
    return format_date(day, "long", locale=locale(language))


def short_date(day: datetime.date, language: str) -> str:
    """Day and month, for a chart's axis: "26 Nov", "26 nov"."""
    return format_skeleton("MMMd", day, locale=locale(language))


def month_year(day: datetime.date, language: str) -> str:
    """Month and year, for a chart's axis when points stand for months: "Nov 2026"."""
    return format_skeleton("yMMM", day, locale=locale(language))


def minutes(count: int, language: str) -> str:
    """How long a worksheet takes, with the plural the language needs: "10 minutes",
    "10 minutos", "10 دقائق" (Arabic has six plural forms; CLDR knows them)."""
    return format_unit(count, "duration-minute", length="long", locale=locale(language))


def decimal(value: float, language: str, places: int = 1) -> str:
    """A number to ``places`` decimals as ``language`` writes it: 56.6, and 56,6 in Spanish."""
    return format_decimal(value, format="0." + "0" * places, locale=locale(language))


def number(value: float, language: str) -> str:
    """A number as ``language`` writes it, with the decimals it has (a rho of 0.3, 0,25 in Spanish)."""
    return format_decimal(value, locale=locale(language))


def listed(items: list[str], language: str) -> str:
    """Items joined as ``language`` lists them: "1, 2, and 3", "1, 2 y 3"."""
    return format_list([str(item) for item in items], locale=locale(language))
