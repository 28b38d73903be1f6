"""Screen an uploaded file before it reaches the loader, and offer a template to fill in.

:func:`screen` looks only at the upload's bytes and name, and is cheap: it turns away
empty and oversized files, unsupported or risky formats (macro workbooks, old binary
Office files, PDFs, images, archives, programs), password-protected workbooks, zip bombs
and binary data posing as text. Each refusal is a :class:`Rejection` with a short code,
an HTTP status and a plain-language message saying what to do instead. A file that
passes may go to :func:`evidence.load.load`, which reports any problem inside the table.

:func:`template_csv` gives a CSV with every contract column and three example rows.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import struct
import zipfile
from dataclasses import dataclass

from evidence.safe_table import write_csv_rows
from evidence.schema import COLUMN_NAMES
from evidence.xlsx_reader import MAX_COLUMNS  # the same cap for text files and workbooks

DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # upload size limit
DEFAULT_MAX_UNZIPPED = 200 * 1024 * 1024  # XLSX decompressed-size limit (zip bombs)
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_RATIO = 200  # per entry uncompressed/compressed (only for entries > 1 MB uncompressed)
ACCEPTED_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx")

_MB = 1024 * 1024
_RATIO_MIN_SIZE = _MB  # smaller entries may compress as well as they like
_CONTENT_TYPES_CAP = _MB  # at most this much of [Content_Types].xml is decompressed
_SNIFF_BYTES = 64 * 1024  # the text check looks at this much of the file
_MAX_CONTROL_SHARE = 0.01  # more control characters than this means binary data

_STATUS = {
    "too_large": 413,
    "empty": 400,
    "zip_bomb": 400,
    "file_type": 415,
    "macros": 415,
    "not_xlsx": 415,
    "encrypted": 415,
    "binary": 415,
    "too_wide": 413,
    "too_many_cells": 413,
}
_SAVE_AS = "Save it as an Excel workbook (.xlsx) or as CSV, then upload it again."
_ONLY = (
    "Only CSV or Excel (.xlsx) files are accepted: save or export your table in one of "
    "these formats, then upload it again."
)

_EXTENSION = re.compile(r"\.((?=[a-z0-9]*[a-z])[a-z0-9]{1,10})$")
_TEXT_EXTENSIONS = (".csv", ".tsv", ".txt")
_MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam")
_KNOWN_KINDS = {
    ".ods": "an OpenDocument spreadsheet",
    ".numbers": "an Apple Numbers spreadsheet",
    ".json": "a JSON file",
    ".pdf": "a PDF document",
    ".doc": "a Word document",
    ".docx": "a Word document",
    ".odt": "an OpenDocument text",
    ".pptx": "a PowerPoint presentation",
    ".png": "an image",
    ".jpg": "an image",
    ".jpeg": "an image",
    ".gif": "an image",
    ".zip": "a zip archive",
}

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ZIP = b"PK\x03\x04"
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "an image (PNG)"),
    (b"\xff\xd8\xff", "an image (JPEG)"),
    (b"GIF87a", "an image (GIF)"),
    (b"GIF89a", "an image (GIF)"),
    (b"\x1f\x8b", "a compressed archive (gzip)"),
    (b"7z\xbc\xaf\x27\x1c", "a compressed archive (7z)"),
    (b"Rar!\x1a\x07", "a compressed archive (RAR)"),
    (b"\x7fELF", "a program file"),
)
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
_ASCII_SPACE = re.compile(rb"[ \t\r\n\x0b\x0c]*")
_UTF16_SPACE = {
    "utf-16-le": re.compile(rb"(?:[ \t\r\n\x0b\x0c]\x00)*"),
    "utf-16-be": re.compile(rb"(?:\x00[ \t\r\n\x0b\x0c])*"),
}
_CONTROL = [c for c in range(32) if chr(c) not in "\t\r\n\f"]  # NUL and other C0 controls
_CONTROL_CHARS = [chr(c) for c in _CONTROL]


@dataclass(frozen=True)
class Rejection:
    """Why an upload was refused: a machine code, a message for people, an HTTP status."""

    code: str  # "too_large", "empty", "file_type", "macros", "zip_bomb", "not_xlsx", ...
    message: str  # what was wrong and what to do instead, in plain words
    status: int  # HTTP status to answer with


def _reject(code: str, message: str) -> Rejection:
    return Rejection(code, message, _STATUS[code])


def screen(
    content: bytes,
    filename: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_unzipped: int = DEFAULT_MAX_UNZIPPED,
) -> Rejection | None:
    """None when the bytes may go to evidence.load.load(); else why not. Never raises."""
    content = bytes(content or b"")
    if _is_blank(content):
        return _reject("empty", "The file is empty. Choose a file that contains your table.")
    if len(content) > max_bytes:
        size = math.ceil(len(content) / _MB * 10) / 10
        limit = math.floor(max_bytes / _MB * 10) / 10
        return _reject(
            "too_large",
            f"This file is {size:.1f} MB, above the {limit:.1f} MB limit. Remove unneeded "
            "columns, sheets or images (or save it as CSV), then upload it again.",
        )
    ext = _extension(filename)
    refused = _check_extension(ext)
    if refused is not None:
        return refused
    refused = _check_magic(content)
    if refused is not None:
        return refused
    if content.startswith(_ZIP):
        return check_workbook(content, max_unzipped=max_unzipped)
    if ext == ".xlsx":
        return _reject(
            "not_xlsx",
            "This file is named .xlsx but is not an Excel workbook; it may be damaged or "
            "renamed. Open it in Excel and save it again as .xlsx or as CSV, then upload it.",
        )
    return _check_text(content) or _check_width(content) or _check_cells(content)


def _check_width(content: bytes) -> Rejection | None:
    """Refuse a text table whose header has more than MAX_COLUMNS fields (counted with the
    separator the loader would pick), before the parser spends minutes on it."""
    head = content[: _SNIFF_BYTES * 16]
    encoding = next((e for bom, e in _UTF16_BOMS.items() if head.startswith(bom)), "utf-8")
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    if "\n" not in text and len(head) == _SNIFF_BYTES * 16:
        first = text  # a header longer than 1 MB: count what there is
    fields = max(first.count(sep) for sep in (",", ";", "\t")) + 1
    if fields > MAX_COLUMNS:
        return _reject(
            "too_wide",
            f"The first line has {fields:,} or more columns; the coding contract has 18 and "
            f"at most {MAX_COLUMNS} are read. Check that this is the table you meant, remove "
            "unneeded columns, then upload it again.",
        )
    return None


# Cells a text table may make the parser hold: lines x header fields, and fields in all
# (bad lines with extra fields are kept aside field by field). 100,000 rows of 50 columns
# fit; 20 MB of blank lines or of commas (over 3 GB and minutes in pandas) do not
# (RELIABILITY.md section 13).
MAX_CELLS = 5_000_000


def text_cells(content: bytes) -> tuple[int, int, int]:
    """(cells, lines, header fields) of a text table, counted from its bytes in
    milliseconds: every line (a blank one too) becomes a row of as many cells as the
    header has, and every separator ends a field (an upper bound on what pandas makes)."""
    head = content[: _SNIFF_BYTES * 16]
    encoding = next((e for bom, e in _UTF16_BOMS.items() if head.startswith(bom)), "utf-8")
    wide = 2 if encoding != "utf-8" else 1  # a UTF-16 character is two bytes
    first = head.decode(encoding, errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    sep = max((",", ";", "\t"), key=first.count)
    lines = content.count(b"\n") + 1
    fields = first.count(sep) + 1
    return max(lines * fields, content.count(sep.encode()) // wide + lines), lines, fields


def _check_cells(content: bytes) -> Rejection | None:
    """Refuse a text table that would make the parser build more than MAX_CELLS cells."""
    cells, lines, fields = text_cells(content)
    if cells <= MAX_CELLS:
        return None
    return _reject(
        "too_many_cells",
        f"This file would make about {cells:,} table cells ({lines:,} lines of "
        f"{fields:,} columns); at most {MAX_CELLS:,} are read. Remove blank lines and "
        "unneeded columns or rows (or split the file), then upload it again.",
    )


def _is_blank(content: bytes) -> bool:
    """True for no bytes, or only whitespace (after a byte-order mark), without copying."""
    for bom, encoding in _UTF16_BOMS.items():
        if content.startswith(bom):
            end = _UTF16_SPACE[encoding].match(content, len(bom)).end()
            return end >= len(content) - 1  # a dangling odd byte counts as nothing
    start = len(_UTF8_BOM) if content.startswith(_UTF8_BOM) else 0
    return _ASCII_SPACE.match(content, start).end() == len(content)


def _extension(filename: str) -> str:
    """The lower-cased extension with its dot, or "" when the name has none.

    Only a short run of letters and digits after the last dot counts, so a name such as
    'Smith et al. 2020 final' is read as having no extension.
    """
    base = re.split(r"[/\\]", str(filename or ""))[-1].strip().rstrip(".").lower()
    match = _EXTENSION.search(base)
    return f".{match.group(1)}" if match and match.start() > 0 else ""


def _check_extension(ext: str) -> Rejection | None:
    if not ext or ext in ACCEPTED_EXTENSIONS:
        return None
    if ext in _MACRO_EXTENSIONS:
        return _reject(
            "macros",
            f"This workbook contains macros ({ext}). Save it as an Excel workbook without "
            "macros (.xlsx) or as CSV, then upload it again.",
        )
    if ext == ".xlsb":
        return _reject(
            "file_type", f"Excel binary workbooks (.xlsb) cannot be read here. {_SAVE_AS}"
        )
    if ext == ".xls":
        return _reject(
            "file_type",
            f"This is an old Excel 97-2003 workbook (.xls), which cannot be read here. {_SAVE_AS}",
        )
    kind = _KNOWN_KINDS.get(ext)
    what = f"This file ({ext}) is {kind}." if kind else f"Files ending in {ext} cannot be used."
    return _reject("file_type", f"{what} {_ONLY}")


def _check_magic(content: bytes) -> Rejection | None:
    """Recognise common non-table formats by their first bytes, whatever the file's name."""
    if content.startswith(_OLE2):
        if _ENCRYPTED_PACKAGE in content:
            return _reject(
                "encrypted",
                "This workbook is protected with a password, so it cannot be read. Open it "
                "in Excel, remove the password, save it as .xlsx or CSV, then upload it again.",
            )
        return _reject(
            "file_type",
            "This is an old binary Office file (such as an Excel 97-2003 workbook), which "
            f"cannot be read here. {_SAVE_AS}",
        )
    kind = next((k for magic, k in _MAGIC if content.startswith(magic)), None)
    if kind is None and content.startswith(b"MZ") and b"\x00" in content[2:64]:
        kind = "a program file"  # a DOS/Windows executable; a text starting 'MZ' has no NUL
    if kind is not None:
        return _reject("file_type", f"This file is {kind}, not a table. {_ONLY}")
    return None


def _check_text(content: bytes) -> Rejection | None:
    """Refuse text files whose start is more than 1% NUL or other control characters."""
    head = content[:_SNIFF_BYTES]
    encoding = next((e for bom, e in _UTF16_BOMS.items() if head.startswith(bom)), None)
    if encoding is not None:
        body = head[2 : len(head) - len(head) % 2]
        text = body.decode(encoding, errors="replace")
        total, bad = len(text), sum(text.count(ch) for ch in _CONTROL_CHARS)
    else:
        total, bad = len(head), sum(head.count(c) for c in _CONTROL)
    if total and bad > _MAX_CONTROL_SHARE * total:
        return _reject(
            "binary",
            "This file does not look like a text (CSV) table: it contains binary data. Save "
            "your table as CSV (UTF-8) or as an Excel workbook (.xlsx), then upload it again.",
        )
    return None


def check_workbook(content: bytes, *, max_unzipped: int = DEFAULT_MAX_UNZIPPED) -> Rejection | None:
    """Zip-level checks of an XLSX: structure, zip bombs and macros. Never raises.

    Reads only the zip directory and (at most 1 MB of) ``[Content_Types].xml``. The sizes
    checked are those the zip declares; Python's zipfile, which the loader reads through,
    never returns more than the declared size of an entry.
    """
    try:
        return _check_workbook(content, max_unzipped)
    except Exception:  # a damaged zip can make zipfile raise almost anything
        return _damaged()


def _damaged() -> Rejection:
    return _reject(
        "not_xlsx",
        "This workbook could not be opened; it may be damaged. Open it in Excel and save it "
        "again as .xlsx or as CSV, then upload it again.",
    )


def _too_big(what: str = "expands to far more data than a table of articles needs") -> Rejection:
    return _reject(
        "zip_bomb",
        f"This workbook {what}, so it was not opened. Save the table alone as a new .xlsx "
        "or as CSV, then upload it again.",
    )


_TOO_MANY_PARTS = f"is made of more than {MAX_ZIP_ENTRIES:,} internal parts"


def _declared_entries(content: bytes) -> int | None:
    """Entry count from the zip's end-of-directory record, read before parsing the directory."""
    at = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if at < 0 or len(content) < at + 22:
        return None
    (count,) = struct.unpack_from("<H", content, at + 10)
    if count != 0xFFFF:
        return count
    loc = at - 20  # zip64: the locator precedes the record and points to the zip64 record
    if loc < 0 or content[loc : loc + 4] != b"PK\x06\x07":
        return None
    (offset,) = struct.unpack_from("<Q", content, loc + 8)
    if offset + 40 > len(content) or content[offset : offset + 4] != b"PK\x06\x06":
        return None
    return struct.unpack_from("<Q", content, offset + 32)[0]


def _check_workbook(content: bytes, max_unzipped: int) -> Rejection | None:
    declared = _declared_entries(content)
    if declared is not None and declared > MAX_ZIP_ENTRIES:
        return _too_big(_TOO_MANY_PARTS)  # refused before the whole directory is parsed
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        infos = zf.infolist()
        names = {info.filename for info in infos}
        if len(infos) > MAX_ZIP_ENTRIES:
            return _too_big(_TOO_MANY_PARTS)
        if "xl/workbook.xml" not in names:
            return _reject("not_xlsx", _not_a_workbook(names))
        total = 0
        for info in infos:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _RATIO_MIN_SIZE and ratio > MAX_ZIP_RATIO:
                return _too_big()
        if total > max_unzipped:
            return _too_big()
        if any(_is_macro_part(name) for name in names):
            return _macros()
        if "[Content_Types].xml" in names:
            with zf.open("[Content_Types].xml") as fh:
                types = fh.read(_CONTENT_TYPES_CAP)
            if b"macroenabled" in types.lower():
                return _macros()
    return None


def _is_macro_part(name: str) -> bool:
    lower = name.lower()
    base = lower.rsplit("/", 1)[-1]
    return (
        base == "vbaproject.bin"
        or lower.startswith("xl/macrosheets/")
        or lower.startswith("xl/dialogsheets/")  # Excel 5 dialogs only run with macros
    )


def _macros() -> Rejection:
    return _reject(
        "macros",
        "This workbook contains macros. Save it as an Excel workbook without macros (.xlsx) "
        "or as CSV, then upload it again.",
    )


def _not_a_workbook(names: set[str]) -> str:
    if "xl/workbook.bin" in names:
        return f"This is an Excel binary workbook (.xlsb), which cannot be read here. {_SAVE_AS}"
    prefixes = {"word/": "a Word document", "ppt/": "a PowerPoint presentation"}
    kind = next(
        (k for p, k in prefixes.items() if any(n.startswith(p) for n in names)),
        "an OpenDocument file" if "mimetype" in names else "a zip archive",
    )
    return f"This file is {kind}, not an Excel workbook. {_ONLY}"


_EXAMPLE_NOTE = "Example row: delete it before you add your own articles."
_EXAMPLES = (
    {
        "id": "example-1",
        "title": "Example: Clinical electives abroad for final-year medical students",
        "year": "2015",
        "authors": "Doe J, Roe R",
        "journal": "Example Journal of Medical Education",
        "url": "https://example.org/articles/example-1",
        "doi": "10.1000/example.1",
        "language": "en",
        "article_type": "program_description",
        "author_countries": "United States;Kenya",
        "setting_countries": "Kenya",
        "formats": "mobility.outbound;mobility.clinical",
        "motivations": "social.transformation;market.student",
        "motivation_basis": "explicit",
        "mobility_flows": "United States>Kenya",
        "partnerships": "",
    },
    {
        "id": "example-2",
        "title": "Example: A partnership for a shared global-health course",
        "year": "2012",
        "authors": "Smith A, Okello B",
        "journal": "Example Journal of Medical Education",
        "url": "",
        "doi": "",
        "language": "en",
        "article_type": "research",
        "author_countries": "Canada;Uganda",
        "setting_countries": "Uganda;Canada",
        "formats": "partnership.north_south;at_home.gh_course",
        "motivations": "liberal.understanding",
        "motivation_basis": "assigned",
        "mobility_flows": "",
        "partnerships": "Canada+Uganda",
    },
    {
        "id": "example-3",
        "title": "Example: Virtual exchange between medical schools in three countries",
        "year": "2019",
        "authors": "Muster M, Silva S, Rao R",
        "journal": "Example Journal of Medical Education",
        "url": "",
        "doi": "",
        "language": "de;en",
        "article_type": "review",
        "author_countries": "Germany;Brazil;India",
        "setting_countries": "Brazil;India",
        "formats": "at_home.virtual;partnership.south_south;standards.global",
        "motivations": "enrichment.curricular;liberal.understanding",
        "motivation_basis": "explicit",
        "mobility_flows": "",
        "partnerships": "Brazil+India",
    },
)


def _examples() -> tuple[dict, ...]:
    """The example rows in the codebook in use: the IoME scheme's as written; another
    scheme's get its first codes instead (and no flows or partnerships it has no group
    for), so that they still load cleanly."""
    from evidence.codebook import load_codebook

    cb = load_codebook()
    if cb.is_default:
        return _EXAMPLES
    out = []
    for i, row in enumerate(_EXAMPLES):
        picks = {}
        for role, column in (("format", "formats"), ("motivation", "motivations")):
            codes = [c for c in cb.codes_of(role) if not c.endswith(".unspecified")]
            picks[column] = codes[i % len(codes)]
        title = f"Example: An article coded {cb.label(picks['formats']).lower()}"
        out.append(
            {
                **row,
                **picks,
                "title": title,
                "journal": "Example Journal",
                "mobility_flows": row["mobility_flows"] if cb.flow_group("mobility") else "",
                "partnerships": row["partnerships"] if cb.flow_group("partnership") else "",
            }
        )
    return tuple(out)


def template_csv() -> bytes:
    """A UTF-8 CSV of every contract column with three example rows that load cleanly.

    Each example is marked synthetic, titled 'Example: ...' and noted as a row to delete.
    """
    from evidence.codebook import load_codebook
    from evidence.export import dimension_columns

    rows = [{**row, "notes": _EXAMPLE_NOTE, "synthetic": "true"} for row in _examples()]
    # Another scheme's template names its coded columns after its dimensions (the loader
    # reads both names) and leaves out the flow columns it has no group for.
    cb, named = load_codebook(), dimension_columns()
    absent = {c for c, role in (("mobility_flows", "mobility"), ("partnerships", "partnership"))
              if cb.flow_group(role) is None} if not cb.is_default else set()  # fmt: skip
    columns = [c for c in COLUMN_NAMES if c not in absent]
    rows = [{named.get(c, c): row.get(c, "") for c in columns} for row in rows]
    return write_csv_rows([named.get(c, c) for c in columns], rows, bom=False,
                          lineterminator="\r\n")  # fmt: skip


# --- parsing with a memory ceiling -------------------------------------------------
DEFAULT_PARSE_MB = 512  # address space a parse may add to its worker (IOME_UPLOAD_PARSE_MB)
DEFAULT_PARSE_TIMEOUT_S = 60.0  # within gunicorn's 120 s worker timeout
IN_PROCESS_CELLS = 250_000  # text tables up to this many cells are parsed in-process
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _address_space() -> int:
    """This process's virtual size in bytes (what RLIMIT_AS counts)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _parse_in_child(conn, limit: int, content: bytes, options: dict) -> None:
    """Child side of :func:`load_bounded`: cap the address space, load, send the result."""
    import resource

    from evidence import load as loader

    with contextlib.suppress(OSError):  # seen as such in ps and by the soak's memory count
        with open("/proc/self/comm", "w") as fh:
            fh.write("iome-parse")
    try:
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        eb = loader.load(content, **options)
        conn.send(("ok", eb, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    except MemoryError:
        conn.send(("memory", None, 0))
    except BaseException as exc:  # the parent turns anything into a refusal
        conn.send(("error", f"{type(exc).__name__}: {exc}", 0))
    finally:
        conn.close()


def load_bounded(
    content: bytes,
    *,
    memory_mb: int = DEFAULT_PARSE_MB,
    timeout_s: float = DEFAULT_PARSE_TIMEOUT_S,
    **options,
):
    """:func:`evidence.load.load` of a workbook or a larger text table in a forked child
    whose address space may grow by at most ``memory_mb`` MB and which is killed after
    ``timeout_s``: no upload, whatever its shape, can make the worker itself grow or hang
    (a text table of at most 1 MB and IN_PROCESS_CELLS cells is parsed in-process). A
    parse that hits either limit (or dies) becomes a refused file with a plain reason.
    ``options`` go to ``load``.

    Where fork is unavailable (not Linux/macOS), loads in-process.
    """
    import multiprocessing

    from evidence import load as loader

    name = options.get("name") or "upload"
    workbook = content.startswith(_ZIP) or str(name).lower().endswith((".xlsx", ".xlsm"))
    if not workbook and len(content) <= _MB and text_cells(content)[0] <= IN_PROCESS_CELLS:
        # A small table: a few MB at most (a fork per small CSV upload costs a loaded
        # worker more than the parse: the soak's throughput fell). Larger ones are parsed
        # in the bounded child like workbooks (RELIABILITY.md section 13).
        return loader.load(content, **options)
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return loader.load(content, **options)
    limit = _address_space() + memory_mb * _MB if memory_mb else 0
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_parse_in_child, args=(send, limit, content, options), daemon=True
    )
    child.start()
    send.close()
    outcome = ("error", "the parser stopped without an answer", 0)
    try:
        if receive.poll(timeout_s):
            outcome = receive.recv()
        else:
            outcome = ("timeout", None, 0)
    except (EOFError, OSError, MemoryError) as exc:
        outcome = ("error", f"the parser stopped ({type(exc).__name__})", 0)
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    kind, value, _peak_kb = outcome
    if kind == "ok":
        return value
    reasons = {
        "memory": f"reading this file needs more than {memory_mb:,} MB of memory, the most "
        "one upload may use; file refused. Remove unneeded "
        + ("sheets, columns or rows (or save it as CSV)" if workbook else "columns or rows")
        + ", then upload it again",
        "timeout": f"reading this file took longer than {timeout_s:.0f} s; file refused. "
        + ("Save the table alone as CSV" if workbook else "Split the file")
        + ", then upload it again",
    }
    return _refused(name, reasons.get(kind, f"the file could not be read ({value})"))


def _refused(name: str, message: str):
    """An empty, unreadable evidence base whose report says why."""
    from evidence.load import _empty_with
    from evidence.model import LoadReport

    report = LoadReport(source=name)
    report.unreadable = True
    report.add("error", message)
    return _empty_with(report, name)
