"""The /embed/ page's text and the embed dialog's code (their layout in Chromium:
tests/e2e/test_toolbars_embeds.py)."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest

from app import create_app
from components.export_menu import EMBED_HEIGHT, embed_code, embed_height
from evidence import DEMO_PATH
from evidence.figures.theme import FOOTER_NAME
from evidence.views import VIEWS


@pytest.fixture(scope="module")
def client():
    return create_app(DEMO_PATH).server.test_client()


def _figure(body: str) -> dict:
    raw = re.search(r'id="figure-data">(.*?)</script>', body, re.S).group(1)
    return json.loads(raw.replace("<\\/", "</"))


@pytest.mark.parametrize("view", list(VIEWS))
def test_embed_caption_is_page_text_that_can_wrap_not_text_drawn_in_the_chart(client, view):
    body = client.get(f"/embed/{view}?year=2010-2020").get_data(as_text=True)
    assert f"<h1>{VIEWS[view].title}</h1>" in body
    assert '<p class="subtitle">2010-2020</p>' in body
    footer = body[body.index('<footer class="embed-meta">') : body.index("</footer>")]
    assert "An article counts once in each category it is coded." in footer
    assert "Source: articles.csv (version " in footer and "doi:10.1007/" in footer
    assert "Income groups: World Bank" in footer
    assert "Synthetic demo data: not real articles." in footer
    assert "<b>" not in footer and "SYNTHETIC DEMO DATA" not in footer  # said once, plainly
    assert re.search(r"<summary>Data table \(\d+ rows?\)</summary>", footer)
    layout = _figure(body)["layout"]
    assert not (layout.get("title") or {}).get("text")
    assert all(a.get("name") != FOOTER_NAME for a in layout.get("annotations", []))


def test_embed_table_shows_blank_for_missing_and_rounds_shares(client):
    body = client.get("/embed/alignment").get_data(as_text=True)
    table = body[body.index("<table>") : body.index("</table>")]
    assert ">nan<" not in table and ">None<" not in table
    assert not re.search(r">\d+\.\d{4,}<", table), "unrounded number in the data table"


def test_embed_source_names_a_hostile_file_as_text(tmp_path):
    path = tmp_path / "x<img src=y onerror=alert(1)>.csv"
    path.write_text(
        "id,title,year,author_countries,formats\n1,A title,2001,USA,standards.global\n",
        encoding="utf-8",
    )
    body = create_app(path).server.test_client().get("/embed/trends").get_data(as_text=True)
    assert "<img src=y" not in body
    assert "x&lt;img src=y onerror=alert(1)&gt;.csv" in body


def test_embed_code_suggests_the_measured_height_and_an_optional_resize_script():
    code, url = embed_code("https://maps.example.org/", "map", "?year=2010-2020")
    assert url == "https://maps.example.org/embed/map?year=2010-2020"
    iframe, comment, script = code.split("\n")
    assert iframe.startswith(f'<iframe src="{url}"') and f'height="{EMBED_HEIGHT}"' in iframe
    assert comment.startswith("<!-- Optional")
    assert 'e.origin!=="https://maps.example.org"' in script  # only the map's own messages
    assert "iome-embed-height" in script and "e.source" in script
    assert EMBED_HEIGHT >= 600
    # The flow map's embed carries its matrix under it: a taller frame is suggested.
    flows, _ = embed_code("https://maps.example.org/", "flows", "")
    assert f'height="{embed_height("flows")}"' in flows and embed_height("flows") > EMBED_HEIGHT


def _embed_matrix(body: str) -> tuple[list[str], dict[str, list[int]]]:
    """The income-group matrix of an embed page: its column heads and each row's counts."""
    section = body[body.index('<section class="embed-companion"') : body.index("</section>")]
    heads = re.findall(r"<th scope='col'>([^<]+)</th>", section)
    rows = {
        name: [int(n) for n in re.findall(r'aria-label="[^"]*">(\d+)</td>', cells)]
        for name, cells in re.findall(r"<tr><th scope='row'>([^<]+)</th>(.*?)</tr>", section)
    }
    return heads, rows


def test_flows_embed_carries_the_income_matrix_of_the_flow_files(client):
    """The flow map's picture carries the origin x destination income-group matrix, so
    its embed does: the cells are /data/flow-matrix.csv's, in the same order, and they
    count each article with a flow at least once and no more than its flows (pandas)."""
    body = client.get("/embed/flows").get_data(as_text=True)
    heads, rows = _embed_matrix(body)
    csv = pd.read_csv(io.BytesIO(client.get("/data/flow-matrix.csv").data), encoding="utf-8-sig")
    assert heads == ["High", "Upper-middle", "Lower-middle", "Low"]
    assert list(rows) == heads
    expected = csv.filter(like="to ").to_numpy().tolist()
    assert list(rows.values()) == expected
    raw = pd.read_csv(DEMO_PATH)["mobility_flows"].dropna()
    flows = raw.str.split(";").explode().str.strip()
    flows = flows[flows.str.contains(">")].reset_index().drop_duplicates()
    total = sum(map(sum, expected))
    assert flows["index"].nunique() <= total <= len(flows)  # 168 articles, 207 flows
    # The data table lists the country pairs: as many as pandas finds in the file.
    pairs = flows["mobility_flows"].nunique()
    assert f"<summary>Data table ({pairs} rows)</summary>" in body
    assert "Articles in each cell" in body


def test_other_embeds_and_an_empty_flows_embed_carry_no_matrix(client):
    assert "embed-companion" not in client.get("/embed/map").get_data(as_text=True)
    body = client.get("/embed/flows?year=1900-1901").get_data(as_text=True)
    assert "embed-companion" not in body and "No articles match." in body
