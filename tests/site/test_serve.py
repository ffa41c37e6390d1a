"""The preview server as a real process: a port in use, and requests it cannot answer as asked.

The preview's pages, reloading and stopping are tried in a browser in ``test_browser.py``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from worksheets.site.preview import MAX_PATH


def _serve(root: Path, temp: Path, *args: str) -> subprocess.Popen[str]:
    """``worksheets serve`` with its temporary folders in ``temp``, to see what it leaves there."""
    return subprocess.Popen(
        [sys.executable, "-m", "worksheets", "--project", str(root), "serve", "--no-pdf", "--paper", "a4", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(temp)},
    )


def test_a_port_in_use_is_said_at_once_before_any_build(scratch, tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        start = time.perf_counter()
        process = _serve(scratch.root, temp, "--port", str(port))
        out, err = process.communicate(timeout=30)
        seconds = time.perf_counter() - start
    assert process.returncode == 2 and out == ""
    assert f"Invalid value for --port: cannot serve on 127.0.0.1:{port} (Address already in use)" in err
    assert "Traceback" not in err
    assert not list(temp.iterdir()), "no preview was built"
    assert seconds < 10, f"answered in {seconds:.1f} s; a build of the preview would take longer"


@pytest.fixture
def preview(scratch, tmp_path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """A running preview: its address and its process."""
    process = _serve(scratch.root, tmp_path, "--port", "0")
    line = process.stdout.readline()  # type: ignore[union-attr]
    assert line.startswith("Serving http://127.0.0.1:"), line
    yield line.split()[1], process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


def _status(url: str, method: str = "GET") -> int:
    try:
        with urlopen(Request(url, method=method)) as response:
            return response.status
    except HTTPError as error:
        return error.code


@pytest.mark.parametrize(
    ("path", "get", "head"),
    [
        ("x" * 8192, 414, 414),  # longer than MAX_PATH: refused before the file system sees it
        ("worksheets/" + "x" * (MAX_PATH - 20), 414, 404),  # a name longer than the file system allows
        ("x" * 300 + ".html", 414, 404),
        ("%00.html", 404, 400),
        ("worksheets/grow.html", 200, 200),
        ("no-such-page.html", 404, 404),
    ],
    ids=["8-KB", "long-name-in-folder", "long-name", "nul", "page", "missing"],
)
def test_requests_the_file_system_refuses_get_a_status_not_a_traceback(preview, path, get, head):
    """HEAD is answered by Python's handler, which says 404 for a name too long to open."""
    url, process = preview
    assert (_status(url + path), _status(url + path, "HEAD")) == (get, head)
    process.terminate()
    _, err = process.communicate(timeout=10)
    assert process.returncode == 0 and err == "", err
