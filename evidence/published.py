"""The review's published figures as rules that can be recomputed on any evidence base.

Each figure id in ``data/reference/published_figures.csv`` has one small rule here: a
function of an :class:`~evidence.model.EvidenceBase` returning a boolean mask over
``eb.articles`` (one entry per article). ``check`` recomputes every figure and says
whether it matches the published value, so the demo data, and any real re-coding of the
review, can be held against the paper (Wu et al., Med Sci Educ 2022,
doi:10.1007/s40670-022-01553-6). Percentages are always of all articles in ``eb``.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from evidence import REFERENCE_DIR
from evidence.codebook import load_codebook
from evidence.model import EvidenceBase

PUBLISHED_PATH = REFERENCE_DIR / "published_figures.csv"
ANGLO_SAXON = frozenset({"USA", "GBR", "CAN", "AUS", "NZL", "IRL"})
APPROXIMATE_TOLERANCE = 1.0  # percentage points
PRECISIONS = ("exact", "approximate", "lower_bound")
CHECK_COLUMNS = [
    "figure_id", "what_is_counted", "precision", "published_n", "published_pct", "found_n",
    "found_pct", "match",
]  # fmt: skip

Rule = Callable[[EvidenceBase], pd.Series]


# --- building blocks: each returns a boolean Series aligned with eb.articles ---------------
def _mask(eb: EvidenceBase, article_ids) -> pd.Series:
    """True for the articles whose id is in ``article_ids``."""
    return eb.articles["article_id"].isin(pd.Index(article_ids))


def _all(eb: EvidenceBase) -> pd.Series:
    return pd.Series(True, index=eb.articles.index)


def _codes(eb: EvidenceBase, dimension: str) -> pd.DataFrame:
    codes = eb.article_codes
    return codes[codes["dimension"] == dimension]


def _with_code(eb: EvidenceBase, code: str) -> pd.Series:
    """Articles coded with a format code, e.g. ``mobility.outbound``."""
    fmt = _codes(eb, "format")
    return _mask(eb, fmt.loc[fmt["code"] == code, "article_id"])


def _with_group(eb: EvidenceBase, group: str) -> pd.Series:
    """Articles with any format code of a group (``<group>.unspecified`` included)."""
    fmt = _codes(eb, "format")
    return _mask(eb, fmt.loc[fmt["group"] == group, "article_id"])


def _with_motivation(eb: EvidenceBase, code: str) -> pd.Series:
    mot = _codes(eb, "motivation")
    return _mask(eb, mot.loc[mot["code"] == code, "article_id"])


def _origin_hic(eb: EvidenceBase) -> pd.Series:
    """First author country high income in the year of publication."""
    return eb.articles["origin_income"].eq("H")


def _languages(eb: EvidenceBase) -> pd.Series:
    """Each article's set of languages (main text and abstract); none given means English."""
    return (
        eb.articles["languages"]
        .fillna("")
        .map(
            lambda s: (
                frozenset(x.strip() for x in str(s).split(";") if x.strip()) or frozenset({"en"})
            )
        )
    )


def _journal_is(name: str) -> Rule:
    def rule(eb: EvidenceBase) -> pd.Series:
        return eb.articles["journal"].fillna("").str.strip().str.casefold().eq(name.casefold())

    return rule


def _type_is(article_type: str) -> Rule:
    def rule(eb: EvidenceBase) -> pd.Series:
        return eb.articles["article_type"].eq(article_type)

    return rule


def _code_rule(code: str) -> Rule:
    return lambda eb: _with_code(eb, code)


def _group_rule(group: str) -> Rule:
    return lambda eb: _with_group(eb, group)


# --- rules that need more than one table -----------------------------------------------
def years_2000_2005(eb: EvidenceBase) -> pd.Series:
    """Published 2000 to 2005 inclusive."""
    return eb.articles["year"].astype(int).between(2000, 2005)


def language_english(eb: EvidenceBase) -> pd.Series:
    """English is the only language (no other-language text or abstract)."""
    return _languages(eb).map(lambda langs: langs == {"en"})


def language_other(eb: EvidenceBase) -> pd.Series:
    """No English at all, neither main text nor abstract."""
    return _languages(eb).map(lambda langs: "en" not in langs)


def author_anglo_saxon(eb: EvidenceBase) -> pd.Series:
    """Any author country among the six Anglo-Saxon countries."""
    ac = eb.article_countries
    hits = ac.loc[(ac["role"] == "author") & ac["iso3"].isin(ANGLO_SAXON), "article_id"]
    return _mask(eb, hits)


def mobility_bilateral_or_inbound(eb: EvidenceBase) -> pd.Series:
    """Coded bilateral exchange or inbound mobility (or both)."""
    return _with_code(eb, "mobility.bilateral") | _with_code(eb, "mobility.inbound")


def mobility_bilateral_lmic_hic(eb: EvidenceBase) -> pd.Series:
    """Bilateral exchanges with a flow between a LMIC and a HIC, either way, at publication."""
    flows = eb.flows
    linking = flows.loc[flows["direction"].isin(("N>S", "S>N")), "article_id"]
    return _with_code(eb, "mobility.bilateral") & _mask(eb, linking)


def mobility_inbound_hic_authors(eb: EvidenceBase) -> pd.Series:
    """Inbound mobility articles whose first author country is high income."""
    return _with_code(eb, "mobility.inbound") & _origin_hic(eb)


def motivation_social_transformation_hic(eb: EvidenceBase) -> pd.Series:
    """Social-transformation articles whose first author country is high income."""
    return _with_motivation(eb, "social.transformation") & _origin_hic(eb)


def motivation_liberal_primary(eb: EvidenceBase) -> pd.Series:
    """Primary (first listed) motivation in the liberal model."""
    mot = _codes(eb, "motivation")
    primary = mot["primary"].astype(bool)
    return _mask(eb, mot.loc[primary & (mot["group"] == "liberal"), "article_id"])


RULES: dict[str, Rule] = {
    "included_articles": _all,
    "journal_academic_medicine": _journal_is("Academic Medicine"),
    "journal_bmc_medical_education": _journal_is("BMC Medical Education"),
    "journal_medical_teacher": _journal_is("Medical Teacher"),
    "years_2000_2005": years_2000_2005,
    "type_research": _type_is("research"),
    "type_learning_objectives": _type_is("learning_objectives"),
    "language_english": language_english,
    "language_other": language_other,
    "author_anglo_saxon": author_anglo_saxon,
    "partnership_any": _group_rule("partnership"),
    "partnership_north_south": _code_rule("partnership.north_south"),
    "partnership_south_south": _code_rule("partnership.south_south"),
    "partnership_consortium": _code_rule("partnership.consortium"),
    "partnership_north_north": _code_rule("partnership.north_north"),
    "mobility_bilateral_or_inbound": mobility_bilateral_or_inbound,
    "mobility_bilateral": _code_rule("mobility.bilateral"),
    "mobility_bilateral_lmic_hic": mobility_bilateral_lmic_hic,
    "mobility_inbound": _code_rule("mobility.inbound"),
    "mobility_inbound_hic_authors": mobility_inbound_hic_authors,
    "mobility_outbound": _code_rule("mobility.outbound"),
    "mobility_clinical": _code_rule("mobility.clinical"),
    "mobility_preclinical": _code_rule("mobility.preclinical"),
    "at_home_any": _group_rule("at_home"),
    "at_home_credit_course": _code_rule("at_home.credit_course"),
    "at_home_extracurricular": _code_rule("at_home.extracurricular"),
    "at_home_gh_course": _code_rule("at_home.gh_course"),
    "at_home_gh_curriculum": _code_rule("at_home.gh_curriculum"),
    "standards_global": _code_rule("standards.global"),
    "motivation_social_transformation": lambda eb: _with_motivation(eb, "social.transformation"),
    "motivation_social_transformation_hic": motivation_social_transformation_hic,
    "motivation_liberal_primary": motivation_liberal_primary,
}


def published_figures() -> pd.DataFrame:
    """The reference table of published figures (one row per figure id)."""
    frame = pd.read_csv(PUBLISHED_PATH, dtype={"figure_id": str}, keep_default_na=False)
    for col in ("n", "pct"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    frame["n"] = frame["n"].astype("Int64")
    return frame


def figure_mask(eb: EvidenceBase, figure_id: str) -> pd.Series:
    """Boolean mask over ``eb.articles`` of the articles a figure counts."""
    try:
        rule = RULES[figure_id]
    except KeyError:
        raise KeyError(f"no rule for published figure '{figure_id}'") from None
    return rule(eb).astype(bool)


def compute_figure(eb: EvidenceBase, figure_id: str) -> tuple[int, float]:
    """Count of articles a figure counts and its percentage of all articles (nan if none)."""
    count = int(figure_mask(eb, figure_id).sum())
    total = eb.n_articles
    return count, (100.0 * count / total if total else float("nan"))


def figure_matches(
    precision: str, published_n, published_pct, found_n: int, found_pct: float
) -> bool:
    """Whether a recomputed figure agrees with the published one.

    exact: the counts are equal; approximate: the percentages differ by at most one
    point; lower_bound: the percentage is above the published one.
    """
    if precision == "exact":
        return not pd.isna(published_n) and int(published_n) == found_n
    if pd.isna(published_pct) or pd.isna(found_pct):
        return False
    if precision == "approximate":
        return abs(found_pct - float(published_pct)) <= APPROXIMATE_TOLERANCE
    if precision == "lower_bound":
        return found_pct > float(published_pct)
    raise ValueError(f"unknown precision '{precision}'")


def check(eb: EvidenceBase, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Recompute every published figure on ``eb`` and compare (one row per figure)."""
    if not load_codebook().is_default:  # the figures count the IoME scheme's codes
        return pd.DataFrame(columns=CHECK_COLUMNS)
    figures = published_figures() if figures is None else figures
    rows = []
    for fig in figures.itertuples(index=False):
        found_n, found_pct = compute_figure(eb, fig.figure_id)
        rows.append(
            {
                "figure_id": fig.figure_id,
                "what_is_counted": fig.what_is_counted,
                "precision": fig.precision,
                "published_n": fig.n,
                "published_pct": fig.pct,
                "found_n": found_n,
                "found_pct": found_pct,
                "match": figure_matches(fig.precision, fig.n, fig.pct, found_n, found_pct),
            }
        )
    out = pd.DataFrame(rows, columns=CHECK_COLUMNS)
    out["published_n"] = out["published_n"].astype("Int64")
    return out
