"""Rendering on a real Dask cluster (``--scheduler``): a scheduler and two worker processes on
127.0.0.1, started and stopped by each test, against local builds of the same project."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from clustering import local_cluster, wait_until_rendering

from worksheets.errors import RenderError
from worksheets.project import Project
from worksheets.render import Cluster, Document, render_all

from conftest import ROOT, run

SHEETS = ("what-i-want", "four-steps", "smart-goals", "progress-and-wins")
PACKET = "getting-started"
RECORD = """client: Client {n}
therapist: Sam Lee
goals:
  - id: walk
    worksheet: smart-goals
    title: Walk 30 minutes, five days a week
    answers: {{own-words: Get fitter {n}, specific: Walk to work and back, importance: 8}}
    progress: [{{date: 2026-11-02, rating: 3}}, {{date: 2026-11-09, rating: 5}}]
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The project in English with four worksheets and one packet: 21 PDFs in A4."""
    root = tmp_path_factory.mktemp("small")
    for part in ("content", "templates"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("translations"))
    for path in (root / "content" / "worksheets").glob("*.yaml"):
        if path.stem not in SHEETS:
            path.unlink()
    for path in (root / "content" / "packets").glob("*.yaml"):
        if path.stem != PACKET:
            path.unlink()
    return Project.at(root)


@pytest.fixture(scope="module")
def local_site(small: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small project built here, with two local worker processes."""
    out = tmp_path_factory.mktemp("local") / "site"
    code, stdout, stderr = run("build", "--out", str(out), "--paper", "a4", "--jobs", "2", project=small.root)
    assert code == 0, stderr
    assert stdout.startswith("Rendered 21,")
    return out


def files_of(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def snapshot(site: Path) -> dict[str, tuple[str, int, int]]:
    """Every file's digest, inode and modification time: a site left alone keeps all three."""
    return {
        str(p.relative_to(site)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def old_site(local_site: Path, where: Path) -> Path:
    """A copy of the local build, for a failed build to leave alone."""
    shutil.copytree(local_site, where)
    return where


def cli(project: Project, *args: str) -> list[str]:
    return [sys.executable, "-m", "worksheets", "--project", str(project.root), *args]


def test_a_cluster_build_is_byte_for_byte_the_local_build(small, local_site, tmp_path):
    with local_cluster(tmp_path / "cluster") as cluster:
        out = tmp_path / "site"
        code, stdout, stderr = run(
            "build", "--out", str(out), "--paper", "a4", "--scheduler", cluster.address, project=small.root
        )
        assert code == 0, stderr
        assert stdout.startswith("Rendered 21, up to date 0, removed 0")
        local, distributed = files_of(local_site), files_of(out)
        assert sorted(distributed) == sorted(local)
        assert [name for name in local if local[name] != distributed[name]] == []
        logs = cluster.logs()
        assert cluster.project_copies() == [], "each worker removed the project's files it was sent"
    assert "Compute Failed" not in logs


def test_a_worker_killed_mid_build_has_its_work_done_by_the_other(small, local_site, tmp_path):
    with local_cluster(tmp_path / "cluster") as cluster:
        out = tmp_path / "site"
        build = subprocess.Popen(
            cli(small, "build", "--out", str(out), "--paper", "a4", "--scheduler", cluster.address),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        victim = wait_until_rendering(cluster)
        os.killpg(cluster.workers[victim].pid, signal.SIGKILL)
        stdout, stderr = build.communicate(timeout=600)
        assert build.returncode == 0, stderr
        assert "Rendered 21," in stdout
        assert cluster.workers[victim].wait(timeout=10) == -signal.SIGKILL
        removed = [line for line in cluster.logs().splitlines() if "Remove worker" in line]
        assert any(f"name: {victim} " in line for line in removed), removed
        assert files_of(out) == files_of(local_site)


def test_a_scheduler_that_cannot_be_reached_ends_the_build_and_leaves_the_site(small, local_site, tmp_path):
    site = old_site(local_site, tmp_path / "site")
    before = snapshot(site)
    args = ("build", "--out", str(site), "--paper", "a4", "--clean", "--scheduler", "tcp://127.0.0.1:9")
    code, _, stderr = run(*args, "--cluster-timeout", "2", project=small.root)
    assert code == 1
    assert stderr.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert "Traceback" not in stderr
    assert snapshot(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == [".site.lock", "site"], "no staging folder is left"


def test_a_cluster_that_stops_answering_ends_the_build_and_leaves_the_site(small, local_site, tmp_path):
    site = old_site(local_site, tmp_path / "site")
    before = snapshot(site)
    with local_cluster(tmp_path / "cluster") as cluster:
        args = ("build", "--out", str(site), "--paper", "a4", "--clean", "--scheduler", cluster.address)
        build = subprocess.Popen(
            cli(small, *args, "--cluster-timeout", "5"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        wait_until_rendering(cluster)
        os.killpg(cluster.scheduler.pid, signal.SIGSTOP)  # alive, connected, and silent
        _, stderr = build.communicate(timeout=120)
    assert build.returncode == 1
    assert f"error: the Dask cluster at {cluster.address} finished no PDF in 5 s" in stderr
    assert "Traceback" not in stderr
    assert snapshot(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == [".site.lock", "cluster", "site"], "no staging folder"


def test_a_failed_render_on_a_worker_is_named_and_nothing_a_client_wrote_reaches_its_log(small, tmp_path):
    secret = "My private answer about my family"
    html = f'<!doctype html><html lang="en"><p>{secret}</p><img src="http://example.com/x.png" alt=""></html>'
    with local_cluster(tmp_path / "cluster") as cluster:
        with pytest.raises(RenderError) as error:
            render_all(small, [Document(html, title="client-7.pdf")], cluster=Cluster(cluster.address, 60))
        logs = cluster.logs()
    assert str(error.value) == "client-7.pdf: refused to fetch http://example.com/x.png"
    assert "Compute Failed" in logs, "the worker logged the failed task"
    assert secret not in logs and "client-7" not in logs
    assert secret not in repr(Document(html, title="client-7.pdf"))


def test_prefill_on_a_cluster_writes_the_same_private_pdfs(small, tmp_path):
    records = []
    for n in range(3):
        path = tmp_path / "records" / f"client-{n}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(RECORD.format(n=n))
        records.append(str(path))
    code, _, stderr = run("prefill", *records, "--out", str(tmp_path / "here"), project=small.root)
    assert code == 0, stderr
    with local_cluster(tmp_path / "cluster") as cluster:
        out = tmp_path / "there"
        code, stdout, stderr = run(
            "prefill", *records, "--out", str(out), "--scheduler", cluster.address, project=small.root
        )
        logs = cluster.logs()
    assert code == 0, stderr
    assert stdout.count("Wrote") == 3
    assert files_of(out) == files_of(tmp_path / "here")
    assert out.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in out.iterdir()} == {0o600}
    assert "Get fitter" not in logs and "client-0" not in logs


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("tcp://10.1.2.3:8786", "client records would travel to 10.1.2.3 unencrypted"),
        ("tcp://scheduler.example.org:8786", "client records would travel to scheduler.example.org unencrypted"),
        ("http://127.0.0.1:8786", "is not a scheduler address like tcp://HOST:8786"),
    ],
)
def test_prefill_sends_records_only_to_this_computer_or_over_tls(small, tmp_path, address, expected):
    record = tmp_path / "client.yaml"
    record.write_text(RECORD.format(n=1))
    code, _, stderr = run("prefill", str(record), "--out", str(tmp_path / "out"), "--scheduler", address)
    assert code == 2
    assert expected in stderr
    assert not (tmp_path / "out").exists()


def test_scheduler_options_are_checked_before_any_work(small, tmp_path):
    code, _, stderr = run(
        "build", "--out", str(tmp_path / "site"), "--scheduler", "tcp://127.0.0.1:9", "--jobs", "2", project=small.root
    )
    assert code == 2 and "--jobs sets this computer's worker processes" in stderr
    blocked = "import sys; sys.modules['distributed'] = None; from worksheets.cli import cli; cli()"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            blocked,
            "--project",
            str(small.root),
            "build",
            "--out",
            str(tmp_path / "site"),
            "--scheduler",
            "tcp://127.0.0.1:9",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "--scheduler needs Dask on this computer: pip install 'worksheets[dask]'" in done.stderr
    assert not (tmp_path / "site").exists()


def test_a_build_with_no_pdf_to_render_does_not_ask_the_cluster(small, local_site, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(small.root, project)
    about = project / "content" / "pages" / "about.yaml"
    about.write_text(about.read_text(encoding="utf-8") + "\n# a comment changes the inputs, not a PDF\n")
    site = old_site(local_site, tmp_path / "site")
    args = ("build", "--out", str(site), "--paper", "a4", "--scheduler", "tcp://127.0.0.1:9")
    code, stdout, stderr = run(*args, "--cluster-timeout", "2", project=project)
    assert code == 0, stderr
    assert stdout.startswith("Rendered 0, up to date 21, removed 0")
