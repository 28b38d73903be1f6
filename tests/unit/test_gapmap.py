"""The evidence gap map (issue 25 item 4): any two dimensions crossed, checked against a
cross-tab computed here with pandas from the data files themselves (the IoME demo, a
filtered state, and the faculty-development scheme in a process of its own), gaps
included; its clicks, its marked gaps and its alignment preset."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import product
from pathlib import Path

import pandas as pd
import pytest

from evidence import filters
from evidence.aggregate.alignment import alignment_matrix
from evidence.aggregate.gapmap import gap_matrix
from evidence.codebook import load_codebook
from evidence.figures.cells import cells_json, figure_cells
from evidence.load import load_cached
from evidence.state import parse_query, to_query
from evidence.views import after_press, view_figure

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo" / "articles.csv"
FD = ROOT / "data" / "examples" / "faculty_development"


@pytest.fixture(scope="module")
def eb():
    return load_cached(DEMO)


@pytest.fixture(scope="module")
def raw():
    return pd.read_csv(DEMO, dtype=str, keep_default_na=False)


def long_codes(raw: pd.DataFrame, column: str, level: str) -> pd.DataFrame:
    """(id, value) for every code of a ';'-list column: the code (a bare group name is
    coded "<group>.unspecified"), or its group (the part before the dot)."""

    def value(token: str) -> str:
        if level == "code":
            return token if "." in token else f"{token}.unspecified"
        return token.split(".")[0]

    rows = [(aid, value(t.strip())) for aid, cell in zip(raw["id"], raw[column], strict=True)
            for t in cell.split(";") if t.strip()]  # fmt: skip
    return pd.DataFrame(rows, columns=["id", "value"]).drop_duplicates()


def long_column(raw: pd.DataFrame, column: str) -> pd.DataFrame:
    frame = pd.DataFrame({"id": raw["id"], "value": raw[column].str.strip()})
    return frame[frame["value"] != ""]


def long_latest_income(raw: pd.DataFrame) -> pd.DataFrame:
    """The latest World Bank group of each article's first author country."""
    economies = pd.read_csv(ROOT / "data/reference/economies.csv", dtype=str,
                            keep_default_na=False).set_index("iso3")  # fmt: skip
    first = raw["author_countries"].str.split(";").str[0].str.strip()
    income = first.map(economies["income_latest"]).fillna("")
    frame = pd.DataFrame({"id": raw["id"], "value": income})
    return frame[frame["value"] != ""]


def expected(rows: pd.DataFrame, cols: pd.DataFrame) -> dict[tuple[str, str], int]:
    both = rows.merge(cols, on="id", suffixes=("_r", "_c"))
    return both.groupby(["value_r", "value_c"])["id"].nunique().to_dict()


def observed(matrix: pd.DataFrame) -> dict[tuple[str, str], int]:
    return {(r, c): int(n) for r, c, n in
            zip(matrix["row"], matrix["column"], matrix["n_articles"], strict=True)}  # fmt: skip


def check(matrix: pd.DataFrame, want: dict, r_axis: list, c_axis: list) -> None:
    """Every cell of the full axes equals the pandas count; its gaps are exactly the
    combinations pandas finds no article for."""
    got = observed(matrix)
    assert set(got) == set(product(r_axis, c_axis))
    assert got == {k: want.get(k, 0) for k in got}
    assert set(matrix.loc[matrix["gap"], ["row", "column"]].itertuples(index=False)) == {
        k for k in got if want.get(k, 0) == 0
    }


def test_format_by_article_type_equals_a_pandas_crosstab_gaps_included(eb, raw):
    cb = load_codebook()
    want = expected(long_codes(raw, "formats", "group"), long_column(raw, "article_type"))
    matrix = gap_matrix(eb, "format", "type")
    check(matrix, want, cb.groups_of("format"), list(cb.article_types))
    assert matrix["gap"].any()  # the demo has a gap here: it must be marked
    # totals count each article once: articles with both a format and a type
    both = long_codes(raw, "formats", "group").merge(long_column(raw, "article_type"), on="id")
    assert matrix["n_total"].iloc[0] == both["id"].nunique()


def test_motivation_by_latest_origin_income_equals_a_pandas_crosstab(eb, raw):
    cb = load_codebook()
    rows = long_codes(raw, "motivations", "group")
    cols = long_latest_income(raw)
    matrix = gap_matrix(eb, "motivation", "origin_income", classification="latest")
    check(matrix, expected(rows, cols), cb.groups_of("motivation"), ["H", "UM", "LM", "L"])
    share = matrix.set_index(["row", "column"])
    per_row = rows.groupby("value")["id"].nunique()  # every article of the row
    key = ("market", "H")
    assert share.loc[key, "row_share"] == pytest.approx(
        share.loc[key, "n_articles"] / per_row["market"]
    )


def test_a_filtered_state_counts_the_filtered_articles_without_its_own_selection(eb, raw):
    """Years 2010-2015 and a format cell selected: the chart keeps every format (its own
    selection is not applied to it), each counted in those years only."""
    state, _ = parse_query("year=2010-2015&gap_cols=format_code&gap_rows=type&format=mobility")
    data, _ = view_figure(eb, state, "gapmap")
    years = raw[raw["year"].astype(int).between(2010, 2015)]
    want = expected(long_column(years, "article_type"), long_codes(years, "formats", "code"))
    assert observed(data) == {k: want.get(k, 0) for k in observed(data)}
    assert data["gap"].sum() == sum(1 for k in observed(data) if want.get(k, 0) == 0) > 0
    # the mobility codes' cells are the selection
    picked = data[data["selected"]]
    assert set(picked["column"].str.split(".").str[0]) == {"mobility"}


def test_a_click_filters_both_dimensions_and_the_count_equals_pandas(eb, raw):
    state, _ = parse_query("gap_rows=format&gap_cols=type")
    clicked = after_press(state, "gapmap", "mobility|research")
    assert clicked.format == ("mobility",) and clicked.type == ("research",)
    want = expected(long_codes(raw, "formats", "group"), long_column(raw, "article_type"))
    assert filters.apply(eb, clicked).n_articles == want[("mobility", "research")]
    assert after_press(clicked, "gapmap", "mobility|research").filter_fields() == {}
    # a total filters its one dimension
    row_total = after_press(state, "gapmap", "mobility|*")
    assert row_total.format == ("mobility",) and row_total.type == ()
    shown = gap_matrix(eb, "format", "type").set_index(["row", "column"])
    mobility = long_codes(raw, "formats", "group").query("value == 'mobility'")
    assert filters.apply(eb, row_total).n_articles == mobility["id"].nunique()
    assert shown.loc[("mobility", "research"), "n_row"] == mobility["id"].nunique()
    # a period writes its years; the URL keeps the two dimensions
    period = after_press(parse_query("gap_rows=period&gap_cols=format")[0], "gapmap",
                         "2010-2014|mobility")  # fmt: skip
    assert period.year == (2010, 2014) and period.format == ("mobility",)
    assert "gap_rows=period&gap_cols=format" in to_query(period)
    for junk in ("x|mobility", "|", "*|*", "20101|mobility", "a|b|c"):  # no cell's key
        assert after_press(period, "gapmap", junk) == period
    assert "gap_rows" not in to_query(after_press(state, "gapmap", "mobility|research"))


def test_gaps_are_marked_in_words_and_are_no_filter(eb):
    state, _ = parse_query("gap_rows=format&gap_cols=type")
    _, fig = view_figure(eb, state, "gapmap")
    spec = cells_json(figure_cells(fig))
    matrix = next(p for p in spec["parts"] if p["kind"] == "matrix")
    gaps = [c for row in matrix["cells"] for c in row if c["gap"]]
    assert gaps and all(c["text"] == "Gap" and "gap in the evidence" in c["label"]
                        and c["key"] == "" for c in gaps)  # fmt: skip
    assert matrix["columns"][-1] == "Total" and matrix["rows"][-1] == "Total"
    legend = next(p for p in spec["parts"] if p["kind"] == "legend")
    assert any("Gap" in label for _, label in legend["items"])


def test_the_alignment_preset_has_the_alignment_matrix_numbers_and_verdicts(eb):
    gap = gap_matrix(eb, "motivation", "format").set_index(["row", "column"])
    align = alignment_matrix(eb).set_index(["motivation", "format"])
    assert gap["n_articles"].to_dict() == align["n_articles"].to_dict()
    assert gap["status"].to_dict() == align["status"].to_dict()
    assert gap["n_row"].to_dict() == align["n_row"].to_dict()  # a motivation's articles
    # turned round (formats as rows), the same verdict per cell
    turned = gap_matrix(eb, "format", "motivation").set_index(["column", "row"])
    assert turned["status"].to_dict() == align["status"].to_dict()


def test_the_same_filter_on_both_axes_says_so(eb):
    state, _ = parse_query("gap_rows=format&gap_cols=format_code")
    data, fig = view_figure(eb, state, "gapmap")
    message = str(fig.layout.annotations[0].text).replace("<br>", " ")
    assert data.empty and "pick two different dimensions" in message


FD_SCRIPT = """
import json
from evidence.aggregate.gapmap import gap_matrix
from evidence.load import load_cached
eb = load_cached("data/examples/faculty_development/articles.csv")
out = {}
for rows, cols in (("format", "motivation"), ("format_code", "type")):
    m = gap_matrix(eb, rows, cols)
    out[rows + "x" + cols] = [[r, c, int(n)] for r, c, n in
                              zip(m["row"], m["column"], m["n_articles"])]
print(json.dumps(out))
"""


def test_another_scheme_crosses_its_own_dimensions():
    """The faculty-development scheme (its programme types and purposes), in a process
    of its own (the codebook is chosen per process)."""
    env = {k: v for k, v in os.environ.items() if k not in ("IOME_CODEBOOK", "IOME_RUBRIC")}
    env["IOME_CODEBOOK"] = str(FD / "codebook.yaml")
    proc = subprocess.run([sys.executable, "-c", FD_SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    raw = pd.read_csv(FD / "articles.csv", dtype=str, keep_default_na=False)
    cb = load_codebook(FD / "codebook.yaml")
    pairs = {
        "formatxmotivation": (long_codes(raw, "programme_types", "group"),
                              long_codes(raw, "purposes", "group")),
        "format_codextype": (long_codes(raw, "programme_types", "code"),
                             long_column(raw, "article_type")),
    }  # fmt: skip
    for name, (rows, cols) in pairs.items():
        want = expected(rows, cols)
        cells = {(r, c): n for r, c, n in got[name]}
        assert cells == {k: want.get(k, 0) for k in cells}
        assert sum(cells.values()) > 0
    groups = [(r, c) for r, c, _ in got["formatxmotivation"]]
    assert groups == list(product(cb.groups_of("format"), cb.groups_of("motivation")))


def test_the_gap_list_download_names_the_gap_maps_gaps(eb, raw):
    from evidence.export import gaps_table

    table = gaps_table(eb, parse_query("gap_cols=type")[0])
    listed = set(table.loc[table["kind"] == "format x article type", "code"])
    want = expected(long_codes(raw, "formats", "group"), long_column(raw, "article_type"))
    cb = load_codebook()
    gaps = {f"{r} x {c}" for r, c in product(cb.groups_of("format"), cb.article_types)
            if want.get((r, c), 0) == 0}  # fmt: skip
    assert listed == gaps and gaps
