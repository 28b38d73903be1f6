"""The timeline bar under the header: play, pause, step and speed, and the choice of
what each year shows (evidence.timeline). It moves the year filter, so every view, the
count and the URL follow; assets/timeline.js plays it."""

from __future__ import annotations

from dash import html

from components.controls import control
from evidence.fields import controls_in
from evidence.model import EvidenceBase
from evidence.timeline import PLACE, year_bounds

SPEEDS = (("0.5", "Slow"), ("1", "Normal"), ("2", "Fast"))


def timeline_bar(eb: EvidenceBase) -> html.Div:
    """The bar; its first and last year are the data's."""
    lo, hi = year_bounds(eb)
    button = "btn btn-sm btn-outline-secondary"
    return html.Div(
        [
            html.Span("Timeline", className="small text-muted fw-semibold",
                      **{"aria-hidden": "true"}),
            html.Button("Play", id="tl-play", type="button", className="btn btn-sm btn-primary",
                        title="Play the years (Space)", **{"aria-pressed": "false"}),
            html.Button("◀", id="tl-back", type="button", className=button,
                        title="Previous year (←)", **{"aria-label": "Previous year"}),
            html.Button("▶", id="tl-next", type="button", className=button,
                        title="Next year (→)", **{"aria-label": "Next year"}),
            html.Span(f"All years, {lo}-{hi}", id="tl-year", className="timeline-year",
                      role="status", **{"aria-live": "polite", "aria-atomic": "true"}),
            html.Div([control(f, eb) for f in controls_in(PLACE)], className="timeline-mode"),
            html.Label(
                [
                    html.Span("Speed", className="visually-hidden"),
                    html.Select([html.Option(label, value=value, selected=value == "1")
                                 for value, label in SPEEDS],
                                id="tl-speed", className="form-select form-select-sm"),
                ],
                className="timeline-speed mb-0",
            ),
        ],
        id="timeline-bar",
        className="timeline-bar d-flex flex-wrap align-items-center gap-2",
        role="group",
        **{"aria-label": f"Timeline, {lo} to {hi}", "data-first": str(lo), "data-last": str(hi)},
    )  # fmt: skip
