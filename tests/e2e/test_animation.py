"""Timeline animations made by the real renderer and encoders: from the Export menu with
its progress dialog (Chromium), and from the CLI; every frame read back."""

import io
import itertools
import subprocess
import sys
from pathlib import Path

import imageio.v2 as iio2
import numpy as np
import pandas as pd
import pytest
from helpers import wait_ready
from PIL import Image

from evidence import DEMO_PATH
from evidence.load import load_cached

pytestmark = pytest.mark.e2e

EB = load_cached(DEMO_PATH)
YEARS = int(EB.articles["year"].max()) - int(EB.articles["year"].min()) + 1
ROOT = Path(__file__).resolve().parents[2]


def test_export_menu_makes_a_gif_and_shows_its_progress(page, server_url):
    page.goto(f"{server_url}/?timeline=in5&origin_income=H")
    wait_ready(page)
    page.locator("#card-trends .export-menu .dropdown-toggle").click()
    link = page.locator("#card-trends a.export-link", has_text="Timeline animation (GIF)")
    link.wait_for()
    assert link.get_attribute("href").startswith("/export/trends.gif?")
    with page.expect_download(timeout=180_000) as download:
        link.click()  # the mouse on the menu item
        # the dialog counts the frames as they are drawn
        page.wait_for_function(
            "() => /Frame \\d+ of \\d+/.test(document.getElementById('animation-words')"
            ".textContent)",
            timeout=120_000,
        )
        assert page.get_attribute("#animation-bar", "max") == str(YEARS + 1)
    file = download.value
    assert file.suggested_filename.startswith("iome-trends-timeline-in5-")
    assert file.suggested_filename.endswith("-SYNTHETIC-DEMO.gif")
    gif = Image.open(io.BytesIO(Path(file.path()).read_bytes()))
    assert gif.n_frames == YEARS and gif.size == (1280, 720)
    page.wait_for_function(
        "() => document.getElementById('animation-words').textContent.startsWith('Done')"
    )
    assert page.inner_text("#animation-cancel") == "Close"
    page.click("#animation-cancel")
    assert not page.locator("#animation-progress").is_visible()
    assert page.console_errors == []


def test_a_slow_export_shows_the_seconds_left_then_saves_the_file(page, server_url):
    """The deck (several renders) from the page's Download menu: a dialog with a bar and
    the seconds left, then the file under its own name, and the dialog gone."""
    page.goto(f"{server_url}/?year=2011-2019&origin_income=UM")
    wait_ready(page)
    page.locator("#page-downloads .dropdown-toggle").click()
    link = page.locator("#page-downloads a.export-link", has_text="All views as slides")
    link.wait_for()
    with page.expect_download(timeout=180_000) as download:
        link.click()
        page.wait_for_function(
            "() => /About \\d+ s left|Almost done/.test("
            "(document.getElementById('animation-words') || {}).textContent || '')",
            timeout=30_000,
        )
        assert page.inner_text("#animation-title") == "Making the slides"
    name = download.value.suggested_filename
    assert name.startswith("iome-slides-") and name.endswith("-SYNTHETIC-DEMO.pptx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
    page.wait_for_function("() => !document.getElementById('animation-progress').open")
    assert page.console_errors == []


def test_a_bad_animation_request_is_refused_with_a_reason(page, server_url):
    res = page.request.get(f"{server_url}/export/nowhere.mp4?progress=1")
    assert res.status == 400 and "unknown view" in res.text()
    res = page.request.get(f"{server_url}/export/map.gif?width=9000")
    assert res.status == 400 and "width" in res.text()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_cli_writes_an_mp4_whose_every_frame_reads(tmp_path):
    # the demo file's last eight years (eight frames keep the test short)
    demo = pd.read_csv(DEMO_PATH, dtype=str, keep_default_na=False)
    last = int(demo["year"].astype(int).max())
    demo[demo["year"].astype(int) > last - 8].to_csv(tmp_path / "recent.csv", index=False)
    years = 8
    out = tmp_path / "map.mp4"
    cli = Path(sys.executable).parent / "iome-map"
    proc = subprocess.run(
        [str(cli), "export", "map", "--format", "mp4", "--query", "timeline=in2",
         "--data", str(tmp_path / "recent.csv"), "--out", str(out)],
        capture_output=True, text=True, timeout=400, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"Frame {years} of {years}" in proc.stderr  # progress, one line per frame
    with iio2.get_reader(out, format="FFMPEG") as reader:
        meta = reader.get_meta_data()
        corners, titles, n = [], [], 0
        for frame in reader.iter_data():
            n += 1
            if n % 10 == 5:  # the middle of each step
                corners.append(frame[:100, -330:].astype(int))
                titles.append(frame[:40, :400].astype(int))
    assert meta["codec"] == "h264" and meta["size"] == (1280, 720)
    assert n == (years + 2) * 10  # one second per year, the last held three
    # the step in the corner changes from year to year; the title stays
    steps = corners[:years]  # (the last step is held: its frames repeat)
    assert all(np.abs(a - b).mean() > 1 for a, b in itertools.pairwise(steps))
    assert all(np.abs(t - titles[0]).mean() < 2 for t in titles)
