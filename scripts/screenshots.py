"""Take headless-Chromium screenshots of the dashboard at desktop and phone widths.

Usage: python scripts/screenshots.py [--url http://127.0.0.1:8050] [--out screenshots]
       [--query "format=mobility.outbound"]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from components.ids import card_id
from evidence.views import REGISTRY

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip
SIZES = {"desktop": (1440, 900), "laptop": (1280, 720), "phone": (390, 844)}
CARDS = [*(card_id(v.name) for v in REGISTRY), "card-articles"]  # every registered view


def main() -> None:
    """Write full-page and per-view PNGs for each size."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8050")
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--query", default="")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, (w, h) in SIZES.items():
            page = browser.new_page(viewport={"width": w, "height": h})
            page.goto(f"{args.url}/?{args.query}")
            page.wait_for_selector("#fig-trends .js-plotly-plot .main-svg", timeout=30_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=out / f"{name}-top.png")
            page.screenshot(path=out / f"{name}-full.png", full_page=True)
            for card in CARDS:
                page.locator(f"#{card}").screenshot(path=out / f"{name}-{card}.png")
            page.get_by_role("button", name="Your data").click()
            page.wait_for_selector("#upload-pick", state="visible")
            page.wait_for_timeout(500)
            page.screenshot(path=out / f"{name}-your-data.png")
            print(f"{name}: {out}")
        browser.close()


if __name__ == "__main__":
    main()
