"""The About panel: what the review is, the coding scheme, sources, licences, load report."""

from __future__ import annotations

from pathlib import Path

import dash_bootstrap_components as dbc
from dash import html

from components.ids import ID
from evidence.codebook import load_codebook
from evidence.model import REPORT_COLUMNS, EvidenceBase
from evidence.views import source_name

WB_ATTRIBUTION = "World Bank country classifications by income level (CC BY 4.0)"


def _coding_scheme() -> list:
    cb = load_codebook()
    blocks = []
    for dim in ("format", "motivation"):
        title = cb.dim(dim).plural
        items = []
        for group in cb.groups_of(dim):
            g = cb.groups[group]
            codes = [cb.codes[c] for c in g.codes if not c.endswith(".unspecified")]
            items.append(html.Li([html.Strong(g.label), ": ", "; ".join(c.label for c in codes)]))
        blocks += [html.H3(title, className="h6 mt-3"), html.Ul(items, className="small")]
    return blocks


REPORT_ROWS_SHOWN = 200
_REPORT_HEADINGS = {"article_id": "Article id"}
_REPORT_TIPS = {"row": "The row a spreadsheet shows: the header is row 1, the first article row 2"}


def report_table(report: dict, download: str | None = None) -> html.Div:
    """A load report (``LoadReport.to_dict()``) as a table, errors first by row; with
    ``download``, a link to the whole report as CSV."""
    problems = report.get("problems") or []
    if not problems:
        return html.P("No problems found.", className="small")
    cols = REPORT_COLUMNS
    ordered = sorted(problems, key=lambda p: (p.get("severity") != "error", p.get("row") or 0))
    shown = ordered[:REPORT_ROWS_SHOWN]
    head = html.Thead(
        html.Tr(
            [
                html.Th(_REPORT_HEADINGS.get(c, c.capitalize()), scope="col",
                        **({"title": _REPORT_TIPS[c]} if c in _REPORT_TIPS else {}))
                for c in cols
            ]
        )
    )  # fmt: skip
    rows = [
        html.Tr(
            [html.Td("" if p.get(c) is None else str(p.get(c))) for c in cols],
            className="table-danger" if p.get("severity") == "error" else None,
        )
        for p in shown
    ]
    more = []
    total = report.get("n_errors", 0) + report.get("n_warnings", 0)
    if total > len(shown):
        more = [html.P(f"First {len(shown)} of {total:,} problems.", className="small")]
    return html.Div(
        [
            html.Div(
                dbc.Table([head, html.Tbody(rows)], size="sm", bordered=True, className="small"),
                className="report-table load-report",
                tabIndex="0",
                role="region",
                **{"aria-label": "Load report"},
            ),
            *more,
            *(
                [html.A("Download the full report (CSV)", href=download, className="small")]
                if download
                else []
            ),
        ]
    )


LOAD_REPORT_URL = "/data/load-report.csv"  # the report of the data shown (routes.py)


def _report(eb: EvidenceBase) -> list:
    report = eb.report
    name = source_name(eb.source)  # the file's name only, never the server's folders
    said = report.summary().replace(eb.source, name) if eb.source else report.summary()
    summary = html.P(f"{name} (version {eb.version or '-'}): {said}.", className="small")
    # Only the rows shown are converted: the dialog is built on every page load.
    first = sorted(report.problems, key=lambda p: (p.severity != "error", p.row or 0))
    shown = {
        "problems": [
            {c: getattr(p, c) for c in REPORT_COLUMNS}
            for p in first[:REPORT_ROWS_SHOWN]
        ],
        "n_errors": len(report.errors),
        "n_warnings": len(report.warnings),
    }  # fmt: skip
    return [summary, report_table(shown, download=LOAD_REPORT_URL)]


def about_modal(eb: EvidenceBase) -> dbc.Modal:
    """The About dialog."""
    cb = load_codebook()
    intro = html.P(
        [
            "This dashboard maps the published evidence on the internationalization of "
            "medical education (IoME), using the coding scheme of the scoping review by "
            "Wu et al. (",
            html.Em("Med Sci Educ"),
            f", 2022; doi:{cb.doi}), which coded 350 articles published 2000-2020 by "
            "format of internationalization and by motivation.",
        ]
    )
    if not cb.is_default:  # another review's scheme: say whose, in its own words
        intro = html.P(
            [f"This dashboard maps the evidence coded with the scheme "
             f"'{cb.name or Path(cb.path).parent.name}', by "
             f"{cb.dim('format').noun} and by {cb.dim('motivation').noun}."]
            + ([f" Source: {cb.citation}" + (f" doi:{cb.doi}" if cb.doi else "")]
               if cb.citation else [])
        )  # fmt: skip
    body = [
        intro,
        html.P(
            "The review's own coded data are not public. The bundled demo data are "
            "synthetic records generated to reproduce the review's published counts; "
            "they describe no real article."
            if eb.synthetic and cb.is_default
            else "The data shown are synthetic records; they describe no real article."
            if eb.synthetic
            else "The data shown are the file loaded below."
        ),
        html.H3("Coding scheme", className="h6 mt-3"),
        *_coding_scheme(),
        html.H3("Countries and income groups", className="h6 mt-3"),
        html.P(
            [
                "Income groups: ",
                WB_ATTRIBUTION,
                ". An article's countries are classified by the group in force in its "
                "publication year (fiscal year = year + 1), or by the latest classification "
                "(FY2026) when that switch is set. Global North = high income; Global South "
                "= low and middle income, as the review defines them. Map geometry: Natural "
                "Earth (public domain), served locally.",
            ],
            className="small",
        ),
        html.H3("Load report", className="h6 mt-3"),
        *_report(eb),
    ]
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle("About this evidence map", id="about-title")),
            dbc.ModalBody(body),
        ],
        id=ID.ABOUT,
        labelledby="about-title",
        size="lg",
        scrollable=True,
        is_open=False,
    )
