"""How a stage's package hands on what the stages above it use, without loading it all at once."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` (PEP 562) of ``package``: each name in ``exports`` is imported
    from its module (the value) when first asked for, so that opening one light module of the
    package (``site.freshness`` for a no-op build) does not load the heavy ones."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f".{exports[name]}", package), name)

    return __getattr__
