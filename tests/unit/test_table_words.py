"""The page's words: data tables name columns and codes as the codebook does, and every
term of art has an explanation."""

import pandas as pd

from components.about import TERMS, glossary
from evidence.codebook import load_codebook
from evidence.table_words import readable


def test_a_flow_table_reads_in_words_and_keeps_every_row():
    data = pd.DataFrame(
        {"origin": ["USA", "KEN"], "destination": ["KEN", "GBR"],
         "origin_name": ["United States", "Kenya"], "destination_name": ["Kenya", "United Kingdom"],
         "n_articles": [5, 2], "direction": ["N>S", "S>N"]}
    )  # fmt: skip
    out = readable(data, "flows")
    assert list(out.columns) == ["From (origin)", "To (destination)", "Articles",
                                 "Direction (income groups)"]  # fmt: skip
    cb = load_codebook()
    assert out["Direction (income groups)"].tolist() == [
        cb.directions["N>S"]["label"],
        cb.directions["S>N"]["label"],
    ]
    assert len(out) == len(data)


def test_an_income_matrix_names_its_rows_and_columns():
    data = pd.DataFrame([[3, 58], [18, 1]], index=pd.Index(["H", "L"], name="origin"),
                        columns=pd.Index(["H", "L"], name="destination"))  # fmt: skip
    out = readable(data, "flow-matrix")
    assert list(out.columns)[1:] == ["High income", "Low income"]
    assert out.iloc[:, 0].tolist() == ["High income", "Low income"]


def test_every_term_and_model_is_explained_and_one_label_per_code():
    words = glossary()
    assert all(words[t.lower()] for t in TERMS)
    cb = load_codebook()
    for group in cb.groups.values():
        assert words.get(group.short.lower()), group.name
    social = [c for c in cb.codes.values() if c.group == "social" and "unspecified" not in c.code]
    assert {c.label for c in social} <= {cb.groups["social"].short}
