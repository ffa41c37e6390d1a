"""kill -9 at the worst moments: the site and client records are always whole, old or new.

Each case runs the real command in a child process and kills it with SIGKILL, the signal no
program can catch or clean up after: either from outside while it works, or from inside at an
exact moment (the child swaps one function for a wrapper that kills the process there).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from worksheets.atomic import aside
from worksheets.clients.records import backup_path, load_record

from conftest import RECORD, ROOT, run

KEEP = ("what-i-want", "progress-and-wins")
"""A small project (two sheets, no packets) so that each build takes a second or two."""


def _small_project(folder: Path) -> Path:
    for part in ("content", "templates"):
        shutil.copytree(ROOT / part, folder / part)
    for path in (folder / "content" / "worksheets").glob("*.yaml"):
        if path.stem not in KEEP:
            path.unlink()
    shutil.rmtree(folder / "content" / "packets")
    return folder


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


KILL_AT = """
import os, signal, sys
import worksheets.atomic as atomic
import worksheets.site.builder as site
from worksheets.cli import cli

moment, project, out = sys.argv[1:4]

def die():
    os.killpg(os.getpgid(0), signal.SIGKILL)

if moment == "before-swap":  # the new site is complete in its staging folder
    site.replace_folder = lambda new, folder: die()
elif moment == "after-swap":  # swapped, the old site not yet deleted
    exchange = atomic._exchange
    atomic._exchange = lambda a, b: exchange(a, b) and die()
elif moment == "between-renames":  # a system that cannot swap in one step: old site set aside
    atomic._exchange = lambda a, b: False
    rename = atomic.Path.rename
    def rename_then_die(path, target):
        result = rename(path, target)
        if target.name.endswith(".old"):
            die()
        return result
    atomic.Path.rename = rename_then_die
cli.main(["--project", project, "build", "--out", out, "--paper", "letter", "--jobs", "2"], prog_name="worksheets")
"""


@pytest.fixture
def sites(tmp_path: Path) -> tuple[Path, Path, dict[str, str], dict[str, str]]:
    """A small project with a built site, then a change to its stylesheet that makes every PDF
    render again; the snapshots of the site before and after the change (built elsewhere)."""
    project = _small_project(tmp_path / "project")
    out = tmp_path / "site"
    assert run("build", "--out", str(out), "--paper", "letter", project=project)[0] == 0
    old = _snapshot(out)
    css = project / "templates" / "css" / "sheet.css"
    css.write_text(css.read_text() + "\n/* changed */\n")
    reference = tmp_path / "reference"
    assert run("build", "--out", str(reference), "--paper", "letter", project=project)[0] == 0
    return project, out, old, _snapshot(reference)


def _killed(*args: str) -> None:
    child = subprocess.run([sys.executable, "-c", KILL_AT, *args], start_new_session=True, timeout=120, check=False)
    assert child.returncode == -signal.SIGKILL, "the build was meant to be killed"


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.mark.parametrize(("moment", "result"), [("before-swap", "old"), ("after-swap", "new")])
def test_a_build_killed_at_the_swap_leaves_a_whole_site(sites, moment, result):
    project, out, old, new = sites
    _killed(moment, str(project), str(out))
    assert _snapshot(out) == (old if result == "old" else new)
    assert run("build", "--out", str(out), "--paper", "letter", project=project)[0] == 0
    assert _snapshot(out) == new
    assert _leftovers(out) == [".site.lock"], "the next build tidies what the killed one left"


def test_a_build_killed_while_rendering_leaves_the_old_site(sites):
    project, out, old, new = sites
    args = [sys.executable, "-c", KILL_AT, "while-rendering", str(project), str(out)]
    child = subprocess.Popen(args, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.parent.glob(".site.building-*")):
        time.sleep(0.02)
    time.sleep(1)  # the staging folder is made, the site's ten PDFs take about three seconds
    assert child.poll() is None, "the build ended before it could be killed"
    os.killpg(child.pid, signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    assert _snapshot(out) == old
    assert run("build", "--out", str(out), "--paper", "letter", project=project)[0] == 0
    assert _snapshot(out) == new and _leftovers(out) == [".site.lock"]


def test_where_folders_cannot_be_swapped_the_next_build_puts_the_old_site_back(sites):
    project, out, old, new = sites
    _killed("between-renames", str(project), str(out))
    assert not out.exists() and _snapshot(aside(out)) == old
    code, _, err = run("build", "--out", str(out), "--paper", "letter", project=project)
    assert code == 0, err
    assert _snapshot(out) == new and _leftovers(out) == [".site.lock"]


SAVE_KILLED_AT = """
import os, signal, sys
from pathlib import Path
import worksheets.atomic as atomic
from worksheets.content.loader import load_catalog
from worksheets.project import Project
from worksheets.clients.records import load_record, save_record

moment, root, path = sys.argv[1], sys.argv[2], Path(sys.argv[3])
catalog = load_catalog(Project.at(root))
record = load_record(path, catalog)

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if moment == "writing":  # the new version half written to its temporary file
    fdopen = os.fdopen
    class Half:
        def __init__(self, handle): self.handle = handle
        def __enter__(self): return self
        def __exit__(self, *exc): return False
        def write(self, data): self.handle.write(data[: len(data) // 2]); self.handle.flush(); die()
    atomic.os.fdopen = lambda fd, mode: Half(fdopen(fd, mode))
elif moment == "after-backup":  # the backup made, the new version not yet in place
    replace = os.replace
    atomic.os.replace = lambda src, dst: die() if str(dst) == str(path) else replace(src, dst)
elif moment == "before-backup":
    atomic.os.link = die
save_record(path, record.model_copy(update={"client": "Someone Else"}), catalog)
"""


@pytest.mark.parametrize("moment", ["writing", "before-backup", "after-backup"])
def test_a_record_save_killed_at_any_moment_keeps_the_old_record(tmp_path, catalog, moment):
    path = tmp_path / "clients" / "jordan.yaml"
    path.parent.mkdir()
    path.write_text(RECORD, encoding="utf-8")
    child = subprocess.run(
        [sys.executable, "-c", SAVE_KILLED_AT, moment, str(ROOT), str(path)], timeout=60, check=False
    )
    assert child.returncode == -signal.SIGKILL
    assert path.read_text(encoding="utf-8") == RECORD
    assert load_record(path, catalog).client == "Jordan R."
    if backup_path(path).exists():
        assert backup_path(path).read_text(encoding="utf-8") == RECORD
