"""Write assets/countries.js, the browser's table of country names and income groups
(evidence.countries.browser_table). Run after the reference tables change."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.countries import browser_table_js  # noqa: E402

if __name__ == "__main__":
    target = ROOT / "assets" / "countries.js"
    target.write_text(browser_table_js(), encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size:,} bytes)")
