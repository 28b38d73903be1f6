"""Files that leave the app: chart images, data tables, the gap list and the slide deck.

Every file carries its context: images have the caption (title, filters in words, N,
source and version, classification, synthetic mark); tables have a note column and an
"About" sheet; spreadsheet formulas are neutralised.
"""

from __future__ import annotations

import io

import pandas as pd
import plotly.graph_objects as go

from evidence import aggregate, filters
from evidence.model import EvidenceBase
from evidence.render import default_renderer
from evidence.state import FilterState
from evidence.views import (
    EXPORT_VIEWS,
    VIEWS,
    caption_for,
    classification_text,
    describe_filters,
    view_figure,
)

IMAGE_FORMATS = ("png", "svg", "pdf")
TABLE_FORMATS = ("csv", "xlsx")
THEMES = ("light", "dark", "print")
DEFAULT_SIZE = (1920, 1080)
MAX_SIDE = 6000
SYNTHETIC_NOTE = "SYNTHETIC DEMO DATA - not real articles"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    """A request for an export that cannot be made (unknown view, format or size)."""


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells a spreadsheet would read as a formula with an apostrophe."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            text = out[col].astype(str)
            risky = text.str.startswith(_FORMULA_START) & out[col].notna()
            out[col] = out[col].where(~risky, "'" + text)
    return out


def _theme(fig: go.Figure, theme: str) -> go.Figure:
    if theme == "dark":
        fig.update_layout(paper_bgcolor="#1e1e1e", plot_bgcolor="#1e1e1e", font_color="#eeeeee")
        fig.update_geos(bgcolor="#1e1e1e", landcolor="#3a3a3a", lakecolor="#1e1e1e")
    elif theme == "print":
        fig.update_layout(paper_bgcolor="white", plot_bgcolor="white", font_color="black")
    return fig


def render_image(fig: go.Figure, fmt: str, width: int, height: int, scale: float = 1) -> bytes:
    """Render a figure to PNG, SVG or PDF bytes in headless Chromium, with deadlines.

    Raises :class:`evidence.render.RendererUnavailable` (with ``retry_after``) when no
    picture can be made now: no browser, a browser that will not start, a render over
    its time limit, or every render slot taken.
    """
    if fmt not in IMAGE_FORMATS:
        raise ExportError(f"unknown image format '{fmt}' (use {', '.join(IMAGE_FORMATS)})")
    return default_renderer().render(fig.to_dict(), fmt, width, height, scale)


def _check(view: str, width: int, height: int, theme: str) -> None:
    if view not in VIEWS:
        raise ExportError(f"unknown view '{view}' (use {', '.join(VIEWS)})")
    if not (200 <= width <= MAX_SIDE and 200 <= height <= MAX_SIDE):
        raise ExportError(f"width and height must be between 200 and {MAX_SIDE} pixels")
    if theme not in THEMES:
        raise ExportError(f"unknown theme '{theme}' (use {', '.join(THEMES)})")


BASE_WIDTH = 1280  # layout width in CSS pixels; larger exports are scaled up uniformly


def export_scale(width: int) -> float:
    """Scale factor so that text stays in proportion at any export width."""
    return max(1.0, width / BASE_WIDTH)


def export_figure(
    eb: EvidenceBase,
    state: FilterState,
    view: str,
    *,
    width: int = 1920,
    height: int = 1080,
    theme: str = "light",
) -> go.Figure:
    """The captioned, themed figure of one view, laid out at width / scale CSS pixels."""
    _check(view, width, height, theme)
    _, fig = view_figure(eb, state, view, captioned=True)
    scale = export_scale(width)
    fig.update_layout(width=round(width / scale), height=round(height / scale))
    return _theme(fig, theme)


def export_image(
    eb: EvidenceBase,
    state: FilterState,
    view: str,
    fmt: str,
    *,
    width: int = 1920,
    height: int = 1080,
    theme: str = "light",
) -> bytes:
    """PNG / SVG / PDF bytes of one view; a PNG is exactly ``width`` × ``height`` pixels."""
    fig = export_figure(eb, state, view, width=width, height=height, theme=theme)
    scale = export_scale(width)
    return render_image(fig, fmt, fig.layout.width, fig.layout.height, scale=scale)


def _about(eb: EvidenceBase, sub: EvidenceBase, state: FilterState, what: str) -> pd.DataFrame:
    rows = [
        ("Contents", what),
        ("Filters", describe_filters(state)),
        ("Articles", f"{sub.n_articles:,} of {eb.n_articles:,}"),
        ("Data source", f"{eb.source} (version {eb.version})"),
        ("Coding scheme", "Wu et al. 2022, Med Sci Educ, doi:10.1007/s40670-022-01553-6"),
        ("Income groups", classification_text(state) + "; World Bank, CC BY 4.0"),
        ("Counting", "An article coded with two categories counts once in each."),
    ]
    if eb.synthetic:
        rows.insert(0, ("WARNING", SYNTHETIC_NOTE))
    return pd.DataFrame(rows, columns=["field", "value"])


def article_records(eb: EvidenceBase) -> pd.DataFrame:
    """The articles with every coded column, as loaded."""
    cols = ["article_id", "title", "year", "authors", "journal", "doi", "url", "languages",
            "article_type", "origin", "origin_income", "origin_income_latest",
            "author_countries", "setting_countries", "formats", "motivations",
            "primary_motivation", "motivation_basis", "notes", "synthetic"]  # fmt: skip
    arts = eb.articles[cols].copy()
    flows = eb.flows.assign(pair=eb.flows["origin"] + ">" + eb.flows["destination"])
    arts["mobility_flows"] = (
        arts["article_id"]
        .map(flows.groupby("article_id")["pair"].agg(";".join))
        .astype(object)
        .fillna("")
    )
    return arts


def gaps_table(eb: EvidenceBase, state: FilterState) -> pd.DataFrame:
    """Countries (in the state's role) and motivation × format cells with zero articles."""
    sub = filters.apply(eb, state)
    countries = aggregate.gap_countries(sub, role=state.role, classification=state.income)
    cells = aggregate.gap_cells(sub)
    out = pd.concat(
        [
            pd.DataFrame({"kind": f"country ({state.role})", "code": countries["iso3"],
                          "label": countries["name"]}),
            pd.DataFrame({"kind": "motivation x format",
                          "code": cells["motivation"] + " x " + cells["format"],
                          "label": cells["motivation_label"] + " x " + cells["format_label"]}),
        ],
        ignore_index=True,
    )  # fmt: skip
    out["n_articles"] = 0
    return out


def table_for(eb: EvidenceBase, state: FilterState, what: str) -> pd.DataFrame:
    """'articles', 'gaps', or a view name (its displayed data)."""
    if what == "articles":
        return article_records(filters.apply(eb, state))
    if what == "gaps":
        return gaps_table(eb, state)
    if what not in VIEWS:
        raise ExportError(f"unknown table '{what}' (use articles, gaps or a view name)")
    return view_figure(eb, state, what)[0]


def export_table(eb: EvidenceBase, state: FilterState, what: str, fmt: str) -> bytes:
    """CSV or XLSX bytes of a table, with a note column / About sheet and safe cells."""
    if fmt not in TABLE_FORMATS:
        raise ExportError(f"unknown table format '{fmt}' (use csv or xlsx)")
    frame = neutralise_formulas(table_for(eb, state, what).reset_index(drop=True))
    sub = filters.apply(eb, state)
    if eb.synthetic:
        frame.insert(0, "data_note", SYNTHETIC_NOTE)
    if fmt == "csv":
        return frame.to_csv(index=False).encode("utf-8-sig")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=what[:31], index=False)
        about = _about(eb, sub, state, what)
        neutralise_formulas(about).to_excel(writer, sheet_name="About", index=False)
    return buffer.getvalue()


def deck_takeaways(eb: EvidenceBase, state: FilterState) -> dict[str, str]:
    """The one-line takeaway of each exported view."""
    sub = filters.apply(eb, state)
    if sub.n_articles == 0:
        return dict.fromkeys(EXPORT_VIEWS, "No articles match these filters.")
    return {v: VIEWS[v].takeaway(sub, state) for v in EXPORT_VIEWS}


def export_deck(eb: EvidenceBase, state: FilterState, *, theme: str = "light") -> bytes:
    """A .pptx deck: a title slide with the filters, then one slide per view."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    sub = filters.apply(eb, state)
    takeaways = deck_takeaways(eb, state)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    title = deck.slides.add_slide(deck.slide_layouts[0])
    title.shapes.title.text = "Internationalization of medical education: evidence map"
    lines = [describe_filters(state), f"N = {sub.n_articles:,} of {eb.n_articles:,} articles"]
    if eb.synthetic:
        lines.append(SYNTHETIC_NOTE)
    title.placeholders[1].text = "\n".join(lines)
    for view in EXPORT_VIEWS:
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        heading = slide.shapes.title
        heading.left, heading.top, heading.width, heading.height = (
            Inches(0.5),
            Inches(0.2),
            Inches(12.3),
            Inches(1.0),
        )
        heading.text = takeaways[view]
        heading.text_frame.word_wrap = True
        heading.text_frame.paragraphs[0].font.size = Pt(24)
        png = export_image(eb, state, view, "png", width=1920, height=1000, theme=theme)
        height = Inches(6.1)
        width = int(height * 1920 / 1000)
        left = int((deck.slide_width - width) / 2)
        slide.shapes.add_picture(io.BytesIO(png), left, Inches(1.25), width=width, height=height)
        notes = caption_for(eb, sub, state, view)
        slide.notes_slide.notes_text_frame.text = (
            (f"{notes.title}. {notes.subtitle}.\n{notes.footer.replace('<br>', ' ')}")
            .replace("<b>", "")
            .replace("</b>", "")
        )
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
