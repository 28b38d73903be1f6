"""The About panel: what the review is, the coding scheme, sources, licences, load report."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.ids import ID
from evidence.codebook import load_codebook
from evidence.model import EvidenceBase

WB_ATTRIBUTION = "World Bank country classifications by income level (CC BY 4.0)"


def _coding_scheme() -> list:
    cb = load_codebook()
    blocks = []
    for dim, title in (("format", "Formats"), ("motivation", "Motivations")):
        items = []
        for group in cb.groups_of(dim):
            g = cb.groups[group]
            codes = [cb.codes[c] for c in g.codes if not c.endswith(".unspecified")]
            items.append(html.Li([html.Strong(g.label), ": ", "; ".join(c.label for c in codes)]))
        blocks += [html.H3(title, className="h6 mt-3"), html.Ul(items, className="small")]
    return blocks


def _report(eb: EvidenceBase) -> list:
    report = eb.report
    lines = [html.P(f"{eb.source or 'data'} (version {eb.version or '-'}): {report.summary()}.")]
    if report.problems:
        shown = report.problems[:200]
        lines.append(html.Ul([html.Li(p.as_text()) for p in shown], className="small load-report"))
        if len(report.problems) > len(shown):
            lines.append(html.P(f"… and {len(report.problems) - len(shown)} more."))
    else:
        lines.append(html.P("No problems found.", className="small"))
    return lines


def about_modal(eb: EvidenceBase) -> dbc.Modal:
    """The About dialog."""
    cb = load_codebook()
    body = [
        html.P(
            [
                "This dashboard maps the published evidence on the internationalization of "
                "medical education (IoME), using the coding scheme of the scoping review by "
                "Wu et al. (",
                html.Em("Med Sci Educ"),
                f", 2022; doi:{cb.doi}), which coded 350 articles published 2000-2020 by "
                "format of internationalization and by motivation.",
            ]
        ),
        html.P(
            "The review's own coded data are not public. The bundled demo data are "
            "synthetic records generated to reproduce the review's published counts; "
            "they describe no real article."
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
