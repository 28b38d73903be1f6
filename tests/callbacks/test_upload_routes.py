"""Uploads through the real Flask routes: isolation per session, storage, rejections,
column mapping, expiry and a worker that starts after the upload (a fresh app on the
same store). Data seen by a session is read back through the app's own routes."""

from __future__ import annotations

import io
import json
import os
import random
import re
import stat
import time
import zipfile

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from plotly.utils import PlotlyJSONEncoder

from app import create_app
from bench.server import free_port
from components.about import report_table
from components.uploads import COOKIE, FileStore, RedisStore
from evidence import DEMO_PATH

DEMO_LINES = DEMO_PATH.read_text(encoding="utf-8").splitlines()
HEADER = DEMO_LINES[0].split(",")


def demo_rows(n: int, header: str | None = None) -> bytes:
    """The demo file's header and its first ``n`` rows (each row is one article)."""
    return ("\n".join([header or DEMO_LINES[0], *DEMO_LINES[1 : n + 1]]) + "\n").encode()


class ViewingClient(FlaskClient):
    """A browser that, once it has loaded a file, follows the link the upload answered
    (``/?dataset=<key>``): its GETs name the upload, as the page's links and exports do."""

    link = ""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if response.is_json:  # an upload's answer, or a mapping's through a callback
            found = re.search(
                r"(?:/|\\u002f)\?dataset=([A-Za-z0-9_-]+)", response.get_data(as_text=True)
            )
            self.link = found.group(1) if found else self.link
        return response

    def get(self, url, *args, **kwargs):
        if self.link and "dataset=" not in url:
            url += ("&" if "?" in url else "?") + f"dataset={self.link}"
            kwargs.setdefault("headers", {}).setdefault(
                "Referer", f"http://localhost/?dataset={self.link}"
            )
        return super().get(url, *args, **kwargs)


@pytest.fixture(autouse=True)
def _follow_upload_links(monkeypatch):
    """The older tests here read a session's data as its page does: through the upload's
    link. The tests of links without the key use a plain :class:`FlaskClient`."""
    monkeypatch.setattr(Flask, "test_client_class", ViewingClient)


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "uploads"))
    return create_app()


def upload(client, content: bytes, name: str, **headers):
    return client.post(
        "/upload",
        data={"file": (io.BytesIO(content), name)},
        headers={"X-IoME-Upload": "1", **headers},
        content_type="multipart/form-data",
    )


def articles_seen(client) -> int:
    """Rows of the session's article export (what this browser session sees)."""
    csv = client.get("/data/articles.csv").data.decode("utf-8")
    return len(pd.read_csv(io.StringIO(csv), comment="#"))


def test_each_session_sees_only_its_own_upload(app):
    a, b, c = (app.server.test_client() for _ in range(3))
    assert upload(a, demo_rows(12), "team-a.csv").json["articles"] == 12
    assert upload(b, demo_rows(30), "team-b.csv").json["articles"] == 30
    assert a.get("/healthz").json["articles"] == 12
    assert b.get("/healthz").json["articles"] == 30
    assert c.get("/healthz").json["articles"] == 350  # no upload: the default data
    assert articles_seen(a) == 12 and articles_seen(b) == 30
    layout_a = a.get("/_dash-layout").data
    assert b"team-a.csv" in layout_a and b"team-b.csv" not in layout_a


def test_cookie_is_private_and_the_store_does_not_reveal_it(app, tmp_path):
    client = app.server.test_client()
    response = upload(client, demo_rows(5), "five.csv")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    token = client.get_cookie(COOKIE).value
    assert len(token) == 43
    folder = tmp_path / "uploads"
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    names = [p.name for p in folder.iterdir()]
    assert len(names) == 2 and not any(token in n for n in names)
    assert all(token not in p.read_text(errors="replace") for p in folder.glob("*.json"))


def test_a_new_worker_rebuilds_the_session_from_the_store(app):
    client = app.server.test_client()
    upload(client, demo_rows(17), "seventeen.csv")
    token = client.get_cookie(COOKIE).value
    other_worker = create_app()  # same IOME_UPLOAD_DIR, empty in-process state
    fresh = other_worker.server.test_client()
    fresh.set_cookie(COOKIE, token)
    fresh.link = client.link  # the same browser's next page, on another worker
    assert fresh.get("/healthz").json["articles"] == 17
    assert articles_seen(fresh) == 17


def test_a_guessed_or_malformed_cookie_sees_the_default(app):
    owner = app.server.test_client()
    upload(owner, demo_rows(8), "eight.csv")
    token = owner.get_cookie(COOKIE).value
    near = token[:-1] + ("A" if token[-1] != "A" else "B")  # one character off
    for value in ("x" * 43, "../../etc/passwd", "", near):
        stranger = app.server.test_client()
        stranger.set_cookie(COOKIE, value)
        assert stranger.get("/healthz").json["articles"] == 350


def test_rejected_file_keeps_the_previous_upload_and_sets_no_cookie(app):
    client = app.server.test_client()
    upload(client, demo_rows(9), "nine.csv")
    response = upload(client, b"%PDF-1.7\n...", "slides.pdf")
    assert response.status_code == 415 and response.json["status"] == "rejected"
    assert "PDF" in response.json["message"]
    assert "Set-Cookie" not in response.headers
    assert client.get("/healthz").json["articles"] == 9
    stranger = app.server.test_client()
    response = upload(stranger, b"id,title,year,author_countries,formats\n", "empty.csv")
    assert response.status_code == 400 and response.json["code"] == "empty"
    assert stranger.get_cookie(COOKIE) is None


def test_upload_needs_the_pages_header_and_origin(app):
    client = app.server.test_client()
    bare = client.post(
        "/upload", data={"file": (io.BytesIO(demo_rows(3)), "x.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert bare.status_code == 403
    assert bare.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in bare.headers["Content-Security-Policy"]
    assert upload(client, demo_rows(3), "x.csv", Origin="https://evil.example").status_code == 403
    assert client.get("/healthz").json["articles"] == 350
    assert client.post("/upload/clear").status_code == 403


def test_size_limit_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "u"))
    monkeypatch.setenv("IOME_UPLOAD_MAX_MB", "0.01")  # 10 kB
    client = create_app().server.test_client()
    big = demo_rows(60)
    assert len(big) > 10_486
    response = upload(client, big, "big.csv")
    assert response.status_code == 413 and response.json["code"] == "too_large"
    assert upload(client, demo_rows(3), "small.csv").status_code == 200


def test_column_mapping_step(app):
    client = app.server.test_client()
    renamed = {"id": "Record", "title": "Paper title", "formats": "Format codes"}
    header = ",".join(renamed.get(h, h) for h in HEADER)
    response = upload(client, demo_rows(10, header), "theirs.csv")
    assert response.json["status"] == "needs_mapping"
    assert {"Record", "Paper title", "Format codes", "year"} <= set(response.json["headers"])
    assert client.get("/healthz").json["articles"] == 350  # nothing shown until mapped
    sessions = app.server.extensions["iome_sessions"]
    token = client.get_cookie(COOKIE).value
    partial = sessions.remap(token, {"Record": "id"})
    assert partial["status"] == "needs_mapping"
    wrong = sessions.remap(token, {"Record": "id", "Paper title": "title", "authors": "formats"})
    assert wrong["status"] == "rejected" and wrong["code"] == "no_articles"
    assert "Record" in wrong["headers"]  # the form comes back to try another mapping
    answer = sessions.remap(
        token, {"Record": "id", "Paper title": "title", "Format codes": "formats"}
    )
    assert answer["status"] == "loaded" and answer["articles"] == 10
    client.link = answer["link"].split("dataset=", 1)[1]  # the page goes to the upload's link
    assert client.get("/healthz").json["articles"] == 10


def test_clear_returns_to_the_default(app):
    client = app.server.test_client()
    upload(client, demo_rows(4), "four.csv")
    response = client.post("/upload/clear", headers={"X-IoME-Upload": "1"})
    assert response.status_code == 200 and client.get_cookie(COOKIE) is None
    assert client.get("/healthz").json["articles"] == 350


def test_expired_upload_falls_back_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "u"))
    monkeypatch.setenv("IOME_UPLOAD_TTL_HOURS", str(1 / 3600))  # one second
    app = create_app()
    client = app.server.test_client()
    upload(client, demo_rows(6), "six.csv")
    assert client.get("/healthz").json["articles"] == 6
    time.sleep(1.2)
    assert client.get("/healthz").json["articles"] == 350
    assert b"has expired or was removed" in client.get("/_dash-layout").data
    assert list((tmp_path / "u").glob("*.bin")) == []


def test_file_store_cap_drops_least_recently_used(tmp_path):
    store = FileStore(tmp_path / "s", ttl_s=3600, cap_bytes=250)
    for i, token in enumerate(["a" * 43, "b" * 43, "c" * 43]):
        store.put(token, bytes(100), {"n": i})
        old = time.time() - 100 + i
        for path in store._paths(token):
            os.utime(path, (old, old))
    store.put("d" * 43, bytes(100), {"n": 3})
    assert store.meta("a" * 43) is None and store.meta("b" * 43) is None
    assert store.meta("c" * 43) == {"n": 2} and store.content("d" * 43) == bytes(100)


def test_redis_store_round_trip_and_expiry(redis_url):
    store = RedisStore(redis_url, ttl_s=1)
    token = "r" * 43
    store.put(token, b"abc", {"status": "loaded"})
    assert store.meta(token) == {"status": "loaded"} and store.content(token) == b"abc"
    keys = store.client.keys("iome:upload:*")
    assert keys and not any(token.encode() in k for k in keys)
    time.sleep(1.3)
    assert store.meta(token) is None and store.content(token) is None


def test_sessions_share_uploads_through_redis(tmp_path, monkeypatch, redis_url):
    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "unused"))
    one = create_app(cache_url=redis_url).server.test_client()
    upload(one, demo_rows(11), "eleven.csv")
    two = create_app(cache_url=redis_url).server.test_client()  # another host
    two.set_cookie(COOKIE, one.get_cookie(COOKIE).value)
    two.link = one.link
    assert two.get("/healthz").json["articles"] == 11
    assert not (tmp_path / "unused").exists() or not list((tmp_path / "unused").iterdir())


def test_template_downloads_and_loads(app):
    client = app.server.test_client()
    response = client.get("/upload/template.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('"iome-template.csv"')
    loaded = upload(client, response.data, "iome-template.csv").json
    assert loaded["status"] == "loaded" and loaded["report"]["n_errors"] == 0


def xlsx_of(content: bytes) -> bytes:
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    out = io.BytesIO()
    frame.to_excel(out, index=False)
    return out.getvalue()


def test_xlsx_upload_loads_and_hostile_workbooks_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "u"))
    monkeypatch.setenv("IOME_UPLOAD_MAX_UNZIPPED_MB", "0.2")
    client = create_app().server.test_client()
    workbook = xlsx_of(demo_rows(25))
    answer = upload(client, workbook, "coded.xlsx")
    assert answer.status_code == 200 and answer.json["articles"] == 25
    macro = io.BytesIO()
    with zipfile.ZipFile(macro, "a") as z, zipfile.ZipFile(io.BytesIO(workbook)) as src:
        for item in src.infolist():
            z.writestr(item, src.read(item))
        z.writestr("xl/vbaProject.bin", b"\x00" * 64)
    answer = upload(client, macro.getvalue(), "coded.xlsx")
    assert answer.status_code == 415 and answer.json["code"] == "macros"
    big = xlsx_of(demo_rows(350))  # about 0.4 MB of XML once decompressed: over 0.2 MB
    answer = upload(client, big, "all.xlsx")
    assert answer.status_code == 400 and answer.json["code"] == "zip_bomb"
    assert client.get("/healthz").json["articles"] == 25  # the good upload is kept


def test_row_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "u"))
    monkeypatch.setenv("IOME_UPLOAD_MAX_ROWS", "20")
    client = create_app().server.test_client()
    answer = upload(client, demo_rows(21), "many.csv")
    assert answer.status_code == 413 and answer.json["code"] == "too_many_rows"
    assert "more than 20 rows" in answer.json["message"]
    assert upload(client, demo_rows(20), "ok.csv").json["articles"] == 20


def test_worker_keeps_parsed_bases_within_its_article_budget(app):
    sessions = app.server.extensions["iome_sessions"]
    from dataclasses import replace

    sessions.settings = replace(sessions.settings, per_worker=10, per_worker_articles=50)
    clients = [app.server.test_client() for _ in range(4)]
    for i, client in enumerate(clients):
        upload(client, demo_rows(20), f"f{i}.csv")
    kept = sum(b.n_articles for b in sessions._parsed.values())
    assert kept <= 50 and len(sessions._parsed) == 2
    # An evicted session is rebuilt from the store, not lost.
    assert clients[0].get("/healthz").json["articles"] == 20


@pytest.mark.parametrize("seed", range(3))
def test_random_uploads_never_break_the_route(app, seed):
    """Random bytes under random names: always a JSON answer, never a server error."""
    rng = random.Random(seed)
    client = app.server.test_client()
    good = demo_rows(15)
    names = ["a.csv", "b.xlsx", "c.xlsm", "d.txt", "e", "f.pdf", "g.tsv", "<h>.csv", "i.XLSX"]
    statuses = []
    for _ in range(60):
        kind = rng.random()
        if kind < 0.3:
            body = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 3000)))
        elif kind < 0.6:
            body = good[: rng.randint(0, len(good))]  # truncated
        elif kind < 0.8:
            body = xlsx_of(good)[: rng.randint(0, 6000)]  # truncated workbook
        else:
            raw = bytearray(good)
            for _ in range(rng.randint(1, 40)):
                raw[rng.randrange(len(raw))] = rng.getrandbits(8)
            body = bytes(raw)
        response = upload(client, body, rng.choice(names))
        statuses.append(response.status_code)
        assert response.status_code in (200, 400, 413, 415), response.data[:300]
        assert response.json["status"] in ("loaded", "needs_mapping", "rejected")
        assert b"Traceback" not in response.data
    assert 200 in statuses and any(s != 200 for s in statuses)


def test_every_accepted_upload_gets_a_new_session_key(app):
    """No session fixation: a key planted in the browser is never the one that holds data."""
    planted = "F" * 43
    victim = app.server.test_client()
    victim.set_cookie(COOKIE, planted)
    upload(victim, demo_rows(3), "mine.csv")
    assert victim.get_cookie(COOKIE).value != planted
    attacker = app.server.test_client()
    attacker.set_cookie(COOKIE, planted)
    assert attacker.get("/healthz").json["articles"] == 350
    first = victim.get_cookie(COOKIE).value
    upload(victim, demo_rows(4), "again.csv")
    assert victim.get_cookie(COOKIE).value != first
    stale = app.server.test_client()
    stale.set_cookie(COOKIE, first)
    assert stale.get("/healthz").json["articles"] == 350  # the old key holds nothing now
    assert victim.get("/healthz").json["articles"] == 4


def test_a_file_awaiting_a_mapping_keeps_the_loaded_data_in_use(app):
    client = app.server.test_client()
    upload(client, demo_rows(9), "loaded.csv")
    header = DEMO_LINES[0].replace("id,", "Record,", 1)
    assert upload(client, demo_rows(5, header), "renamed.csv").json["status"] == "needs_mapping"
    assert client.get("/healthz").json["articles"] == 9  # still the loaded file
    layout = client.get("/_dash-layout").data
    assert b"loaded.csv" in layout and b"Match your columns" in layout
    sessions = app.server.extensions["iome_sessions"]
    answer = sessions.remap(client.get_cookie(COOKIE).value, {"Record": "id"})
    client.link = answer["link"].split("dataset=", 1)[1]  # the page goes to the upload's link
    assert answer["status"] == "loaded" and client.get("/healthz").json["articles"] == 5


def test_a_successful_load_opens_its_report_once_over_the_new_dashboard(app):
    client = app.server.test_client()
    upload(client, demo_rows(6), "six.csv")
    first = client.get("/_dash-layout").get_json()
    second = client.get("/_dash-layout").get_json()
    assert "Close and explore your data" in json.dumps(first)
    assert "Close and explore your data" not in json.dumps(second)


def test_layout_renews_the_session_cookie(app):
    client = app.server.test_client()
    upload(client, demo_rows(6), "six.csv")
    cookie = client.get("/_dash-layout").headers.get("Set-Cookie", "")
    assert cookie.startswith(f"{COOKIE}=") and "Max-Age=28800" in cookie
    assert "Set-Cookie" not in app.server.test_client().get("/_dash-layout").headers


def test_an_unreachable_redis_store_gives_a_503_and_the_page_still_draws(tmp_path):
    app = create_app(cache_url=f"redis://127.0.0.1:{free_port()}/0")
    client = app.server.test_client()
    response = upload(client, demo_rows(5), "five.csv")
    assert response.status_code == 503 and response.json["code"] == "store_unavailable"
    client.set_cookie(COOKIE, "G" * 43)
    assert client.get("/healthz").json["articles"] == 350
    assert client.get("/_dash-layout").status_code == 200
    assert client.post("/upload/clear", headers={"X-IoME-Upload": "1"}).status_code == 503


def test_a_proxy_in_front_with_https_still_accepts_uploads(app):
    client = app.server.test_client()
    response = upload(
        client, demo_rows(3), "x.csv", Origin="https://localhost", **{"X-Forwarded-Proto": "https"}
    )
    assert response.status_code == 200 and "Secure" in response.headers["Set-Cookie"]


def test_hostile_names_and_shapes(app):
    client = app.server.test_client()
    answer = upload(client, demo_rows(3), "a" * 5000 + ".csv").json
    assert answer["status"] == "loaded" and len(answer["filename"]) <= 120
    wide = ("," * 5000 + "\n" + "," * 5000 + "\n").encode()
    response = upload(client, wide, "wide.csv")
    assert response.status_code == 413 and response.json["code"] == "too_wide"
    newline_token = app.server.test_client()
    newline_token.set_cookie(COOKIE, client.get_cookie(COOKIE).value + "\n")
    assert newline_token.get("/healthz").json["articles"] == 350


def test_same_bytes_under_two_names_share_no_file_name(app):
    """Parsed files are shared by content within a worker, but the name is part of the key."""
    a, b = app.server.test_client(), app.server.test_client()
    upload(a, demo_rows(8), "alpha-team.csv")
    upload(b, demo_rows(8), "beta-team.csv")
    assert a.get("/healthz").json["version"] == b.get("/healthz").json["version"]
    layout_a, layout_b = a.get("/_dash-layout").data, b.get("/_dash-layout").data
    assert b"alpha-team.csv" in layout_a and b"beta-team.csv" not in layout_a
    assert b"beta-team.csv" in layout_b and b"alpha-team.csv" not in layout_b
    svg_b = b.get("/export/map.svg").data
    assert b"beta-team.csv" in svg_b and b"alpha-team.csv" not in svg_b


def _sheet_csv() -> bytes:
    """Header (spreadsheet row 1), a2..a30 on rows 2..30: row 3's quoted title spans
    three lines, row 6 is blank, row 12 repeats id a5, row 23 has no title."""
    lines = ["id,title,year,author_countries,formats"]
    for r in range(2, 31):
        title = {3: '"One\ntwo, three\nfour"', 23: ""}.get(r, f"T{r}")
        ident = "a5" if r == 12 else f"a{r}"
        lines.append("" if r == 6 else f"{ident},{title},2010,USA,standards.global")
    return ("\n".join(lines) + "\n").encode()


def _table_rows(node) -> list[list[str]]:
    """The cells of every table row (``Tr`` of ``Td``) in a Dash layout tree."""
    found = []
    if isinstance(node, dict):
        props = node.get("props", {})
        if node.get("type") == "Tr":
            cells = props.get("children") or []
            if cells and all(c.get("type") == "Td" for c in cells):
                found.append([str(c["props"].get("children", "")) for c in cells])
                return found
        for value in props.values():
            found += _table_rows(value)
    elif isinstance(node, list):
        for item in node:
            found += _table_rows(item)
    return found


def _about_dialog(client) -> dict:
    """The About dialog's content as the page gets it on opening (app.py's fill_about)."""
    body = {
        "output": "about-body.children",
        "outputs": {"id": "about-body", "property": "children"},
        "inputs": [{"id": "btn-about", "property": "n_clicks", "value": 1}],
        "state": [{"id": "url", "property": "search", "value": f"?dataset={client.link}"}],
        "changedPropIds": ["btn-about.n_clicks"],
    }
    answer = client.post("/_dash-update-component", json=body)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.json["response"]["about-body"]["children"]


def _find(node, component_id):
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return node
        return _find(list(node.get("props", {}).values()), component_id)
    if isinstance(node, list):
        for item in node:
            hit = _find(item, component_id)
            if hit is not None:
                return hit
    return None


def test_upload_report_names_spreadsheet_rows_and_ids_everywhere(app):
    """The upload answer, its report table, the report CSV and the About dialog all say
    row 23 (a23) and row 12 (a5, first used in row 5), as a spreadsheet numbers them."""
    client = app.server.test_client()
    answer = upload(client, _sheet_csv(), "sheet.csv").json
    assert answer["status"] == "loaded" and answer["articles"] == 26
    expected = {
        ("error", 23, "a23", "title", "missing value"),
        ("error", 12, "a5", "id", "duplicate id (first used in row 5); row rejected"),
    }
    keys = ("severity", "row", "article_id", "column", "message")
    assert {tuple(p[k] for k in keys) for p in answer["report"]["problems"]} == expected
    table = json.loads(json.dumps(report_table(answer["report"]), cls=PlotlyJSONEncoder))
    cells = {tuple(r[i] for i in (0, 1, 2, 3, 5)) for r in _table_rows(table)}
    assert cells == {tuple(str(v) for v in e) for e in expected}
    csv_text = client.get("/upload/report.csv").data.decode("utf-8")
    report = pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False)
    assert {"row", "article_id"} <= set(report.columns)
    assert {tuple(r) for r in report[list(keys)].itertuples(index=False)} == {
        tuple(str(v) for v in e) for e in expected
    }  # fmt: skip
    assert _find(json.loads(client.get("/_dash-layout").data), "about-modal") is not None
    about = _about_dialog(client)  # its content is sent when it is opened
    assert "Article id" in json.dumps(about)
    shown = {tuple(r[i] for i in (0, 1, 2, 3, 5)) for r in _table_rows(about)}
    assert shown == {tuple(str(v) for v in e) for e in expected}


def test_an_embed_shows_the_site_dataset_whatever_the_cookie(tmp_path, monkeypatch):
    """Issue 24: an embed showed the visitor's own upload when the cookie was sent. Now
    it shows the site's data unless its URL names the session's upload (the upload's own
    links do), and never another browser's upload."""
    from evidence.load import load as _load

    monkeypatch.setenv("IOME_UPLOAD_DIR", str(tmp_path / "uploads"))
    server = create_app().server
    client = FlaskClient(server)  # sends the cookie, not the link
    rows = b"".join(DEMO_PATH.read_bytes().splitlines(keepends=True)[:8])
    answer = client.post(
        "/upload", data={"file": (io.BytesIO(rows), "mine.csv")},
        headers={"X-IoME-Upload": "1"}, content_type="multipart/form-data",
    )  # fmt: skip
    link = answer.json["link"].lstrip("/")  # ?dataset=<key>
    assert answer.status_code == 200 and client.get(f"/healthz{link}").json["articles"] == 7
    page = client.get("/embed/trends").data.decode()
    site = _load(DEMO_PATH).n_articles
    assert f"{site:,}" in page or str(site) in page
    assert "mine.csv" not in page
    # its own link (``dataset=<key>``) shows the upload to its browser, never to another
    assert "mine.csv" in client.get(f"/embed/trends{link}").data.decode()
    assert "mine.csv" not in FlaskClient(server).get(f"/embed/trends{link}").data.decode()


def test_made_up_component_suite_paths_are_404_not_500():
    client = create_app().server.test_client()
    for path in (
        "/_dash-component-suites/dash/../../etc/passwd",
        "/_dash-component-suites/dash/x.js",
    ):
        assert client.get(path).status_code == 404


def _site_count_of(client, query: str = "") -> int:
    """Articles of ``/data/articles.csv?<query>`` as a page's export link fetches it."""
    csv = client.get(f"/data/articles.csv?{query}").data.decode("utf-8")
    return len(pd.read_csv(io.StringIO(csv), comment="#"))


def test_a_link_without_the_upload_key_shows_the_site_data_whatever_the_cookie(app):
    """A dashboard link shared by someone who uploaded shows the site's data, also in the
    uploader's own browser; the upload's link shows the upload there, and only there."""
    demo = pd.read_csv(DEMO_PATH, dtype=str)
    owner = FlaskClient(app.server)
    answer = upload(owner, demo_rows(12), "mine.csv").json
    key = answer["link"].split("dataset=", 1)[1]
    assert answer["link"] == f"/?dataset={key}" and len(key) >= 16
    assert key != owner.get_cookie(COOKIE).value  # the URL never carries the cookie
    # Without the key: the site's data, with a one-click way back to the upload.
    assert owner.get("/healthz").json["articles"] == len(demo)
    assert _site_count_of(owner) == len(demo)
    layout = owner.get("/_dash-layout", headers={"Referer": "http://localhost/?country=KEN"})
    assert f"?dataset={key}".encode() in layout.data and b"Showing the site" in layout.data
    # With the key: the upload, and the page's links keep the key.
    assert owner.get(f"/healthz?dataset={key}").json["articles"] == 12
    assert _site_count_of(owner, f"dataset={key}") == 12
    page = owner.get("/_dash-layout", headers={"Referer": f"http://localhost/?dataset={key}"})
    assert b"mine.csv" in page.data and b"Only this browser session" in page.data
    # Someone else holding the link: the site's data and a clear word why.
    stranger = FlaskClient(app.server)
    assert stranger.get(f"/healthz?dataset={key}").json["articles"] == len(demo)
    seen = stranger.get("/_dash-layout", headers={"Referer": f"http://localhost/?dataset={key}"})
    assert b"cannot open" in seen.data and b"mine.csv" not in seen.data


def test_every_export_link_carries_the_upload_key_while_viewing_it(app):
    """Export links are the page's URL query on each export path (assets/links.js): the
    key stays in that query through every change of state, reset included, and a
    callback reads the dataset from it."""
    from components.sync import sync
    from components.uploads import asked_link
    from evidence.state import parse_query

    owner = FlaskClient(app.server)
    key = upload(owner, demo_rows(12), "mine.csv").json["link"].split("dataset=", 1)[1]
    search = f"?country=KEN&dataset={key}"
    state, notices = parse_query(search)
    assert not notices and state.dataset == key and parse_query(f"dataset={key}")[0].is_default()
    for trigger, event in (("reset", None), ("search", {"text": "exchange"})):
        query, _controls = sync(trigger, search, {}, (1990, 2024), event=event)
        assert f"dataset={key}" in query, trigger
    for path in ("/data/articles.csv", "/data/articles.xlsx", "/healthz"):
        assert owner.get(f"{path}?country=KEN&dataset={key}").status_code == 200
    assert _site_count_of(owner, search.lstrip("?")) <= 12  # KEN within the upload
    body = {"inputs": [{"id": "url", "property": "search", "value": search}]}
    with app.server.test_request_context("/_dash-update-component", method="POST", json=body):
        assert asked_link() == key


def test_an_upload_with_its_own_codebook_speaks_it_only_for_its_browser(app):
    """A codebook sent with the file (as the dialog sends it: a data URL) is checked, the
    file is read under it and its page speaks it; a link to it opens it only in the
    browser that sent it; the site's page keeps its own scheme (issue 25, item 2)."""
    import base64

    from tests.unit.test_scheme_words import DATA, SCHEME

    client = app.server.test_client()
    book = "data:application/x-yaml;base64," + base64.b64encode(SCHEME.encode()).decode()
    response = client.post(
        "/upload",
        data={"file": (io.BytesIO(DATA.encode()), "surgery.csv"), "scheme": "own",
              "codebook_data": book, "codebook_name": "surgery.yaml"},
        headers={"X-IoME-Upload": "1"}, content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 200 and response.json["articles"] == 4
    link = response.json["link"]
    assert "<title>Surgical Training Map</title>" in client.get(link).get_data(as_text=True)
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Where surgical trainees rotate" in layout and "Who sends" not in layout
    stranger = FlaskClient(app.server)  # no cookie: the link shows the site's data
    assert "<title>IoME" in stranger.get(link).get_data(as_text=True)
    assert "<title>IoME" in FlaskClient(app.server).get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("yaml_text", "said"),
    [
        ("name: x\ndimensions:\n  a: [\n", "surgery.yaml, line 4: not valid YAML"),
        ("name: x\ndimensions:\n  a:\n    role: nonsense\n", "surgery.yaml: dimensions.a"),
        ("x" * (300 * 1024), "larger than 256 KB"),
        ("a: &a [x, x]\nb: &b [*a, *a, *a]\nname: x\n", "anchors and aliases"),  # a YAML bomb
    ],
)
def test_a_bad_codebook_is_refused_with_its_key_and_line(app, yaml_text, said):
    import base64

    client = app.server.test_client()
    book = "data:;base64," + base64.b64encode(yaml_text.encode()).decode()
    response = client.post(
        "/upload",
        data={"file": (io.BytesIO(demo_rows(3)), "three.csv"), "scheme": "own",
              "codebook_data": book, "codebook_name": "surgery.yaml"},
        headers={"X-IoME-Upload": "1"}, content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 400 and response.json["status"] == "rejected"
    assert said in response.json["message"], response.json["message"]
    assert client.get("/healthz").json["articles"] == 350  # nothing changed


def test_the_dialog_checks_a_picked_codebook_or_mapping_at_once():
    """Before any upload, a picked YAML file is checked as the upload will check it: the
    scheme it names, or its problem with the line."""
    import base64

    from components.upload_panel import check_yaml
    from tests.unit.test_scheme_words import SCHEME

    def url(text: str) -> str:
        return "data:;base64," + base64.b64encode(text.encode()).decode()

    good = str(check_yaml(url(SCHEME), "surgery.yaml", "codebook").to_plotly_json())
    assert "“Surgical training partnerships” (5 codes)" in good
    bad = str(check_yaml(url("name: x\ndimensions: [\n"), "b.yaml", "codebook").to_plotly_json())
    assert "Not usable" in bad and "b.yaml, line 3: not valid YAML" in bad
    mapping = str(check_yaml(url("id: row_number\ncolumns: {Title: titel}\n"), "m.yaml",
                             "mapping").to_plotly_json())  # fmt: skip
    assert "m.yaml: columns.Title (line 2): unknown contract column 'titel'" in mapping


def test_the_template_link_follows_a_codebook_checked_in_the_dialog(app):
    """A review team that picks its own codebook downloads the template of that scheme,
    not the site's (the dialog's check keeps the codebook and names its key)."""
    import base64

    from components.upload_panel import check_yaml
    from tests.unit.test_scheme_words import SCHEME

    said = check_yaml("data:;base64," + base64.b64encode(SCHEME.encode()).decode(),
                      "surgery.yaml", "codebook")  # fmt: skip
    key = getattr(said, "data-scheme")
    assert key.startswith("own:")
    response = FlaskClient(app.server).get(f"/upload/template.csv?scheme={key}")
    name = response.headers["Content-Disposition"]
    assert response.status_code == 200 and "surgical-training-partnerships-template" in name
    assert "Medical Education" not in response.get_data(as_text=True)
    # a made-up key gives the site's template, never a file outside the kept codebooks
    other = FlaskClient(app.server).get("/upload/template.csv?scheme=own:../../etc")
    assert other.status_code == 200 and "iome-template" in other.headers["Content-Disposition"]
