"""The 'Your data' dialog: upload a coded spreadsheet, read its load report, map columns.

The file itself travels by ``assets/upload.js`` (a plain POST to ``/upload`` with a
byte-level progress bar), not through a Dash callback; the answer is handed to the
``upload-result`` store, and the callbacks here draw it. Everything a user sent is
rendered as text.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import re
from pathlib import Path

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from components.about import report_table
from components.uploads import Sessions, StoreUnavailable
from evidence.fields import DATASET_KEY
from evidence.model import EvidenceBase
from evidence.schema import CONTRACT, header_key
from evidence.views import source_name

DATA_OPEN = "data-open"  # pattern-matching type: the navbar button and the banner's
DATA_MODAL = "data-modal"
RESULT = "upload-result"
CODEBOOK_KEY = "upload-codebook-key"
RESULT_VIEW = "upload-result-view"
MAP_FIELD = "map-field"
APPLY_MAPPING = "apply-mapping"  # pattern-matching type (the form is not always there)
NO_COLUMN = "__none__"


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def now_showing(eb: EvidenceBase, meta: dict | None) -> html.Div:
    """What the dashboard shows now, with the way back to the default data."""
    if meta and meta.get("status") == "loaded":
        text = [
            "Now showing ",
            html.Strong("your file " + str(meta.get("filename", ""))),
            f": {eb.n_articles:,} articles, uploaded {meta.get('uploaded', '')}. ",
        ]
        back = html.Button(
            "Back to the demo data",
            type="button",
            id="upload-clear",
            className="btn btn-outline-secondary btn-sm ms-2",
            **{"data-upload-clear": "1"},
        )
        return html.Div([html.Span(text), back], className="small mb-3")
    label = "the synthetic demo data" if eb.synthetic else f"the dataset {source_name(eb.source)}"
    return html.Div(f"Now showing {label} ({eb.n_articles:,} articles).", className="small mb-3")


def data_modal(
    eb: EvidenceBase,
    meta: dict | None,
    max_bytes: int,
    ttl_hours: float,
    *,
    pending: dict | None = None,
    fresh: dict | None = None,
):
    """The dialog. ``meta`` describes the session's loaded upload, ``pending`` a file that
    awaits a column mapping, ``fresh`` the answer of a load that just succeeded (then the
    dialog opens with it, once, over the dashboard drawn on that file)."""
    if fresh:
        shown = result_view(fresh)
    elif pending:
        shown = result_view(pending_answer(pending))
    else:
        shown = []
    body = [
        html.P(
            [
                "Load your own coded spreadsheet (CSV or XLSX, up to ",
                _mb(max_bytes),
                "). It is checked against the coding contract and you get a full report "
                "of what was loaded and what was not. The file is kept on this server "
                f"for this browser session only ({ttl_hours:g} hours after its last use) "
                "and no other visitor can see it.",
            ],
            className="small",
        ),
        scheme_choice(meta),
        html.P(
            [
                html.A(
                    "Download the template (CSV)",
                    href="/upload/template.csv",
                    id="upload-template",
                    className="me-3",
                ),
                "one row per article; lists separated by ';'.",
            ],
            className="small",
        ),
        now_showing(eb, meta),
        html.Div(
            [
                html.Button(
                    "Choose a CSV or XLSX file…",
                    type="button",
                    className="btn btn-primary",
                    id="upload-pick",
                ),
                html.Span(
                    " or drop it here.", className="small text-muted ms-2 d-none d-md-inline"
                ),
            ],
            id="upload-drop",
            className="upload-drop",
            **{"data-max-bytes": str(max_bytes)},
        ),
        html.Div(id="upload-progress", className="mt-2", **{"aria-live": "polite"}),
        dcc.Store(id=RESULT),
        dcc.Download(id="mapping-download"),
        dcc.Store(id="upload-reload"),
        dcc.Store(id=CODEBOOK_KEY),  # the scheme key of the codebook checked in the dialog
        html.Div(shown, id=RESULT_VIEW, className="mt-3"),
    ]
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle("Use your own data", id="data-title")),
            dbc.ModalBody(body),
        ],
        id=DATA_MODAL,
        labelledby="data-title",
        size="lg",
        scrollable=True,
        is_open=bool(fresh),
    )


SCHEME = "upload-scheme"
COLUMNS = "upload-columns"
SITE_SCHEME = "site"  # the select's values for the site's own scheme, for names as given
BY_NAME = "names"
OWN = "own"
YAML_MAX = 256 * 1024


def _yaml_picker(part: str, what: str) -> html.Div:
    """A hidden-until-chosen picker of a YAML file (read in the browser, sent with the
    data file; checked here at once so a mistake is named before the upload)."""
    return html.Div(
        [
            dcc.Upload(
                html.Button(f"Choose your {what} (YAML)…", type="button",
                            className="btn btn-outline-secondary btn-sm"),
                id=f"upload-{part}-file", accept=".yaml,.yml", max_size=YAML_MAX,
            ),
            html.Div(id=f"upload-{part}-check", className="small mt-1", **{"aria-live": "polite"}),
        ],
        id=f"upload-{part}-own", hidden=True, className="mt-1",
    )  # fmt: skip


def scheme_choice(meta: dict | None = None) -> html.Div:
    """The coding scheme the file is coded in and how its columns are read: the site's
    scheme, a bundled example, or the team's own codebook; names matched, the EviAtlas
    mapping, or the team's own mapping file. Chosen before the file is sent; the scheme
    of the session's upload (``meta``) is chosen again at first."""
    from evidence.codebook import site_codebook
    from evidence.schemes import BUNDLED, bundled_mapping

    site = site_codebook()
    site_name = site.name or site.title
    schemes = [{"label": f"This site's scheme ({site_name})", "value": SITE_SCHEME}]
    schemes += [{"label": label, "value": key} for key, (label, book, _m, _l) in BUNDLED.items()
                if book.resolve() != Path(site.path or book).resolve()]  # fmt: skip
    schemes.append({"label": "My own codebook (YAML)…", "value": OWN})
    columns = [{"label": "By column name (adjust them after the upload if asked)",
                "value": BY_NAME}]  # fmt: skip
    columns += [{"label": label, "value": key}
                for key, (_s, _b, mapping, label) in BUNDLED.items() if mapping]  # fmt: skip
    columns.append({"label": "My own mapping file (YAML)…", "value": OWN})
    again = str((meta or {}).get("scheme") or "")
    scheme = again if any(o["value"] == again for o in schemes) else SITE_SCHEME
    mapped = again in BUNDLED and (meta or {}).get("mapping") == bundled_mapping(again)
    by = again if mapped and (meta or {}).get("mapping") else BY_NAME  # as chosen then
    return html.Div(
        [
            dbc.Label("Coding scheme of your file", html_for=SCHEME, className="small mb-0"),
            dbc.Select(id=SCHEME, options=schemes, value=scheme, size="sm"),
            _yaml_picker("codebook", "codebook"),
            dbc.Label("Its columns", html_for=COLUMNS, className="small mb-0 mt-2"),
            dbc.Select(id=COLUMNS, options=columns, value=by, size="sm"),
            _yaml_picker("mapping", "mapping file"),
        ],
        className="mb-3",
    )


def pending_answer(meta: dict) -> dict:
    """The answer for a file awaiting a mapping, rebuilt from its stored description."""
    return {
        "status": "needs_mapping",
        "filename": meta.get("filename", ""),
        "headers": meta.get("headers", []),
        "scheme": str(meta.get("scheme") or ""),
        "message": "Match your column names to the coding contract, then apply the mapping.",
    }


# Other names review tools give the contract's columns (EviAtlas, EPPI-Reviewer,
# Covidence, Rayyan exports): a pre-fill only where a header means the column.
SYNONYMS = {
    "id": ("studyid", "recordid", "refid", "itemid", "covidence", "covidenceid", "key"),
    "year": ("publicationyear", "pubyear", "yearofpublication", "published"),
    "authors": ("author", "authorlist", "firstauthor"),
    "journal": ("source", "sourcetitle", "publication", "journaltitle"),
    "url": ("link", "googlescholarlink", "fulltextlink"),
    "author_countries": ("authorcountry", "countryofauthors", "affiliationcountry"),
    "setting_countries": ("nation", "country", "studycountry", "studysetting", "setting"),
    "notes": ("note", "comments", "comment"),
}


def _guess(column: str, headers: list[str]) -> str:
    """The file's column that means ``column``: the same name, a known synonym, or a
    near spelling of a long name ("Author countrys"); never a mere resemblance of short
    words (no "id" from "Wind")."""
    keys = {header_key(h): h for h in headers}
    key = header_key(column)
    if key in keys:
        return keys[key]
    for synonym in SYNONYMS.get(column, ()):
        if synonym in keys:
            return keys[synonym]
    words = set(column.split("_"))
    holding = [h for h in headers if words <= set(re.findall(r"[a-z0-9]+", h.lower()))]
    if len(holding) == 1:  # "Paper title" holds "title"
        return holding[0]
    if len(key) < 6:
        return NO_COLUMN
    long_keys = [k for k in keys if len(k) >= 6]
    match = difflib.get_close_matches(key, long_keys, n=1, cutoff=0.85)
    return keys[match[0]] if match else NO_COLUMN


def _dom_id(component_id: dict) -> str:
    """The DOM id Dash gives a pattern-matching id (JSON, keys sorted, no spaces)."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


ROW_ID = "__row_number__"  # the id choices that are not a column of the file
MADE_ID = "__generated__"
MAP_CODES = "map-codes"  # pattern-matching types of the mapping step's other choices
MAP_POINT = "map-point"
MAP_SAVE = "map-save"
MAP_FILE = "map-file"
POINT_NAMES = {
    "latitude": ("latitude", "lat", "ycoord", "ycoordinate"),
    "longitude": ("longitude", "lon", "long", "lng", "xcoord", "xcoordinate"),
}


def _column_words(name: str) -> str:
    """A contract column as a reader names it: the scheme's words for its two coded
    columns ("Strip vegetation types"), else the name in plain words."""
    from evidence.codebook import load_codebook

    cb = load_codebook()
    roles = {"formats": "format", "motivations": "motivation"}
    if name in roles:
        return cb.dim(roles[name]).plural
    if name == "motivation_basis":
        return f"{cb.dim('motivation').label} basis"
    return name.replace("_", " ").capitalize()


def _column_help(col) -> str:
    """A contract column's description, its coded columns in the scheme's words."""
    from evidence.codebook import load_codebook

    roles = {"formats": "format", "motivations": "motivation"}
    if col.name not in roles:
        return col.description
    first = ", primary first" if col.name == "motivations" else ""
    return f"';'-separated {load_codebook().dim(roles[col.name]).noun} codes{first}"


def code_columns(headers: list[str], role: str) -> dict[str, str]:
    """The file's columns that each name one code of the scheme's ``role`` dimension
    ("ES: Food" -> provisioning.food), a "Prefix: " column first where two name the same
    code. Only a whole name that is a code's label or code counts."""
    from evidence.codebook import load_codebook

    cb = load_codebook()
    found: dict[str, str] = {}
    for header in sorted(headers, key=lambda h: ":" not in h):
        code = cb.resolve(role, header.split(":", 1)[-1].strip())
        if code and code in cb.codes and code not in found.values():
            found[header] = code
    return {h: found[h] for h in headers if h in found}


def _point_guess(axis: str, headers: list[str]) -> str:
    keys = {header_key(h): h for h in headers}
    return next((keys[k] for k in POINT_NAMES[axis] if k in keys), NO_COLUMN)


def _select_row(label, control, help_text: str = "") -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(label, sm=4),
            dbc.Col(control, sm=5),
            dbc.Col(html.Span(help_text, className="small text-muted"), sm=3),
        ],
        className="mb-1 align-items-center",
    )


def mapping_form(headers: list[str], scheme: str = "") -> html.Div:
    """The mapping step, with the same choices as a mapping file: one 'which of your
    columns is this?' per contract column (the id may be the row number or made from
    title, year and authors), latitude and longitude for countries, columns holding one
    code each merged into a code list; apply it, save it as YAML, or apply a YAML file.
    Pre-filled only where a column's name means the column (no "id" from "Wind")."""
    from evidence.codebook import using_codebook
    from evidence.schemes import scheme_codebook

    with using_codebook(scheme_codebook(scheme) if scheme else None):
        return _mapping_form(headers)


def _mapping_form(headers: list[str]) -> html.Div:
    options = [{"label": "(none)", "value": NO_COLUMN}] + [
        {"label": h, "value": h} for h in headers
    ]
    id_options = [
        options[0],
        {"label": "(use the row number: row-2, row-3, …)", "value": ROW_ID},
        {"label": "(make one from title, year and authors)", "value": MADE_ID},
        *options[1:],
    ]
    roles = (("formats", "format"), ("motivations", "motivation"))
    coded = {c: code_columns(headers, role) for c, role in roles}
    rows = []
    for col in CONTRACT:
        field_id = {"type": MAP_FIELD, "column": col.name}
        guess = _guess(col.name, headers)
        if col.name == "id" and guess == NO_COLUMN:
            guess = ROW_ID  # every row needs an id: the row number unless one is named
        if guess in coded.get(col.name, {}):
            guess = NO_COLUMN  # a one-code column is merged below, not read as a list
        text = f"{_column_words(col.name)}{' (required)' if col.required else ''}"
        label = dbc.Label([text, " ", html.Code(col.name, className="small text-muted")],
                          html_for=_dom_id(field_id), className="small mb-0")  # fmt: skip
        select = dbc.Select(id=field_id, options=id_options if col.name == "id" else options,
                            value=guess, size="sm")  # fmt: skip
        rows.append(_select_row(label, select, _column_help(col)))
    points = []
    for axis in POINT_NAMES:
        point_id = {"type": MAP_POINT, "axis": axis}
        label = dbc.Label(axis.capitalize(), html_for=_dom_id(point_id), className="small mb-0")
        select = dbc.Select(id=point_id, options=options, value=_point_guess(axis, headers),
                            size="sm")  # fmt: skip
        points.append(_select_row(label, select))
    merged = []
    for col, found in coded.items():
        codes_id = {"type": MAP_CODES, "column": col}
        label = dbc.Label(_column_words(col), html_for=_dom_id(codes_id), className="small mb-0")
        pick = dcc.Dropdown(id=codes_id, options=headers, value=list(found), multi=True,
                            placeholder="Columns holding one code each…")  # fmt: skip
        merged.append(_select_row(label, pick))
    return html.Div(
        [
            html.H3("Match your columns", className="h6 mt-3"),
            *rows,
            html.H3("Countries from coordinates", className="h6 mt-3"),
            html.P(
                "A study whose country column is empty or not a country gets the country "
                "its latitude and longitude fall in (Natural Earth borders).",
                className="small text-muted mb-1",
            ),
            *points,
            html.H3("One column per code", className="h6 mt-3"),
            html.P(
                "Columns that each stand for one code (yes/no, x, 1/0): a cell that is not "
                "empty, no, n, 0, false or - adds the code its column is named after.",
                className="small text-muted mb-1",
            ),
            *merged,
            html.Div(
                [
                    dbc.Button("Apply the mapping", id={"type": APPLY_MAPPING, "n": 0},
                               color="primary", size="sm", className="me-2"),
                    dbc.Button("Save this mapping (YAML)", id={"type": MAP_SAVE, "n": 0},
                               color="secondary", outline=True, size="sm", className="me-2"),
                    dcc.Upload(
                        dbc.Button("Apply a mapping file (YAML)…", color="secondary",
                                   outline=True, size="sm"),
                        id={"type": MAP_FILE, "n": 0}, accept=".yaml,.yml", max_size=YAML_MAX,
                        className="d-inline-block",
                    ),
                ],
                className="mt-2",
            ),
        ]
    )  # fmt: skip


def result_view(answer: dict | None) -> list:
    """The outcome of an upload or a mapping, from the route's JSON answer."""
    if not isinstance(answer, dict) or not answer.get("status"):
        return []
    status = answer["status"]
    message = str(answer.get("message", ""))
    report = answer.get("report") if isinstance(answer.get("report"), dict) else None
    out = []
    if status == "loaded":
        rejected = bool(report and report.get("n_rows_rejected"))
        out.append(
            dbc.Alert(
                [
                    html.Strong("Loaded, with rows left out. " if rejected else "Loaded. "),
                    message,
                    " ",
                    str(answer.get("summary", "")),
                    ".",
                ],
                color="warning" if rejected else "success",
                className="py-2",
            )
        )
        if answer.get("shown"):  # drawn over the dashboard that now shows this file
            out.append(
                dbc.Button(
                    "Close and explore your data",
                    id={"type": DATA_OPEN, "where": "done"},
                    color="primary",
                    className="mb-3",
                )
            )
        else:  # the page reloads on this file (clientside callback below)
            out.append(html.P("Opening the dashboard on this file…", className="small"))
    elif status == "needs_mapping":
        out.append(dbc.Alert(message, color="warning", className="py-2"))
        headers = [str(h) for h in answer.get("headers") or []]
        out.append(mapping_form(headers, str(answer.get("scheme") or "")))
    else:
        out.append(
            dbc.Alert([html.Strong("Not loaded. "), message], color="danger", className="py-2")
        )
        if answer.get("headers"):  # the stored file can still be mapped differently
            headers = [str(h) for h in answer["headers"]]
            out.append(mapping_form(headers, str(answer.get("scheme") or "")))
    if report is not None:
        out += [
            html.H3("Load report", className="h6 mt-3"),
            report_table(report, download="/upload/report.csv"),
        ]
    return out


def data_banner(
    eb: EvidenceBase, meta: dict | None, expired: bool, viewing: bool = True, foreign: bool = False
):
    """A line above the views: the session's own file shown (or kept, one click away),
    a link naming an upload this browser cannot see, or an upload that is gone."""
    loaded = bool(meta and meta.get("status") == "loaded")
    if loaded and viewing:
        return _banner(
            [
                html.Strong("Your data: "),
                f"{meta.get('filename', '')}, {eb.n_articles:,} articles "
                f"({eb.report.summary()}). Only this browser session can see it: links to "
                "this page name your upload and open it only here. ",
                html.Button(
                    "Change or remove",
                    className="btn btn-link btn-sm p-0 align-baseline",
                    id={"type": DATA_OPEN, "where": "banner"},
                ),
                " · ",
                html.A("Show the site's data", href="/", id="site-data-link"),
            ],
            "info",
        )
    if expired:
        return _banner(
            "Your uploaded file has expired or was removed; the dashboard shows the demo "
            "data again. Upload the file again from 'Your data'.",
            "secondary",
        )
    if foreign:
        return _banner(
            "This link names an uploaded file that this browser cannot open: an upload is "
            "visible only in the browser that sent it, and only until it expires. Showing "
            "the site's data instead.",
            "secondary",
        )
    if loaded:
        return _banner(
            [
                "Showing the site's data. Your upload "
                f"({meta.get('filename', '')}, {int(meta.get('articles') or 0):,} articles) "
                "is kept: ",
                html.A("show your upload", href=f"/?{DATASET_KEY}={meta.get('link', '')}",
                       id="your-upload-link"),
                ".",
            ],
            "info",
        )  # fmt: skip
    return None


def _banner(children, color: str):
    return dbc.Alert(children, color=color, className="py-2 mb-2 data-banner", id="data-banner")


def browser_mapping(
    columns: list, values: list, codes: dict | None = None, point: tuple = ("", "")
) -> dict:
    """The mapping step's choices as a column mapping: ``{header: column}`` when it only
    renames, else the sections form of a mapping file (evidence/mapping.py): a column read
    as two contract columns (Nation as author and setting country), the id from the row
    number or made, ``codes`` ({contract column: [headers holding one code each]}) merged
    into code lists, countries from ``point`` (latitude and longitude headers) where the
    country column does not name one. Codes are read in the codebook in use."""
    chosen: dict[str, list[str]] = {}
    id_rule = ""
    for column, header in zip(columns, values, strict=False):
        if column == "id" and header in (ROW_ID, MADE_ID):
            id_rule = "row_number" if header == ROW_ID else "generated"
        elif isinstance(column, str) and isinstance(header, str) and header != NO_COLUMN:
            chosen.setdefault(header, []).append(column)
    merged = {t: [h for h in hs if isinstance(h, str)] for t, hs in (codes or {}).items()}
    merged = {t: hs for t, hs in merged.items() if hs and t in ("formats", "motivations")}
    lat, lon = (p if isinstance(p, str) and p != NO_COLUMN else "" for p in point)
    if not (id_rule or merged or (lat and lon)):
        if all(len(targets) == 1 for targets in chosen.values()):
            return {header: targets[0] for header, targets in chosen.items()}
        return {"columns": chosen}
    out: dict = {"id": id_rule} if id_rule else {}
    countries = {}
    if lat and lon:
        for target in ("author_countries", "setting_countries"):
            texts = [h for h, targets in chosen.items() if target in targets]
            for h in texts:
                chosen[h].remove(target)
            countries[target] = {"text": texts, "coordinates": [lat, lon]}
    out["columns"] = {h: ts[0] if len(ts) == 1 else ts for h, ts in chosen.items() if ts}
    if merged:
        roles = {"formats": "format", "motivations": "motivation"}
        out["codes"] = {t: {"columns": {h: _code_of(h, roles[t]) for h in hs}}
                        for t, hs in merged.items()}  # fmt: skip
    if countries:
        out["countries"] = countries
    return out


def _code_of(header: str, role: str) -> str:
    """The code a one-code column stands for: its name read as a code or label (after a
    "Prefix: "), else the name as it is (the load report then names it)."""
    from evidence.codebook import load_codebook

    return load_codebook().resolve(role, header.split(":", 1)[-1].strip()) or header


def mapping_yaml(mapping: dict, filename: str) -> str:
    """A browser-built mapping as a mapping file the CLI reads (--columns)."""
    import yaml

    body = (
        mapping
        if any(k in mapping for k in ("columns", "id", "codes", "countries"))
        else {"columns": mapping}
    )
    head = (f"# Column mapping of {filename}, made in the dashboard's 'Your data' dialog.\n"
            "# Reuse it: iome-map validate FILE --columns THIS.yaml (schema: "
            "data/mapping.schema.json)\n")  # fmt: skip
    return head + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def register_upload_callbacks(app: Dash, sessions: Sessions) -> None:
    """Open the dialog, draw an upload's outcome, apply a column mapping."""

    @app.callback(
        Output(DATA_MODAL, "is_open"),
        Input({"type": DATA_OPEN, "where": ALL}, "n_clicks"),
        State(DATA_MODAL, "is_open"),
        prevent_initial_call=True,
    )
    def toggle_data(clicks, is_open):
        if not any(clicks or []):
            return no_update
        return not is_open

    @app.callback(
        Output(RESULT_VIEW, "children"),
        Input(RESULT, "data"),
        prevent_initial_call=True,
    )
    def show_result(answer):
        try:
            return result_view(answer)
        except (TypeError, ValueError, AttributeError, KeyError):  # not the server's answer
            return [
                dbc.Alert("This answer could not be shown. Upload the file again.", color="danger")
            ]

    register_scheme_callbacks(app)

    # A file that loaded: draw the whole page again on it (filters, banner, views).
    app.clientside_callback(
        """function (answer) {
            if (answer && answer.status === "loaded" && !answer.shown) {
                window.location.assign(answer.link || "/");
            }
            return window.dash_clientside.no_update;
        }""",
        Output("upload-reload", "data"),
        Input(RESULT, "data"),
        prevent_initial_call=True,
    )

    form = (
        State({"type": MAP_FIELD, "column": ALL}, "value"),
        State({"type": MAP_CODES, "column": ALL}, "value"),
        State({"type": MAP_POINT, "axis": ALL}, "value"),
    )

    def built(values, codes, points) -> dict:
        """The form's mapping, its codes read in the scheme of the file awaiting it."""
        from components.uploads import scheme_of
        from evidence.codebook import using_codebook

        def keys(i: int, key: str) -> list:
            return [(o.get("id") or {}).get(key) if isinstance(o, dict) else None
                    for o in ctx.states_list[i]]  # fmt: skip

        code_columns = dict(zip(keys(1, "column"), codes or [], strict=False))
        point = dict(zip(keys(2, "axis"), points or [], strict=False))
        lat_lon = (point.get("latitude", ""), point.get("longitude", ""))
        with using_codebook(scheme_of(sessions.pending()) or None):
            return browser_mapping(keys(0, "column"), values or [], code_columns, lat_lon)

    def remap(mapping: dict) -> dict:
        token = sessions.token()
        if token is None:
            return {"status": "rejected", "message": "Upload the file again."}
        try:
            return sessions.remap(token, mapping)
        except StoreUnavailable:
            return {
                "status": "rejected",
                "message": "Uploaded files cannot be stored right "
                "now. Nothing was changed; try again in a minute.",
            }

    @app.callback(
        Output(RESULT, "data", allow_duplicate=True),
        Input({"type": APPLY_MAPPING, "n": ALL}, "n_clicks"),
        *form,
        prevent_initial_call=True,
    )
    def apply_mapping(clicks, values, codes, points):
        if not any(clicks or []):
            return no_update
        return remap(built(values, codes, points))

    @app.callback(
        Output("mapping-download", "data"),
        Input({"type": MAP_SAVE, "n": ALL}, "n_clicks"),
        *form,
        prevent_initial_call=True,
    )
    def save_mapping(clicks, values, codes, points):
        if not any(clicks or []):
            return no_update
        name = str((sessions.pending() or {}).get("filename") or "your file")
        return dcc.send_string(mapping_yaml(built(values, codes, points), name), "columns.yaml")

    @app.callback(
        Output(RESULT, "data", allow_duplicate=True),
        Input({"type": MAP_FILE, "n": ALL}, "contents"),
        State({"type": MAP_FILE, "n": ALL}, "filename"),
        prevent_initial_call=True,
    )
    def apply_mapping_file(contents, names):
        from evidence.mapping import MappingError
        from evidence.schemes import SchemeError, read_mapping_upload

        sent = next((c for c in contents or [] if isinstance(c, str)), None)
        if sent is None:
            return no_update
        name = str(next((n for n in names or [] if n), "mapping.yaml"))
        pending = sessions.pending() or {}
        try:
            data = base64.b64decode(sent.split(",", 1)[-1][: (YAML_MAX // 3 + 2) * 4])
            return remap(read_mapping_upload(data, name))
        except (SchemeError, MappingError, binascii.Error, ValueError) as exc:
            return {**pending_answer(pending), "status": "needs_mapping",
                    "message": f"{name} was not applied: {str(exc)[:2000]}"}  # fmt: skip


def check_yaml(contents: str | None, name: str | None, part: str) -> html.Span:
    """Whether a codebook or mapping file picked in the dialog can be used: its scheme's
    name, or the problem naming its key and line (the same checks the upload makes)."""
    from evidence.codebook import CodebookError, load_codebook, using_codebook
    from evidence.mapping import MappingError
    from evidence.schemes import (
        SchemeError,
        keep_codebook_upload,
        read_mapping_upload,
        scheme_codebook,
    )

    name = str(name or f"{part}.yaml")
    if not isinstance(contents, str) or "," not in contents:
        return html.Span(f"{name} could not be read (larger than 256 KB?).",
                         className="text-danger")  # fmt: skip
    encoded = contents.split(",", 1)[1][: (YAML_MAX // 3 + 2) * 4]
    try:
        content = base64.b64decode(encoded)
        if part == "mapping":
            read_mapping_upload(content, name)
            return html.Span(f"✓ {name}: a column mapping; it is applied to the file you "
                             "choose next.", className="text-success")  # fmt: skip
        key, text = keep_codebook_upload(content, name)
        with using_codebook(scheme_codebook(key, text)):
            cb = load_codebook()
            both = [*cb.codes_of("format"), *cb.codes_of("motivation")]
            codes = sum(not c.endswith(".unspecified") for c in both)
            said = f"✓ {name}: the scheme “{cb.name or cb.title}” ({codes} codes); its "
        return html.Span(said + "template is linked above; choose your data file next.",
                         className="text-success", **{"data-scheme": key})  # fmt: skip
    except (SchemeError, CodebookError, MappingError, binascii.Error, ValueError) as exc:
        return html.Span(["Not usable: ", html.Code(str(exc)[:2000], className="text-danger")],
                         className="text-danger", style={"whiteSpace": "pre-wrap"})  # fmt: skip


def register_scheme_callbacks(app: Dash) -> None:
    """The dialog's scheme and columns choices: the pickers of own files shown when
    chosen, the template's link, what the upload script sends, and a picked file checked."""
    from evidence.schemes import BUNDLED

    app.clientside_callback(
        """function (scheme, columns, book, bookName, mapping, mappingName, bookKey) {
            var own = "OWN", site = "SITE", names = "NAMES";
            window.iome_upload_choice = {
                scheme: scheme === site ? "" : (scheme || ""),
                columns: columns === names ? "" : (columns || ""),
                codebook_data: scheme === own ? (book || "") : "",
                codebook_name: scheme === own ? (bookName || "") : "",
                mapping_data: columns === own ? (mapping || "") : "",
                mapping_name: columns === own ? (mappingName || "") : ""
            };
            var chosen = scheme === own ? (book && bookKey ? bookKey : "") : scheme;
            var q = chosen && chosen !== own && chosen !== site ?
                "?scheme=" + encodeURIComponent(chosen) : "";
            return [scheme !== own, columns !== own, "/upload/template.csv" + q];
        }""".replace("OWN", OWN)
        .replace("SITE", SITE_SCHEME)
        .replace("NAMES", BY_NAME),
        Output("upload-codebook-own", "hidden"),
        Output("upload-mapping-own", "hidden"),
        Output("upload-template", "href"),
        Input(SCHEME, "value"),
        Input(COLUMNS, "value"),
        Input("upload-codebook-file", "contents"),
        Input("upload-codebook-file", "filename"),
        Input("upload-mapping-file", "contents"),
        Input("upload-mapping-file", "filename"),
        Input(CODEBOOK_KEY, "data"),
    )
    # A scheme that ships a column mapping (the EviAtlas example) chooses it too.
    own_mapping = {k: k for k, entry in BUNDLED.items() if entry[2] is not None}
    app.clientside_callback(
        """function (scheme, columns) {
            var mapping = MAPPINGS;
            if (mapping[scheme]) { return mapping[scheme]; }
            var values = Object.values(mapping);
            return values.indexOf(columns) >= 0 ? "NAMES" : window.dash_clientside.no_update;
        }""".replace("MAPPINGS", json.dumps(own_mapping)).replace("NAMES", BY_NAME),
        Output(COLUMNS, "value"),
        Input(SCHEME, "value"),
        State(COLUMNS, "value"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("upload-mapping-check", "children"),
        Input("upload-mapping-file", "contents"),
        State("upload-mapping-file", "filename"),
        prevent_initial_call=True,
    )
    def check_mapping(contents, name):
        return check_yaml(contents, name, "mapping")

    @app.callback(
        Output("upload-codebook-check", "children"),
        Output(CODEBOOK_KEY, "data"),
        Input("upload-codebook-file", "contents"),
        State("upload-codebook-file", "filename"),
        prevent_initial_call=True,
    )
    def check_codebook(contents, name):
        # a usable codebook's key: the dialog's template link follows it
        said = check_yaml(contents, name, "codebook")
        return said, getattr(said, "data-scheme", None)
