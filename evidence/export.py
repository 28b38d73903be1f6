"""Files that leave the app: chart images, data tables, the gap list and the slide deck.

Every file carries its context: images have the caption (title, filters in words, N,
source and version, classification, synthetic mark); tables have a note column and an
"About" sheet; spreadsheet formulas are neutralised.
"""

from __future__ import annotations

import io
import re
import textwrap
import zipfile
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evidence import aggregate, filters
from evidence.codebook import load_codebook
from evidence.fields import FIELD
from evidence.figures.theme import SLIDE_INCHES, SLIDE_PIXELS, recaption, slide_figure
from evidence.model import EvidenceBase
from evidence.render import default_renderer
from evidence.safe_table import XLSX_MAX_WIDTH, fit_sheet, write_csv, write_xlsx  # noqa: F401
from evidence.state import FilterState
from evidence.views import (
    VIEWS,
    caption_for,
    classification_text,
    describe_filters,
    slide_charts,
    source_name,
    switch_words,
    view_figure,
)

IMAGE_FORMATS = ("png", "svg", "pdf")
TABLE_FORMATS = ("csv", "xlsx", "zip")  # zip: the CSV and an about.txt describing it
THEMES = ("light", "dark", "print")
DEFAULT_SIZE = (1920, 1080)
MAX_SIDE = 6000
SYNTHETIC_NOTE = "SYNTHETIC DEMO DATA - not real articles"


class ExportError(ValueError):
    """A request for an export that cannot be made (unknown view, format or size)."""


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


def check_request(view: str, width: int, height: int, theme: str) -> None:
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
    slide: bool = False,
) -> go.Figure:
    """The captioned, themed figure of one view, laid out at width / scale CSS pixels;
    ``slide``: laid out for the deck's picture (evidence.figures.theme.slide_figure),
    with text that reads on a projected slide and a one-line footer."""
    check_request(view, width, height, theme)
    _, fig = view_figure(eb, state, view, captioned=True)
    if slide:
        return _theme(slide_figure(fig, footer=slide_footer(eb, state)), theme)
    scale = export_scale(width)
    fig.update_layout(width=round(width / scale), height=round(height / scale))
    recaption(fig)  # the filters in words wrap to this width
    return _theme(fig, theme)


def slide_footer(eb: EvidenceBase, state: FilterState) -> str:
    """A slide picture's footer, one line: N, the data file and day, the synthetic mark
    (the coding scheme and income classification are in the slide's notes)."""
    n = filters.apply(eb, state).n_articles
    parts = [f"N = {n:,} articles", f"{source_name(eb.source)}, {date.today().isoformat()}"]
    if eb.synthetic:
        parts.append("<b>SYNTHETIC DEMO DATA</b>")
    return " · ".join(parts)


def export_image(
    eb: EvidenceBase,
    state: FilterState,
    view: str,
    fmt: str,
    *,
    width: int = 1920,
    height: int = 1080,
    theme: str = "light",
    slide: bool = False,
) -> bytes:
    """PNG / SVG / PDF bytes of one view; a PNG is exactly ``width`` × ``height`` pixels.
    ``slide``: the deck's picture, SLIDE_PIXELS (its width and height are ignored)."""
    if slide:
        width, height = SLIDE_PIXELS
    fig = export_figure(eb, state, view, width=width, height=height, theme=theme, slide=slide)
    scale = width / fig.layout.width
    return render_image(fig, fmt, fig.layout.width, fig.layout.height, scale=scale)


def _about(eb: EvidenceBase, sub: EvidenceBase, state: FilterState, what: str) -> pd.DataFrame:
    rows = [
        ("Contents", what),
        ("Filters", describe_filters(state)),
        ("Articles", f"{sub.n_articles:,} of {eb.n_articles:,}"),
        ("Data source", f"{source_name(eb.source)} (version {eb.version or '-'})"),
        ("Coding scheme", scheme_text()),
        ("Income groups", classification_text(state) + "; World Bank, CC BY 4.0"),
        ("Counting", "An article coded with two categories counts once in each."),
    ]
    switches = [switch_words(eb, FIELD[k], getattr(state, k)) for k in VIEWS[what].depends
                if not FIELD[k].is_filter and getattr(state, k) != FIELD[k].default
                ] if what in VIEWS else []  # fmt: skip
    if switches:  # what changes this chart's data besides the filters ("focus: Kenya")
        rows.insert(2, ("Settings", ", ".join(switches)))
    if eb.synthetic:
        rows.insert(0, ("WARNING", SYNTHETIC_NOTE))
    return pd.DataFrame(rows, columns=["field", "value"])


def scheme_text() -> str:
    """The coding scheme as an export's About sheet names it."""
    cb = load_codebook()
    if cb.is_default:
        return "Wu et al. 2022, Med Sci Educ, doi:10.1007/s40670-022-01553-6"
    return "; ".join(x for x in (cb.name, cb.citation, cb.doi and f"doi:{cb.doi}") if x)


def pair_kind() -> str:
    """A gap cell's kind: "motivation x format" in the codebook's words."""
    cb = load_codebook()
    return f"{cb.dim('motivation').noun} x {cb.dim('format').noun}"


def dimension_columns() -> dict[str, str]:
    """Article columns named after the codebook's dimensions ("formats" ->
    "programme_types"); none for the IoME scheme. The loader reads both names."""
    cb = load_codebook()
    if cb.is_default:
        return {}
    snake = lambda text: "_".join(text.lower().split())  # noqa: E731
    fmt, mot = cb.dim("format"), cb.dim("motivation")
    return {"formats": snake(fmt.plural), "motivations": snake(mot.plural),
            "primary_motivation": f"primary_{snake(mot.label)}",
            "format": snake(fmt.label), "motivation": snake(mot.label),
            "format_label": f"{snake(fmt.label)}_label",
            "motivation_label": f"{snake(mot.label)}_label"}  # fmt: skip


def article_records(eb: EvidenceBase) -> pd.DataFrame:
    """The articles in the coding contract: ``id``, every coded column (countries, codes,
    flows, partnerships) as codes, as the loader reads them back, so that a download
    validates with no problem and gives the same counts. Labels go in
    :func:`article_labels` (the XLSX's second sheet)."""
    a = eb.articles
    ids = a["article_id"]
    flows = eb.flows.assign(pair=eb.flows["origin"] + ">" + eb.flows["destination"])
    motivations = [
        ";".join(dict.fromkeys([p, *(c for c in m.split(";") if c)] if p else
                               [c for c in m.split(";") if c]))
        for m, p in zip(a["motivations"].fillna(""), a["primary_motivation"].fillna(""),
                        strict=True)
    ]  # fmt: skip
    records = pd.DataFrame(
        {
            "id": ids.to_numpy(),
            "title": a["title"].to_numpy(),
            "year": a["year"].to_numpy(),
            "authors": a["authors"].to_numpy(),
            "journal": a["journal"].to_numpy(),
            "url": a["url"].to_numpy(),
            "doi": a["doi"].to_numpy(),
            "language": a["languages"].to_numpy(),
            "article_type": a["article_type"].to_numpy(),
            "author_countries": a["author_countries"]
            .fillna("")
            .replace("", "not stated")
            .to_numpy(),
            "setting_countries": a["setting_countries"].to_numpy(),
            "formats": a["formats"].to_numpy(),
            "motivations": motivations,
            "motivation_basis": a["motivation_basis"].to_numpy(),
            "mobility_flows": _joined_by_article(ids, flows, "pair"),
            "partnerships": _joined_by_article(ids, _partnership_cells(eb.partnerships), "cell"),
            "notes": a["notes"].to_numpy(),
            "synthetic": np.where(a["synthetic"].astype(bool), "true", "false"),
        }
    )
    return records.rename(columns=dimension_columns())


def _joined_by_article(ids: pd.Series, rows: pd.DataFrame, column: str) -> np.ndarray:
    """Each article's ``column`` values, ';'-joined in table order ("" for none)."""
    joined = rows.groupby("article_id", sort=False)[column].agg(";".join)
    return ids.map(joined).astype(object).fillna("").to_numpy()


def _partnership_cells(partnerships: pd.DataFrame) -> pd.DataFrame:
    """One row per coded partnership: its countries '+'-joined, lead first ("NGA+ZAF")."""
    if partnerships.empty:
        return pd.DataFrame({"article_id": [], "cell": []})
    grouped = partnerships.groupby(["article_id", "partnership_index"], sort=False)
    cells = grouped.agg(lead=("lead", "first"), partners=("partner", "+".join))
    cells["cell"] = cells["lead"] + "+" + cells["partners"]
    return cells.reset_index()[["article_id", "cell"]]


def article_labels(eb: EvidenceBase, classification: str = "year") -> pd.DataFrame:
    """The same articles in words (country names, income groups, code labels): the
    XLSX's "Labels" sheet, beside the coded sheet the loader reads."""
    labels = aggregate.articles_table(eb, classification).rename(columns={"article_id": "id"})
    return labels.rename(columns=dimension_columns())


def gaps_table(eb: EvidenceBase, state: FilterState) -> pd.DataFrame:
    """Countries (in the state's role) and motivation × format cells with zero articles."""
    sub = filters.apply(eb, state)
    countries = aggregate.gap_countries(sub, role=state.role, classification=state.income)
    cells = aggregate.gap_cells(sub)
    out = pd.concat(
        [
            pd.DataFrame({"kind": f"country ({state.role})", "code": countries["iso3"],
                          "label": countries["name"]}),
            pd.DataFrame({"kind": pair_kind(),
                          "code": cells["motivation"] + " x " + cells["format"],
                          "label": cells["motivation_label"] + " x " + cells["format_label"]}),
            gap_map_gaps(sub, state),
        ],
        ignore_index=True,
    )  # fmt: skip
    out["n_articles"] = 0
    return out


def gap_map_gaps(sub: EvidenceBase, state: FilterState) -> pd.DataFrame:
    """The evidence gap map's empty cells for the two dimensions it crosses (none when
    it crosses motivation and format groups, listed above, or one filter twice)."""
    from evidence.aggregate.gapmap import dimensions, gap_matrix, same_filter

    rows, cols = state.gap_rows, state.gap_cols
    if {rows, cols} == {"motivation", "format"} or same_filter(rows, cols):
        return pd.DataFrame(columns=["kind", "code", "label"])
    dims = dimensions()
    cells = gap_matrix(sub, rows, cols, state.income)
    cells = cells[cells["gap"]]
    return pd.DataFrame({"kind": f"{dims[rows].title} x {dims[cols].title}".lower(),
                         "code": cells["row"] + " x " + cells["column"],
                         "label": cells["row_label"] + " x " + cells["column_label"]})  # fmt: skip


def load_report_table(eb: EvidenceBase) -> pd.DataFrame:
    """The load report of the data shown, one problem a row, with the file's name (the
    About dialog's table, whole)."""
    frame = eb.report.to_frame()
    frame.insert(0, "file", source_name(eb.source))
    return frame


def table_for(eb: EvidenceBase, state: FilterState, what: str) -> pd.DataFrame:
    """'articles', 'gaps', 'load-report', or a view name (its displayed data)."""
    if what == "articles":
        return article_records(filters.apply(eb, state))
    if what == "gaps":
        return gaps_table(eb, state)
    if what == "load-report":
        return load_report_table(eb)
    if what not in VIEWS:
        raise ExportError(
            f"unknown table '{what}' (use articles, gaps, load-report, {', '.join(VIEWS)})"
        )
    return view_figure(eb, state, what)[0].rename(columns=dimension_columns())


def file_prefix() -> str:
    """The first word of every download's name: "iome", or the scheme's name as a slug."""
    cb = load_codebook()
    if cb.is_default:
        return "iome"
    slug = re.sub(r"[^a-z0-9]+", "-", (cb.name or "evidence map").lower()).strip("-")
    return slug[:30].rstrip("-") or "evidence-map"


def file_stem(eb: EvidenceBase, what: str, detail: str = "") -> str:
    """A download's name without its extension: ``iome-<what>[-<detail>]-<day>`` (under
    another scheme its name instead of "iome"), and ``-SYNTHETIC-DEMO`` for demo data."""
    stem = "-".join(p for p in (file_prefix(), what, detail, date.today().isoformat()) if p)
    return stem + ("-SYNTHETIC-DEMO" if eb.synthetic else "")


def table_file_stem(eb: EvidenceBase, state: FilterState, what: str) -> str:
    """The name of a table's file without its extension: what it holds, its filters, how
    many articles are behind it and the day, e.g.
    ``iome-articles-outbound-mobility-2010-2020-n84-2026-12-02`` (``-SYNTHETIC-DEMO``
    added for demo data). Filters are cut to 60 characters; the about.txt of the ZIP
    bundle and the XLSX About sheet hold them whole."""
    n = filters.apply(eb, state).n_articles
    words = describe_filters(state)
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:60].rstrip("-") or "all"
    return file_stem(eb, what, f"{slug}-n{n}")


def about_text(eb: EvidenceBase, state: FilterState, what: str) -> str:
    """The about.txt of a table bundle: what it holds, its filters and N, the source."""
    about = _about(eb, filters.apply(eb, state), state, what)
    lines = [f"{field}: {value}" for field, value in zip(about["field"], about["value"],
                                                        strict=True)]  # fmt: skip
    return "\n".join([f"{load_codebook().title}: data export", "", *lines, ""])


def export_table(eb: EvidenceBase, state: FilterState, what: str, fmt: str) -> bytes:
    """CSV or XLSX bytes of a table, with a note column / About sheet and safe cells; or
    a ZIP of the CSV and an about.txt (its filters and N), for a CSV that must stay a
    plain table (no comment line for a parser to trip on)."""
    if fmt not in TABLE_FORMATS:
        raise ExportError(f"unknown table format '{fmt}' (use csv, xlsx or zip)")
    frame = table_for(eb, state, what).reset_index(drop=True)
    if eb.synthetic:
        frame.insert(0, "data_note", SYNTHETIC_NOTE)
    if fmt == "csv":
        return write_csv(frame)
    if fmt == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr(table_file_stem(eb, state, what) + ".csv", write_csv(frame))
            bundle.writestr("about.txt", about_text(eb, state, what).encode("utf-8"))
        return buffer.getvalue()
    about = _about(eb, filters.apply(eb, state), state, what)
    sheets = {what: frame}
    if what == "articles":  # codes on the first sheet (the loader's), words beside
        sheets["Labels"] = article_labels(filters.apply(eb, state), state.income)
    return write_xlsx({**sheets, "About": about}, style=fit_sheet)


def deck_takeaways(eb: EvidenceBase, state: FilterState) -> dict[str, str]:
    """The headline of each slide: its chart's takeaway; a chart whose takeaway an
    earlier slide already says (two charts of one view) gets its own, the pairs it
    shows, so no two slides carry the same headline."""
    sub = filters.apply(eb, state)
    if sub.n_articles == 0:
        return dict.fromkeys(slide_charts(), "No articles match these filters.")
    out: dict[str, str] = {}
    for view in slide_charts():
        text = VIEWS[view].takeaway(sub, state)
        if text in out.values():
            text = largest_pairs_sentence(sub, state) or f"{VIEWS[view].title}: {text}"
        out[view] = text
    return out


def largest_pairs_sentence(sub: EvidenceBase, state: FilterState) -> str:
    """The partner map's headline: its largest lead → partner pairs."""
    pairs = aggregate.partner_pairs(sub, classification=state.income)
    if not len(pairs):
        return ""
    top = pairs.nlargest(3, "n_articles")
    named = "; ".join(f"{o} → {d} ({n:,})" for o, d, n in zip(
        top["origin_name"], top["destination_name"], top["n_articles"], strict=True))  # fmt: skip
    return f"Largest partnerships, lead → partner: {named}."


DECK_TITLE = "Internationalization of medical education: evidence map"


def deck_title() -> str:
    """The deck's title: the IoME one, or the name of the codebook in use."""
    cb = load_codebook()
    return DECK_TITLE if cb.is_default else f"{cb.name or 'Coded articles'}: evidence map"


SLIDE_SIZE = (13.333, 7.5)  # inches, 16:9
_MARGIN = 0.9  # inches left and right of the title slide's text
_GLYPH_EM = 0.6  # average glyph width in em, wide side (DejaVu Sans; Calibri is narrower)
_LINE_EM = 1.2  # line height in em
_INSET = (0.2, 0.1)  # a text box's inner margins, inches (left + right, top + bottom)


def _lines_at(paragraphs: list[str], width_in: float, pt: float) -> float:
    """Lines the paragraphs take, wrapped at ``pt`` in a box ``width_in`` wide, counting
    the space between paragraphs (0.4 em) as a third of a line."""
    per_line = max(1, int((width_in - _INSET[0]) * 72 / (_GLYPH_EM * pt)))
    wrap = textwrap.TextWrapper(per_line, break_long_words=True, break_on_hyphens=True)
    return sum(max(1, len(wrap.wrap(p))) for p in paragraphs) + (len(paragraphs) - 1) / 3


def fit_font_size(
    paragraphs: list[str], width_in: float, height_in: float, sizes=(24, 22, 20, 18, 16, 14, 12)
) -> int | None:
    """The largest of ``sizes`` (pt) at which the wrapped paragraphs fit a box of
    ``width_in`` x ``height_in`` inches, estimated generously; None when none fits."""
    for pt in sizes:
        lines = _lines_at(paragraphs, width_in, pt)
        if lines * _LINE_EM * pt / 72 <= height_in - _INSET[1]:
            return pt
    return None


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _place(shape, left: float, top: float, width: float, height: float) -> None:
    from pptx.util import Inches

    shape.left, shape.top = Inches(left), Inches(top)
    shape.width, shape.height = Inches(width), Inches(height)


def _set_paragraphs(
    shape, paragraphs: list[str], pt: int, *, anchor, bold_last=False, color=None
) -> None:
    """Replace a shape's text with ``paragraphs`` at ``pt``, wrapped, shrinking on overflow."""
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Pt

    frame = shape.text_frame
    frame.text = "\n".join(paragraphs)
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # a safety net: the size is computed
    frame.vertical_anchor = anchor
    for i, paragraph in enumerate(frame.paragraphs):
        if i:
            paragraph.space_before = Pt(pt * 0.4)
        for run in paragraph.runs:
            run.font.size = Pt(pt)
            if color is not None:
                run.font.color.rgb = RGBColor.from_string(color)
            if bold_last and i == len(frame.paragraphs) - 1:
                run.font.bold = True


def _title_slide(deck, eb: EvidenceBase, sub: EvidenceBase, state: FilterState) -> None:
    """Title and context (filters, N, data file, synthetic mark), laid out for 16:9: any
    filter text fits, at a smaller size or, past 12 pt, cut with the whole text in the
    notes."""
    from pptx.enum.text import MSO_ANCHOR

    slide = deck.slides.add_slide(deck.slide_layouts[0])
    width = SLIDE_SIZE[0] - 2 * _MARGIN
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    _place(title, _MARGIN, 0.7, width, 1.7)
    _set_paragraphs(title, [deck_title()], 40, anchor=MSO_ANCHOR.BOTTOM)
    box = (width, SLIDE_SIZE[1] - 2.7 - 0.5)  # from 2.7 in to 0.5 in above the bottom
    _place(subtitle, _MARGIN, 2.7, *box)
    filters_text = "Filters: " + describe_filters(state)
    context = [
        f"N = {sub.n_articles:,} of {eb.n_articles:,} articles, exported "
        + date.today().isoformat().replace("-", "\u2011"),  # non-breaking hyphens
        f"Data: {source_name(eb.source)}, version {eb.version or '-'}",
    ]
    if eb.synthetic:
        context.append(SYNTHETIC_NOTE)
    paragraphs = [filters_text, *context]
    pt = fit_font_size(paragraphs, *box)
    if pt is None:  # too long even at the smallest size: cut it; the notes keep it whole
        pt, keep = 12, len(filters_text)
        while keep > 40 and fit_font_size(paragraphs, *box, sizes=(pt,)) is None:
            keep = int(keep * 0.9)
            paragraphs[0] = _clip(filters_text, keep) + " (all filters in the notes)"
    _set_paragraphs(
        subtitle, paragraphs, pt, anchor=MSO_ANCHOR.TOP, bold_last=eb.synthetic, color="404040"
    )
    slide.notes_slide.notes_text_frame.text = "\n".join([filters_text, *context])


def _widen_layouts(deck, from_width: int) -> None:
    """Stretch the template's 4:3 master and layout placeholders across the 16:9 slide,
    so a slide added later in PowerPoint or Impress is laid out for the deck's width."""
    factor = deck.slide_width / from_width
    for part in (deck.slide_master, *deck.slide_layouts):
        for shape in part.placeholders:
            if shape._element.xfrm is not None and shape.width:
                shape.left, shape.width = round(shape.left * factor), round(shape.width * factor)


def _alt_text(picture, name: str, description: str) -> None:
    """A picture's name and alternative text (what a screen reader and PowerPoint's Alt
    Text pane show; python-pptx would leave the image's file name)."""
    picture.name = name
    picture._element.nvPicPr.cNvPr.set("descr", description)


def _core_properties(deck, eb: EvidenceBase, sub: EvidenceBase, state: FilterState) -> None:
    props = deck.core_properties
    synthetic = f" ({SYNTHETIC_NOTE})" if eb.synthetic else ""
    props.title = _clip(deck_title() + synthetic, 255)
    props.author = props.last_modified_by = load_codebook().title
    props.subject = _clip(
        f"Evidence map of {sub.n_articles:,} of {eb.n_articles:,} articles{synthetic}; "
        f"filters: {describe_filters(state)}",
        255,
    )
    keywords = list(load_codebook().word("keywords"))
    if eb.synthetic:
        keywords.append("synthetic demo data")
    props.keywords = "; ".join(keywords)
    props.comments = _clip(
        (SYNTHETIC_NOTE + ". " if eb.synthetic else "")
        + f"Data: {source_name(eb.source)} (version {eb.version or '-'}); "
        + (
            "coding after Wu et al. 2022, Med Sci Educ, doi:10.1007/s40670-022-01553-6."
            if load_codebook().is_default
            else f"coding scheme: {scheme_text()}."
        ),
        255,
    )
    props.category = "Evidence map"
    props.created = props.modified = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    props.revision = 1


def export_deck(eb: EvidenceBase, state: FilterState, *, theme: str = "light") -> bytes:
    """A 16:9 .pptx deck: a title slide with the filters, then one slide per view whose
    picture carries the chart's title, takeaway and filters as alternative text."""
    from pptx import Presentation
    from pptx.enum.text import MSO_ANCHOR
    from pptx.util import Inches

    sub = filters.apply(eb, state)
    takeaways = deck_takeaways(eb, state)
    deck = Presentation()
    template_width = deck.slide_width
    deck.slide_width, deck.slide_height = Inches(SLIDE_SIZE[0]), Inches(SLIDE_SIZE[1])
    # the template's size type says "screen4x3"; PowerPoint writes none for its 13.333 x
    # 7.5 in "Widescreen (16:9)" (screen16x9 is the 10 x 5.625 in size)
    deck.part._element.sldSz.attrib.pop("type", None)
    _widen_layouts(deck, template_width)
    _core_properties(deck, eb, sub, state)
    _title_slide(deck, eb, sub, state)
    described = describe_filters(state)
    for view in slide_charts():
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        heading = slide.shapes.title
        _place(heading, 0.5, 0.15, SLIDE_SIZE[0] - 1.0, 1.05)
        text = takeaways[view]
        pt = fit_font_size([text], SLIDE_SIZE[0] - 1.0, 1.05, sizes=(24, 22, 20, 18, 16)) or 16
        _set_paragraphs(heading, [text], pt, anchor=MSO_ANCHOR.MIDDLE)
        png = export_image(eb, state, view, "png", theme=theme, slide=True)
        height = Inches(SLIDE_INCHES[1])
        width = int(height * SLIDE_PIXELS[0] / SLIDE_PIXELS[1])
        left = int((deck.slide_width - width) / 2)
        picture = slide.shapes.add_picture(
            io.BytesIO(png), left, Inches(1.25), width=width, height=height
        )
        title = VIEWS[view].title
        _alt_text(
            picture,
            f"Chart: {title}",
            f"{_sentence(title)} {_sentence(text)} Filters: {described}. "
            f"N = {sub.n_articles:,} articles."
            + (" Synthetic demo data, not real articles." if eb.synthetic else ""),
        )
        notes = caption_for(eb, sub, state, view)
        slide.notes_slide.notes_text_frame.text = (
            (f"{notes.title}. {notes.subtitle}.\n{notes.footer.replace('<br>', ' ')}")
            .replace("<b>", "")
            .replace("</b>", "")
        )
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
