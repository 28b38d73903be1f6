"""Issue 27 item 5 (memory): the server's processes do not import what only some files
need, and the plain-pandas column checks report exactly what the pandera schema they
replace reported."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from evidence.model import LoadReport
from evidence.schema import MAX_YEAR, MIN_YEAR, check_columns

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("id", "title", "year", "author_countries", "formats")


def pandera_check(frame: pd.DataFrame, report: LoadReport) -> set[int]:
    """The column checks as they were written with pandera (before issue 27)."""
    pa = pytest.importorskip("pandera.pandas")

    non_empty = pa.Check(lambda s: s.str.strip().str.len() > 0, error="must not be empty")
    year = pa.Check(
        lambda s: (
            s.str.strip().str.fullmatch(r"\d{4}(\.0)?")
            & (pd.to_numeric(s.str.strip(), errors="coerce").between(MIN_YEAR, MAX_YEAR))
        ),
        error=f"must be a year between {MIN_YEAR} and {MAX_YEAR}",
    )
    columns = {name: pa.Column(str, year if name == "year" else non_empty) for name in CHECKED}
    schema = pa.DataFrameSchema(columns, strict=False, coerce=True)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        bad: set[int] = set()
        for case in exc.failure_cases.dropna(subset=["index"]).itertuples(index=False):
            idx = int(case.index)
            bad.add(idx)
            value = frame.at[idx, case.column]
            message = "missing value" if not str(value).strip() else f"invalid value ({case.check})"
            if case.column == "year" and str(value).strip():
                message = f"year must be a whole number between {MIN_YEAR} and {MAX_YEAR}"
            report.add("error", message, row=idx, column=case.column, value=str(value)[:200])
        return bad
    return set()


CELLS = ("", " ", "x", "A1", "United States", "  t  ", "\t")
YEARS = ("2020", "1900", "2100", "1899", "2101", "2020.0", "2020.5", "20", "", " ", "year",
         "٢٠٢٠", "1999 ", "0x10", "1e3", "02020", "-2020")  # fmt: skip


def random_frame(rng: random.Random, rows: int) -> pd.DataFrame:
    """A text table like the loader's: one row per spreadsheet row (numbered from 2)."""
    data = {
        name: [rng.choice(YEARS if name == "year" else CELLS) for _ in range(rows)]
        for name in CHECKED
    }
    data["notes"] = ["" for _ in range(rows)]
    return pd.DataFrame(data, index=pd.RangeIndex(2, rows + 2, name="sheet_row"))


@pytest.mark.parametrize("seed", range(40))
def test_column_checks_report_what_the_pandera_schema_reported(seed):
    rng = random.Random(seed)
    frame = random_frame(rng, rng.randint(1, 40))
    old, new = LoadReport(), LoadReport()
    assert check_columns(frame, new) == pandera_check(frame, old)
    # the same problems (pandera listed them in no useful order; now row by row)
    assert sorted(new.problems, key=repr) == sorted(old.problems, key=repr)
    rows = [(p.row, CHECKED.index(p.column)) for p in new.problems]
    assert rows == sorted(rows)


def test_a_valid_table_has_no_problem():
    frame = pd.DataFrame(
        {
            "id": ["a"],
            "title": ["t"],
            "year": ["2001"],
            "author_countries": ["X"],
            "formats": ["f"],
        },
        index=pd.RangeIndex(2, 3, name="sheet_row"),
    )
    report = LoadReport()
    assert check_columns(frame, report) == set()
    assert report.problems == []


def test_loading_the_demo_imports_no_upload_or_export_library():
    """The server loads its data before the workers fork: what that imports is in every
    process. Neither pandera (nor its hypothesis and geopandas) nor the export libraries."""
    code = (
        "import sys; from app import create_app; create_app()\n"
        "heavy = ('pandera', 'hypothesis', 'geopandas', 'shapely', 'kaleido', 'pptx',"
        " 'openpyxl')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == ""


def _head(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return page.split("</head>", 1)[0]


def test_the_head_starts_dashs_start_up_requests():
    """Dash's layout and callback list download with the scripts (a preload each, fetched
    as Dash's own fetch asks: same address, same credentials)."""
    from app import create_app
    from components.uploads import COOKIE
    from evidence import DEMO_PATH

    client = create_app(DEMO_PATH).server.test_client()
    head = _head(client)
    for path in ("/_dash-layout", "/_dash-dependencies"):
        link = f'<link rel="preload" href="{path}" as="fetch" crossorigin="anonymous">'
        assert head.count(link) == 1, path
    # a browser with an upload session: building its layout shows a fresh upload's answer
    # once, so the layout is asked for by Dash alone
    client.set_cookie(COOKIE, "a" * 43)
    head = _head(client)
    assert 'href="/_dash-layout"' not in head
    assert 'href="/_dash-dependencies"' in head


def test_plotly_is_an_async_script_at_its_hashed_address():
    """plotly.js runs when it has downloaded, not in the page's script queue; dcc.Graph,
    if drawn before that, asks for the same bundle (never the plotly package's own)."""
    import base64
    import hashlib
    import re

    from app import create_app
    from components.static_cache import PLOTLY, content_hash
    from evidence import ASSETS_DIR, DEMO_PATH

    client = create_app(DEMO_PATH).server.test_client()
    answer = client.get("/")
    page = answer.get_data(as_text=True)
    head, body = page.split("</head>", 1)
    url = f"/assets/{PLOTLY}?v={content_hash(PLOTLY)}"
    assert f'<script async src="{url}"></script>' in head
    scripts = " ".join(re.findall(r"<script[^>]*src=[^>]*>", body))
    assert "plotly" not in scripts
    # nor Babel's polyfill for old browsers, nor dash_table (no DataTable on the page)
    assert "polyfill" not in scripts and "dash_table" not in scripts
    assert "dash_renderer" in scripts
    inline = re.search(
        r"<script>(Object\.defineProperty\(window, '_dashPlotlyJSURL'.*?)</script>", head
    )
    assert inline and f"return '{url}'" in inline[1]
    digest = base64.b64encode(hashlib.sha256(inline[1].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in answer.headers["Content-Security-Policy"]
    with client.get(url) as hit:
        assert hit.get_data() == (ASSETS_DIR / PLOTLY).read_bytes()
        assert "immutable" in hit.headers["Cache-Control"]


def test_static_files_are_compressed_once_and_answer_conditional_requests(monkeypatch):
    import gzip

    import flask_compress.flask_compress as fc

    from app import create_app
    from components.static_cache import PLOTLY, hashed_url
    from evidence import ASSETS_DIR, DEMO_PATH

    client = create_app(DEMO_PATH).server.test_client()
    calls = []
    compress = fc._compress_data
    monkeypatch.setattr(fc, "_compress_data", lambda *a: calls.append(a[2]) or compress(*a))
    asked = {"Accept-Encoding": "gzip"}
    answers = [client.get(hashed_url(PLOTLY), headers=asked) for _ in range(3)]
    for answer in answers:
        answer.close()
    assert calls == ["gzip"]  # compressed for the first answer only
    for answer in answers:
        assert answer.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(answer.get_data()) == (ASSETS_DIR / PLOTLY).read_bytes()
        assert "Accept-Encoding" in answer.headers["Vary"]
        assert "immutable" in answer.headers["Cache-Control"]
    etag = answers[0].headers["ETag"]
    with client.get(hashed_url(PLOTLY), headers={**asked, "If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.get_data() == b""
    # a browser that takes no compression gets the file as it is
    with client.get(hashed_url(PLOTLY), headers={"Accept-Encoding": "identity"}) as plain:
        assert "Content-Encoding" not in plain.headers
        assert plain.get_data() == (ASSETS_DIR / PLOTLY).read_bytes()
