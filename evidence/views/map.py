"""Where the evidence comes from: articles per country, by the country role on screen."""

from __future__ import annotations

import threading

import pandas as pd

from evidence import aggregate
from evidence.codebook import load_codebook
from evidence.countries import income_periods, region_members
from evidence.figures.map import build_map_figure
from evidence.views.base import Chart, View, click_words, custom, pct, toggle


def income_history(iso3: pd.Series, years: tuple[int, int]) -> pd.Series:
    """Each country's income group over publication years ``years`` in words: "Low
    income" when it never changed, else its periods, "Low income 2000-2013, lower-middle
    2014-2020" (publication years; the group of FY = year + 1). "" when unknown."""
    groups = load_codebook().income_groups

    def words(runs) -> str:
        if len(runs) == 1:
            return groups.get(runs[0][0], {}).get("label", "Unclassified")
        parts = []
        for i, (g, a, b) in enumerate(runs):
            name = groups.get(g, {}).get("label" if i == 0 else "short", "unclassified")
            parts.append(f"{name if i == 0 else name.lower()} {a if a == b else f'{a}-{b}'}")
        return ", ".join(parts)

    years = (int(years[0]), int(years[1]))
    with _HISTORY_LOCK:
        known = _HISTORY.pop(years, {})
        _HISTORY[years] = known  # most recently used last
        while len(_HISTORY) > _HISTORY_SIZE:
            _HISTORY.pop(next(iter(_HISTORY)))
    codes = iso3.astype(object).where(iso3.notna(), "").astype(str)
    missing = pd.Series(sorted(set(codes) - known.keys()), dtype=object)
    if len(missing):  # each country's words are worked out once per year range
        periods = income_periods(missing, *years)
        new = {c: words(runs) if runs else "" for c, runs in zip(missing, periods, strict=True)}
        with _HISTORY_LOCK:
            known.update(new)
    return codes.map(known).rename("income_history")


# Income-history words by year range, then by country: the same for every filter.
_HISTORY: dict[tuple[int, int], dict[str, str]] = {}
_HISTORY_SIZE = 64
_HISTORY_LOCK = threading.Lock()


def selected_countries(state) -> set[str]:
    """The countries the map's selection holds: the Countries filter, and the members of
    the Regions filter."""
    return set(state.country) | {c for r in state.region for c in region_members(r)}


def with_clicks(counts: pd.DataFrame, state) -> pd.DataFrame:
    """``counts`` with what a click on each country does, in words (its hover line), and
    whether it is selected. ``counts`` are counted without the map's own selection
    (Chart.own) in the role the Countries filter matches, so a country's count is the
    number of articles a click selecting it alone gives."""
    chosen = selected_countries(state)
    picked = counts["iso3"].isin(chosen).to_numpy()
    only = len(state.country) + len(state.region) == 1
    # A click selects the country in the Countries filter's role: its count is the one
    # that role gives (n_involving), not necessarily the count the map colours by.
    column = "n_involving" if "n_involving" in counts.columns else "n_articles"
    words = [
        click_words(bool(p), int(n), only=only) if p or n else "No articles: nothing to select"
        for p, n in zip(picked, counts[column], strict=True)
    ]
    return counts.assign(selected=picked, click=words)


def build(sub, state):
    counts = aggregate.counts_by_country(sub, role=state.role, classification=state.income)
    if len(counts):
        involving = aggregate.involving_counts(sub, state.country_role).reindex(counts["iso3"])
        counts = counts.assign(n_involving=involving.fillna(0).astype(int).to_numpy())
    years = None
    if state.income == "year" and len(counts) and sub.n_articles:
        # Over the years on screen: the year filter, else the years of the articles.
        years = state.year or (int(sub.articles["year"].min()), int(sub.articles["year"].max()))
        history = income_history(counts["iso3"], years)
        counts = counts.assign(income_history=history.where(history != "", counts["income_label"]))
    counts = with_clicks(counts, state)
    chosen = bool(state.country or state.region)
    fig = build_map_figure(
        counts, role=state.role, history_years=years, filter_role=state.country_role,
        selection=chosen,
    )  # fmt: skip
    return counts.drop(columns=["click"] if chosen else ["click", "selected"]), fig


def _role_share_high(sub, state) -> tuple[int, float]:
    """Articles naming a country in the state's role, and the share of them naming a
    high-income country in that role."""
    ac = sub.article_countries
    col = "income" if state.income == "year" else "income_latest"
    in_role = ac["role"].to_numpy() == state.role
    ids = ac["article_id"].to_numpy()[in_role]
    high = ac[col].to_numpy()[in_role] == "H"
    n = len(pd.unique(ids))
    return n, (len(pd.unique(ids[high])) / n if n else 0.0)


def takeaway(sub, state) -> str:
    """The map's sentence, by the role the map shows (origin, any author or setting)."""
    top = aggregate.top_countries(
        aggregate.counts_by_country(sub, role=state.role, classification=state.income), n=3
    )
    cb = load_codebook()
    country = cb.roles[state.role]["country"]
    if not top:
        return f"No article names a {country}."
    names = ", ".join(f"{name} ({n})" for name, n in top)
    if state.role == "origin":
        side = pct(aggregate.share_from_side(sub, "north", classification=state.income))
        return (f"By {country}: {side} of articles come from high-income "
                f"countries; most from {names}.")  # fmt: skip
    n, share = _role_share_high(sub, state)
    if state.role == "author" and country != "any author's country":  # a scheme's own roles
        return (f"By {country}: {pct(share)} of articles have one in a high-income country; "
                f"most often {names}.")  # fmt: skip
    if state.role == "author":
        return (f"By any author's country: {pct(share)} of articles have an author in a "
                f"high-income country; most often {names}.")  # fmt: skip
    return (f"By setting country: {pct(share)} of the {n:,} articles with a setting country "
            f"have one in a high-income country; most in {names}.")  # fmt: skip


def click(state, point, add: bool = False):
    """A country: the Countries filter (in the map's role) is that country alone (the
    Regions filter, also the map's selection, cleared), or with ``add`` gains it; a
    selected country is removed. A country without articles (grey:
    its hover says so) is not a filter: a click there changes nothing."""
    data = custom(point)
    iso3 = point.get("location") or (data[0] if data else None)
    if not iso3:
        return state
    # nothing to select: no article in the filter's role (its count when the row has it)
    empty = len(data) > 3 and data[4 if len(data) > 4 else 3] == 0
    if empty and iso3 not in state.country:
        return state
    if not add and iso3 not in state.country:  # the map's selection: that country alone
        return state.with_values(country=(iso3,), region=())
    return state.with_values(country=toggle(state.country, iso3, add))


VIEW = View(
    "map",
    "Where the evidence comes from",
    "Articles per country; click a country to filter every view (Shift-click to add "
    "another).",
    (Chart("map", "Where the evidence comes from", build, takeaway, click=click,
           own=("country", "region"), depends=("role",), height=430, screen="filled",
           row_point=lambda r: ({"location": r["iso3"], "customdata": [r["iso3"]]}, r["name"]),
           label="World map of article counts"),),
)  # fmt: skip
