"""The page drawn when the server's dataset holds no article: the load report, what to do.

A file that loads nothing (empty, every row rejected, read under another coding scheme, or
no file at all) must never end in a traceback: the page says which file, how many rows
were read and rejected, lists every problem (the same table as the upload dialog), and
offers the ways on: the coding template, the upload dialog, and the bundled demo.
"""

from __future__ import annotations

from dash import html

from components.about import report_table
from evidence.codebook import load_codebook
from evidence.model import EvidenceBase
from evidence.views import source_name

EMPTY_STATE = "empty-state"


def empty_state(eb: EvidenceBase, data_open: dict) -> html.Div:
    """The designed empty state: heading, the load report and the next steps.

    ``data_open`` is the id of the button that opens the upload dialog.
    """
    report = eb.report
    cb = load_codebook()
    scheme = cb.name or "IoME"
    name = source_name(eb.source) if eb.source else "no data file"
    return html.Section(
        [
            html.H2("No article to map yet", id="empty-state-title", className="h4"),
            html.P(
                [
                    "The data file ",
                    html.Strong(name),
                    f" loaded no article under the {scheme} coding scheme: ",
                    html.Span(report.summary(), className="load-summary"),
                    ".",
                ]
            ),
            html.H3("Load report", className="h6 mt-3"),
            report_table(report.to_dict()),
            html.H3("What to do", className="h6 mt-3"),
            html.Ul(
                [
                    html.Li(
                        [
                            "Check the file against the coding contract: ",
                            html.Code(f"iome-map validate {name}"),
                            " lists the same problems; a file whose column names differ "
                            "needs a mapping (",
                            html.Code("--columns mapping.yaml"),
                            ").",
                        ]
                    ),
                    html.Li(
                        [
                            html.A(
                                "Download the coding template (CSV)", href="/upload/template.csv"
                            ),
                            " of this scheme, fill it in, and ",
                            html.Button(
                                "upload it here",
                                id=data_open,
                                type="button",
                                className="btn btn-link p-0 align-baseline",
                                style={"fontSize": "inherit"},
                            ),
                            ".",
                        ]
                    ),
                    html.Li(
                        [
                            "See the map working first: ",
                            html.Code("iome-map serve"),
                            " with no ",
                            html.Code("--data"),
                            " and no ",
                            html.Code("--codebook"),
                            " serves the bundled synthetic demo",
                            ".",
                        ]
                    ),
                ],
                className="small",
            ),
        ],
        id=EMPTY_STATE,
        className="empty-state card card-body my-3",
        **{"aria-labelledby": "empty-state-title"},
    )
