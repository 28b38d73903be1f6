"""Where the evidence comes from: articles per country, by the country role on screen."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evidence import aggregate
from evidence.aggregate._engine import articles_with, position_of, source_of
from evidence.aggregate.map import CountryCounts, country_counts, involving_at
from evidence.codebook import load_codebook
from evidence.countries import FIRST_FY, LATEST_FY, _income_matrix, _runs, region_members
from evidence.figures.map import MapMarks, map_figure
from evidence.memo import PerBase
from evidence.views.base import Chart, View, click_words, custom, pct, toggle


def income_history(iso3: pd.Series, years: tuple[int, int]) -> pd.Series:
    """Each country's income group over publication years ``years`` in words: "Low
    income" when it never changed, else its periods, "Low income 2000-2013, lower-middle
    2014-2020" (publication years; the group of FY = year + 1). "" when unknown."""
    words = history_words(iso3.to_numpy(dtype=object), years)
    return pd.Series(words, index=iso3.index, dtype=object, name="income_history")


def history_words(iso3: np.ndarray, years: tuple[int, int]) -> np.ndarray:
    """:func:`income_history` as an object array: each country's words are worked out
    once per year range (a new range: the countries whose group never changed in it at
    once, the others by their runs)."""
    years = (int(years[0]), int(years[1]))
    groups = load_codebook().income_groups
    # by range and by the groups' words (a codebook of an upload may word them its way)
    key = (years, tuple((g, v.get("label"), v.get("short")) for g, v in groups.items()))
    with _HISTORY_LOCK:
        known = _HISTORY.pop(key, {})
        _HISTORY[key] = known  # most recently used last
        while len(_HISTORY) > _HISTORY_SIZE:
            _HISTORY.pop(next(iter(_HISTORY)))
    codes = [c if isinstance(c, str) else "" if pd.isna(c) else str(c) for c in iso3]
    missing = sorted(set(codes) - known.keys())
    if missing:
        new = _new_history_words(missing, years)
        with _HISTORY_LOCK:
            known.update(new)
    out = np.empty(len(codes), dtype=object)
    out[:] = [known[c] for c in codes]
    return out


def _new_history_words(codes: list[str], years: tuple[int, int]) -> dict[str, str]:
    """The income-history words of ``codes`` over ``years``, as :func:`evidence.countries.
    income_periods` gives their runs: a country whose group is the same in every fiscal
    year of the range gets that group's label ("" when unclassified), all at once off
    the income matrix; only the others' runs are found one by one."""
    groups = load_codebook().income_groups
    matrix, position, vocab = _income_codes()
    span = list(range(years[0], years[1] + 1))
    rows = np.array([position.get(c.strip().upper(), -1) for c in codes], dtype=np.intp)
    if not span:
        return dict.fromkeys(codes, "")
    block = matrix[rows][:, np.clip(np.array(span) + 1, FIRST_FY, LATEST_FY) - FIRST_FY]
    constant = (block == block[:, :1]).all(axis=1)
    label = [groups.get(g, {}).get("label", "Unclassified") if g else "" for g in vocab]
    firsts = block[:, 0].tolist()
    out = {}
    for i, c in enumerate(codes):
        if rows[i] < 0:
            out[c] = ""
        elif constant[i]:
            out[c] = label[firsts[i]]
        else:
            out[c] = _history_text(_runs([vocab[k] for k in block[i].tolist()], span), groups)
    return out


def _history_text(runs, groups: dict) -> str:
    """Income runs ``((group, from, to), ...)`` in words."""
    if not runs:
        return ""
    if len(runs) == 1:
        return groups.get(runs[0][0], {}).get("label", "Unclassified")
    parts = []
    for i, (g, a, b) in enumerate(runs):
        name = groups.get(g, {}).get("label" if i == 0 else "short", "unclassified")
        parts.append(f"{name if i == 0 else name.lower()} {a if a == b else f'{a}-{b}'}")
    return ", ".join(parts)


@functools.cache
def _income_codes() -> tuple[np.ndarray, dict[str, int], list[str]]:
    """The income matrix (economy x fiscal year, gaps filled) as small integer codes,
    each economy's row and the groups the codes stand for ("" first: unclassified)."""
    frame = _income_matrix()
    values = frame.to_numpy(dtype=object)
    vocab = ["", *sorted({str(v) for v in values.ravel()} - {""})]
    code = {g: i for i, g in enumerate(vocab)}
    matrix = np.array([[code[str(v)] for v in row] for row in values], dtype=np.int8)
    position = {c: i for i, c in enumerate(frame.index)}
    return matrix, position, vocab


# Income-history words by year range (and the groups' words), then by country: the same
# for every filter.
_HISTORY: dict[tuple, dict[str, str]] = {}
_HISTORY_SIZE = 64
_HISTORY_LOCK = threading.Lock()


@functools.lru_cache(maxsize=256)
def _members(region: str) -> frozenset[str]:
    return frozenset(region_members(region))


def selected_countries(state) -> set[str]:
    """The countries the map's selection holds: the Countries filter, and the members of
    the Regions filter."""
    return set(state.country).union(*(_members(r) for r in state.region))


NOTHING_TO_SELECT = "No articles: nothing to select"


def click_texts(picked: np.ndarray, n: np.ndarray, only: bool) -> np.ndarray:
    """What a click on each country does, in words (its hover line): a selected country
    is removed, another selects its ``n`` articles, one without any selects nothing.
    Worked out once per distinct count."""
    uniq, inverse = np.unique(n, return_inverse=True)
    table = [click_words(False, v, only=only) if v else NOTHING_TO_SELECT for v in uniq.tolist()]
    out = np.empty(len(table), dtype=object)
    out[:] = table
    out = out[inverse.reshape(-1)]
    out[picked] = click_words(True, only=only)
    return out


def _clicks(iso3: np.ndarray, n: np.ndarray, state) -> tuple[np.ndarray, np.ndarray]:
    """Per country, whether the map's selection holds it, and what a click does. A click
    selects the country in the Countries filter's role: ``n`` is the count that role
    gives (n_involving), not necessarily the count the map colours by."""
    chosen = selected_countries(state)
    picked = np.zeros(len(iso3), dtype=bool)
    if chosen:
        picked[:] = np.fromiter((c in chosen for c in iso3), dtype=bool, count=len(iso3))
    only = len(state.country) + len(state.region) == 1
    return picked, click_texts(picked, n, only)


@dataclass(frozen=True)
class _Map:
    """The map's numbers for a state: the counts, the involving counts, the income
    history over ``years`` (None: the latest groups) and what the map draws."""

    counts: CountryCounts
    n_involving: np.ndarray | None
    history: np.ndarray | None
    years: tuple[int, int] | None
    marks: MapMarks

    def frame(self, chosen: bool) -> pd.DataFrame:
        """The chart's data: the counts, with the involving counts, the income history
        and (with a selection) which countries are selected."""
        frame = self.counts.frame()
        extra: dict = {}
        if self.n_involving is not None:
            extra["n_involving"] = self.n_involving
        if self.history is not None:
            extra["income_history"] = self.history
        if chosen:
            extra["selected"] = self.marks.selected
        return frame.assign(**extra) if extra else frame


_COUNTS = PerBase(size=8)


def _counts(sub, state) -> CountryCounts:
    """:func:`country_counts` of ``sub`` in the map's role, remembered for the last few
    (evidence, role, classification): a click's map and its sentence count once. (A
    subset is never changed once made.)"""
    return _COUNTS.get(
        sub,
        (state.role, state.income),
        lambda: country_counts(sub, role=state.role, classification=state.income),
    )


def _map_of(sub, state) -> _Map:
    """The map's numbers, from the engine's arrays (no frame)."""
    counts = _counts(sub, state)
    involving = involving_at(sub, state.country_role, counts.iso3) if len(counts) else None
    years = history = None
    if state.income == "year" and len(counts) and sub.n_articles:
        # Over the years on screen: the year filter, else the years of the articles.
        years = state.year or _year_span(sub)
        words = history_words(counts.iso3, years)
        history = np.where(words != "", words, counts.income_label)
    picked, click = _clicks(counts.iso3, counts.n_articles if involving is None else involving,
                            state)  # fmt: skip
    marks = MapMarks(
        iso3=counts.iso3, name=counts.name,
        income=counts.income_label if history is None else history,
        n_articles=counts.n_articles, n_involving=involving, click=click, selected=picked,
    )  # fmt: skip
    return _Map(counts, involving, history, years, marks)


def _year_span(sub) -> tuple[int, int]:
    """The first and last publication years of ``sub``'s articles."""
    src = source_of(sub)
    years = src.memo(("map_years",), lambda: src.root.articles["year"].to_numpy(dtype=float))
    if src.mask is not None:
        years = years[src.mask]
    return int(np.nanmin(years)), int(np.nanmax(years))


def _figure(found: _Map, state):
    return map_figure(
        found.marks, role=state.role, history_years=found.years,
        filter_role=state.country_role, selection=bool(state.country or state.region),
    )  # fmt: skip


def build(sub, state):
    """The map's data (the counts by country) and figure."""
    found = _map_of(sub, state)
    return found.frame(bool(state.country or state.region)), _figure(found, state)


def figure(sub, state):
    """The map's figure alone (the screen's click path: no data frame)."""
    return _figure(_map_of(sub, state), state)


def _role_share_high(sub, state) -> tuple[int, float]:
    """Articles naming a country in the state's role, and the share of them naming a
    high-income country in that role (the root's coded rows under the subset's mask)."""
    src = source_of(sub)
    table, col = "article_countries", "income" if state.income == "year" else "income_latest"

    def articles(income: str | None) -> np.ndarray:
        c_role, u_role = src.codes(table, "role")
        rows = c_role == position_of(u_role, state.role)
        if income is not None:
            c_income, u_income = src.codes(table, col)
            rows &= c_income == position_of(u_income, income)
        return articles_with(src, table, rows)

    n = src.count_in(src.memo(("role_articles", state.role), lambda: articles(None)))
    key = ("role_articles", state.role, col, "H")
    high = src.count_in(src.memo(key, lambda: articles("H")))
    return n, (high / n if n else 0.0)


def _top(counts: CountryCounts, n: int) -> list[tuple[str, int]]:
    """:func:`evidence.aggregate.top_countries` of the counts' arrays (no frame)."""
    values = counts.n_articles
    rows = np.flatnonzero(values > 0)
    rows = rows[np.argsort(-values[rows], kind="stable")[: max(n, 0)]]
    return [(counts.name[i], int(values[i])) for i in rows]


def takeaway(sub, state) -> str:
    """The map's sentence, by the role the map shows (origin, any author or setting)."""
    top = _top(_counts(sub, state), n=3)
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
    (Chart("map", "Where the evidence comes from", build, takeaway, click=click, figure=figure,
           own=("country", "region"), depends=("role",), height=430, screen="filled",
           row_point=lambda r: ({"location": r["iso3"], "customdata": [r["iso3"]]}, r["name"]),
           label="World map of article counts"),),
)  # fmt: skip
