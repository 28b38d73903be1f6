"""The rubric at the resolution it was written (issue 25, item 3): a rule for one code
(liberal x mobility.outbound = tension) reaches the group matrix, and every percentage
that summarises the rubric uses the same rules; a dimension with one group still gives a
matrix of its codes. Expected numbers are counted with pandas from the demo CSV."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from evidence import DEMO_PATH, PROJECT_ROOT, aggregate
from evidence.filters import apply
from evidence.load import load
from evidence.rubric import load_rubric
from evidence.state import parse_query
from evidence.views import VIEWS


@pytest.fixture(scope="module")
def demo():
    return load(DEMO_PATH)


@pytest.fixture(scope="module")
def raw():
    return pd.read_csv(DEMO_PATH, dtype=str, keep_default_na=False)


def _codes(cell: str) -> list[str]:
    tokens = [t.strip() for t in cell.split(";") if t.strip()]
    return list(dict.fromkeys(t if "." in t else f"{t}.unspecified" for t in tokens))


def _pairs(raw: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(article, motivation code, format code) of every article's code pairs."""
    return [(aid, m, f) for aid, ms, fs in zip(raw["id"], raw["motivations"], raw["formats"],
                                               strict=True)
            for m in _codes(ms) for f in _codes(fs)]  # fmt: skip


def _cell(matrix, motivation, fmt):
    return matrix[(matrix["motivation"] == motivation) & (matrix["format"] == fmt)].iloc[0]


def test_a_code_rule_marks_its_group_cell_mixed_with_the_code_verdicts(demo, raw):
    rubric = load_rubric()
    assert rubric.status("liberal.understanding", "mobility.outbound")[0] == "tension"
    assert rubric.status("liberal", "mobility")[0] == "aligned"
    cell = _cell(aggregate.alignment_matrix(demo), "liberal", "mobility")
    assert cell["status"] == "mixed"
    outbound = {a for a, m, f in _pairs(raw)
                if m.startswith("liberal.") and f == "mobility.outbound"}  # fmt: skip
    assert f"Outbound mobility ({len(outbound)})" in cell["rationale"]
    assert cell["rationale"].startswith("Tension") or "Tension:" in cell["rationale"]


def test_filtered_to_outbound_the_cell_follows_the_code_rules(demo, raw):
    rubric = load_rubric()
    state = parse_query("format=mobility.outbound")[0]
    cell = _cell(aggregate.alignment_matrix(apply(demo, state)), "liberal", "mobility")
    kept = raw[raw["formats"].map(lambda c: "mobility.outbound" in _codes(c))]
    pairs = [(a, m, f) for a, m, f in _pairs(kept)
             if m.startswith("liberal.") and f.startswith("mobility.")]  # fmt: skip
    verdicts = {rubric.status(m, f)[0] for _, m, f in pairs}
    assert pairs and cell["n_articles"] == len({a for a, _, _ in pairs})
    assert "tension" in verdicts
    expected = verdicts.pop() if len(verdicts) == 1 else "mixed"
    assert cell["status"] == expected != "aligned"  # before: "aligned" (the group rule)
    n_out = len({a for a, _, f in pairs if f == "mobility.outbound"})
    assert (
        f"Tension: International understanding × Outbound mobility ({n_out})" in cell["rationale"]
    )


@pytest.mark.parametrize("query", ["", "year=2010-2020", "format=mobility.outbound"])
def test_the_takeaway_counts_code_pairs_by_the_same_rules(demo, raw, query):
    rubric = load_rubric()
    state = parse_query(query)[0]
    sub = apply(demo, state)
    ids = set(sub.articles["article_id"])
    tally: dict[str, int] = {}
    for aid, m, f in _pairs(raw):
        if aid in ids:
            status = rubric.status(m, f)[0]
            tally[status] = tally.get(status, 0) + 1
    total = sum(tally.values())
    aligned = tally.get("aligned", 0) / total
    tension = (tally.get("tension", 0) + tally.get("misaligned", 0)) / total
    text = VIEWS["alignment"].takeaway(sub, state)
    assert text.startswith(f"{aligned:.0%} of ") and f"aligned, {tension:.0%} in" in text


ONE_GROUP = """\
name: One purpose
dimensions:
  activity:
    role: format
    label: Activity
    groups:
      course: {label: Courses, colour: "#0072B2", codes: {short: {label: Short course}, long: {label: Long course}}}
      visit: {label: Visits, colour: "#D55E00", codes: {site: {label: Site visit}}}
  aim:
    role: motivation
    label: Aim
    groups:
      learning: {label: Learning, colour: "#009E73", codes: {skills: {label: Skills}, knowledge: {label: Knowledge}}}
"""
ONE_GROUP_DATA = """\
id,title,year,author_countries,activity,aim
a1,One,2010,France,course.short,learning.skills
a2,Two,2011,Kenya,course.long;visit.site,learning.knowledge
a3,Three,2012,Peru,visit.site,learning.skills;learning.knowledge
"""
SCRIPT = """
from evidence.load import load
from evidence.state import FilterState
from evidence.views import VIEWS
data, fig = VIEWS["alignment"].build(load({data!r}), FilterState())
print(sorted(set(data["motivation"])), sorted(set(data["format"])))
print(int(data["n_articles"].sum()))
"""


def test_a_dimension_with_one_group_gives_a_matrix_of_its_codes(tmp_path):
    (tmp_path / "codebook.yaml").write_text(ONE_GROUP, encoding="utf-8")
    (tmp_path / "alignment_rubric.yaml").write_text("default: not_assessed\nrules: []\n")
    (tmp_path / "articles.csv").write_text(ONE_GROUP_DATA, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOME_")}
    env["IOME_CODEBOOK"] = str(tmp_path / "codebook.yaml")
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(data=str(tmp_path / "articles.csv"))],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows, total = done.stdout.strip().splitlines()
    assert "['learning.knowledge', 'learning.skills', 'learning.unspecified']" in rows
    assert "course.short" in rows and "visit.site" in rows
    # a1: skills x short; a2: knowledge x long, knowledge x site; a3: 2 aims x site
    assert int(total) == 5
