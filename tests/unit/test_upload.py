"""Upload screening: every hostile or unsupported file is refused with a helpful reason.

Files are built in memory: real workbooks with openpyxl, macro workbooks and zip bombs by
rewriting their zip parts, Office and image headers by hand. The template CSV must load
with no problem at all.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence import DEMO_PATH
from evidence.load import load
from evidence.schema import COLUMN_NAMES
from evidence.upload import (
    ACCEPTED_EXTENSIONS,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_UNZIPPED,
    MAX_COLUMNS,
    MAX_ZIP_ENTRIES,
    MAX_ZIP_RATIO,
    Rejection,
    check_workbook,
    screen,
    template_csv,
)

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
STATUS = {"too_large": 413, "empty": 400, "zip_bomb": 400, "file_type": 415, "macros": 415,
          "not_xlsx": 415, "encrypted": 415, "binary": 415, "too_wide": 413,
          "too_many_cells": 413}  # fmt: skip
MB = 1024 * 1024
CSV = (
    b"id,title,year,author_countries,formats\n"
    b"a1,Electives in Kampala,2014,United States;Uganda,mobility.outbound\n"
)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def rejected(result: Rejection | None, code: str) -> Rejection:
    """The result is a rejection with this code, the right status and a readable message."""
    assert isinstance(result, Rejection), f"expected {code}, got None"
    assert result.code == code, result
    assert result.status == STATUS[code]
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", result.message.strip())
    assert 1 <= len(sentences) <= 2 and result.message.endswith("."), result.message
    for jargon in ("OLE", "NUL", "magic", "bomb", "Traceback", "Error"):
        assert jargon not in result.message
    return result


def xlsx(rows: int = 3) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "title", "year", "author_countries", "formats"])
    for i in range(rows):
        sheet.append([f"a{i}", f"Title {i}", 2001 + i, "Kenya", "standards.global"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rezip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def with_parts(base: bytes, add: dict[str, bytes] | None = None, types: bytes | None = None):
    parts = members(base)
    if types is not None:
        parts["[Content_Types].xml"] = types
    return rezip({**parts, **(add or {})})


def streamed_bomb(base: bytes, size: int, name: str = "xl/worksheets/sheet2.xml") -> bytes:
    """A workbook with one extra part of ``size`` zero bytes, written 1 MB at a time."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for part, data in members(base).items():
            zf.writestr(part, data)
        with zf.open(name, "w", force_zip64=True) as fh:
            chunk = bytes(MB)
            for _ in range(size // MB):
                fh.write(chunk)
    return buf.getvalue()


@pytest.fixture(scope="module")
def book() -> bytes:
    return xlsx()


# ---------------------------------------------------------------- accepted files


def test_constants_match_the_documented_limits():
    assert DEFAULT_MAX_BYTES == 20 * MB and DEFAULT_MAX_UNZIPPED == 200 * MB
    assert (MAX_ZIP_ENTRIES, MAX_ZIP_RATIO) == (2_000, 200)
    assert ACCEPTED_EXTENSIONS == (".csv", ".tsv", ".txt", ".xlsx")


@pytest.mark.parametrize("name", ["articles.csv", "ARTICLES.CSV", "a.tsv", "notes.txt",
                                  r"C:\fakepath\data.csv", "dir/sub/data.csv", "upload",
                                  "Smith et al. 2020 final", ""])  # fmt: skip
def test_text_tables_pass_under_any_accepted_or_missing_name(name):
    assert screen(CSV, name) is None
    assert screen(Path(DEMO_PATH).read_bytes(), name) is None


def test_a_real_workbook_passes_and_loads(book):
    for name in ("articles.xlsx", "Articles.XLSX", "upload", "renamed.csv"):
        assert screen(book, name) is None
        assert check_workbook(book) is None
    eb = load(book, name="articles.xlsx")
    assert eb.report.errors == [] and eb.n_articles == 3


def test_a_larger_ordinary_workbook_is_not_mistaken_for_a_bomb():
    big = xlsx(rows=3_000)
    assert screen(big, "big.xlsx") is None


def test_a_csv_starting_with_mz_is_not_taken_for_a_program():
    assert screen(b"MZ_code,title\nx,y\n", "data.csv") is None


# ---------------------------------------------------------------- empty and too large


@pytest.mark.parametrize("content", [b"", b" ", b" \r\n\t\n\x0c ", b"\xef\xbb\xbf \n",
                                     " \r\n".encode("utf-16")])  # fmt: skip
def test_empty_and_whitespace_only_files_are_empty(content):
    rejected(screen(content, "articles.csv"), "empty")
    rejected(screen(content, "articles.xlsm"), "empty")  # checked before anything else


def test_a_file_over_the_limit_is_too_large_and_says_by_how_much():
    content = CSV + b"x" * (3 * MB - len(CSV))
    r = rejected(screen(content, "articles.csv", max_bytes=2 * MB), "too_large")
    assert "3.0 MB" in r.message and "2.0 MB" in r.message
    assert screen(content, "articles.csv", max_bytes=len(content)) is None  # at the limit: fine
    big = rejected(screen(content, "articles.pdf", max_bytes=2 * MB), "too_large")
    assert big.status == 413  # size before type


# ---------------------------------------------------------------- names and extensions


@pytest.mark.parametrize("ext", [".xlsm", ".xltm", ".xlam", ".XLSM"])
def test_macro_workbook_extensions_are_macros(ext, book):
    r = rejected(screen(book, f"articles{ext}"), "macros")
    assert ".xlsx" in r.message and "CSV" in r.message and ext.lower() in r.message


def test_xlsb_and_xls_are_file_types_with_advice_to_save_as_xlsx(book):
    xlsb = rejected(screen(book, "articles.xlsb"), "file_type")
    xls = rejected(screen(CSV, "articles.xls"), "file_type")
    assert ".xlsb" in xlsb.message and "97-2003" in xls.message
    for r in (xlsb, xls):
        assert ".xlsx" in r.message and "CSV" in r.message


@pytest.mark.parametrize("ext", [".ods", ".numbers", ".json", ".pdf", ".docx", ".png",
                                 ".jpg", ".gif", ".zip", ".xml", ".html", ".exe", ".7z"])  # fmt: skip
def test_other_extensions_are_named_and_refused(ext):
    r = rejected(screen(CSV, f"articles{ext}"), "file_type")
    assert ext in r.message and "CSV" in r.message and ".xlsx" in r.message


# ---------------------------------------------------------------- content sniffing


def ole(*, encrypted: bool) -> bytes:
    directory = ("EncryptedPackage" if encrypted else "Workbook").encode("utf-16-le")
    return OLE2 + bytes(504) + directory.ljust(64, b"\x00") + bytes(1024)


@pytest.mark.parametrize("name", ["secret.xlsx", "secret.csv", "secret"])
def test_password_protected_workbooks_are_encrypted(name):
    r = rejected(screen(ole(encrypted=True), name), "encrypted")
    assert "password" in r.message


@pytest.mark.parametrize("name", ["old.xlsx", "old.csv", "old.txt", "old"])
def test_other_old_office_files_are_file_types(name):
    r = rejected(screen(ole(encrypted=False), name), "file_type")
    assert ".xlsx" in r.message and "CSV" in r.message


MAGIC = {
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20),
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20),
    "gif": b"GIF89a\x01\x00\x01\x00" + bytes(20),
    "gzip": gzip.compress(CSV),
    "7z": b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(24),
    "rar": b"Rar!\x1a\x07\x01\x00" + bytes(24),
    "elf": b"\x7fELF\x02\x01\x01" + bytes(57),
    "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(54),
}


@pytest.mark.parametrize("kind", sorted(MAGIC))
@pytest.mark.parametrize("name", ["articles.csv", "articles.xlsx", "articles"])
def test_documents_images_archives_and_programs_are_file_types_whatever_their_name(kind, name):
    rejected(screen(MAGIC[kind], name), "file_type")


def test_a_renamed_word_document_is_not_an_xlsx():
    docx = rezip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>",
                  "_rels/.rels": b"<Relationships/>"})  # fmt: skip
    for name in ("articles.xlsx", "articles.csv", "articles"):
        r = rejected(screen(docx, name), "not_xlsx")
        assert "Word" in r.message
    rejected(check_workbook(docx), "not_xlsx")


def test_a_plain_zip_or_a_damaged_zip_is_not_an_xlsx(book):
    rejected(screen(rezip({"articles.csv": CSV}), "articles.xlsx"), "not_xlsx")
    rejected(screen(book[: len(book) // 2], "articles.xlsx"), "not_xlsx")  # no directory
    rejected(check_workbook(b"PK\x03\x04 not really a zip"), "not_xlsx")
    rejected(check_workbook(b""), "not_xlsx")


def test_an_xlsx_name_on_text_content_is_not_an_xlsx():
    rejected(screen(CSV, "articles.xlsx"), "not_xlsx")


# ---------------------------------------------------------------- zip bombs


def test_a_workbook_expanding_to_300_mb_is_a_zip_bomb(book):
    bomb = streamed_bomb(book, 300 * MB)
    assert len(bomb) < 2 * MB
    rejected(screen(bomb, "articles.xlsx"), "zip_bomb")
    rejected(check_workbook(bomb), "zip_bomb")
    assert check_workbook(bomb, max_unzipped=400 * MB) is not None  # the ratio catches it too


def test_one_highly_compressed_part_is_a_zip_bomb_even_under_the_total(book):
    bomb = streamed_bomb(book, 4 * MB)  # 4 MB of zeros deflate about 1000:1
    rejected(check_workbook(bomb), "zip_bomb")
    small = with_parts(book, {"xl/media/blank.bin": bytes(MB // 2)})  # under 1 MB: allowed
    assert check_workbook(small) is None


def test_the_total_declared_size_is_capped(book):
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(book)).infolist())
    assert check_workbook(book, max_unzipped=declared) is None
    rejected(check_workbook(book, max_unzipped=declared - 1), "zip_bomb")
    rejected(screen(book, "articles.xlsx", max_unzipped=declared - 1), "zip_bomb")


def test_too_many_parts_is_a_zip_bomb(book):
    parts = members(book)
    room = MAX_ZIP_ENTRIES - len(parts)
    at_limit = rezip({**parts, **{f"xl/media/p{i}.xml": b"" for i in range(room)}})
    over = rezip({**parts, **{f"xl/media/p{i}.xml": b"" for i in range(room + 1)}})
    assert check_workbook(at_limit) is None
    rejected(check_workbook(over), "zip_bomb")


def test_only_the_directory_and_content_types_are_read(book, monkeypatch):
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    assert screen(book, "articles.xlsx") is None
    assert opened == ["[Content_Types].xml"]


# ---------------------------------------------------------------- macros


MACRO_TYPES = (
    b'<?xml version="1.0"?><Types><Override PartName="/xl/workbook.xml" ContentType='
    b'"application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
)


@pytest.mark.parametrize(
    "add",
    [
        {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0vba"},
        {"xl/VBAProject.BIN": b"vba"},
        {"customUI/vbaProject.bin": b"vba"},
        {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"},
        {"xl/dialogsheets/sheet1.xml": b"<dialogsheet/>"},
    ],
)
def test_macro_parts_are_macros_even_in_a_file_named_xlsx(book, add):
    content = with_parts(book, add)
    for name in ("articles.xlsx", "articles.csv", "articles"):
        r = rejected(screen(content, name), "macros")
        assert ".xlsx" in r.message and "CSV" in r.message


def test_a_macro_enabled_content_type_alone_is_macros(book):
    rejected(check_workbook(with_parts(book, types=MACRO_TYPES)), "macros")
    both = with_parts(book, {"xl/vbaProject.bin": b"vba"}, types=MACRO_TYPES)
    rejected(screen(both, "articles.xlsx"), "macros")


def test_a_plain_content_types_part_is_not_macros(book):
    assert b"macroenabled" not in members(book)["[Content_Types].xml"].lower()
    assert check_workbook(with_parts(book, {"xl/media/image1.bin": b"x"})) is None


# ---------------------------------------------------------------- text that is binary


def sprinkle(text: bytes, share: float, byte: bytes = b"\x00") -> bytes:
    """Replace every n-th byte after the header line so ``share`` of the bytes are ``byte``."""
    data = bytearray(text)
    step = round(1 / share)
    for i in range(step - 1, len(data), step):
        data[i : i + 1] = byte
    return bytes(data)


BODY = (CSV + b"a2,Another title,2015,Kenya,standards.global\n" * 2_000)[:60_000]


def test_a_few_stray_nuls_are_allowed():
    content = sprinkle(BODY, 0.005)
    assert 0.004 < content.count(0) / len(content) < 0.01
    assert screen(content, "articles.csv") is None


@pytest.mark.parametrize("byte", [b"\x00", b"\x01", b"\x02", b"\x1b"])
def test_five_percent_control_bytes_is_binary(byte):
    content = sprinkle(BODY, 0.05, byte)
    for name in ("articles.csv", "articles.txt", "articles"):
        r = rejected(screen(content, name), "binary")
        assert "CSV" in r.message


def test_tabs_form_feeds_and_line_breaks_are_text():
    content = b"id\ttitle\x0c\r\n" * 1_000
    assert screen(content, "articles.tsv") is None


def test_only_the_first_64_kb_are_examined():
    content = BODY + BODY + b"\x00" * 5_000 + b"\n" + BODY  # NULs only past the first 64 KB
    assert content[:65_536].count(0) == 0 and content.count(0) / len(content) > 0.01
    assert screen(content, "articles.csv") is None


def test_utf16_csv_with_a_bom_is_text_and_loads():
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        content = CSV.decode().encode(encoding)
        if encoding != "utf-16":
            bom = "\ufeff".encode(encoding)
            content = bom + content
        assert screen(content, "articles.csv") is None
    eb = load(CSV.decode().encode("utf-16"), name="articles.csv")
    assert eb.report.errors == [] and eb.n_articles == 1


def test_utf16_with_control_characters_is_binary_and_without_a_bom_is_binary():
    noisy = ("\x01".join(CSV.decode().split(","))).encode("utf-16")
    rejected(screen(noisy, "articles.csv"), "binary")
    rejected(screen(CSV.decode().encode("utf-16-le"), "articles.csv"), "binary")


# ---------------------------------------------------------------- the template


def test_template_loads_cleanly_with_three_synthetic_examples():
    content = template_csv()
    assert isinstance(content, bytes) and screen(content, "template.csv") is None
    eb = load(content, name="template.csv")
    assert eb.report.errors == [] and eb.report.warnings == []
    assert eb.n_articles == 3 and eb.articles["synthetic"].all()
    assert len(eb.flows) >= 1 and len(eb.partnerships) >= 1


def test_template_has_every_contract_column_and_marks_its_examples():
    rows = list(csv.reader(io.StringIO(template_csv().decode("utf-8"))))
    header, body = rows[0], rows[1:]
    assert header == list(COLUMN_NAMES)
    records = [dict(zip(header, row, strict=True)) for row in body]
    assert len(records) == 3
    for rec in records:
        assert rec["synthetic"] == "true"
        assert rec["title"].startswith("Example:")
        assert "example" in rec["notes"].lower() and "delete" in rec["notes"].lower()
    assert any(">" in r["mobility_flows"] for r in records)
    assert any("+" in r["partnerships"] for r in records)
    assert any(";" in r["author_countries"] for r in records)


def test_template_flows_and_partnerships_are_classified():
    eb = load(template_csv(), name="template.csv")
    flows = set(zip(eb.flows["origin"], eb.flows["destination"], strict=True))
    partners = set(zip(eb.partnerships["lead"], eb.partnerships["partner"], strict=True))
    assert ("USA", "KEN") in flows and ("CAN", "UGA") in partners
    assert "unclassified" not in set(eb.flows["direction"]) | set(eb.partnerships["direction"])


# ---------------------------------------------------------------- never raises


def assert_valid_outcome(result) -> None:
    assert result is None or (
        isinstance(result, Rejection)
        and STATUS.get(result.code) == result.status
        and isinstance(result.message, str)
        and result.message
    )


@settings(FUZZ, max_examples=300)
@given(st.binary(max_size=4096), st.text(max_size=40))
def test_screen_never_raises_on_arbitrary_bytes_and_names(content, name):
    assert_valid_outcome(screen(content, name))


@settings(FUZZ, max_examples=300)
@given(st.binary(max_size=4096), st.sampled_from(["a.xlsx", "a.csv", "a", "a.xlsm", ""]))
def test_screen_and_check_workbook_never_raise_on_zip_like_bytes(content, name):
    data = b"PK\x03\x04" + content
    result = screen(data, name)
    assert_valid_outcome(result)
    assert_valid_outcome(check_workbook(data))
    if name in ("a.xlsx", "a.csv", "a"):
        assert result is not None  # a few random bytes are never a workbook


@settings(FUZZ, max_examples=60)
@given(st.data())
def test_check_workbook_never_raises_on_damaged_workbooks(book, data):
    damaged = bytearray(book[: data.draw(st.integers(4, len(book)))])
    for i in data.draw(st.lists(st.integers(0, len(damaged) - 1), max_size=8)):
        damaged[i] ^= 0xFF
    assert_valid_outcome(check_workbook(bytes(damaged)))
    assert_valid_outcome(screen(bytes(damaged), "articles.xlsx"))


def test_far_too_wide_text_tables_are_refused_before_parsing():
    ok = ",".join(f"c{i}" for i in range(MAX_COLUMNS)) + "\n" + "," * (MAX_COLUMNS - 1) + "\n"
    assert screen(ok.encode(), "ok.csv") is None
    wide = ";".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n"
    result = rejected(screen(wide.encode(), "wide.csv"), "too_wide")
    assert result.status == 413 and f"{MAX_COLUMNS + 1:,}" in result.message
    utf16 = ("\t".join(["c"] * 2000) + "\n").encode("utf-16")
    rejected(screen(utf16, "wide.txt"), "too_wide")
