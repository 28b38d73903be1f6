"""HTML charts: the matrices and bar lists of evidence.figures.cells as tables of buttons.

A cell or bar with a click key is a real ``<button>`` carrying ``data-chart`` and
``data-key``; pressing it (mouse, Enter or Space) does what a click on the Plotly mark
does (the chart's click rule). One listener on the page (assets/cells.js) hands the press
to the store ``ID.CELL_PRESS``, which the state writer reads: the buttons need no Dash
ids, so redrawing a table does not make Dash re-index pattern-matching components (that
cost more than the Plotly redraw it replaced, measured with Chromium's profiler).
"""

from __future__ import annotations

from dash import html

from evidence.figures.cells import Bars, Cells, Empty, Legend, Matrix, figure_cells


def _press(chart: str, key: str) -> dict:
    return {"data-chart": chart, "data-key": key}


def _lines(text: str, strong: bool = False) -> list:
    out: list = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append(html.Br())
        last = i == len(text.split("\n")) - 1
        out.append(html.Strong(line) if strong and last else line)
    return out


def _matrix(chart: str, m: Matrix, caption: str) -> html.Table:
    head = html.Tr(
        [html.Th(m.row_title, scope="col", className="cell-corner")]
        + [html.Th(_lines(c), scope="col") for c in m.columns]
    )
    body = []
    for name, row in zip(m.rows, m.cells, strict=True):
        tds = []
        for c in row:
            style = {"backgroundColor": c.fill, "color": c.ink}
            content = _lines(c.text, c.strong)
            if c.key:
                inner = html.Button(
                    content,
                    className="cell-btn",
                    type="button",
                    **_press(chart, c.key),
                    style=style,
                    title=c.label + ". Press to filter.",
                    **{"aria-label": c.label},
                )
                tds.append(html.Td(inner))
            else:
                tds.append(html.Td(html.Span(content, className="cell-btn", style=style)))
        body.append(html.Tr([html.Th(_lines(name), scope="row"), *tds]))
    parts = [html.Caption(caption, className="cell-caption")] if caption else []
    return html.Table([*parts, html.Thead(head), html.Tbody(body)], className="cell-matrix")


def _bars(chart: str, b: Bars) -> html.Div:
    items = []
    for bar in b.bars:
        label = [html.Span(bar.label, className="bar-label")]
        if bar.note:
            label.append(html.Span(f" {bar.note}", className="bar-note"))
        words = f"{bar.label}{' ' + bar.note if bar.note else ''}: {bar.text} {b.unit}"
        content = [
            html.Span(label, className="bar-head"),
            html.Span(
                [
                    html.Span(
                        className="bar-fill",
                        style={"width": f"{100 * bar.fraction:.1f}%",
                               "backgroundColor": bar.colour},
                    ),
                    html.Span(bar.text, className="bar-value"),
                ],
                className="bar-track",
            ),
        ]  # fmt: skip
        if bar.key:
            items.append(
                html.Li(
                    html.Button(
                        content,
                        className="bar-btn",
                        type="button",
                        **_press(chart, bar.key),
                        title=words + ". Press to filter.",
                        **{"aria-label": words},
                    )
                )
            )
        else:
            items.append(html.Li(html.Span(content, className="bar-btn")))
    return html.Div(
        [html.H3(b.title, className="cell-heading"), html.Ul(items, className="bar-list")],
        className="cell-bars",
    )


def _legend(legend: Legend) -> html.Div:
    return html.Div(
        [html.Span(legend.title, className="me-2")]
        + [
            html.Span(
                [html.Span(className="swatch", style={"backgroundColor": colour}), label],
                className="legend-item me-3",
            )
            for colour, label in legend.items
        ],
        className="cell-legend small",
    )


def render_cells(chart: str, cells: Cells, label: str = "") -> list:
    """The children of an HTML chart."""
    out: list = []
    matrices = [p for p in cells.parts if isinstance(p, Matrix)]
    for part in cells.parts:
        if isinstance(part, Legend):
            out.append(_legend(part))
        elif isinstance(part, Matrix):
            # side-by-side panels are captioned with their own title
            caption = part.column_title if len(matrices) > 1 else ""
            out.append(html.Div(_matrix(chart, part, caption), className="cell-scroll"))
        elif isinstance(part, Bars):
            out.append(_bars(chart, part))
        elif isinstance(part, Empty):
            out.append(html.P(part.message, className="cell-note small text-muted"))
    if len(matrices) == 1 and matrices[0].column_title:
        out.insert(
            next(i for i, p in enumerate(out) if getattr(p, "className", "") == "cell-scroll"),
            html.Div(matrices[0].column_title, className="cell-column-title small"),
        )
    if not out:
        out.append(html.P("Nothing to show.", className="cell-note small text-muted"))
    return out


def cells_of_figure(chart: str, figure) -> list:
    """An HTML chart's children from its Plotly figure (dict or go.Figure)."""
    return render_cells(chart, figure_cells(figure))


def html_chart(chart_id: str, *, label: str, min_height: int) -> html.Div:
    """The container of an HTML chart (its children come with each render)."""
    return html.Div(
        id=chart_id,
        className="cell-chart",
        role="group",
        style={"minHeight": f"{min(min_height, 320)}px"},
        **{"aria-label": label},
    )
