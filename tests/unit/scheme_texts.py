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


def texts(data: str, images: bool) -> dict[str, str]:
    from app import create_app
    from components.alternatives import SUMMARY_VIEWS, summaries
    from components.render import render_views
    from evidence.views import REGISTRY, slide_charts

    app = create_app(data_path=data)
    eb = app.server.extensions["iome_sessions"].default
    client = app.server.test_client()
    shown = [c.name for v in REGISTRY if v.shown for c in v.charts]
    hidden = {c.name for v in REGISTRY if not v.shown for c in v.charts}
    drawn = {k: v for k, v in render_views("", eb).items() if k not in hidden}
    takeaways = dict(zip(SUMMARY_VIEWS, summaries("", eb, SUMMARY_VIEWS), strict=True))
    out = {
        "index": client.get("/").get_data(as_text=True),
        "layout": client.get("/_dash-layout").get_data(as_text=True),
        "figures": json.dumps(drawn, default=str),
        "takeaways": json.dumps({k: v for k, v in takeaways.items() if k not in hidden}),
        "articles": eb.n_articles,
    }
    for name in shown:
        out[f"embed {name}"] = client.get(f"/embed/{name}").get_data(as_text=True)
    names = []  # the files' names (Content-Disposition)
    for name in (*shown, "articles", "gaps"):
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/data/{name}.{fmt}")
            names.append(response.headers.get("Content-Disposition", ""))
            out[f"{fmt} {name}"] = _zip_text(response.get_data())
    out["file names"] = " ".join(names)
    out["zip articles"] = _zip_text(client.get("/data/articles.zip").get_data())  # about.txt
    if images:
        for name in slide_charts():
            out[f"svg {name}"] = client.get(f"/export/{name}.svg").get_data(as_text=True)
        out["deck"] = _zip_text(client.get("/export/deck.pptx").get_data())
    return out


if __name__ == "__main__":
    json.dump(texts(sys.argv[1], "--images" in sys.argv), sys.stdout)
