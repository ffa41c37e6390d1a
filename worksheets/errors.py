"""Problems found in user input, and the exception that carries them.

Every message a user sees about their own files has the same shape, ``file:line:col: message``,
so editors and terminals can jump to the spot. Problems are collected rather than raised one by
one, so that a single run lists everything wrong with a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one input file (line and column count from 1)."""

    path: Path
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class InputError(Exception):
    """Bad input: the CLI prints each problem and exits with status 2."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class RenderError(Exception):
    """A failure while rendering valid input (a refused resource, a template bug): exit 1."""


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """Return "; did you mean 'x'?" for the nearest choice, or "" when nothing is close."""
    match = get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""
