"""The renderer's refusals without a browser, the export cache's bounds and keys, and the
command line's answer when no picture can be made (the browser runs are in
tests/e2e/test_export_faults.py)."""

from __future__ import annotations

import time

import pytest

from cli import main
from components.cache import BytesLRU
from components.routes import export_key
from evidence.load import load_cached
from evidence.render import Renderer, RendererUnavailable, RenderSettings, browser_path
from evidence.state import parse_query

# Time limits of a second or less: run alone, not beside other tests (see the Makefile).
pytestmark = pytest.mark.serial


def test_no_browser_is_refused_at_once_with_the_install_hint(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert browser_path() is None
    renderer = Renderer(RenderSettings())
    t0 = time.perf_counter()
    with pytest.raises(RendererUnavailable, match=r"apt-get install chromium") as info:
        renderer.render({"data": [], "layout": {}}, "png", 400, 300)
    assert time.perf_counter() - t0 < 0.5
    assert info.value.retry_after >= 1
    assert renderer.status()["state"] == "unavailable"
    assert renderer.status()["refused"] == 1


def test_a_browser_that_exits_at_once_cools_down(monkeypatch, tmp_path):
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(broken))
    renderer = Renderer(RenderSettings(cooldown=60))
    with pytest.raises(RendererUnavailable, match="exit code 3"):
        renderer.render({"data": [], "layout": {}}, "png", 400, 300)
    t0 = time.perf_counter()
    with pytest.raises(RendererUnavailable, match="unavailable just now") as info:
        renderer.check()
    assert time.perf_counter() - t0 < 0.05
    assert 1 <= info.value.retry_after <= 60
    assert renderer.status()["state"] == "failing"


def test_cli_export_without_a_browser_says_so(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert main(["export", "map", "--out", str(tmp_path / "map.png")]) == 2
    assert "apt-get install chromium" in capsys.readouterr().err
    assert not (tmp_path / "map.png").exists()


def test_bytes_lru_keeps_under_its_budget_and_drops_the_oldest():
    cache = BytesLRU(max_bytes=1000)
    for i in range(10):
        cache.set(f"k{i}", bytes(200))
    kept = [i for i in range(10) if cache.get(f"k{i}") is not None]
    assert kept == [5, 6, 7, 8, 9]
    cache.get("k5")  # used: now the newest
    cache.set("k10", bytes(200))
    assert cache.get("k5") is not None and cache.get("k6") is None
    cache.set("huge", bytes(600))  # over a quarter of the budget: not kept
    assert cache.get("huge") is None


def test_export_keys_differ_by_every_part_and_not_by_query_order():
    eb = load_cached("data/demo/articles.csv")
    a, _ = parse_query("year=2010-2020&format=mobility.outbound")
    b, _ = parse_query("format=mobility.outbound&year=2010-2020")
    base = export_key(eb, a, "map", "png", "1920x1080", "light")
    assert base == export_key(eb, b, "map", "png", "1920x1080", "light")
    variants = {
        export_key(eb, parse_query("year=2011-2020")[0], "map", "png", "1920x1080", "light"),
        export_key(eb, a, "flows", "png", "1920x1080", "light"),
        export_key(eb, a, "map", "svg", "1920x1080", "light"),
        export_key(eb, a, "map", "png", "1920x1000", "light"),
        export_key(eb, a, "map", "png", "1920x1080", "dark"),
    }
    assert base not in variants and len(variants) == 5
