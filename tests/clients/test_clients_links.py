"""A record that is a symbolic link is changed where the link leads, never replaced by a file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from worksheets.clients.records import load_record

from conftest import RECORD, fill, fillable, run


@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """``clients/jordan.yaml``, a relative link to ``vault/jordan.yaml``, the real record."""
    vault, clients = tmp_path / "vault", tmp_path / "clients"
    vault.mkdir()
    clients.mkdir()
    real = vault / "jordan.yaml"
    real.write_text("# kept in the vault\n" + RECORD, encoding="utf-8")
    real.chmod(0o600)
    link = clients / "jordan.yaml"
    link.symlink_to(Path("..") / "vault" / "jordan.yaml")
    return link, real


@pytest.mark.parametrize(
    "args",
    [
        ["goals", "progress", "{link}", "eat-well", "--rating", "9", "--date", "2026-12-01"],
        ["goals", "done", "{link}", "eat-well", "2"],
    ],
)
def test_a_change_through_a_link_updates_the_real_record(linked, catalog, args):
    link, real = linked
    before = real.read_text(encoding="utf-8")
    for _ in range(2):
        code, _, err = run(*(a.format(link=link) for a in args))
        assert code == 0, err
    assert link.is_symlink() and link.resolve() == real, "the link is still a link to the record"
    assert real.read_text(encoding="utf-8").startswith("# kept in the vault\n")
    assert real.read_text(encoding="utf-8") != before
    goal = load_record(real, catalog).goal("eat-well")
    assert goal.progress[-1].rating == 9 if "progress" in args else all(s.done for s in goal.steps)
    assert sorted(p.name for p in link.parent.iterdir()) == ["jordan.yaml"], "nothing beside the link"
    assert sorted(p.name for p in real.parent.iterdir()) == ["jordan.yaml", "jordan.yaml.bak"], "no lock file left"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert stat.S_IMODE((real.parent / "jordan.yaml.bak").stat().st_mode) == 0o600


def test_a_link_to_a_missing_record_is_refused_and_nothing_is_made(tmp_path, catalog):
    link = tmp_path / "clients" / "kim.yaml"
    link.parent.mkdir()
    link.symlink_to(tmp_path / "unmounted" / "kim.yaml")
    code, _, err = run("goals", "progress", str(link), "walk", "--rating", "3")
    assert code == 2 and "does not exist" in err
    pdf = tmp_path / "grow.pdf"
    pdf.write_bytes(fill(fillable("grow"), {"what": "Walk"}, pdf).read_bytes())
    for args in (["goals", "add", str(link), "--worksheet", "grow"], ["import", str(pdf), str(link), "--client", "K"]):
        code, _, err = run(*args)
        assert code == 2, err
        assert f"{link}:1:1: this symbolic link leads to {tmp_path}/unmounted/kim.yaml, which does not exist" in err
    assert sorted(os.listdir(tmp_path)) == ["clients", "grow.pdf"] and os.listdir(link.parent) == ["kim.yaml"]


def test_a_link_that_loops_is_refused(tmp_path):
    loop = tmp_path / "a.yaml"
    loop.symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(loop)
    code, _, err = run("goals", "add", str(loop), "--worksheet", "grow")
    assert code == 2 and f"{loop}:1:1: this symbolic link leads round in a loop" in err
