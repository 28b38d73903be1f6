"""The flow views' aggregates: country pairs (flows and partnerships), the income-group
matrix, direction classes, net and region flows, and the arc maps' helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from evidence import filters
from evidence.aggregate._engine import (
    Counter,
    Source,
    articles_with,
    counter_of,
    frame_of,
    names_lookup,
    points_or_default,
    position_of,
    ranks,
    small,
    source_of,
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
_CLASS_RANK = {d: i for i, d in enumerate(DIRECTIONS)}  # any other class sorts last


# --------------------------------------------------------------------------- pairs
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
    ``attrs["n_unknown_country_rows"]``. Rows with a missing country or class count
    nowhere; a class outside the five is shown as missing and sorted after them.

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
    columns, attrs, _ = _pair_arrays(eb, table, source, target, classification, points, names)
    out = frame_of(columns)
    out.attrs.update(attrs)
    return out


_PAIR_ENDS = {"flows": ("origin", "destination"), "partnerships": ("lead", "partner")}


def pair_arrays(
    eb: EvidenceBase, what: str = "flows", classification: str = "year"
) -> dict[str, np.ndarray]:
    """The rows of :func:`flows_by_pair` (``what="flows"``) or :func:`partner_pairs`
    (``"partnerships"``) as plain arrays, one per column, with no DataFrame (an arc
    map's screen path: one mask and a ``bincount`` per click); for flows, a ``kinds``
    column too, the kinds of mobility of each pair in words (as :func:`pair_kinds` gives
    them, "" for none). Default points and names; no ``attrs``."""
    table_of(eb, what)
    source, target = _PAIR_ENDS[what]
    columns, _, triples = _pair_arrays(eb, what, source, target, classification, None, None,
                                       with_attrs=False)  # fmt: skip
    if what == "flows" and "kinds" in eb.flows.columns and len(eb.flows):
        columns["kinds"] = _kinds_of(eb, columns, triples, "direction" + suffix(classification))
    return columns


def _kinds_of(eb: EvidenceBase, columns: dict, triples: np.ndarray, dcol: str) -> np.ndarray:
    """The kinds of mobility in words of the pairs of the given triples (of the flows'
    origin, destination and ``dcol``), over the flows of ``eb``; "" for none."""
    src = source_of(eb)
    found = src.memo(("pair_kinds",), lambda: _kind_bits(src.root.flows))
    if found is None:  # more kinds than bits: row by row (pair_kinds)
        keys = pd.MultiIndex.from_arrays([columns["origin"], columns["destination"]])
        return pair_kinds(eb.flows).reindex(keys).fillna("").to_numpy(dtype=object)
    pair, bits, ends, words_of = found
    tri = _triples(src, "flows", "origin", "destination", dcol)

    def pair_of_triple() -> np.ndarray:
        out = np.zeros(len(tri.source), dtype=np.int64)
        out[tri.inverse] = pair
        return out

    of_triple = src.memo(("pair_of_triple", dcol), pair_of_triple)
    kept = src.rows("flows")
    if kept is not None:
        pair, bits = pair[kept], bits[kept]
    union = np.zeros(len(ends), dtype=np.int64)
    np.bitwise_or.at(union, pair, bits)
    masks, inverse = np.unique(union[of_triple[triples]], return_inverse=True)
    words = np.array([words_of(int(m)) for m in masks], dtype=object)
    return words[inverse.reshape(-1)]


def _pair_arrays(
    eb: EvidenceBase,
    table: str,
    source: str,
    target: str,
    classification: str,
    points: pd.DataFrame | None,
    names: Mapping | Callable | None,
    *,
    with_attrs: bool = True,
) -> tuple[dict[str, object], dict[str, int], np.ndarray]:
    """The columns of :func:`_pairs`, its attrs (when ``with_attrs``) and each row's
    triple number (:func:`_triples`)."""
    dcol = "direction" + suffix(classification)
    src = source_of(eb)
    tri = _triples(src, table, source, target, dcol)
    kept = tri.counter.kept(src)
    n_tri = tri.counter.count(kept)
    present = np.flatnonzero(n_tri)
    if not len(present) and not with_attrs:  # no pair: empty arrays (typed only in frames)
        return {c: np.empty(0, dtype=object) for c in PAIR_COLUMNS}, {}, present
    _, u_s = src.codes(table, source)
    _, u_t = src.codes(table, target)
    _, u_d = src.codes(table, dcol)
    ps, pt = tri.source[present], tri.target[present]
    columns = getattr(src.root, table)

    def keys(values: np.ndarray, column: str) -> pd.Series:
        """Country codes as pandas groups them: text, or, when no pair is counted, of the
        table's own type (which then types every empty column as pandas would)."""
        return pd.Series(values, dtype="str" if len(present) else columns[column].dtype)

    if points is None and len(present):
        pts = points_or_default(None)

        def coords(uniques: np.ndarray) -> np.ndarray:
            return np.stack(_coordinates(pts, pd.Series(uniques, dtype=object)))

        cs = vocabulary(src, table, source, f"points{id(pts)}", coords)
        ct = vocabulary(src, table, target, f"points{id(pts)}", coords)
        lon0, lat0, lon1, lat1 = cs[0][ps], cs[1][ps], ct[0][pt], ct[1][pt]
    else:
        pts = points_or_default(points)
        lon0, lat0 = _coordinates(pts, keys(u_s[ps], source))
        lon1, lat1 = _coordinates(pts, keys(u_t[pt], target))
    placed = ~(_isna(lon0) | _isna(lat0) | _isna(lon1) | _isna(lat1))

    n_unplaced_pairs = n_unplaced_articles = n_unknown = 0
    if with_attrs and not placed.all():
        nt = len(u_t) + 1
        dropped = np.unique(ps[~placed].astype(np.int64) * nt + pt[~placed])
        n_unplaced_pairs = len(dropped)
        pair = tri.source.astype(np.int64) * nt + tri.target
        bad = np.isin(pair, dropped)[tri.inverse] & tri.known
        rows = src.rows(table)
        n_unplaced_articles = len(articles_with(src, table, bad if rows is None else bad & rows))
    if with_attrs:
        unknown = tri.unknown_rows  # per article with such rows, how many
        if src.mask is not None:
            unknown = unknown[src.mask[tri.unknown_articles]]
        n_unknown = int(unknown.sum())

    keep = present[placed]
    ks, kt = tri.source[keep], tri.target[keep]
    origin, destination = u_s[ks], u_t[kt]
    direction = u_d[tri.direction[keep]]
    n = n_tri[keep].astype(np.int64)
    rank_s = vocabulary(src, table, source, "rank", ranks)
    rank_t = vocabulary(src, table, target, "rank", ranks)
    rank_of_code = np.array([_CLASS_RANK.get(d, len(DIRECTIONS)) for d in u_d], dtype=np.intp)
    rank_d = rank_of_code[tri.direction[keep]]  # a counted triple has a known class code
    other = rank_d == len(DIRECTIONS)
    if other.any():  # shown as missing, in a text column even when all of them are
        direction = pd.array(np.where(other, None, direction), dtype="str")
    # Rows tie only on two other classes of one pair: then the pair met first comes first.
    tie = keep if np.count_nonzero(other) < 2 else tri.counter.first_rows(kept)[keep]
    order = np.lexsort((tie, rank_t[kt], rank_s[ks], rank_d, -n))
    if names is None and len(keep):
        origin_name = vocabulary(src, table, source, "names", _default_names)[ks]
        destination_name = vocabulary(src, table, target, "names", _default_names)[kt]
    else:
        lookup = names_lookup(names)
        origin_name = lookup(keys(origin, source)).array
        destination_name = lookup(keys(destination, target)).array
    if not len(keep):
        origin, destination = keys(origin, source).array, keys(destination, target).array
    columns = {
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
    attrs = {"n_unplaced_pairs": n_unplaced_pairs, "n_unplaced_articles": n_unplaced_articles,
             "n_unknown_country_rows": n_unknown}  # fmt: skip
    return columns, attrs, keep[order]


def _isna(values) -> np.ndarray:
    """``pd.isna`` of an array (``np.isnan`` for floats, a tenth of its cost)."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return np.isnan(values)
    return pd.isna(values)


@dataclass(frozen=True)
class _Triples:
    """The distinct (source, target, direction) combinations of a root table."""

    counter: Counter  # key: triple number; rows with two known countries and a class
    inverse: np.ndarray  # per row: triple number
    known: np.ndarray  # per row: neither country unknown ("")
    source: np.ndarray  # per triple: source country code
    target: np.ndarray
    direction: np.ndarray  # per triple: direction code
    unknown_articles: np.ndarray  # articles with rows with an unknown country...
    unknown_rows: np.ndarray  # ...and how many such rows each


def _triples(src: Source, table: str, source: str, target: str, dcol: str) -> _Triples:
    def build() -> _Triples:
        c_s, u_s = src.codes(table, source)
        c_t, u_t = src.codes(table, target)
        c_d, u_d = src.codes(table, dcol)
        nt, nd = len(u_t) + 1, len(u_d) + 1  # with the code of a missing value
        triple = (c_s.astype(np.int64) * nt + c_t) * nd + c_d
        uniq, inverse = np.unique(triple, return_inverse=True)
        inverse = small(inverse.reshape(-1))
        t_source, t_target, t_dir = uniq // (nt * nd), (uniq // nd) % nt, uniq % nd
        known = (t_source != position_of(u_s, "")) & (t_target != position_of(u_t, ""))
        complete = (t_source < len(u_s)) & (t_target < len(u_t)) & (t_dir < len(u_d))
        counter = counter_of(
            src, ("triples", source, target, dcol), table, (source, target, dcol),
            lambda: (inverse, len(uniq), (known & complete)[inverse]),
        )  # fmt: skip
        per_article = np.bincount(src.idx.positions(table)[~known[inverse]], minlength=src.idx.n)
        unknown = np.flatnonzero(per_article)
        return _Triples(
            counter, inverse, known[inverse], t_source, t_target, t_dir, unknown,
            per_article[unknown],
        )  # fmt: skip

    return src.memo(("triples", table, source, target, dcol), build)


def _default_names(uniques: np.ndarray) -> np.ndarray:
    return np.array([country_name(c) if c else "" for c in uniques], dtype=object)


def _coordinates(points: pd.DataFrame, codes: pd.Series) -> tuple[ExtensionArray, ExtensionArray]:
    """(lon, lat) of each country code, as ``Series.map`` on the points gives them."""
    return codes.map(points["lon"]).array, codes.map(points["lat"]).array


# --------------------------------------------------------------------------- directions
def direction_matrix(
    frame: pd.DataFrame | EvidenceBase,
    what: str = "flows",
    classification: str = "year",
) -> pd.DataFrame:
    """Income group of origin (rows) x destination (columns): distinct articles per cell.

    ``frame`` is a tidy flows or partnerships table (lead x partner is detected from its
    columns; a table no evidence base holds is counted on its own) or an evidence base,
    in which case ``what`` picks the table. All 4 x 4 cells
    are present in the order H, UM, LM, L, zeros kept; rows with an unclassified income
    group are left out and counted in ``attrs["n_unclassified_articles"]``.
    """
    if isinstance(frame, EvidenceBase):
        table_of(frame, what)
        src, table = source_of(frame), what
    else:
        src, table = table_source(frame)
    sfx = suffix(classification)
    s, t = ("lead", "partner") if table == "partnerships" else ("origin", "destination")
    a, b = f"{s}_income{sfx}", f"{t}_income{sfx}"
    k = len(INCOME_GROUPS)

    def cells() -> tuple[np.ndarray, int, np.ndarray]:
        c_a, u_a = src.codes(table, a)
        c_b, u_b = src.codes(table, b)
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

    only_bad = src.memo(("unclassified", table, a, b), unclassified)
    matrix = pd.DataFrame(
        counter.count(counter.kept(src)).astype(np.int64).reshape(k, k),
        index=pd.Index(list(INCOME_GROUPS), name=s),
        columns=pd.Index(list(INCOME_GROUPS), name=t),
    )
    matrix.attrs["n_unclassified_articles"] = src.count_in(only_bad)
    return matrix


def _check_what(what: str) -> None:
    """:func:`table_of`'s check of ``what``, without making a subset's table (a copy of
    its rows: most of a partnership click's time at 350 articles)."""
    if what not in ("flows", "partnerships"):
        raise ValueError(f"what must be 'flows' or 'partnerships', not {what!r}")


def direction_counts(
    eb: EvidenceBase, what: str = "flows", classification: str = "year"
) -> pd.DataFrame:
    """Distinct articles per direction class (all five classes, zeros kept).

    Returns:
        DataFrame[direction, label, n_articles] in codebook order.
    """
    _check_what(what)  # the table itself is not read: its codes are the root's, masked
    col = "direction" + suffix(classification)
    src = source_of(eb)
    codes, uniques = src.codes(what, col)
    counter = counter_of(
        src, ("values", col), what, (col,), lambda: (codes, len(uniques) + 1, None)
    )
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
    ("Outbound, Clinical"), indexed by (origin, destination) in the order pairs are first
    met. An evidence base's table is read from its root's arrays (each row's pair and
    kinds found once; per click a bitwise or per pair); any other table row by row."""
    if flows.empty or "kinds" not in flows.columns:
        return pd.Series(dtype=object)
    found = filters.lineage(flows)
    if found is None or found[2] != "flows":
        return _pair_kinds_rows(flows)
    src, _ = table_source(flows)
    rows = src.memo(("pair_kinds",), lambda: _kind_bits(src.root.flows))
    if rows is None:  # more kinds than bits: row by row
        return _pair_kinds_rows(flows)
    pair, bits, ends, words_of = rows
    kept = src.rows("flows")
    if kept is not None:
        pair, bits = pair[kept], bits[kept]
    codes, first = np.unique(pair, return_index=True)
    codes = codes[np.argsort(first, kind="stable")]  # in the order first met
    union = np.zeros(len(ends), dtype=np.int64)
    np.bitwise_or.at(union, pair, bits)
    codes = codes[union[codes] != 0]
    if not len(codes):
        return pd.Series(dtype=object)
    index = pd.MultiIndex.from_tuples([ends[c] for c in codes], names=["origin", "destination"])
    words = [words_of(int(m)) for m in union[codes]]
    return pd.Series(words, index=index, name="kind", dtype=object)


def _kind_bits(flows: pd.DataFrame):
    """Per row of a root's flows: its pair's code and a bit per kind coded; the pairs
    (origin, destination) by code; words of a set of bits (cached). None when more kinds
    occur than an int64 holds."""
    cb = load_codebook()
    order = {c: i for i, c in enumerate(cb.codes)}
    kinds = flows["kinds"].to_numpy(dtype=object)
    sets = [[k for k in v.split(";") if k in order] if isinstance(v, str) and v else []
            for v in kinds]  # fmt: skip
    seen = sorted({k for row in sets for k in row}, key=order.__getitem__)
    if len(seen) > 62:
        return None
    bit = {k: 1 << i for i, k in enumerate(seen)}
    bits = np.array([sum(bit[k] for k in set(row)) for row in sets], dtype=np.int64)
    pairs = list(zip(flows["origin"], flows["destination"], strict=True))
    pair, ends = pd.factorize(pd.Series(pairs, dtype=object))
    words = {}

    def words_of(mask: int) -> str:
        if mask not in words:
            words[mask] = ", ".join(cb.kind_label(k) for i, k in enumerate(seen) if mask >> i & 1)
        return words[mask]

    return small(pair), bits, list(ends), words_of


def _pair_kinds_rows(flows: pd.DataFrame) -> pd.Series:
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
