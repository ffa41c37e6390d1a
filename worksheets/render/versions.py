"""The versions that decide a PDF's bytes: the same HTML gives the same PDF only under the same
versions of these packages (WeasyPrint lays out, pydyf writes, fontTools subsets the fonts).

Read from the installed packages' metadata, which imports none of them, because a build asks
before it knows whether there is anything to render (``site/freshness.py``). A Dask cluster's
workers are compared on these and on Pango, which only a process that has loaded WeasyPrint can
ask (``render/cluster.py``).
"""

from __future__ import annotations

from importlib.metadata import version

PACKAGES = ("worksheets", "weasyprint", "pydyf", "fonttools")


def package_versions() -> dict[str, str]:
    """Each of ``PACKAGES`` with its installed version."""
    return {name: version(name) for name in PACKAGES}
