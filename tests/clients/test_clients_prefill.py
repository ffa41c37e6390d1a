"""Where prefill may write take-home sheets, and what it does to the folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import RECORD, run


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "jordan.yaml"
    path.write_text(RECORD, encoding="utf-8")
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_existing_shared_folder_keeps_its_mode_with_a_note(record, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o2775)
    code, out, err = run("prefill", str(record), "--out", str(shared))
    assert code == 0, err
    assert mode(shared) == 0o2775, "a shared folder stays shared"
    assert f"note: other users can open {shared} (mode 2775)" in err and "chmod 700" in err
    assert "Wrote" in out and "note" not in out
    assert mode(shared / "jordan.pdf") == 0o600


def test_new_folders_are_owner_only_and_a_private_folder_gets_no_note(record, tmp_path):
    out = tmp_path / "private" / "take-home" / "week-48"
    code, _, err = run("prefill", str(record), "--out", str(out))
    assert code == 0, err
    assert [mode(f) for f in (out, out.parent, out.parent.parent)] == [0o700, 0o700, 0o700]
    code, _, err = run("prefill", str(record), "--out", str(out))
    assert code == 0 and "note" not in err


@pytest.mark.parametrize("where", [".", "templates", "templates/css", "content"])
def test_the_project_folder_and_its_parts_are_refused(record, scratch, where):
    before = sorted(str(p) for p in scratch.root.rglob("*"))
    out = scratch.root / where
    folder_mode = mode(out)
    code, stdout, err = run("prefill", str(record), "--out", str(out), project=scratch.root)
    assert code == 2 and "refusing to write client sheets into" in err and "choose a private folder" in err
    assert stdout == "" and "Traceback" not in err
    assert sorted(str(p) for p in scratch.root.rglob("*")) == before, "nothing written"
    assert mode(out) == folder_mode
