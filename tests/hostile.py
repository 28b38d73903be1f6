"""Hostile inputs shared by the unit and LibreOffice tests: spreadsheet cells (formulas, a
live link, whitespace before '=', a formula as an article id) and a filter state whose
text is longer than any slide or caption line."""

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


LONG_QUERY = (
    "format=mobility.outbound,mobility.inbound,mobility.clinical,partnership.north_south,"
    "partnership.south_south,at_home.virtual,at_home.gh_course,at_home.credit_course"
    "&country=USA,GBR,KEN,UGA,IND,BRA,DEU,FRA,CAN,AUS,NGA,ZAF,CHN,JPN,MEX,PER,HTI,GHA,TZA,"
    "RWA,NPL,VNM,PAK,BGD,EGY,ETH,COL,CHL,ARG,ESP,ITA,NLD,SWE,NOR,DNK,FIN"
    "&motivation=market.student,liberal.understanding,social.transformation&year=2005-2018"
)
