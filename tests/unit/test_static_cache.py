"""The world's outlines and the country table: linked from the page at an address with
their content hash, and cached immutable there (components/static_cache.py)."""

from __future__ import annotations

import hashlib
import re

from app import create_app
from evidence import ASSETS_DIR, DEMO_PATH


def test_outlines_and_country_table_are_hashed_and_immutable():
    client = create_app(DEMO_PATH).server.test_client()
    page = client.get("/").get_data(as_text=True)
    for name in ("topojson/world_110m.json", "countries.js"):
        data = (ASSETS_DIR / name).read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:16]
        url = f"/assets/{name}?v={digest}"
        # the page names it by its hash, once (the country table is not also loaded
        # under its plain name by Dash's asset list)
        assert page.count(f"/assets/{name}") == 1, name
        assert url in page, name
        with client.get(url) as hit:
            assert hit.status_code == 200 and hit.get_data() == data
            assert hit.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # an old or missing hash is checked each time, never kept a year
        for stale in (f"/assets/{name}?v=0123456789abcdef", f"/assets/{name}"):
            with client.get(stale) as answer:
                assert answer.status_code == 200
                assert "immutable" not in answer.headers.get("Cache-Control", "")
    # the outlines start downloading from the head, as fetch() will ask for them
    link = re.search(r"<link[^>]*data-outlines-preload[^>]*>", page)
    assert link and 'rel="preload"' in link[0] and 'crossorigin="anonymous"' in link[0]
    # other assets keep their own caching
    with client.get("/assets/figures.js") as other:
        assert "immutable" not in other.headers.get("Cache-Control", "")
