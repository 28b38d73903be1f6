"""The set-up script `make test` and CI call first: on a machine without the system
packages and without a way to install them, it stops within seconds and says what to
install and how (never hangs, never half-runs the suite)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system-deps.sh"

# Time limits of a second or less: run alone, not beside other tests (see the Makefile).
pytestmark = pytest.mark.serial


def test_missing_packages_are_named_with_the_install_command(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "bash").symlink_to("/bin/bash")  # a PATH with bash and nothing else
    t0 = time.perf_counter()
    done = subprocess.run(
        ["/bin/bash", str(SCRIPT)],
        env={"PATH": str(bin_dir), "IOME_SYSTEM_DEPS_NO_INSTALL": "1"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert time.perf_counter() - t0 < 5
    assert done.returncode == 1
    for package in ("chromium", "redis-server", "libreoffice-calc-nogui", "poppler-utils"):
        assert package in done.stderr
    assert "sudo apt-get install chromium redis-server" in done.stderr


def test_nothing_to_do_when_everything_is_there():
    done = subprocess.run(
        ["/bin/bash", str(SCRIPT)],
        env={**os.environ, "IOME_SYSTEM_DEPS_NO_INSTALL": "1"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_make_run_names_chromium_in_one_line_and_goes_on(tmp_path):
    """`make run` on a machine where Chromium cannot be installed: one line, success."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "bash").symlink_to("/bin/bash")
    done = subprocess.run(
        ["/bin/bash", str(SCRIPT)],
        env={"PATH": str(bin_dir), "IOME_SYSTEM_DEPS_NO_INSTALL": "1",
             "IOME_SYSTEM_DEPS_FOR": "run"},
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0
    assert done.stderr.count("\n") == 1 and "chromium" in done.stderr
    assert "redis" not in done.stderr and "libreoffice" not in done.stderr
    makefile = (SCRIPT.parents[1] / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "IOME_SYSTEM_DEPS_FOR=run bash scripts/system-deps.sh" in run
