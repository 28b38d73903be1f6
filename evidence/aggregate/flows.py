"""The flow views' aggregates: country pairs, income-group matrix, direction classes,
net and region flows, and the arc maps' helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence import filters
from evidence.aggregate._engine import (
    Counter,
    Fallback,
    Source,
    articles_with,
    counter_of,
    factorised,
    frame_of,
    memo,
    names_lookup,
    nunique,
    points_or_default,
    position_of,
    ranks,
    small,
    source_of,
    source_target,
    suffix,
    table_of,
    table_source,
    vocabulary,
)
from evidence.codebook import load_codebook
from evidence.countries import WB_REGIONS, country_name, wb_region_of, wb_region_points
from evidence.memo import PerBase
from evidence.model import DIRECTIONS, INCOME_GROUPS, EvidenceBase

PAIR_COLUMNS = [
    "origin", "destination", "origin_name", "destination_name", "n_articles", "direction",
    "lon0", "lat0", "lon1", "lat1",
]  # fmt: skip


# --------------------------------------------------------------------------- pairs
def _pairs(
    eb: EvidenceBase,
    table: str,
    source: str,
    target: str,
    classification: str,
    points: pd.DataFrame | None,
    names: Mapping | Callable | None,
) -> pd.DataFrame:
    """Distinct articles per (source, target, direction), with names and coordinates."""
    direction = "direction" + suffix(classification)
    src = source_of(eb)
    if src is not None:
        try:
            return _pairs_fast(src, table, source, target, direction, points, names)
        except Fallback:
            pass
    frame = getattr(eb, table)
    return _pairs_generic(frame, source, target, classification, points, names)


def flows_by_pair(
    eb: EvidenceBase,
    classification: str = "year",
    points: pd.DataFrame | None = None,
    names: Mapping | Callable | None = None,
) -> pd.DataFrame:
    """Mobility flows per origin -> destination pair, most articles first.

    A pair whose two countries fall in different direction classes over the years (an
    income group changed) yields one row per class. Pairs with a country that has no map
    point are dropped and counted in ``attrs["n_unplaced_pairs"]`` /
    ``attrs["n_unplaced_articles"]``; flows with an unknown country in
    ``attrs["n_unknown_country_rows"]``.

    Returns:
        DataFrame[origin, destination, origin_name, destination_name, n_articles,
        direction, lon0, lat0, lon1, lat1].
    """
    return _pairs(eb, "flows", "origin", "destination", classification, points, names)


def partner_pairs(
    eb: EvidenceBase,
    classification: str = "year",
    points: pd.DataFrame | None = None,
    names: Mapping | Callable | None = None,
) -> pd.DataFrame:
    """Partnerships per lead -> partner pair, in the same columns as :func:`flows_by_pair`
    (``origin`` = lead institution's country, ``destination`` = partner's)."""
    return _pairs(eb, "partnerships", "lead", "partner", classification, points, names)


def direction_matrix(
    frame: pd.DataFrame | EvidenceBase,
    what: str = "flows",
    classification: str = "year",
) -> pd.DataFrame:
    """Income group of origin (rows) x destination (columns): distinct articles per cell.

    ``frame`` is a tidy flows or partnerships table (lead x partner is detected from its
    columns) or an evidence base, in which case ``what`` picks the table. All 4 x 4 cells
    are present in the order H, UM, LM, L, zeros kept; rows with an unclassified income
    group are left out and counted in ``attrs["n_unclassified_articles"]``.
    """
    if isinstance(frame, EvidenceBase):
        eb, frame = frame, table_of(frame, what)
        src, table = source_of(eb), what
    else:
        src, table = table_source(frame)
    sfx = suffix(classification)
    if src is not None and table in ("flows", "partnerships"):
        try:
            return _direction_matrix_fast(src, table, sfx)
        except Fallback:
            pass
    return _direction_matrix_generic(frame, what, classification)


def direction_counts(
    eb: EvidenceBase, what: str = "flows", classification: str = "year"
) -> pd.DataFrame:
    """Distinct articles per direction class (all five classes, zeros kept).

    Returns:
        DataFrame[direction, label, n_articles] in codebook order.
    """
    table_of(eb, what)
    col = "direction" + suffix(classification)
    src = source_of(eb)
    if src is not None:
        try:
            return _direction_counts_fast(src, what, col)
        except Fallback:
            pass
    return _direction_counts_generic(eb, what, classification)


# --------------------------------------------------------------------------- fast path
@dataclass(frozen=True)
class _Triples:
    """The distinct (source, target, direction) combinations of a root table."""

    counter: Counter  # key: triple number; rows with two known countries only
    inverse: np.ndarray  # per row: triple number
    known: np.ndarray  # per row: both countries known
    source: np.ndarray  # per triple: source country code
    target: np.ndarray
    direction: np.ndarray  # per triple: direction code
    unknown_articles: np.ndarray  # articles with rows with an unknown country...
    unknown_rows: np.ndarray  # ...and how many such rows each


def _triples(src: Source, table: str, source: str, target: str, dcol: str) -> _Triples:
    def build() -> _Triples:
        c_s, u_s = factorised(src, table, source)
        c_t, u_t = factorised(src, table, target)
        c_d, u_d = factorised(src, table, dcol)
        if not all(d in DIRECTIONS for d in u_d):
            raise Fallback  # the reference sorts unknown classes as missing values
        nt, nd = max(len(u_t), 1), max(len(u_d), 1)
        triple = (c_s.astype(np.int64) * nt + c_t) * nd + c_d
        uniq, inverse = np.unique(triple, return_inverse=True)
        inverse = small(inverse.reshape(-1))
        t_source, t_target, t_dir = uniq // (nt * nd), (uniq // nd) % nt, uniq % nd
        blank_s, blank_t = position_of(u_s, ""), position_of(u_t, "")
        known = ((t_source != blank_s) & (t_target != blank_t))[inverse]
        counter = counter_of(
            src, ("triples", source, target, dcol), table, (source, target, dcol),
            lambda: (inverse, len(uniq), known),
        )  # fmt: skip
        per_article = np.bincount(src.idx.positions(table)[~known], minlength=src.idx.n)
        unknown = np.flatnonzero(per_article)
        return _Triples(
            counter, inverse, known, t_source, t_target, t_dir, unknown, per_article[unknown]
        )

    return memo(src, ("triples", table, source, target, dcol), build)


def _default_names(uniques: np.ndarray) -> np.ndarray:
    from evidence.countries import country_name

    return np.array([country_name(c) if c else "" for c in uniques], dtype=object)


def _coordinates(points: pd.DataFrame, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of each code as the reference's ``Series.map`` gives them."""
    lon, lat = points["lon"], points["lat"]
    if lon.dtype != np.float64 or lat.dtype != np.float64 or not points.index.is_unique:
        raise Fallback
    where = points.index.get_indexer(pd.Index(codes, dtype=object))
    lon_v = np.where(where >= 0, lon.to_numpy()[where], np.nan)
    lat_v = np.where(where >= 0, lat.to_numpy()[where], np.nan)
    return lon_v, lat_v


def _pairs_fast(
    src: Source,
    table: str,
    source: str,
    target: str,
    dcol: str,
    points: pd.DataFrame | None,
    names: Mapping | Callable | None,
) -> pd.DataFrame:
    tri = _triples(src, table, source, target, dcol)
    n_tri = tri.counter.count(tri.counter.kept(src))
    present = np.flatnonzero(n_tri)
    if not len(present):
        raise Fallback  # empty result: let the reference shape it
    _, u_s = factorised(src, table, source)
    _, u_t = factorised(src, table, target)
    _, u_d = factorised(src, table, dcol)
    ps, pt = tri.source[present], tri.target[present]
    if points is None:
        pts = points_or_default(None)

        def coords(uniques: np.ndarray) -> np.ndarray:
            return np.stack(_coordinates(pts, uniques))

        cs = vocabulary(src, table, source, f"points{id(pts)}", coords)
        ct = vocabulary(src, table, target, f"points{id(pts)}", coords)
        lon0, lat0, lon1, lat1 = cs[0][ps], cs[1][ps], ct[0][pt], ct[1][pt]
    else:
        lon0, lat0 = _coordinates(points, u_s[ps])
        lon1, lat1 = _coordinates(points, u_t[pt])
    placed = ~(np.isnan(lon0) | np.isnan(lat0) | np.isnan(lon1) | np.isnan(lat1))

    n_unplaced_pairs = n_unplaced_articles = 0
    if not placed.all():
        nt = max(len(u_t), 1)
        dropped = np.unique(ps[~placed] * nt + pt[~placed])
        n_unplaced_pairs = len(dropped)
        bad = np.isin(tri.source * nt + tri.target, dropped)[tri.inverse] & tri.known
        rows = src.rows(table)
        n_unplaced_articles = len(articles_with(src, table, bad if rows is None else bad & rows))
    if src.mask is None:
        n_unknown = int(tri.unknown_rows.sum())
    else:
        n_unknown = int(tri.unknown_rows[src.mask[tri.unknown_articles]].sum())

    keep = present[placed]
    ks, kt = tri.source[keep], tri.target[keep]
    origin, destination = u_s[ks], u_t[kt]
    direction = u_d[tri.direction[keep]]
    n = n_tri[keep].astype(np.int64)
    rank_s = vocabulary(src, table, source, "rank", ranks)
    rank_t = vocabulary(src, table, target, "rank", ranks)
    rank_d = np.array([DIRECTIONS.index(d) for d in direction], dtype=np.intp)
    order = np.lexsort((rank_t[kt], rank_s[ks], rank_d, -n))
    if names is None:
        origin_name = vocabulary(src, table, source, "names", _default_names)[ks]
        destination_name = vocabulary(src, table, target, "names", _default_names)[kt]
    else:
        lookup = names_lookup(names)
        origin_name = lookup(pd.Series(origin, dtype=object)).to_numpy()
        destination_name = lookup(pd.Series(destination, dtype=object)).to_numpy()
    out = frame_of(
        {
            "origin": origin[order],
            "destination": destination[order],
            "origin_name": origin_name[order],
            "destination_name": destination_name[order],
            "n_articles": n[order],
            "direction": direction[order],
            "lon0": lon0[placed][order],
            "lat0": lat0[placed][order],
            "lon1": lon1[placed][order],
            "lat1": lat1[placed][order],
        }
    )
    out.attrs["n_unplaced_pairs"] = n_unplaced_pairs
    out.attrs["n_unplaced_articles"] = n_unplaced_articles
    out.attrs["n_unknown_country_rows"] = n_unknown
    return out


def _direction_matrix_fast(src: Source, table: str, sfx: str) -> pd.DataFrame:
    s, t = ("lead", "partner") if table == "partnerships" else ("origin", "destination")
    a, b = f"{s}_income{sfx}", f"{t}_income{sfx}"
    k = len(INCOME_GROUPS)

    def cells() -> tuple[np.ndarray, int, np.ndarray]:
        c_a, u_a = factorised(src, table, a)
        c_b, u_b = factorised(src, table, b)
        groups = list(INCOME_GROUPS)
        g_a = np.array([groups.index(x) if x in groups else -1 for x in u_a] + [-1], np.intp)
        g_b = np.array([groups.index(x) if x in groups else -1 for x in u_b] + [-1], np.intp)
        row_a, row_b = g_a[c_a], g_b[c_b]
        ok = (row_a >= 0) & (row_b >= 0)
        return np.where(ok, row_a * k + row_b, 0), k * k, ok  # small: k * k codes

    counter = counter_of(src, ("matrix", a, b), table, (a, b), cells)

    def unclassified() -> np.ndarray:
        _, _, ok = cells()
        bad = np.zeros(src.idx.n, dtype=bool)
        bad[articles_with(src, table, ~ok)] = True
        bad[articles_with(src, table, ok)] = False
        return np.flatnonzero(bad)

    only_bad = memo(src, ("unclassified", table, a, b), unclassified)
    matrix = pd.DataFrame(
        counter.count(counter.kept(src)).astype(np.int64).reshape(k, k),
        index=pd.Index(list(INCOME_GROUPS), name=s),
        columns=pd.Index(list(INCOME_GROUPS), name=t),
    )
    matrix.attrs["n_unclassified_articles"] = src.count_in(only_bad)
    return matrix


def _direction_counts_fast(src: Source, table: str, col: str) -> pd.DataFrame:
    codes, uniques = factorised(src, table, col)
    counter = counter_of(src, ("values", col), table, (col,), lambda: (codes, len(uniques), None))
    n = counter.count(counter.kept(src))
    labels = {k: v["label"] for k, v in load_codebook().directions.items()}
    at = [position_of(uniques, d) for d in DIRECTIONS]
    return frame_of(
        {
            "direction": np.array(DIRECTIONS, dtype=object),
            "label": np.array([labels.get(d, d) for d in DIRECTIONS], dtype=object),
            "n_articles": np.array([n[i] if i >= 0 else 0 for i in at], dtype=np.int64),
        }
    )


# --------------------------------------------------------------------------- reference
# The generic pandas implementation: plain pandas on the given (already filtered) tables.
def _pairs_generic(
    frame: pd.DataFrame,
    source: str,
    target: str,
    classification: str,
    points: pd.DataFrame | None,
    names: Mapping | Callable | None,
) -> pd.DataFrame:
    direction = "direction" + suffix(classification)
    known = frame[(frame[source] != "") & (frame[target] != "")]
    pairs = known[[source, target, direction, "article_id"]].rename(
        columns={source: "origin", target: "destination", direction: "direction"}
    )
    n = nunique(pairs, ["origin", "destination", "direction"]).rename("n_articles")
    out = n.reset_index()
    pts = points_or_default(points)
    lon, lat = pts["lon"], pts["lat"]
    out["lon0"], out["lat0"] = out["origin"].map(lon), out["origin"].map(lat)
    out["lon1"], out["lat1"] = out["destination"].map(lon), out["destination"].map(lat)
    placed = out[["lon0", "lat0", "lon1", "lat1"]].notna().all(axis=1)
    dropped = out[~placed]
    out = out[placed].copy()
    lookup = names_lookup(names)
    out["origin_name"] = lookup(out["origin"])
    out["destination_name"] = lookup(out["destination"])
    # Unknown classes sort as missing values, after the five classes.
    known_class = out["direction"].where(out["direction"].isin(DIRECTIONS))
    out["direction"] = pd.Categorical(known_class, categories=DIRECTIONS)
    out = out.sort_values(
        ["n_articles", "direction", "origin", "destination"],
        ascending=[False, True, True, True],
        kind="stable",
    )
    out["direction"] = out["direction"].astype(str)
    out = out[PAIR_COLUMNS].reset_index(drop=True)
    unplaced = pairs.merge(dropped[["origin", "destination"]].drop_duplicates())
    out.attrs["n_unplaced_pairs"] = len(dropped[["origin", "destination"]].drop_duplicates())
    out.attrs["n_unplaced_articles"] = int(unplaced["article_id"].nunique())
    out.attrs["n_unknown_country_rows"] = int(len(frame) - len(known))
    return out


def _direction_matrix_generic(
    frame: pd.DataFrame | EvidenceBase,
    what: str = "flows",
    classification: str = "year",
) -> pd.DataFrame:
    if isinstance(frame, EvidenceBase):
        frame = table_of(frame, what)
    sfx = suffix(classification)
    src, dst = source_target(frame)
    a, b = f"{src}_income{sfx}", f"{dst}_income{sfx}"
    ok = frame[a].isin(INCOME_GROUPS) & frame[b].isin(INCOME_GROUPS)
    cells = nunique(frame.loc[ok, [a, b, "article_id"]], [a, b])
    matrix = (
        cells.unstack(fill_value=0)
        .reindex(index=list(INCOME_GROUPS), columns=list(INCOME_GROUPS), fill_value=0)
        .astype(int)
    )
    matrix.index.name, matrix.columns.name = src, dst
    bad = frame.loc[~ok, "article_id"]
    bad = bad[~bad.isin(frame.loc[ok, "article_id"])]
    matrix.attrs["n_unclassified_articles"] = int(bad.nunique())
    return matrix


def _direction_counts_generic(
    eb: EvidenceBase, what: str = "flows", classification: str = "year"
) -> pd.DataFrame:
    frame = table_of(eb, what)
    col = "direction" + suffix(classification)
    n = nunique(frame, [col]).reindex(list(DIRECTIONS), fill_value=0)
    labels = {k: v["label"] for k, v in load_codebook().directions.items()}
    return pd.DataFrame(
        {
            "direction": list(DIRECTIONS),
            "label": [labels.get(d, d) for d in DIRECTIONS],
            "n_articles": n.to_numpy().astype(int),
        }
    )


# --------------------------------------------------------------------------- arc maps
_LARGEST = PerBase()


def _root(eb: EvidenceBase) -> EvidenceBase:
    """The unfiltered evidence base ``eb`` was filtered from (itself when unknown)."""
    found = filters.lineage(eb)
    return found[0] if found is not None and found[2] is None else eb


def largest_pair(eb: EvidenceBase, what: str = "flows") -> int:
    """Articles of the largest pair in the loaded data (before any filter), which fixes
    the arc maps' width scale while filters change. ``what``: "flows", "partnerships" or
    "regions" (flows between World Bank regions, one region to another)."""
    root = _root(eb)

    def build() -> int:
        if what == "regions":
            pairs = region_flows(root)
            pairs = pairs[pairs["origin"] != pairs["destination"]]
        else:
            pairs = flows_by_pair(root) if what == "flows" else partner_pairs(root)
        return int(pairs["n_articles"].max()) if len(pairs) else 1

    return _LARGEST.get(root, what, build)


def pair_kinds(flows: pd.DataFrame) -> pd.Series:
    """The kinds of mobility coded for each origin -> destination pair, in words
    ("Outbound, Clinical"), indexed by (origin, destination)."""
    if flows.empty or "kinds" not in flows.columns:
        return pd.Series(dtype=object)
    cb = load_codebook()
    order = {c: i for i, c in enumerate(cb.codes)}
    # Plain sets per pair: a groupby with a Python aggregate costs ~50x more here.
    found: dict[tuple[str, str], set[str]] = {}
    for o, d, kinds in zip(flows["origin"], flows["destination"], flows["kinds"], strict=True):
        codes = found.setdefault((o, d), set())
        if isinstance(kinds, str) and kinds:
            codes.update(k for k in kinds.split(";") if k in order)
    words = {
        pair: ", ".join(cb.kind_label(c) for c in sorted(codes, key=order.__getitem__))
        for pair, codes in found.items()
        if codes
    }
    if not words:
        return pd.Series(dtype=object)
    index = pd.MultiIndex.from_tuples(list(words), names=["origin", "destination"])
    return pd.Series(list(words.values()), index=index, name="kind", dtype=object)


def focus_ranking(
    eb: EvidenceBase, focus: str, what: str = "flows", classification: str = "year"
) -> dict:
    """The pairs into and out of one country, ranked by distinct articles.

    Returns ``{"in": [(name, n), ...], "out": [...], "n_in", "n_in_north", "n_out",
    "n_out_north"}``: for flows, "in" are the origins of students coming to ``focus`` and
    "out" the destinations of its students; for partnerships, "in" are the leads of
    partnerships with ``focus`` as partner and "out" the partners it leads. ``n_in`` counts
    the distinct articles of the incoming pairs and ``n_in_north`` those with a
    high-income other end (likewise for ``out``).
    """
    src, dst = ("origin", "destination") if what == "flows" else ("lead", "partner")
    table = eb.flows if what == "flows" else eb.partnerships
    sfx = suffix(classification)
    out: dict = {}
    for side, here, there in (("in", dst, src), ("out", src, dst)):
        rows = table[(table[here] == focus) & (table[there] != focus)]
        per = rows.groupby(there, sort=False)["article_id"].nunique()
        ranked = sorted(per.items(), key=lambda kv: (-kv[1], country_name(kv[0])))
        out[side] = [(country_name(c), int(n)) for c, n in ranked]
        out[f"n_{side}"] = int(rows["article_id"].nunique())
        north = rows[rows[f"{there}_income{sfx}"] == "H"]
        out[f"n_{side}_north"] = int(north["article_id"].nunique())
    return out


def pairs_touching(pairs: pd.DataFrame, iso3: str) -> pd.DataFrame:
    """The pairs into or out of one country."""
    return pairs[(pairs["origin"] == iso3) | (pairs["destination"] == iso3)]


def net_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """Net flows: one row per pair of countries, from the side that sends more.

    ``n_articles`` becomes the difference (A → B minus B → A), ``n_forward`` and
    ``n_back`` keep the two counts, and ``direction`` is the class of the side drawn.
    Pairs whose two sides are equal are left out (``attrs["n_balanced"]`` counts them).
    A pair split over two direction classes (an income group changed) is summed first.
    """
    cols = ["origin", "destination"]
    if pairs.empty:
        return pairs.assign(n_forward=pd.Series(dtype=int), n_back=pd.Series(dtype=int))
    first = pairs.sort_values("n_articles", ascending=False, kind="stable")
    keep = first.drop_duplicates(cols)  # names, points and class of each ordered pair
    sums = pairs.groupby(cols, sort=False)["n_articles"].sum()
    keep = keep.assign(n_forward=sums.reindex(pd.MultiIndex.from_frame(keep[cols])).to_numpy())
    back = sums.reindex(pd.MultiIndex.from_arrays([keep["destination"], keep["origin"]]))
    keep = keep.assign(n_back=back.fillna(0).astype(int).to_numpy())
    net = keep["n_forward"] - keep["n_back"]
    out = keep[net > 0].assign(n_articles=net[net > 0].astype(int))
    out.attrs["n_balanced"] = int(((net == 0) & (keep["origin"] < keep["destination"])).sum())
    return out.sort_values("n_articles", ascending=False, kind="stable").reset_index(drop=True)


def region_flows(eb: EvidenceBase, classification: str = "year") -> pd.DataFrame:
    """Mobility flows per World Bank region pair, in the columns of :func:`flows_by_pair`
    (``origin`` / ``destination`` are region URL values, e.g. "north-america"; the points
    are the median of the region's country points).

    ``n_articles`` counts the distinct articles with a flow from a country of one region
    to a country of the other (what the ``region_flow`` filter keeps); ``direction`` is
    the class most of those articles' flows have. Flows within one region are kept as
    rows with the same origin and destination (the map cannot draw them).
    """
    cols = ["origin", "destination", "origin_name", "destination_name", "n_articles",
            "direction", "lon0", "lat0", "lon1", "lat1"]  # fmt: skip
    flows = eb.flows
    if flows.empty:
        return pd.DataFrame(columns=cols)
    region, centre = wb_region_of(), wb_region_points()
    dcol = "direction" + suffix(classification)
    rows = pd.DataFrame(
        {
            "article_id": flows["article_id"].to_numpy(),
            "origin": flows["origin"].map(region).to_numpy(),
            "destination": flows["destination"].map(region).to_numpy(),
            "direction": flows[dcol].to_numpy(),
        }
    ).dropna(subset=["origin", "destination"])
    if rows.empty:
        return pd.DataFrame(columns=cols)
    per = rows.groupby(["origin", "destination"], sort=False)["article_id"].nunique()
    major = (
        rows.drop_duplicates(["origin", "destination", "article_id", "direction"])
        .groupby(["origin", "destination", "direction"], sort=False)
        .size()
        .reset_index(name="k")
        .sort_values(["k", "direction"], ascending=[False, True], kind="stable")
        .drop_duplicates(["origin", "destination"])
        .set_index(["origin", "destination"])["direction"]
    )
    out = per.rename("n_articles").reset_index()
    out["direction"] = major.reindex(
        pd.MultiIndex.from_frame(out[["origin", "destination"]])
    ).to_numpy()
    out["origin_name"] = out["origin"].map(WB_REGIONS)
    out["destination_name"] = out["destination"].map(WB_REGIONS)
    for end, (lon, lat) in (("origin", ("lon0", "lat0")), ("destination", ("lon1", "lat1"))):
        out[lon] = out[end].map(centre["lon"]).round(3)
        out[lat] = out[end].map(centre["lat"]).round(3)
    out = out.sort_values(["n_articles", "origin", "destination"],
                          ascending=[False, True, True], kind="stable")  # fmt: skip
    return out[cols].reset_index(drop=True)
