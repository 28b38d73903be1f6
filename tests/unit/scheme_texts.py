"""Every text the app serves under one coding scheme, as JSON on stdout (run in its own
process: ``IOME_CODEBOOK=... python -m tests.unit.scheme_texts DATA [--images]``).

The page (index and layout), each shown view's drawn figure and takeaway, its embed page
and its CSV / XLSX / ZIP, the articles and the gap list, and with ``--images`` each
view's SVG and the slide deck (PPTX, its XML parts): what a reader of any of them sees.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile


def _zip_text(content: bytes) -> str:
    try:
        bundle = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return content.decode("utf-8", "replace")
    return "\n".join(
        bundle.read(n).decode("utf-8", "replace")
        for n in bundle.namelist()
        if n.endswith((".xml", ".csv", ".txt"))
    )


def texts(data: str, images: bool, upload: str = "") -> dict[str, str]:
    """Every text served for ``data``: the site's dataset, or with ``upload``
    ("SCHEME[:COLUMNS]", bundled names) the file uploaded from a browser under that
    scheme and column mapping to a site that keeps its own (then ``site index`` is the
    site's page after the upload, and ``upload`` the upload's answer)."""
    import contextlib

    from app import create_app
    from components.alternatives import SUMMARY_VIEWS, summaries
    from components.render import render_views
    from components.uploads import scheme_of
    from evidence.codebook import using_codebook
    from evidence.views import REGISTRY, slide_charts

    app = create_app(data_path=None if upload else data)
    sessions = app.server.extensions["iome_sessions"]
    client = app.server.test_client()
    query, scope, out = "", contextlib.nullcontext(), {}
    if upload:
        answer = _upload(client, data, *upload.split(":"))
        query = answer["link"].lstrip("/")  # ?dataset=<key>
        eb = next(b for b in sessions._parsed.values() if b.n_articles)
        scope = using_codebook(scheme_of({"scheme": upload.split(":")[0]}))
        out["upload"] = json.dumps(answer)
        out["site index"] = client.get("/").get_data(as_text=True)
    else:
        eb = sessions.default
    with scope:
        shown = [c.name for v in REGISTRY if v.shown for c in v.charts]
        hidden = {c.name for v in REGISTRY if not v.shown for c in v.charts}
        drawn = {k: v for k, v in render_views(query, eb).items() if k not in hidden}
        takeaways = dict(zip(SUMMARY_VIEWS, summaries(query, eb, SUMMARY_VIEWS), strict=True))
        slides = slide_charts()
    page = {"Referer": f"http://localhost/{query}"}
    out |= {
        "index": client.get(f"/{query}").get_data(as_text=True),
        "layout": client.get("/_dash-layout", headers=page).get_data(as_text=True),
        "about": _about(client, query),  # the About dialog's content, sent on opening
        "figures": json.dumps(drawn, default=str),
        "takeaways": json.dumps({k: v for k, v in takeaways.items() if k not in hidden}),
        "articles": eb.n_articles,
    }
    for name in shown:
        out[f"embed {name}"] = client.get(f"/embed/{name}{query}").get_data(as_text=True)
    names = []  # the files' names (Content-Disposition)
    for name in (*shown, "articles", "gaps"):
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/data/{name}.{fmt}{query}")
            names.append(response.headers.get("Content-Disposition", ""))
            out[f"{fmt} {name}"] = _zip_text(response.get_data())
    if upload:
        for path in ("/upload/report.csv", f"/upload/template.csv?scheme={upload.split(':')[0]}"):
            response = client.get(path)
            names.append(response.headers.get("Content-Disposition", ""))
            out[path] = response.get_data(as_text=True)
    out["file names"] = " ".join(names)
    out["zip articles"] = _zip_text(client.get(f"/data/articles.zip{query}").get_data())
    if images:
        for name in slides:
            out[f"svg {name}"] = client.get(f"/export/{name}.svg{query}").get_data(as_text=True)
        out["deck"] = _zip_text(client.get(f"/export/deck.pptx{query}").get_data())
    return out


def _about(client, query: str) -> str:
    """The About dialog's content as the page gets it when the dialog opens (app.py's
    fill_about), for the page at ``query``."""
    body = {
        "output": "about-body.children",
        "outputs": {"id": "about-body", "property": "children"},
        "inputs": [{"id": "btn-about", "property": "n_clicks", "value": 1}],
        "state": [{"id": "url", "property": "search", "value": query}],
        "changedPropIds": ["btn-about.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def _upload(client, data: str, scheme: str, columns: str = "") -> dict:
    """POST ``data`` to /upload as the page's upload script does, with a scheme and a
    column mapping chosen by name."""
    from pathlib import Path

    with open(data, "rb") as fh:
        form = {"file": (fh, Path(data).name), "scheme": scheme, "columns": columns}
        response = client.post("/upload", data=form, headers={"X-IoME-Upload": "1"},
                               content_type="multipart/form-data")  # fmt: skip
    answer = response.get_json()
    assert answer and answer.get("status") == "loaded", answer
    return answer


if __name__ == "__main__":
    at = sys.argv.index("--upload") if "--upload" in sys.argv else 0
    json.dump(texts(sys.argv[1], "--images" in sys.argv, sys.argv[at + 1] if at else ""),
              sys.stdout)  # fmt: skip
