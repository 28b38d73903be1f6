"""Hostile spreadsheet cells shared by the table-safety tests (unit and LibreOffice):
formulas, a live link, whitespace before '=', and a formula as an article id."""

from __future__ import annotations

import csv
import io

HYPERLINK = '=HYPERLINK("http://evil.example","x")'
HOSTILE_NAME = "=1+1.csv"
HOSTILE_HEADER = ["id", "title", "year", "authors", "journal", "notes", "author_countries",
                  "formats"]  # fmt: skip
HOSTILE_ROWS = [
    ["h1", "=1+1", "2010", "-1+1", " =1+1", "@SUM(1+1)", "USA", "mobility.outbound"],
    ["h2", HYPERLINK, "2011", "+1+1", "\t=1+1", "-5", "USA;" + HYPERLINK, "mobility.outbound"],
    ["h3", "Rejected: bad year", "=1+1", "A", "J", "", "USA", "mobility.outbound"],
    ["=1+1", "The id is a formula", "2012", "-5", "=SUM(1;2)", "", "KEN", "mobility.inbound"],
]  # fmt: skip


def hostile_csv() -> bytes:
    """The hostile rows as an uploaded CSV file."""
    buf = io.StringIO()
    csv.writer(buf).writerows([HOSTILE_HEADER, *HOSTILE_ROWS])
    return buf.getvalue().encode("utf-8")
