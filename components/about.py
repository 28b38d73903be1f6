"""The About panel: what the review is, the coding scheme, sources, licences, load report."""

from __future__ import annotations

import json
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


# Terms of art on the page and a line that explains each (shown on hover and focus by
# assets/glossary.js, listed in the About panel). The codebook's codes and groups are
# added from its definitions (glossary()).
TERMS = {
    "Origin": "The country of the first author's institution.",
    "Any author": "Any country among the authors' institutions.",
    "Setting": "The country where the activity took place.",
    "Counts": "Each cell: the number of articles coded with both.",
    "Row shares": "Each cell as a share of its row: of the articles with that motivation, "
    "the share with that format.",
    "Share of the row": "Each cell of the gap map as a share of its row's articles "
    "(every article with the row's value).",
    "Share of the column": "Each cell of the gap map as a share of its column's articles "
    "(every article with the column's value).",
    "HIC vs LMIC": "The matrix twice: articles from high-income countries (HIC, Global "
    "North) and from low- and middle-income countries (LMIC, Global South).",
    "Both directions": "Each pair of countries drawn both ways: A → B and B → A.",
    "Net flows": "For each pair of countries, one arrow from the side that sends more, "
    "sized by the difference (A → B minus B → A).",
    "Aligned": "The review's rubric judges that this format serves this motivation.",
    "Tension": "The rubric judges that this format serves this motivation only in part, "
    "or pulls against it in some way.",
    "Misaligned": "The rubric judges that this format works against this motivation.",
    "Not assessed": "The rubric gives no verdict for this pairing.",
    "Focus a country": "Pick a country to see only its flows in and out.",
    "HIC": "High-income country (World Bank); the review's Global North.",
    "LMIC": "Low- or middle-income country (World Bank); the review's Global South.",
}
# Hanson's models of internationalization as the review uses them (the IoME scheme).
MODELS = {
    "market": "Internationalization to compete: students' careers, institutions' funding "
    "and standing, rankings.",
    "liberal": "Internationalization for understanding between nations and cultures.",
    "social": "Internationalization to change society: social justice and health equity.",
    "enrichment": "A richer, more global education, as students ask for (added by the "
    "review to Hanson's models).",
}


def glossary() -> dict[str, str]:
    """Every explained term (lower case) → its explanation: the page's terms of art, then
    the codebook's groups (by label and short label) and codes (by label)."""
    cb = load_codebook()
    out = {term.lower(): text for term, text in TERMS.items()}
    for name, group in cb.groups.items():
        codes = [cb.codes[c] for c in group.codes if not c.endswith(".unspecified")]
        text = MODELS.get(name) if cb.is_default else None
        text = text or "; ".join(c.definition for c in codes if c.definition)
        for words in (group.label, group.short):
            if text and words:
                out.setdefault(words.lower(), text)
    for code in cb.codes.values():
        if code.definition:  # by its label, and a mobility kind by its switch's word
            out.setdefault(code.label.lower(), code.definition)
            out.setdefault(cb.kind_label(code.code).lower(), code.definition)
    return out


def glossary_data() -> html.Div:
    """The glossary as data for assets/glossary.js (always on the page, unlike the About
    panel, whose content is drawn only when it opens)."""
    return html.Div(id="glossary-data", hidden=True, **{"data-glossary": json.dumps(glossary())})


def _terms() -> list:
    """The page's terms of art, explained, for the About panel."""
    items = [html.Div([html.Dt(term), html.Dd(text)]) for term, text in TERMS.items()]
    return [html.H3("Words used on this page", className="h6 mt-3"),
            html.Dl(items, className="small about-terms")]  # fmt: skip


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


def about_body(eb: EvidenceBase) -> list:
    """The About dialog's content: the review, the data, the coding scheme and its terms,
    the income groups and the load report of ``eb``."""
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
        *_terms(),
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
    return body


def about_modal(eb: EvidenceBase, lazy: bool = False) -> dbc.Modal:
    """The About dialog. With ``lazy`` (the dashboard) its content is left out of the
    page and sent when the dialog is opened (app.py's fill_about): its ~85 components
    would otherwise sit in the layout Dash's store walks on every dispatch (issue 27)."""
    body = [html.P("Loading…", className="small text-muted")] if lazy else about_body(eb)
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle("About this evidence map", id="about-title")),
            dbc.ModalBody(body, id=ID.ABOUT_BODY),
        ],
        id=ID.ABOUT,
        labelledby="about-title",
        size="lg",
        scrollable=True,
        is_open=False,
    )
