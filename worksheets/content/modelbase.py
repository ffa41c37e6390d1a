"""The base of every content model, and the small types that many of them share.

Validation is pydantic's, in strict mode with unknown keys forbidden: a typo in a hand-written
file must be an error, never a silently ignored key.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from ..errors import did_you_mean

ID_PATTERN = r"^[a-z][a-z0-9-]*$"
URL_PATTERN = r"^https?://\S+/$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
PATTERN_NAMES = {
    ID_PATTERN: "an id: lowercase letters, digits and hyphens",
    URL_PATTERN: "a web address starting with http:// or https:// and ending with /",
    LANGUAGE_PATTERN: "a language code such as en, fr or pt-BR",
}
"""What each pattern means, for messages."""
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=60)]
"""Ids appear in file names, form field names and URLs, so they are kept plain."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
"""Any non-empty piece of text (plain or Markdown, depending on the key)."""

Aim = Literal["relationships", "coping", "behaviour", "decisions", "growth"]
"""The five aims of EXERCISES.md; their display names are in the strings file."""

AIMS: tuple[str, ...] = Aim.__args__


class Model(BaseModel):
    """Base of every content model: strict types, frozen, and unknown keys refused by name."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_keys(cls, data: Any) -> Any:
        """Name the first unknown key with the nearest known one, which pydantic does not."""
        if isinstance(data, dict):
            known = list(cls.model_fields)
            for key in data:
                if key not in known:
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'{hint}",
                        {"key": str(key), "hint": did_you_mean(str(key), known)},
                    )
        return data
