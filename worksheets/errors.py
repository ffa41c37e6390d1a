"""Problems found in user input, the exceptions that carry them, and how such text is shown.

Every message a user sees about their own files has the same shape, ``file:line:col: message``,
so editors and terminals can jump to the spot. Problems are collected rather than raised one by
one, so that a single run lists everything wrong with a file.

Messages quote keys and values from files, and commands show what records and filled PDFs say;
``visible`` is how any such text reaches the terminal, so that it can only ever be read, never
act on the terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path

_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""Characters that act on a terminal or on how a line is laid out instead of being shown: C0
controls (escape sequences start with ESC; line breaks and tabs can fake lines and columns), DEL,
C1 controls, the bidirectional marks, embeddings, overrides and isolates (which can reorder the
text around them), and lone surrogates (a byte that was not UTF-8, which cannot be printed)."""

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def visible(text: str) -> str:
    """``text`` with every character that could act on a terminal written out as an escape
    (``\\x1b``, ``\\n``, ``\\u202e``), so a record or a PDF can never colour, retitle, move or
    reorder what is shown. Use it for anything from a file that is echoed."""
    return _HIDDEN.sub(_escaped, text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one input file (line and column count from 1)."""

    path: Path
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return visible(f"{self.path}:{self.line}:{self.column}: {self.message}")


class InputError(Exception):
    """Bad input: the CLI prints each problem and exits with status 2."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class RenderError(Exception):
    """A failure while rendering valid input (a refused resource, a template bug): exit 1."""

    def __str__(self) -> str:
        return "\n".join(visible(line) for line in super().__str__().split("\n"))


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """Return "; did you mean 'x'?" for the nearest choice, or "" when nothing is close."""
    match = get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""
