"""The pandas reference for :mod:`evidence.aggregate`: each aggregate in plain pandas on
the given (already filtered) tables, the way they were first written. The engine counts on
integer codes instead; tests/unit/test_aggregate.py checks that every aggregate equals
this oracle (values, columns, dtypes, row order and attrs) on demo, literal and odd
evidence."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from evidence.aggregate import ALIGNMENT_COLUMNS, PAIR_COLUMNS, ROLES, SIDES, UNCODED, UNCODED_LABEL
from evidence.codebook import load_codebook
from evidence.countries import country_name, country_points
from evidence.countries import economies as load_economies
from evidence.model import DIRECTIONS, INCOME_GROUPS, EvidenceBase, side_of
from evidence.rubric import Rubric, load_rubric


# --------------------------------------------------------------------------- helpers
def _suffix(classification: str) -> str:
    if classification not in ("year", "latest"):
        raise ValueError(f"classification must be 'year' or 'latest', not {classification!r}")
    return "" if classification == "year" else "_latest"


def _names_lookup(names: Mapping | Callable | None) -> Callable[[pd.Series], pd.Series]:
    """A vectorised iso3 -> name mapper from a mapping, a function or evidence.countries."""
    names = country_name if names is None else names
    if isinstance(names, Mapping):
        table = names

        def lookup(codes: pd.Series) -> pd.Series:
            return codes.map(table).fillna(codes)

        return lookup
    fn = names

    def lookup(codes: pd.Series) -> pd.Series:
        uniq = pd.unique(codes)
        return codes.map({c: (fn(c) if c else "") for c in uniq})

    return lookup


def _points(points: pd.DataFrame | None) -> pd.DataFrame:
    return country_points() if points is None else points


def _economies(economies: pd.DataFrame | None) -> pd.DataFrame:
    return load_economies() if economies is None else economies


def _nunique(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Distinct articles per key combination."""
    return frame[[*keys, "article_id"]].drop_duplicates().groupby(keys, sort=False).size()


def income_labels() -> dict[str, str]:
    groups = load_codebook().income_groups
    return {g: groups[g]["label"] for g in INCOME_GROUPS if g in groups}


def _table_of(eb: EvidenceBase, what: str) -> pd.DataFrame:
    if what == "flows":
        return eb.flows
    if what == "partnerships":
        return eb.partnerships
    raise ValueError(f"what must be 'flows' or 'partnerships', not {what!r}")


def _source_target(frame: pd.DataFrame) -> tuple[str, str]:
    return ("lead", "partner") if "lead" in frame.columns else ("origin", "destination")


def _keys(level: str, dimension: str) -> list[str]:
    cb = load_codebook()
    if level == "group":
        return cb.groups_of(dimension)
    if level == "code":
        return cb.codes_of(dimension)
    raise ValueError(f"level must be 'group' or 'code', not {level!r}")


# --------------------------------------------------------------------------- aggregates
def counts_by_country(
    eb: EvidenceBase,
    role: str = "origin",
    classification: str = "year",
    economies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    sfx = _suffix(classification)
    econ = _economies(economies)
    ac = eb.article_countries
    ac = ac[(ac["role"] == role) & (ac["iso3"] != "")]
    n = _nunique(ac, ["iso3"]).rename("n_articles")

    # Former states (e.g. SUN, YUG) and places outside any UN region (Antarctica) are
    # not gaps: they appear only when an article names them.
    keep = econ["un_region"].fillna("").astype(str) != ""
    if "former" in econ.columns:
        keep &= ~econ["former"].astype(str).str.lower().isin(["true", "1"])
    keep |= econ.index.isin(ac["iso3"])
    econ = econ[keep]
    ref = pd.DataFrame(
        {
            "iso3": econ.index.astype(str),
            "name": econ["name"].to_numpy(),
            "income": econ["income_latest"].fillna("").to_numpy(),
            "region": econ["un_region"].fillna("").to_numpy(),
        }
    )
    extra = ac.loc[~ac["iso3"].isin(ref["iso3"]), ["iso3", "income_latest", "region"]]
    if len(extra):
        extra = extra.drop_duplicates("iso3").rename(columns={"income_latest": "income"})
        extra.insert(1, "name", extra["iso3"])
        ref = pd.concat([ref, extra[ref.columns]], ignore_index=True)

    out = ref.merge(n, left_on="iso3", right_index=True, how="left")
    out["n_articles"] = out["n_articles"].fillna(0).astype(int)
    if sfx == "" and len(ac):
        per = ac.loc[ac["income"] != "", ["iso3", "income", "article_id"]].drop_duplicates()
        mode = (
            per.groupby(["iso3", "income"], sort=False)
            .size()
            .reset_index(name="k")
            .sort_values(["iso3", "k"], ascending=[True, False], kind="stable")
            .drop_duplicates("iso3")
            .set_index("iso3")["income"]
        )
        has_mode = out["iso3"].isin(mode.index)
        out.loc[has_mode, "income"] = out.loc[has_mode, "iso3"].map(mode)
    out["income"] = out["income"].fillna("").astype(str)
    out["income_label"] = out["income"].map(income_labels()).fillna("Unclassified")
    out = out.sort_values(["n_articles", "name"], ascending=[False, True], kind="stable")
    return out[["iso3", "name", "n_articles", "income", "income_label", "region"]].reset_index(
        drop=True
    )


def top_countries(counts: pd.DataFrame, n: int = 3) -> list[tuple[str, int]]:
    top = counts[counts["n_articles"] > 0].nlargest(n, "n_articles", keep="first")
    return list(zip(top["name"], top["n_articles"].astype(int), strict=True))


def _pairs(
    frame: pd.DataFrame,
    source: str,
    target: str,
    classification: str,
    points: pd.DataFrame | None,
    names: Mapping | Callable | None,
) -> pd.DataFrame:
    direction = "direction" + _suffix(classification)
    known = frame[(frame[source] != "") & (frame[target] != "")]
    pairs = known[[source, target, direction, "article_id"]].rename(
        columns={source: "origin", target: "destination", direction: "direction"}
    )
    n = _nunique(pairs, ["origin", "destination", "direction"]).rename("n_articles")
    out = n.reset_index()
    pts = _points(points)
    lon, lat = pts["lon"], pts["lat"]
    out["lon0"], out["lat0"] = out["origin"].map(lon), out["origin"].map(lat)
    out["lon1"], out["lat1"] = out["destination"].map(lon), out["destination"].map(lat)
    placed = out[["lon0", "lat0", "lon1", "lat1"]].notna().all(axis=1)
    dropped = out[~placed]
    out = out[placed].copy()
    lookup = _names_lookup(names)
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


def direction_matrix(
    frame: pd.DataFrame | EvidenceBase,
    what: str = "flows",
    classification: str = "year",
) -> pd.DataFrame:
    if isinstance(frame, EvidenceBase):
        frame = _table_of(frame, what)
    sfx = _suffix(classification)
    src, dst = _source_target(frame)
    a, b = f"{src}_income{sfx}", f"{dst}_income{sfx}"
    ok = frame[a].isin(INCOME_GROUPS) & frame[b].isin(INCOME_GROUPS)
    cells = _nunique(frame.loc[ok, [a, b, "article_id"]], [a, b])
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


def direction_counts(
    eb: EvidenceBase, what: str = "flows", classification: str = "year"
) -> pd.DataFrame:
    frame = _table_of(eb, what)
    col = "direction" + _suffix(classification)
    n = _nunique(frame, [col]).reindex(list(DIRECTIONS), fill_value=0)
    labels = {k: v["label"] for k, v in load_codebook().directions.items()}
    return pd.DataFrame(
        {
            "direction": list(DIRECTIONS),
            "label": [labels.get(d, d) for d in DIRECTIONS],
            "n_articles": n.to_numpy().astype(int),
        }
    )


def partnership_summary(eb: EvidenceBase) -> pd.DataFrame:
    cb = load_codebook()
    codes = cb.groups["partnership"].codes
    ac = eb.article_codes
    ac = ac[(ac["dimension"] == "format") & (ac["group"] == "partnership")]
    n = _nunique(ac, ["code"]).reindex(list(codes), fill_value=0)
    return pd.DataFrame(
        {
            "code": list(codes),
            "label": [cb.label(c) for c in codes],
            "n_articles": n.to_numpy().astype(int),
        }
    )


def alignment_matrix(
    eb: EvidenceBase,
    mode: str = "counts",
    classification: str = "year",
    level: str = "group",
    rubric: Rubric | None = None,
) -> pd.DataFrame:
    if mode not in ("counts", "row_share", "by_income"):
        raise ValueError(f"mode must be 'counts', 'row_share' or 'by_income', not {mode!r}")
    key = "group" if level == "group" else "code"
    motivations, formats = _keys(level, "motivation"), _keys(level, "format")
    ac = eb.article_codes
    mot = ac.loc[ac["dimension"] == "motivation", ["article_id", key]].drop_duplicates()
    fmt = ac.loc[ac["dimension"] == "format", ["article_id", key]].drop_duplicates()
    mot = mot.rename(columns={key: "motivation"})
    fmt = fmt.rename(columns={key: "format"})

    if mode == "by_income":
        col = "origin_income" + _suffix(classification)
        side = eb.articles.set_index("article_id")[col].map({g: side_of(g) for g in INCOME_GROUPS})
        mot = mot.assign(side=mot["article_id"].map(side)).dropna(subset=["side"])
        sides = list(SIDES)
    else:
        mot = mot.assign(side="all")
        sides = ["all"]

    both = mot.merge(fmt, on="article_id")
    cells = both.groupby(["side", "motivation", "format"], sort=False).size()
    rows = mot.groupby(["side", "motivation"], sort=False).size()

    grid = pd.MultiIndex.from_product(
        [sides, motivations, formats], names=["side", "motivation", "format"]
    ).to_frame(index=False)
    grid["n_articles"] = (
        cells.reindex(pd.MultiIndex.from_frame(grid)).fillna(0).astype(int).to_numpy()
    )
    grid["n_row"] = (
        rows.reindex(pd.MultiIndex.from_frame(grid[["side", "motivation"]]))
        .fillna(0)
        .astype(int)
        .to_numpy()
    )
    if mode == "counts":
        denom = np.full(len(grid), eb.n_articles, dtype=float)
    else:
        denom = grid["n_row"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        grid["share"] = np.where(denom > 0, grid["n_articles"] / denom, 0.0)

    table = (rubric or load_rubric()).table(level)
    grid = grid.merge(table, on=["motivation", "format"], how="left")
    cb = load_codebook()
    grid["motivation_label"] = grid["motivation"].map(cb.label)
    grid["format_label"] = grid["format"].map(cb.label)
    if level == "group":
        grid = _code_level_verdicts(grid, alignment_matrix(eb, mode, classification, "code",
                                                           rubric))  # fmt: skip
    return grid[ALIGNMENT_COLUMNS]


def _code_level_verdicts(grid: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    """A group cell whose code pairs get several verdicts: the one verdict of the pairs
    its articles are coded with, else "mixed"; the verdicts listed in the rationale."""
    from evidence.rubric import STATUSES

    cb = load_codebook()
    codes = codes.assign(mg=codes["motivation"].map(lambda c: cb.codes[c].group),
                         fg=codes["format"].map(lambda c: cb.codes[c].group))  # fmt: skip
    grid = grid.copy()
    for (side, mg, fg), pairs in codes.groupby(["side", "mg", "fg"], sort=False):
        if pairs["status"].nunique() < 2:
            continue
        coded = pairs[pairs["n_articles"] > 0]
        shown = coded if coded["status"].nunique() == 1 else pairs
        words = []
        for status in dict.fromkeys(shown["status"]):
            rows = shown[shown["status"] == status]
            if rows["n_articles"].any():
                rows = rows[rows["n_articles"] > 0]
            listed = ", ".join(f"{r.motivation_label} × {r.format_label} ({r.n_articles:,})"
                               for r in rows.itertuples())  # fmt: skip
            words.append(f"{STATUSES[status][0]}: {listed}")
        at = (grid["side"] == side) & (grid["motivation"] == mg) & (grid["format"] == fg)
        one = coded["status"].nunique() == 1
        grid.loc[at, "status"] = coded["status"].iloc[0] if one else "mixed"
        grid.loc[at, "rationale"] = "; ".join(words)
    return grid


def alignment_takeaway(cells: pd.DataFrame) -> str:
    coded = cells[cells["n_articles"] > 0]
    if coded.empty:
        return "No article is coded with both a motivation and a format."
    by_status = coded.groupby("status")["n_articles"].sum()
    total = int(by_status.sum())
    aligned = int(by_status.get("aligned", 0))
    tension = int(by_status.get("tension", 0) + by_status.get("misaligned", 0))
    return (
        f"{aligned / total:.0%} of motivation-format pairings fall in cells the rubric calls "
        f"aligned, {tension / total:.0%} in cells in tension or misaligned."
    )


def trends(
    eb: EvidenceBase, stack: str = "format", year_range: tuple[int, int] | None = None
) -> pd.DataFrame:
    if stack not in ("format", "motivation"):
        raise ValueError(f"stack must be 'format' or 'motivation', not {stack!r}")
    cb = load_codebook()
    groups = [*cb.groups_of(stack), UNCODED]
    years_of = eb.articles.set_index("article_id")["year"]
    if year_range is None:
        if len(years_of) == 0:
            return pd.DataFrame(
                {
                    "year": pd.Series(dtype=int),
                    "group": pd.Series(dtype=object),
                    "label": pd.Series(dtype=object),
                    "n_articles": pd.Series(dtype=int),
                }
            )
        year_range = (int(years_of.min()), int(years_of.max()))
    lo, hi = int(year_range[0]), int(year_range[1])

    ac = eb.article_codes
    coded = ac.loc[ac["dimension"] == stack, ["article_id", "group"]].drop_duplicates()
    uncoded_ids = eb.articles.loc[
        ~eb.articles["article_id"].isin(coded["article_id"]), "article_id"
    ]
    coded = pd.concat(
        [coded, pd.DataFrame({"article_id": uncoded_ids, "group": UNCODED})], ignore_index=True
    )
    coded["year"] = coded["article_id"].map(years_of)
    counts = coded.groupby(["year", "group"], sort=False).size()

    grid = pd.MultiIndex.from_product([range(lo, hi + 1), groups], names=["year", "group"])
    n = counts.reindex(grid, fill_value=0).astype(int)
    out = grid.to_frame(index=False)
    out["label"] = out["group"].map(lambda g: UNCODED_LABEL if g == UNCODED else cb.label(g))
    out["n_articles"] = n.to_numpy()
    return out[["year", "group", "label", "n_articles"]]


def _share_of_links(links: pd.DataFrame, direction: str, classification: str) -> float:
    """Share of the articles with any link (flow or partner pair) that have one in
    ``direction``."""
    col = "direction" + _suffix(classification)
    total = links["article_id"].nunique()
    if total == 0:
        return 0.0
    return links.loc[links[col] == direction, "article_id"].nunique() / total


def share_of_flows(eb: EvidenceBase, direction: str = "N>S", classification: str = "year") -> float:
    return _share_of_links(eb.flows, direction, classification)


def share_of_partnerships(
    eb: EvidenceBase, direction: str = "N>S", classification: str = "year"
) -> float:
    return _share_of_links(eb.partnerships, direction, classification)


def share_from_side(eb: EvidenceBase, side: str = "north", classification: str = "year") -> float:
    if eb.n_articles == 0:
        return 0.0
    col = "origin_income" + _suffix(classification)
    sides = eb.articles[col].map({g: side_of(g) for g in INCOME_GROUPS})
    return float((sides == side).sum() / eb.n_articles)


def gap_countries(
    eb: EvidenceBase,
    role: str = "origin",
    classification: str = "year",
    economies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    counts = counts_by_country(eb, role, classification, economies)
    gaps = counts[counts["n_articles"] == 0]
    return gaps.sort_values("name", kind="stable").reset_index(drop=True)


def flows_by_pair(
    eb: EvidenceBase,
    classification: str = "year",
    points: pd.DataFrame | None = None,
    names: Mapping | Callable | None = None,
) -> pd.DataFrame:
    return _pairs(eb.flows, "origin", "destination", classification, points, names)


def partner_pairs(
    eb: EvidenceBase,
    classification: str = "year",
    points: pd.DataFrame | None = None,
    names: Mapping | Callable | None = None,
) -> pd.DataFrame:
    return _pairs(eb.partnerships, "lead", "partner", classification, points, names)


def gap_cells(eb: EvidenceBase, level: str = "group", rubric: Rubric | None = None) -> pd.DataFrame:
    cells = alignment_matrix(eb, "counts", level=level, rubric=rubric)
    return cells[cells["n_articles"] == 0].reset_index(drop=True)


def involving_counts(eb: EvidenceBase, filter_role: str) -> pd.Series:
    """Distinct articles per country naming it in ``filter_role`` ("any": every role and
    either end of a flow or a partnership); countries with articles only."""
    ac = eb.article_countries
    if filter_role != "any":
        ac = ac[ac["role"] == filter_role]
    frames = [ac[["article_id", "iso3"]]]
    if filter_role == "any":
        for table, ends in (("flows", ("origin", "destination")),
                            ("partnerships", ("lead", "partner"))):  # fmt: skip
            frame = getattr(eb, table)
            frames += [frame[["article_id", end]].set_axis(["article_id", "iso3"], axis=1)
                       for end in ends]  # fmt: skip
    pairs = pd.concat(frames, ignore_index=True).dropna().drop_duplicates()
    return pairs.groupby("iso3")["article_id"].size()


def pair_kinds(flows: pd.DataFrame) -> pd.Series:
    """The kinds coded per (origin, destination) pair in words, pairs in the order first
    met (row by row)."""
    if flows.empty or "kinds" not in flows.columns:
        return pd.Series(dtype=object)
    cb = load_codebook()
    order = {c: i for i, c in enumerate(cb.codes)}
    found: dict = {}
    for o, d, kinds in zip(flows["origin"], flows["destination"], flows["kinds"], strict=True):
        codes = found.setdefault((o, d), set())
        if isinstance(kinds, str) and kinds:
            codes.update(k for k in kinds.split(";") if k in order)
    words = {p: ", ".join(cb.kind_label(c) for c in sorted(cs, key=order.__getitem__))
             for p, cs in found.items() if cs}  # fmt: skip
    if not words:
        return pd.Series(dtype=object)
    index = pd.MultiIndex.from_tuples(list(words), names=["origin", "destination"])
    return pd.Series(list(words.values()), index=index, name="kind", dtype=object)
