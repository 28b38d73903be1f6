"""Small, presentation-ready frames computed from an (already filtered) evidence base.

Counting rule everywhere: an article counts once in each category it is coded with and
never twice in one cell (distinct ``article_id``). Totals over categories can therefore
exceed the number of articles.

``classification`` chooses the income groups: ``"year"`` uses the group in force at
publication (``*_income``, ``direction``), ``"latest"`` the latest one
(``*_income_latest``, ``direction_latest``).

Country reference data (names, points, economies) come from :mod:`evidence.countries`
unless passed in, so every function can be tested on literal frames.

How the counting is done: one engine (:mod:`evidence.aggregate._engine`) counts on
integer codes of an indexed root evidence base. An evidence base filtered by
:func:`evidence.filters.apply` is an article mask over its root (see
:func:`evidence.filters.lineage`); any other evidence base is its own root, and a table
that no evidence base holds is indexed on its own. Indexing checks, once, what counting
relies on (:func:`evidence.filters.build_index`: unique article ids, every row belonging
to an article). Each table's columns are factorised, a missing value getting a code of
its own that no count includes, and for each counting key a flag marks the first row of
every (article, key) combination. Filters keep or drop all rows of an article together,
so the flagged rows of the kept articles are exactly one row per distinct (article, key)
of the subset, and a distinct-article count becomes a ``np.bincount`` over flagged rows
of the article mask. The plain pandas version of every aggregate is the tests' oracle
(tests/unit/oracle_aggregate.py), which the engine equals, missing values, unknown
direction classes and empty results included.

Each view's aggregates are in their own module (``map``, ``flows``, ``partnerships``,
``alignment``, ``trends``, ``table``), all re-exported here.
"""

from evidence.aggregate._engine import CLASSIFICATIONS, ROLES, SIDES
from evidence.aggregate.alignment import (
    ALIGNMENT_COLUMNS,
    alignment_matrix,
    alignment_takeaway,
    gap_cells,
)
from evidence.aggregate.flows import (
    PAIR_COLUMNS,
    direction_counts,
    direction_matrix,
    flows_by_pair,
    focus_ranking,
    largest_pair,
    net_pairs,
    pair_kinds,
    pairs_touching,
    partner_pairs,
    region_flows,
)
from evidence.aggregate.map import (
    counts_by_country,
    gap_countries,
    income_labels,
    involving_counts,
    top_countries,
)
from evidence.aggregate.partnerships import partnership_summary
from evidence.aggregate.table import (
    articles_table,
    share_from_side,
    share_of_flows,
    share_of_partnerships,
)
from evidence.aggregate.trends import UNCODED, UNCODED_LABEL, trends

__all__ = [
    "ALIGNMENT_COLUMNS",
    "CLASSIFICATIONS",
    "PAIR_COLUMNS",
    "ROLES",
    "SIDES",
    "UNCODED",
    "UNCODED_LABEL",
    "alignment_matrix",
    "alignment_takeaway",
    "articles_table",
    "counts_by_country",
    "direction_counts",
    "direction_matrix",
    "flows_by_pair",
    "focus_ranking",
    "gap_cells",
    "gap_countries",
    "income_labels",
    "involving_counts",
    "largest_pair",
    "net_pairs",
    "pair_kinds",
    "pairs_touching",
    "partner_pairs",
    "partnership_summary",
    "region_flows",
    "share_from_side",
    "share_of_flows",
    "share_of_partnerships",
    "top_countries",
    "trends",
]
