"""Loader fuzzing: whatever bytes arrive, ``load`` gives an evidence base with a readable report.

Property-based tests (hypothesis, fixed seed, no example database) over generated CSV and
XLSX files, plus a seeded mutation run over truncated, bit-flipped and re-encoded copies
of the demo data. Every outcome must be a loaded EvidenceBase whose report accounts for
every row, or an unreadable-file report; never an exception. ``IOME_FUZZ_SCALE=10``
multiplies the number of cases for a longer run; ``IOME_FUZZ_REPORT=file.jsonl`` appends
the figures of each run (cases, bytes, seconds) to a file.
"""

from __future__ import annotations

import csv
import io
import random
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fuzzreport import SCALE, write_figures
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence import DEMO_PATH
from evidence.codebook import load_codebook
from evidence.load import MAX_CELL_CHARS, load
from evidence.model import ARTICLE_COLUMNS, EvidenceBase
from evidence.schema import COLUMN_NAMES, MAX_YEAR, MIN_YEAR

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DEMO = Path(DEMO_PATH).read_bytes()
DEMO_LINES = DEMO.decode("utf-8").splitlines()
CODES = sorted(load_codebook().codes)
COUNTRIES = ["USA", "KEN", "Uganda", "Germany", "Côte d'Ivoire", "GBR", "Frnace", "XXX", ""]
SPECIAL = [
    "<script>window.__xss=1</script>", '<img src=x onerror="window.__xss=1">',
    "javascript:alert(1)", "=HYPERLINK(\"http://x\",\"y\")", "=1+1", "+cmd|' /C calc'!A0",
    "-2+3", "@SUM(A1)", "a\x00b", "\x00", '"', '""', "a,b", "a;b", "a\tb", "line\nbreak",
    "cr\rreturn", "\ufeffbom", "\u202eRTL", "😀", "ß", "ﬁ", "inf", "-inf", "nan", "1e400",
    "99999999999999999999", "2001.5", "２００１", "0x7d1", " 2001 ", "NULL", "N/A", "#REF!",
    "USA>KEN", "USA->Kenya", "USA+KEN+IND", "USA;;KEN", ";", ">", "+", "10.1000/x", "doi:10.1/x",
    "https://doi.org/10.1000/ok", "true", "yes", "maybe", "explicit", "research", "English",
]  # fmt: skip
STATS: dict[str, dict] = {}


def record(name: str, n_bytes: int, seconds: float, eb: EvidenceBase) -> None:
    entry = STATS.setdefault(name, {"cases": 0, "bytes": 0, "max_bytes": 0, "seconds": 0.0,
                                    "unreadable": 0, "with_rows_loaded": 0,
                                    "with_rows_rejected": 0, "rows_loaded": 0})  # fmt: skip
    entry["cases"] += 1
    entry["unreadable"] += eb.report.unreadable
    entry["with_rows_loaded"] += eb.n_articles > 0
    entry["with_rows_rejected"] += bool(eb.report.rejected_rows)
    entry["rows_loaded"] += eb.n_articles
    entry["bytes"] += n_bytes
    entry["max_bytes"] = max(entry["max_bytes"], n_bytes)
    entry["seconds"] += seconds


@pytest.fixture(scope="module", autouse=True)
def _report_figures():
    yield
    write_figures("load", STATS)


def assert_loaded_or_reported(eb) -> None:
    """The outcome contract: an evidence base whose report explains every missing row."""
    assert isinstance(eb, EvidenceBase)
    report = eb.report
    assert isinstance(report.to_text(), str) and isinstance(report.to_dict(), dict)
    assert set(ARTICLE_COLUMNS) <= set(eb.articles.columns)
    assert eb.n_articles == report.n_rows_loaded
    if report.unreadable:
        assert eb.n_articles == 0 and report.errors
        return
    # Errors without a row reject the file, except a line with too many fields, which is
    # left out on its own ("line left out") while the rest loads.
    file_level = [p for p in report.errors if p.row is None and "line left out" not in p.message]
    if file_level:
        assert eb.n_articles == 0
    else:
        assert eb.n_articles + len(report.rejected_rows) == report.n_rows_read
    if eb.n_articles:
        assert eb.articles["article_id"].is_unique
        assert eb.articles["year"].between(MIN_YEAR, MAX_YEAR).all()
        assert eb.articles["url"].str.match(r"^(https?://|$)", case=False).all()
        assert (eb.articles["title"].str.len() <= MAX_CELL_CHARS).all()


def load_and_check(content: bytes, name: str, check: str) -> EvidenceBase:
    t0 = time.perf_counter()
    eb = load(content, name=name)
    record(check, len(content), time.perf_counter() - t0, eb)
    assert_loaded_or_reported(eb)
    return eb


# ---------------------------------------------------------------- generated files

cell = st.one_of(
    st.text(st.characters(exclude_characters="\x00"), max_size=30),  # NULs: SPECIAL, below
    st.sampled_from(SPECIAL),
    st.sampled_from(CODES),
    st.sampled_from(COUNTRIES),
    st.integers(1890, 2110).map(str),
    st.lists(st.sampled_from(CODES + COUNTRIES), min_size=1, max_size=4).map(";".join),
)
REQUIRED_ROW = ["id", "title", "year", "author_countries", "formats"]
REQUIRED_ROW_VALUES = ["a0", "A title", "2001", "USA", "standards.global"]
huge_cell = st.sampled_from(["x" * (MAX_CELL_CHARS + 1), "<b>" * 30_000])
header_name = st.one_of(
    st.sampled_from(COLUMN_NAMES),
    st.sampled_from(COLUMN_NAMES).map(lambda c: c.upper().replace("_", " ")),
    st.text(max_size=12),
)


@st.composite
def tables(draw, max_rows=8, huge=True):
    """A header (contract columns, variants, junk, duplicates) and rows of hostile cells.

    Half the tables start with the required columns and have rows that are valid there
    except for a few hostile cells, so that the row parser, not only the header check,
    sees the junk; one table in ten carries a cell past MAX_CELL_CHARS."""
    header = draw(st.lists(header_name, min_size=1, max_size=12))
    based = draw(st.booleans())
    if based:
        header = [*REQUIRED_ROW, *header]
    ragged = draw(st.integers(0, 4)) == 4  # a longer row makes the whole CSV unreadable
    width = (
        st.integers(max(0, len(header) - 2), len(header) + 2) if ragged else st.just(len(header))
    )
    rows = []
    for i in range(draw(st.integers(0, max_rows))):
        row = draw(st.lists(cell, min_size=len(header), max_size=len(header)))
        if based and draw(st.integers(0, 3)) != 3:
            row[: len(REQUIRED_ROW)] = [f"a{i}", *REQUIRED_ROW_VALUES[1:]]
            for _ in range(draw(st.integers(0, 2))):
                row[draw(st.integers(0, len(row) - 1))] = draw(cell)
        rows.append(row[: draw(width)] + [""] * max(0, draw(width) - len(row)))
    if huge and rows and draw(st.integers(0, 9)) == 9:
        r = draw(st.integers(0, len(rows) - 1))
        if rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(huge_cell)
    return header, rows


@st.composite
def csv_files(draw):
    header, rows = draw(tables())
    sep = draw(st.sampled_from([",", ";", "\t"]))
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"]))
               ).writerows([header, *rows])  # fmt: skip
    text = buf.getvalue()
    if draw(st.integers(0, 4)) == 4:  # mixed separators: some lines use another one
        other = draw(st.sampled_from([",", ";", "\t", "|"]))
        lines = text.split("\n")
        text = "\n".join(ln.replace(sep, other) if draw(st.booleans()) else ln for ln in lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 4)) == 4:  # truncated anywhere, even inside a multi-byte char
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.integers(0, 9)) == 9:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00" * draw(st.integers(1, 8)) + data[at:]
    return data


@settings(FUZZ, max_examples=300 * SCALE)
@given(
    st.one_of(
        st.binary(max_size=512),
        st.builds(lambda seed, n: random.Random(seed).randbytes(n),
                  st.integers(0, 2**32), st.integers(0, 65_536)),
    ),
    st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]),
)  # fmt: skip
def test_random_bytes_never_raise(data, prefix):
    eb = load_and_check(prefix + data, "upload", "random_bytes")
    assert eb.n_articles == 0 or eb.report.n_rows_read > 0


@settings(FUZZ, max_examples=150 * SCALE)
@given(csv_files())
def test_generated_csv_files_load_or_report(data):
    load_and_check(data, "upload.csv", "generated_csv")


free_text = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=60
)


@settings(FUZZ, max_examples=60 * SCALE)
@given(
    st.lists(st.tuples(free_text, free_text, free_text, free_text), min_size=1, max_size=6),
    st.sampled_from([",", ";", "\t"]),
)
def test_valid_rows_keep_any_text_exactly(texts, sep):
    """Titles, authors, journals, notes: any text survives the round trip as text."""
    header = ["id", "title", "year", "author_countries", "formats", "authors", "journal", "notes"]
    rows = [[f"r{i}", t, "2001", "USA", "standards.global", a, j, n]
            for i, (t, a, j, n) in enumerate(texts)]  # fmt: skip
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\r\n").writerows([header, *rows])
    eb = load_and_check(buf.getvalue().encode("utf-8"), "upload.csv", "valid_rows_roundtrip")

    def clean(s: str) -> str:
        return s.replace("\x00", "").strip()[:MAX_CELL_CHARS]

    expected = [r for r in rows if clean(r[1])]  # an empty title rejects the row
    loaded = eb.articles.set_index("article_id")
    assert list(loaded.index) == [r[0] for r in expected]
    for r in expected:
        got = loaded.loc[r[0]]
        assert [got.title, got.authors, got.journal, got.notes] == [
            clean(x) for x in r[1:2] + r[5:]
        ]


def xml_legal(text: str) -> str:
    """Text a worksheet can hold (openpyxl refuses control characters)."""
    return "".join(ch for ch in text if ch >= " " or ch in "\t\n")


xlsx_value = st.one_of(
    cell.map(xml_legal),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.dates(),
)


@settings(FUZZ, max_examples=40 * SCALE)
@given(tables(max_rows=5, huge=False), st.data())
def test_generated_xlsx_files_load_or_report(table, data):
    header, rows = table
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([xml_legal(h) for h in header])
    for row in rows:
        sheet.append([data.draw(xlsx_value) if data.draw(st.integers(0, 3)) == 3 else xml_legal(v)[:32_000]
                      for v in row])  # fmt: skip
    buf = io.BytesIO()
    book.save(buf)
    content = buf.getvalue()
    if data.draw(st.integers(0, 3)) == 3:
        content = content[: data.draw(st.integers(0, len(content)))]
    load_and_check(content, "upload.xlsx", "generated_xlsx")


# ---------------------------------------------------------------- seeded mutation run


def _demo_xlsx(n_rows: int = 6) -> bytes:
    book = openpyxl.Workbook()
    for row in csv.reader(DEMO_LINES[: n_rows + 1]):
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _flip(data: bytes, rng: random.Random, rate: float) -> bytes:
    return bytes(b if rng.random() > rate else rng.randrange(256) for b in data)


def _mutated_csv(rng: random.Random) -> bytes:
    head = "\n".join(DEMO_LINES[: rng.randrange(1, 8)]) + "\n"
    kind = rng.randrange(7)
    if kind == 0:
        data = head.encode()
        return data[: rng.randrange(len(data))]  # truncated anywhere
    if kind == 1:
        return _flip(head.encode(), rng, 0.02)
    if kind == 2:  # wrong or unannounced encodings
        codec = rng.choice(["utf-16-le", "utf-16-be", "utf-32", "cp1252", "shift_jis", "cp037"])
        return head.encode(codec, errors="replace")
    if kind == 3:  # a hostile cell spliced anywhere
        at = rng.randrange(len(head))
        junk = rng.choice([*SPECIAL, "x" * 50_000, "\x00" * 10, '"unclosed'])
        return (head[:at] + junk + head[at:]).encode()
    if kind == 4:  # line endings and separators mixed up
        text = head.replace("\n", rng.choice(["\r", "\r\n", "\n\n", "\x85", "\u2028"]))
        return text.replace(",", rng.choice([";", "\t", ",,", '","']), rng.randrange(40)).encode()
    if kind == 5:  # many columns
        n = rng.randrange(50, 600)
        return (",".join(f"c{i}" for i in range(n)) + "\n" + "1," * n + "\n").encode()
    lines = head.splitlines()
    rng.shuffle(lines)
    return "\n".join(lines).encode()


def _mutated_xlsx(rng: random.Random, base: bytes, members: dict[str, bytes]) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return base[: rng.randrange(len(base))]
    if kind == 1:
        return _flip(base, rng, 0.002)
    out = io.BytesIO()
    victim = rng.choice(sorted(members))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            if name == victim:
                if kind == 3:
                    continue  # a part missing
                content = _flip(content, rng, 0.01)  # a part with broken XML
            zf.writestr(name, content)
    return out.getvalue()


# The CSV and XLSX runs are two tests, so that the two test workers take them at once.
def test_seeded_mutation_run_over_demo_csv():
    rng = random.Random(20240611)
    for _ in range(200 * SCALE):
        load_and_check(_mutated_csv(rng), "upload.csv", "mutated_csv")


def test_seeded_mutation_run_over_demo_xlsx():
    rng = random.Random(20240612)
    base = _demo_xlsx()
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    for _ in range(150 * SCALE):
        load_and_check(_mutated_xlsx(rng, base, members), "upload.xlsx", "mutated_xlsx")


# ---------------------------------------------------------------- fixed edge cases


def test_huge_cells_are_truncated_with_a_warning():
    text = (f"id,title,year,author_countries,formats,notes\n"
            f"1,{'T' * 1_000_000},2001,USA,standards.global,{'<i>' * 100_000}\n")  # fmt: skip
    eb = load_and_check(text.encode(), "upload.csv", "edge_cases")
    assert eb.articles["title"].str.len().tolist() == [MAX_CELL_CHARS]
    assert {p.column for p in eb.report.warnings} >= {"title", "notes"}


def test_formulas_nuls_and_markup_stay_plain_text():
    text = ('id,title,year,author_countries,formats,journal\n'
            '1,"=HYPERLINK(""http://x"")",2001,USA,standards.global,"<b>J</b>"\n')  # fmt: skip
    eb = load_and_check(text.encode(), "upload.csv", "edge_cases")
    assert eb.articles[["title", "journal"]].values.tolist() == [
        ['=HYPERLINK("http://x")', "<b>J</b>"]
    ]


# ---------------------------------------------------------------- regressions found by fuzzing


def test_regression_corrupt_xlsx_stream_is_a_report_not_a_zlib_error():
    """A workbook whose deflate stream is damaged made openpyxl raise zlib.error (and, for
    other damage, EOFError, TypeError, XML parse errors...) out of ``load``."""
    base = _demo_xlsx()
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    broken = bytearray(base)
    for i in range(start + 2, start + min(40, info.compress_size)):
        broken[i] ^= 0x5A
    eb = load_and_check(bytes(broken), "upload.xlsx", "regressions")
    assert eb.report.unreadable and "not a readable XLSX" in eb.report.errors[0].message


@pytest.mark.parametrize("year", ["inf", "-Infinity", "1e400", "nan"])
def test_regression_infinite_year_is_an_error_line_not_an_overflow(year):
    """``_year`` did int(float('inf')) and raised OverflowError out of ``load``."""
    text = f"id,title,year,author_countries,formats\n1,T,{year},USA,standards.global\n"
    eb = load_and_check(text.encode(), "upload.csv", "regressions")
    assert eb.n_articles == 0
    assert [(p.row, p.column) for p in eb.report.errors] == [(2, "year")]  # header = row 1
