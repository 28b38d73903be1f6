"""Content-Type headers of the download routes: one type, at most one charset.

Flask adds "; charset=utf-8" to a text/* mimetype that has none, so a mimetype that
already carries it used to come out as "text/csv; charset=utf-8; charset=utf-8".
"""

from __future__ import annotations

import io

import pytest

from app import create_app
from evidence import DEMO_PATH
from evidence.views import VIEWS

BINARY = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@pytest.fixture(scope="module")
def uploaded(tmp_path_factory):
    """A session that uploaded a few demo rows, so that its load report exists."""
    mp = pytest.MonkeyPatch()
    mp.setenv("IOME_UPLOAD_DIR", str(tmp_path_factory.mktemp("uploads")))
    try:
        client = create_app(DEMO_PATH).server.test_client()
        lines = DEMO_PATH.read_text(encoding="utf-8").splitlines()[:6]
        answer = client.post(
            "/upload",
            data={"file": (io.BytesIO(("\n".join(lines) + "\n").encode()), "five.csv")},
            headers={"X-IoME-Upload": "1"},
            content_type="multipart/form-data",
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
        yield client
    finally:
        mp.undo()


def _content_type(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.get_data(as_text=True)[:200])
    return response.headers["Content-Type"]


@pytest.mark.parametrize(
    "path",
    [
        "/data/articles.csv",
        "/data/gaps.csv",
        *(f"/data/{view}.csv" for view in VIEWS),
        "/upload/template.csv",
        "/upload/report.csv",
    ],
)
def test_csv_downloads_name_their_charset_exactly_once(uploaded, path):
    content_type = _content_type(uploaded, path)
    assert content_type == "text/csv; charset=utf-8"
    assert len(uploaded.get(path).headers.getlist("Content-Type")) == 1


@pytest.mark.parametrize("path", ["/data/articles.xlsx", "/data/trends.xlsx"])
def test_binary_downloads_carry_no_charset(uploaded, path):
    assert _content_type(uploaded, path) == BINARY["xlsx"]


def test_embed_page_is_html_with_one_charset(uploaded):
    assert _content_type(uploaded, "/embed/map") == "text/html; charset=utf-8"
