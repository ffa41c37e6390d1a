"""The names of paper sizes, render modes and alternate formats: small enough to import anywhere."""

from __future__ import annotations

from typing import Literal

Mode = Literal["page", "print", "fillable", "filled"]
Paper = Literal["letter", "a4"]
PAPERS: tuple[Paper, ...] = ("letter", "a4")
PAGE_SIZE: dict[Paper, str] = {"letter": "letter", "a4": "A4"}
Variant = Literal["large-print", "low-ink", "dyslexia"]
VARIANTS: tuple[Variant, ...] = ("large-print", "low-ink", "dyslexia")
