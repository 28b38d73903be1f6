"""Another review's scheme by editing the codebook: the faculty-development example
(data/examples/faculty_development) through the CLI and the exports, every number
recomputed from its CSV with pandas, every label from its codebook, nothing of the IoME
scheme; and a bad codebook or rubric reported with file, key and line.

The CLI runs in a subprocess: the codebook is chosen per process (IOME_CODEBOOK), before
the modules that name their controls after it are imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from evidence import PROJECT_ROOT
from evidence.codebook import MAX_GROUPS, CodebookError, load_codebook
from evidence.rubric import RubricError, load_rubric

EXAMPLE = PROJECT_ROOT / "data" / "examples" / "faculty_development"
BOOK, DATA = EXAMPLE / "codebook.yaml", EXAMPLE / "articles.csv"
# Words of the IoME scheme that must never show with another scheme.
IOME_WORDS = ("North-South", "Student mobility", "Market", "Social transformation",
              "Internationalization at home", "Liberal model", "Global standards",
              "Formats", "Motivations")  # fmt: skip


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("IOME_CODEBOOK", "IOME_RUBRIC")}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, env=environ | (env or {}),
                          timeout=300)  # fmt: skip


def leaks(text: str) -> list[str]:
    return [w for w in IOME_WORDS if w in text]


@pytest.fixture(scope="module")
def book():
    return load_codebook(BOOK)


@pytest.fixture(scope="module")
def raw():
    return pd.read_csv(DATA, dtype=str, keep_default_na=False)


def expected_counts(raw: pd.DataFrame, column: str, cb, role: str) -> dict[str, int]:
    """Articles per code and per group, counted with pandas from the CSV's cells."""
    per_code: dict[str, set] = {c: set() for c in cb.codes_of(role)}
    per_group: dict[str, set] = {g: set() for g in cb.groups_of(role)}
    for aid, cell in zip(raw["id"], raw[column], strict=True):
        for token in filter(None, (t.strip() for t in cell.split(";"))):
            code = token if "." in token else f"{token}.unspecified"
            per_code[code].add(aid)
            per_group[code.split(".")[0]].add(aid)
    return {k: len(v) for k, v in (per_code | per_group).items()}


# --------------------------------------------------------------------------- the example
def test_the_example_codebook_has_its_own_dimensions_and_no_flow_groups(book):
    assert book.dim("format").label == "Programme type"
    assert book.dim("motivation").plural == "Purposes"
    assert book.groups_of("format") == ["workshop", "fellowship", "mentoring", "community"]
    assert book.flow_group("mobility") is None and book.flow_group("partnership") is None
    assert not book.is_default and load_codebook().is_default
    rubric = load_rubric(EXAMPLE / "alignment_rubric.yaml", BOOK)
    assert rubric.status("leadership", "workshop.single_session")[0] == "misaligned"


def test_the_example_data_is_synthetic(raw):
    assert (raw["synthetic"] == "true").all()
    assert raw["title"].str.startswith("Synthetic record:").all()


def test_summary_counts_equal_a_pandas_count_of_the_csv(book, raw):
    out = run("summary", str(DATA), "--codebook", str(BOOK), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["n_articles"] == len(raw)
    for role, column in (("format", "programme_types"), ("motivation", "purposes")):
        expected = expected_counts(raw, column, book, role)
        found = data[f"{role}_codes"] | data[f"{role}_groups"]
        assert found == expected
        assert data[f"articles_with_{role}"] == (raw[column] != "").sum()
    assert data["dimensions"]["format"]["plural"] == "Programme types"
    assert data["labels"] == {k: book.label(k) for k in (*book.codes, *book.groups)}
    assert data["articles_by_year"] == {
        str(y): int(n) for y, n in raw["year"].astype(int).value_counts().sort_index().items()
    }
    assert leaks(out.stdout) == []


def test_validate_and_check_on_the_example(raw):
    out = run("validate", str(DATA), "--codebook", str(BOOK))
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{len(raw)} rows read, {len(raw)} loaded, 0 rejected; 0 errors" in out.stdout
    # The IoME codebook does not know the example's codes: every row is rejected.
    assert run("validate", str(DATA)).returncode == 1
    out = run("check", str(DATA), "--codebook", str(BOOK))
    assert out.returncode == 0 and "none to check" in out.stdout


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("what", ["articles", "alignment", "gaps", "trends", "flows",
                                  "partnerships"])  # fmt: skip
def test_exports_use_the_example_scheme_only(tmp_path, book, raw, what, fmt):
    path = tmp_path / f"{what}.{fmt}"
    out = run("export", what, "--format", fmt, "--out", str(path), "--data", str(DATA),
              "--codebook", str(BOOK), "--query", "format=mentoring")  # fmt: skip
    assert out.returncode == 0, out.stderr
    if fmt == "csv":
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        cells = [*table.columns, *table.to_numpy().ravel().tolist()]
    else:
        wb = openpyxl.load_workbook(path)
        cells = [c for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c]
        table = pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False)
    text = " ".join(str(c) for c in cells)
    assert leaks(text) == []
    mentoring = raw["programme_types"].str.contains(r"(?:^|;)mentoring(?:\.|;|$)")
    if what == "articles":
        assert "programme_types" in table.columns and "purposes" in table.columns
        assert sorted(table["id"]) == sorted(raw.loc[mentoring, "id"])  # the contract: id
    if what == "alignment":
        # the matrix is counted without its own selection (every cell stays, the
        # selected ones marked): the selected cells are those of the mentoring articles
        cells = table[(table["side"] == "all") & (table["selected"].str.lower() == "true")]
        assert len(cells) and set(cells["programme_type"]) == {"mentoring"}
        for _, row in cells.iterrows():  # the matrix of the mentoring articles, recomputed
            sub = raw[mentoring]
            both = sub["purposes"].str.contains(rf"(?:^|;){row['purpose']}(?:\.|;|$)") & sub[
                "programme_types"
            ].str.contains(rf"(?:^|;){row['programme_type']}(?:\.|;|$)")
            assert int(row["n_articles"]) == int(both.sum()), row.to_dict()
        assert set(cells["purpose_label"]) == {book.groups[g].label
                                               for g in book.groups_of("motivation")}  # fmt: skip


def test_a_bad_codebook_is_rejected_by_the_cli_naming_file_key_and_line(tmp_path):
    bad = tmp_path / "codebook.yaml"
    bad.write_text(BOOK.read_text().replace('colour: "#D55E00"', 'colour: "reddish"'))
    out = run("summary", str(DATA), "--codebook", str(bad))
    assert out.returncode == 2
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "reddish" in t)
    assert str(bad) in out.stderr
    assert f"dimensions.programme.groups.fellowship.colour (line {line})" in out.stderr
    assert "unknown colour 'reddish'" in out.stderr


# --------------------------------------------------------------------------- bad codebooks
def write_book(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_with(path: Path, needle: str, nth: int = 1) -> int:
    hits = [i for i, t in enumerate(path.read_text().splitlines(), 1) if needle in t]
    return hits[nth - 1]


def test_a_duplicate_code_names_file_key_and_both_lines(tmp_path):
    text = BOOK.read_text().replace(
        "          series:\n",
        "          single_session:\n            label: Half-day workshop\n          series:\n",
    )
    path = write_book(tmp_path, text)
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    first, second = line_with(path, "single_session:"), line_with(path, "single_session:", 2)
    assert str(path) in str(err.value)
    assert (f"dimensions.programme.groups.workshop.codes.single_session (line {second}): "
            f"duplicate key (first at line {first})") in str(err.value)  # fmt: skip


def test_a_duplicate_label_and_a_group_in_two_dimensions_are_reported(tmp_path):
    text = BOOK.read_text().replace("label: Workshop series", "label: Single-session workshop")
    text = text.replace("      leadership:\n", "      mentoring:\n")
    path = write_book(tmp_path, text)
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    message = str(err.value)
    assert "2 problems" in message
    assert f"codes.series.label (line {line_with(path, 'Single-session workshop', 2)})" in message
    assert "group 'mentoring' is already in dimension 'programme'" in message


def test_more_groups_than_the_palette_has_are_rejected(tmp_path):
    extra = "".join(
        f'      extra{i}:\n        label: Extra {i}\n        colour: "#{i:06X}"\n'
        f"        codes:\n          one:\n            label: Extra code {i}\n"
        for i in range(1, MAX_GROUPS - 2)  # 4 groups + 5 = 9
    )
    text = BOOK.read_text().replace("  purpose:\n", extra + "  purpose:\n")
    path = write_book(tmp_path, text)
    with pytest.raises(CodebookError, match=rf"dimensions\.programme\.groups \(line \d+\): "
                       rf"{MAX_GROUPS + 1} groups, more than the {MAX_GROUPS} colours"):  # fmt: skip
        load_codebook(path)


def test_an_unknown_flow_group_and_a_missing_role_are_reported(tmp_path):
    text = BOOK.read_text().replace("flow_groups: {}", "flow_groups:\n  mobility: travel")
    text = text.replace("role: motivation", "role: reason")
    path = write_book(tmp_path, text)
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    assert f"dimensions.purpose.role (line {line_with(path, 'role: reason')})" in str(err.value)
    assert "no dimension plays the 'motivation' role" in str(err.value)


def test_a_rubric_cell_naming_an_unknown_code_names_file_rule_and_line(tmp_path):
    (tmp_path / "codebook.yaml").write_text(BOOK.read_text())
    rubric = tmp_path / "alignment_rubric.yaml"
    rubric.write_text((EXAMPLE / "alignment_rubric.yaml").read_text().replace(
        "format: community.journal_club", "format: community.book_club"))  # fmt: skip
    book = load_codebook(tmp_path / "codebook.yaml")
    from evidence.codebook import read_yaml
    from evidence.rubric import parse_rubric

    with pytest.raises(RubricError) as err:
        parse_rubric(read_yaml(rubric, RubricError), book)
    assert f"(line {line_with(rubric, 'motivation: scholarship', 2)})" in str(err.value)
    assert "unknown format 'community.book_club'" in str(err.value)
    # Through the CLI: the rubric beside the codebook is the one checked.
    out = run("validate", str(DATA), "--codebook", str(tmp_path / "codebook.yaml"))
    assert out.returncode == 2
    assert str(rubric) in out.stderr and "community.book_club" in out.stderr


def test_the_template_follows_the_codebook_and_loads_cleanly(tmp_path, book):
    path = tmp_path / "template.csv"
    assert run("template", "--out", str(path), "--codebook", str(BOOK)).returncode == 0
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    # its coded columns named after its dimensions; no flow columns it has no group for
    assert set(rows["programme_types"]) <= set(book.codes_of("format"))
    assert set(rows["purposes"]) <= set(book.codes_of("motivation"))
    assert "formats" not in rows and "mobility_flows" not in rows and "partnerships" not in rows
    assert leaks(path.read_text()) == []
    out = run("validate", str(path), "--codebook", str(BOOK))
    assert out.returncode == 0 and "0 errors, 0 warnings" in out.stdout


def test_the_deck_and_the_page_leave_out_the_views_the_scheme_has_nothing_for():
    code = (
        "from evidence.export import deck_title\n"
        "from evidence.views import REGISTRY, slide_charts\n"
        "print(deck_title())\n"
        "print(','.join(slide_charts()))\n"
        "print(','.join(v.name for v in REGISTRY if not v.shown))\n"
    )
    environ = {k: v for k, v in os.environ.items() if k not in ("IOME_CODEBOOK", "IOME_RUBRIC")}
    out = {}
    for name, codebook in (("example", str(BOOK)), ("iome", "")):
        env = environ | ({"IOME_CODEBOOK": codebook} if codebook else {})
        proc = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
        out[name] = proc.stdout.splitlines()
    assert out["example"] == ["Faculty development: evidence map", "map,alignment,gapmap,trends",
                              "flows,partnerships"]  # fmt: skip
    title, slides, hidden = out["iome"]
    assert title.startswith("Internationalization of medical education")
    assert "flows" in slides.split(",") and "partner-map" in slides.split(",")
    assert hidden == ""
