"""Write files so that a crash leaves either the old file or the new one, never half of each."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
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
def locked(path: Path, *, tidy: bool = False) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` (on a hidden lock file beside it) while updating it,
    so two commands changing one file at the same time take turns instead of losing an update.

    With ``tidy`` the lock file is removed when the lock is released, so it exists only while a
    command works on ``path`` and a command that stops under the lock leaves nothing behind.
    """
    lock = path.with_name(f".{path.name}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _lock(lock, tidy)
    try:
        yield
    finally:
        if tidy:
            lock.unlink(missing_ok=True)  # before unlocking: whoever waits on it then locks again
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _lock(lock: Path, tidy: bool) -> int:
    """An open descriptor of ``lock``, locked. Where lock files are removed on release, the one
    opened may have been removed while waiting for it; then the lock is taken on the new one."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        if not tidy or _same_file(fd, lock):
            return fd
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False where the
    system or its file system cannot, so the caller falls back to two renames."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def aside(folder: Path) -> Path:
    """Where ``replace_folder`` keeps the old ``folder`` for a moment when it cannot swap in one
    step; ``recover_folder`` looks there after a crash."""
    return folder.with_name(f".{folder.name}.old")


def staging(folder: Path) -> Path:
    """A new folder beside ``folder`` to put its next version together in, named for this process."""
    return folder.with_name(f".{folder.name}.building-{os.getpid()}")


def leftovers(folder: Path) -> list[Path]:
    """What a killed ``replace_folder`` or build into ``folder`` can leave: staging folders and
    the old folder set aside."""
    found = list(folder.parent.glob(f".{folder.name}.building-*"))
    return [*found, aside(folder)] if aside(folder).exists() else found


def replace_folder(new: Path, folder: Path) -> None:
    """Put the complete folder ``new`` where ``folder`` is, so that at every moment ``folder``
    is the old one or the new one, whole, even if the process is killed.

    On Linux the two are swapped in one step and the old one, now at ``new``, is deleted. Where
    that is not possible, the old folder is renamed aside first; a crash between the two renames
    leaves it there, and ``recover_folder`` puts it back.
    """
    if not folder.exists():
        new.rename(folder)
    elif _exchange(new, folder):
        shutil.rmtree(new)
    else:
        folder.rename(aside(folder))
        new.rename(folder)
        shutil.rmtree(aside(folder))
    _fsync_folder(folder.parent)


def recover_folder(folder: Path) -> None:
    """Tidy up after a killed build: put ``folder`` back if it was left aside, and delete
    half-made staging folders. Call it under ``locked(folder)``, so no live build's are touched."""
    if aside(folder).exists() and not folder.exists():
        aside(folder).rename(folder)
    for path in leftovers(folder):
        shutil.rmtree(path)
