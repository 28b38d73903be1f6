"""Uploads shaped to exhaust a worker (issue 24): bounded time and memory, every row kept
or reported. Figures in RELIABILITY.md section 13."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import time

import openpyxl
import pandas as pd
import pytest

from evidence.load import load
from evidence.upload import MAX_CELLS, load_bounded, screen, text_cells

DEMO = "data/demo/articles.csv"


def wide_xlsx(rows: int = 10_000) -> bytes:
    """The attack workbook: a header with one cell in column XFD, then one-cell rows."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["id"] + [None] * (16_384 - 2) + ["x"])
    for i in range(rows):
        ws.append([f"a{i}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_header_in_column_xfd_is_refused_fast_in_little_memory(tmp_path):
    """Measured in a fresh interpreter with a 1.5 GB address-space ceiling (the old
    reader peaked at 6.4 GB and took 72 s on this file)."""
    path = tmp_path / "wide.xlsx"
    path.write_bytes(wide_xlsx())
    assert path.stat().st_size < 100_000
    script = textwrap.dedent(f"""
        import resource, time
        resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
        from evidence.load import load
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        eb = load(open({str(path)!r}, "rb").read(), name="wide.xlsx", max_rows=100_000)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(seconds, (peak - base) / 1024, eb.n_articles, eb.report.errors[0].message)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=".")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    seconds, grew_mb, articles, message = done.stdout.strip().split(" ", 3)
    assert float(seconds) < 5 and float(grew_mb) < 100 and articles == "0"
    assert "column XFD" in message and "500" in message


def test_no_parse_may_grow_the_worker_past_its_ceiling(monkeypatch):
    """Whatever the loader does, the upload's parse runs in a child with an
    address-space ceiling: past it, a refusal, and the worker is unchanged."""
    import evidence.load as loader

    def greedy(content, **options):
        return [bytearray(64 << 20) for _ in range(64)]  # 4 GB

    monkeypatch.setattr(loader, "load", greedy)
    start = time.perf_counter()
    eb = load_bounded(wide_xlsx(10), name="a.xlsx", memory_mb=256)
    assert time.perf_counter() - start < 5
    assert eb.n_articles == 0 and eb.report.unreadable
    assert "more than 256 MB" in eb.report.errors[0].message


def test_a_parse_that_never_ends_is_stopped(monkeypatch):
    import evidence.load as loader

    monkeypatch.setattr(loader, "load", lambda content, **options: time.sleep(30))
    start = time.perf_counter()
    eb = load_bounded(wide_xlsx(10), name="a.xlsx", timeout_s=1)
    assert time.perf_counter() - start < 4
    assert "longer than 1 s" in eb.report.errors[0].message


def test_a_bounded_parse_gives_the_same_base_as_load():
    out = io.BytesIO()
    pd.read_csv(DEMO, dtype=str, keep_default_na=False).to_excel(out, index=False)
    content = out.getvalue()
    assert load_bounded(content, name="d.xlsx").articles.equals(
        load(content, name="d.xlsx").articles
    )


def test_rows_after_a_long_blank_gap_are_loaded():
    """10 rows, 100,000 blank rows, 10 more rows: all 20 loaded, none dropped silently."""
    demo = pd.read_csv(DEMO, dtype=str, keep_default_na=False).head(20)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(demo.columns))
    for i, row in enumerate(demo.itertuples(index=False)):
        at = 2 + i if i < 10 else 100_012 + i
        for j, value in enumerate(row, start=1):
            if value:
                ws.cell(row=at, column=j, value=value)
    out = io.BytesIO()
    wb.save(out)
    eb = load(out.getvalue(), name="gap.xlsx", max_rows=100_000)
    assert eb.report.n_rows_read == 20
    assert sorted(eb.articles["article_id"]) == sorted(demo["id"])
    assert not eb.report.errors


@pytest.mark.parametrize("rows", [3, 5])
def test_the_row_limit_counts_rows_not_blank_gaps(rows):
    demo = pd.read_csv(DEMO, dtype=str, keep_default_na=False).head(rows)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(demo.columns))
    for i, row in enumerate(demo.itertuples(index=False)):
        for j, value in enumerate(row, start=1):
            if value:
                ws.cell(row=2 + 50_000 * i, column=j, value=value)
    out = io.BytesIO()
    wb.save(out)
    eb = load(out.getvalue(), name="gap.xlsx", max_rows=4)
    assert eb.n_articles == (rows if rows <= 4 else 0)
    assert eb.report.n_rows_read == rows


def csv_shape(shape: str) -> bytes:
    """20 MB text tables shaped to exhaust pandas (RELIABILITY.md section 13: before the
    cells cap, 20 MB of blank lines or of commas took over 3 GB and minutes)."""
    header = ",".join(pd.read_csv(DEMO, nrows=0).columns)
    size = 20 * 1024 * 1024 - 1024
    body = {"blank lines": "\n", "commas": ",\n", "quoted newlines": '"\n"\n',
            "500 empty columns": "," * 499 + "\n"}[shape]  # fmt: skip
    if shape == "500 empty columns":
        header = ",".join(f"c{i}" for i in range(500))
    return (header + "\n" + body * ((size - len(header)) // len(body))).encode()


@pytest.mark.parametrize("shape", ["blank lines", "commas", "quoted newlines", "500 empty columns"])
def test_text_tables_that_would_exhaust_the_parser_are_refused_at_once(shape):
    content = csv_shape(shape)
    lines = content.count(b"\n") + 1
    fields = content.split(b"\n", 1)[0].count(b",") + 1
    assert lines * fields > MAX_CELLS  # what pandas would build: rows x header fields
    start = time.perf_counter()
    refused = screen(content, "shape.csv")
    assert time.perf_counter() - start < 1.0
    assert refused is not None and refused.code == "too_many_cells" and refused.status == 413
    assert f"{lines:,} lines" in refused.message


def test_a_full_sized_table_is_not_refused_by_the_cells_cap():
    """100,000 rows (the server's row limit) of the 18 contract columns pass."""
    header = ",".join(pd.read_csv(DEMO, nrows=0).columns)
    content = (header + "\n" + ("x," * 17 + "x\n") * 100_000).encode()
    assert screen(content, "full.csv") is None
    assert text_cells(content)[0] == 100_002 * 18 <= MAX_CELLS


def test_a_larger_text_table_is_parsed_in_the_bounded_child(monkeypatch):
    """Past 1 MB (or 250,000 cells) a CSV is parsed in the forked child with the memory
    ceiling, like a workbook; a small one in the worker itself."""
    import evidence.load as loader

    monkeypatch.setattr(loader, "load", lambda content, **options: os.getpid())
    big = b"id,title\n" + b"a,b\n" * 300_000
    assert len(big) > 1024 * 1024
    assert load_bounded(big, name="big.csv") != os.getpid()
    assert load_bounded(b"id,title\na,b\n", name="small.csv") == os.getpid()
    many_cells = b"id," + b",".join(b"c%d" % i for i in range(99)) + b"\n" + b"\n" * 3000
    assert len(many_cells) < 1024 * 1024 and text_cells(many_cells)[0] > 250_000
    assert load_bounded(many_cells, name="cells.csv") != os.getpid()
