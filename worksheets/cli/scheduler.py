"""The options that send rendering to a Dask cluster (``build`` and ``prefill``), checked before
any work starts: the extra must be installed, ``--jobs`` does not go with them, and client records
go only to a scheduler on this computer or over TLS."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

if TYPE_CHECKING:
    from ..render import Cluster

SCHEMES = ("tcp", "tls")


def scheduler_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--scheduler ADDRESS`` and ``--cluster-timeout SECONDS`` to a command."""
    command = click.option(
        "--cluster-timeout",
        type=click.FloatRange(1, min_open=False),
        default=120.0,
        show_default=True,
        metavar="SECONDS",
        help="With --scheduler: give up when the cluster finishes nothing for this long.",
    )(command)
    return click.option(
        "--scheduler",
        metavar="tcp://HOST:8786",
        default=None,
        help="Render on this Dask scheduler's workers (pip install 'worksheets[dask]').",
    )(command)


def cluster_of(scheduler: str | None, timeout: float, jobs: int | None, *, records: bool = False) -> Cluster | None:
    """The cluster the options name, or None to render here. With ``records`` (the PDFs hold what
    clients wrote), a plain ``tcp://`` address must be this computer's: anything else would send
    health information across a network unencrypted."""
    if scheduler is None:
        return None
    if jobs is not None:
        raise click.UsageError(
            "--jobs sets this computer's worker processes; with --scheduler the cluster's workers render"
        )
    parts = urlsplit(scheduler)
    if parts.scheme not in SCHEMES or not parts.hostname:
        message = f"'{scheduler}' is not a scheduler address like tcp://HOST:8786"
        raise click.BadParameter(message, param_hint="--scheduler")
    if records and parts.scheme == "tcp" and not _this_computer(parts.hostname):
        raise click.BadParameter(
            f"client records would travel to {parts.hostname} unencrypted; use a scheduler on this computer "
            "(tcp://127.0.0.1:8786) or a tls:// address with Dask's TLS settings (see docs/architecture.md)",
            param_hint="--scheduler",
        )
    try:
        import distributed  # noqa: F401 (the [dask] extra)
    except ImportError:
        raise click.UsageError("--scheduler needs Dask on this computer: pip install 'worksheets[dask]'") from None
    from ..render import Cluster

    return Cluster(scheduler, timeout)


def _this_computer(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
