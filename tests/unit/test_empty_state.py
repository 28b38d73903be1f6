"""A file that loads no article never ends in a traceback (issue 25, item 1).

``iome-map serve`` on an empty file, on a file whose every row is rejected, and on the
IoME demo read under another scheme (no --data: the scheme's own example is served, a
scheme folder without data gives the empty state): the page answers 200 with the load
report in it, and the command prints the report. The CLI's other commands print the
report and exit 1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request

import pytest

from evidence import DEMO_PATH, PROJECT_ROOT
from tests.e2e.helpers import served

EXAMPLE = PROJECT_ROOT / "data" / "examples" / "faculty_development"


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("IOME_")}


def _fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


def _rejected_file(tmp_path):
    path = tmp_path / "rejected.csv"
    path.write_text(
        "id,title,year,author_countries,formats\n"
        "a1,One,1850,France,mobility.outbound\n"  # bad year
        "a2,Two,2010,France,not_a_code\n",  # unknown code
        encoding="utf-8",
    )
    return path


def _scheme_without_data(tmp_path):
    folder = tmp_path / "scheme"
    folder.mkdir()
    shutil.copy(EXAMPLE / "codebook.yaml", folder / "codebook.yaml")
    shutil.copy(EXAMPLE / "alignment_rubric.yaml", folder / "alignment_rubric.yaml")
    return folder / "codebook.yaml"


CASES = {
    "empty file": lambda t: ["--data", str(_write(t / "empty.csv", ""))],
    "every row rejected": lambda t: ["--data", str(_rejected_file(t))],
    "the demo under another scheme": lambda t: [
        "--data",
        str(DEMO_PATH),
        "--codebook",
        str(EXAMPLE / "codebook.yaml"),
    ],
    "a scheme with no data of its own": lambda t: ["--codebook", str(_scheme_without_data(t))],
}


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_serve_shows_the_load_report_instead_of_a_traceback(case, tmp_path):
    args = CASES[case](tmp_path)
    log = tmp_path / "server.log"
    with served(log, *args, env=_env()) as url:
        status, index = _fetch(url + "/")
        layout_status, layout = _fetch(url + "/_dash-layout")
        health = json.loads(_fetch(url + "/healthz")[1])
    assert status == 200 and "<html" in index
    assert layout_status == 200
    assert "No article to map yet" in layout and "Load report" in layout
    assert "0 loaded" in layout or "could not be read" in layout or "no data file" in layout
    assert "template.csv" in layout  # the way on
    assert health["articles"] == 0
    text = log.read_text()
    assert "Traceback" not in text and "no article loaded" in text


def test_serve_under_another_scheme_without_data_serves_that_schemes_example(tmp_path):
    with served(
        tmp_path / "s.log", "--codebook", str(EXAMPLE / "codebook.yaml"), env=_env()
    ) as url:
        health = json.loads(_fetch(url + "/healthz")[1])
    with open(EXAMPLE / "articles.csv", encoding="utf-8") as fh:
        assert health["articles"] == sum(1 for _ in fh) - 1


@pytest.mark.parametrize("command", ["summary", "check", "export"])
def test_commands_print_the_report_and_exit_1_when_nothing_loads(command, tmp_path):
    path = _rejected_file(tmp_path)
    args = {
        "summary": ["summary", str(path)],
        "check": ["check", str(path)],
        "export": ["export", "map", "--data", str(path), "--out", str(tmp_path / "x.csv")],
    }[command]
    done = subprocess.run([sys.executable, "-m", "cli", *args], cwd=PROJECT_ROOT, env=_env(),
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "0 loaded" in done.stderr and "year must be a whole number" in done.stderr
