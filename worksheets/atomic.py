"""Write files so that a crash leaves either the old file or the new one, never half of each."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable: the folder's entry list is data too."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644, backup: Path | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, fsync, rename.

    With ``backup``, the previous version is kept there first (a hard link to it, renamed into
    place), so at every moment ``path`` holds either the old or the new version, complete.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if backup is not None and path.exists():
            keep = Path(f"{tmp}.previous")
            os.link(path, keep)
            os.chmod(keep, mode)
            os.replace(keep, backup)
        os.replace(tmp, path)
        _fsync_folder(folder)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        Path(f"{tmp}.previous").unlink(missing_ok=True)
        raise


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` (on a hidden lock file beside it) while updating it,
    so two commands changing one file at the same time take turns instead of losing an update."""
    lock = path.with_name(f".{path.name}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
