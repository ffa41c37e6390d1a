"""A real Dask cluster on 127.0.0.1 for tests: ``dask scheduler`` and ``dask worker`` processes,
started and stopped by the test, each worker its own process so that one can be killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from distributed import Client

DASK = Path(sys.executable).with_name("dask")


@dataclass
class LocalCluster:
    """The processes of a cluster started by ``local_cluster`` and where they keep things."""

    address: str
    scheduler: subprocess.Popen
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)
    """Worker processes by the worker's name (``w1``, ``w2``)."""
    folder: Path = Path()

    def client(self) -> Client:
        return Client(self.address, timeout=20, set_as_default=False)

    def logs(self) -> str:
        """Everything the scheduler and the workers have logged so far."""
        return "".join(path.read_text(errors="replace") for path in sorted(self.folder.glob("*.log")))

    def project_copies(self) -> list[Path]:
        """The folders of project files that workers have in their temporary folder."""
        return sorted((self.folder / "tmp").glob("worksheets-*"))


def _start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)


@contextmanager
def local_cluster(folder: Path, workers: int = 2) -> Iterator[LocalCluster]:
    """Start a scheduler and ``workers`` single-threaded workers (no nanny, so a killed worker
    stays dead), wait until all are connected, and stop every process at the end."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tmp").mkdir()
    env = {**os.environ, "TMPDIR": str(folder / "tmp")}
    info = folder / "scheduler.json"
    scheduler = _start(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(info)],
        folder / "scheduler.log",
        env,
    )
    started = [scheduler]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip():
            assert scheduler.poll() is None and time.monotonic() < deadline, (folder / "scheduler.log").read_text()
            time.sleep(0.2)
        cluster = LocalCluster(json.loads(info.read_text())["address"], scheduler, folder=folder)
        for n in range(1, workers + 1):
            name = f"w{n}"
            worker = _start(
                [
                    *(str(DASK), "worker", cluster.address, "--name", name, "--nworkers", "1", "--nthreads", "1"),
                    *("--no-nanny", "--no-dashboard", "--local-directory", str(folder / name)),
                ],
                folder / f"{name}.log",
                env,
            )
            started.append(worker)
            cluster.workers[name] = worker
        with cluster.client() as client:
            client.wait_for_workers(workers, timeout=60)
        yield cluster
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGCONT)
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until_rendering(cluster: LocalCluster, timeout: float = 120) -> str:
    """Wait until some worker is rendering a PDF; return that worker's name."""
    deadline = time.monotonic() + timeout
    with cluster.client() as client:
        while time.monotonic() < deadline:
            info = client.scheduler_info(n_workers=-1)["workers"]
            for address, busy in client.processing().items():
                if any(str(key).startswith("worksheets-pdf-") for key in busy):
                    return info[address]["name"]
            time.sleep(0.1)
    raise AssertionError("no worker started rendering")
