"""'Use your own data' in a real browser: upload with progress and report, the dashboard
on the uploaded file, rejections, going back to the demo, and two browser sessions that
upload different files at once under the production server, before and after its
workers are killed and replaced."""

from __future__ import annotations

import io
import os
import signal
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from helpers import close_report, count_text, loaded_report, wait_ready

from bench.server import Server
from bench.soak import worker_pids
from evidence import DEMO_PATH

DEMO_LINES = DEMO_PATH.read_text(encoding="utf-8").splitlines()


def demo_file(tmp_path: Path, n: int, name: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(DEMO_LINES[: n + 1]) + "\n", encoding="utf-8")
    return path


def open_panel(page):
    page.get_by_role("button", name="Your data").click()
    page.wait_for_selector("#upload-pick", state="visible")


def choose(page, path: Path):
    with page.expect_file_chooser() as chooser:
        page.click("#upload-pick")
    chooser.value.set_files(str(path))


def test_upload_shows_report_then_the_dashboard_on_that_data(page, server_url, tmp_path):
    page.goto(server_url)
    wait_ready(page)
    assert count_text(page) == "350 of 350 articles"
    path = demo_file(tmp_path, 23, "team-file.csv")
    open_panel(page)
    assert "Now showing the synthetic demo data (350 articles)" in page.inner_text("#data-modal")
    choose(page, path)
    result = loaded_report(page)  # the page redraws on the file, report on top
    assert "23 rows read, 23 loaded, 0 rejected" in result and "Load report" in result
    close_report(page)
    assert count_text(page) == "23 of 23 articles"
    assert "team-file.csv, 23 articles" in page.inner_text("#data-banner")
    # The export of the filtered articles is the uploaded data, too.
    csv = page.request.get(server_url + "/data/articles.csv").text().lstrip("\ufeff")
    ids = set(pd.read_csv(io.StringIO(csv), dtype=str)["id"])
    assert ids == {line.split(",", 1)[0] for line in DEMO_LINES[1:24]}
    # Back to the demo.
    open_panel(page)
    with page.expect_navigation():
        page.click("#upload-clear")
    wait_ready(page)
    assert count_text(page) == "350 of 350 articles"
    assert page.query_selector("#data-banner") is None
    assert page.console_errors == []


def test_rejected_file_is_explained_and_changes_nothing(page, server_url, tmp_path):
    page.goto(server_url)
    wait_ready(page)
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"%PDF-1.7\n%binary\n")
    open_panel(page)
    choose(page, bad)
    page.wait_for_selector("text=Not loaded.", timeout=30_000)
    assert "PDF" in page.inner_text("#upload-result-view")
    macro = tmp_path / "coded.xlsm"
    macro.write_bytes(b"PK\x03\x04not really")
    choose(page, macro)
    page.wait_for_function(
        "() => document.querySelector('#upload-result-view').innerText.includes('macro')"
    )
    page.reload()
    wait_ready(page)
    assert count_text(page) == "350 of 350 articles"


def test_column_mapping_in_the_browser(page, server_url, tmp_path):
    header = DEMO_LINES[0].replace("id,title,", "Record,Paper title,", 1)
    path = tmp_path / "renamed.csv"
    path.write_text("\n".join([header, *DEMO_LINES[1:8]]) + "\n", encoding="utf-8")
    page.goto(server_url)
    wait_ready(page)
    open_panel(page)
    choose(page, path)
    page.wait_for_selector("text=Match your columns", timeout=30_000)
    assert "Required columns not found: id" in page.inner_text("#upload-result-view")
    page.get_by_label("id (required)").select_option("Record")
    assert page.get_by_label("title (required)").input_value() == "Paper title"
    page.get_by_role("button", name="Apply the mapping").click()
    assert "7 articles loaded from renamed.csv" in loaded_report(page)
    close_report(page)
    assert count_text(page) == "7 of 7 articles"


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """The production server (gunicorn, two workers) on a private upload folder."""
    folder = tmp_path_factory.mktemp("uploads")
    before = os.environ.get("IOME_UPLOAD_DIR")
    os.environ["IOME_UPLOAD_DIR"] = str(folder)
    try:
        with Server(DEMO_PATH, workers=2, log_dir=folder) as server:
            yield server
    finally:
        if before is None:
            os.environ.pop("IOME_UPLOAD_DIR", None)
        else:
            os.environ["IOME_UPLOAD_DIR"] = before


def test_two_sessions_upload_at_once_and_survive_a_worker_restart(browser, production, tmp_path):
    files = {"alpha": (demo_file(tmp_path, 14, "alpha.csv"), 14),
             "beta": (demo_file(tmp_path, 41, "beta.csv"), 41)}  # fmt: skip
    pages = {}
    for name in files:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(production.url)
        wait_ready(page)
        open_panel(page)
        pages[name] = page
    for name, page in pages.items():  # both uploads in flight together
        choose(page, files[name][0])
    for name, page in pages.items():
        n = files[name][1]
        assert f"{n} articles loaded from {name}.csv" in loaded_report(page)
        close_report(page)
        assert count_text(page) == f"{n} of {n} articles"
        assert f"{name}.csv" in page.inner_text("#data-banner")

    workers = worker_pids(production)
    assert len(workers) == 2
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    deadline = time.time() + 60
    while time.time() < deadline:
        fresh = worker_pids(production)
        if len(fresh) == 2 and not fresh & workers:
            break
        time.sleep(0.2)
    else:
        pytest.fail("gunicorn did not replace the killed workers within 60 s")
    with urllib.request.urlopen(production.url + "/healthz", timeout=30) as r:
        assert r.status == 200

    for name, page in pages.items():
        n = files[name][1]
        page.reload()
        page.wait_for_selector("#data-banner", timeout=30_000)
        wait_ready(page)
        assert count_text(page) == f"{n} of {n} articles"
        banner = page.inner_text("#data-banner")
        other = "beta" if name == "alpha" else "alpha"
        assert f"{name}.csv" in banner and f"{other}.csv" not in banner
        page.context.close()
