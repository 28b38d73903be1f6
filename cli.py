"""The ``iome-map`` command line: serve the dashboard, validate, check and summarise data.

Everything except ``serve`` uses the pure ``evidence`` package only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def _load(path: str | None, columns: str | None):
    """The file at ``path`` (else the scheme's own data, see ``default_data_path``) read
    with the column mapping ``columns``."""
    from evidence.codebook import default_data_path, load_codebook, no_data
    from evidence.load import load, read_mapping

    path = path or default_data_path()
    if path is None:
        return no_data(load_codebook())
    return load(path, mapping=read_mapping(columns))


def _nothing_loaded(eb) -> bool:
    """Print the load report on stderr when no article loaded (the caller exits 1)."""
    if eb.n_articles:
        return False
    print(eb.report.to_text(), file=sys.stderr)
    print("iome-map: no article loaded (see the report above)", file=sys.stderr)
    return True


def cmd_validate(args: argparse.Namespace) -> int:
    """Exit 0 when valid (warnings allowed), 1 when errors were found, 2 when unreadable."""
    eb = _load(args.file, args.columns)
    report = eb.report
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(report.to_text())
    if report.unreadable or (report.errors and report.n_rows_read == 0):
        return 2
    return 1 if report.errors else 0


def cmd_check(args: argparse.Namespace) -> int:
    """Recompute each published figure; exit 0 only when every exact figure matches."""
    from evidence.codebook import load_codebook
    from evidence.published import check

    if not load_codebook().is_default:
        print("iome-map: the published figures are the IoME review's; the codebook in use "
              f"({load_codebook().path}) has none to check")  # fmt: skip
        return 0

    eb = _load(args.file, args.columns)
    if eb.report.unreadable:
        print(eb.report.to_text(), file=sys.stderr)
        return 2
    if _nothing_loaded(eb):
        return 1
    table = check(eb)
    if args.json:
        print(table.to_json(orient="records", indent=2))
    else:
        shown = table[["figure_id", "precision", "published_n", "published_pct", "found_n",
                       "found_pct", "match"]]  # fmt: skip
        shown = shown.astype(object).where(shown.notna(), "-")
        print(shown.to_string(index=False, float_format=lambda x: f"{x:.1f}"))
        print(f"\n{int(table['match'].sum())} of {len(table)} figures match ({eb.n_articles} "
              f"articles{', SYNTHETIC DEMO DATA' if eb.synthetic else ''})")  # fmt: skip
    exact = table[table["precision"] == "exact"]
    return 0 if bool(exact["match"].all()) else 1


def cmd_summary(args: argparse.Namespace) -> int:
    """Print counts per code, group, direction, origin income and year."""
    from evidence.summary import summarise

    eb = _load(args.file, args.columns)
    if eb.report.unreadable:
        print(eb.report.to_text(), file=sys.stderr)
        return 2
    if _nothing_loaded(eb):
        return 1
    data = summarise(eb, classification=args.classification)
    print(json.dumps(data, indent=2 if args.json else None, ensure_ascii=False))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write one view as PNG/SVG/PDF, its timeline as GIF/MP4, its data as CSV/XLSX, or
    the slide deck as PPTX."""
    from evidence.animate import ANIMATION_FORMATS, export_animation
    from evidence.export import (
        IMAGE_FORMATS,
        ExportError,
        export_deck,
        export_image,
        export_table,
    )
    from evidence.render import RendererUnavailable
    from evidence.state import parse_query

    eb = _load(args.data, args.columns)
    if eb.report.unreadable:
        print(eb.report.to_text(), file=sys.stderr)
        return 2
    if _nothing_loaded(eb):
        return 1
    state, notices = parse_query(args.query)
    for notice in notices:
        print(f"iome-map: {notice}", file=sys.stderr)
    fmt = args.format or Path(args.out).suffix.lstrip(".").lower()
    try:
        if args.view == "deck" or fmt == "pptx":
            content = export_deck(eb, state, theme=args.theme)
        elif fmt in ANIMATION_FORMATS:
            # an animation is made for slides: 1280 x 720 unless asked otherwise
            content = export_animation(eb, state, args.view, fmt, width=_or(args.width, 1280),
                                       height=_or(args.height, 720), theme=args.theme,
                                       progress=_progress)  # fmt: skip
        elif fmt in IMAGE_FORMATS:
            content = export_image(eb, state, args.view, fmt, width=_or(args.width, 1920),
                                   height=_or(args.height, 1080), theme=args.theme)  # fmt: skip
        else:
            content = export_table(eb, state, args.view, fmt)
    except (ExportError, RendererUnavailable) as exc:
        print(f"iome-map: {exc}", file=sys.stderr)
        return 2
    Path(args.out).write_bytes(content)
    print(f"wrote {args.out} ({len(content):,} bytes)")
    return 0


def _or(value: int | None, default: int) -> int:
    """A size option as given, or the format's own default when it was not."""
    return default if value is None else value


def _progress(done: int, total: int, words: str) -> None:
    """One line per step on stderr: "[ 5/22] Frame 5 of 21: Up to 2004"."""
    print(f"[{done:>2}/{total}] {words}", file=sys.stderr, flush=True)


def cmd_template(args: argparse.Namespace) -> int:
    """Write the coding template: every contract column and three example rows."""
    from evidence.export import file_prefix
    from evidence.upload import template_csv

    out = args.out or f"{file_prefix()}-template.csv"
    Path(out).write_bytes(template_csv())
    print(f"wrote {out}: the coding template (delete the three example rows)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the dashboard: Flask's server by default, gunicorn with --workers N.

    A file that loads no article is served all the same: the page shows its load report
    (also printed here) and what to do."""
    from evidence.codebook import default_data_path

    data = args.data or default_data_path()
    if data is not None:
        os.environ["IOME_DATA"] = str(Path(data).resolve())
    if args.columns:
        os.environ["IOME_COLUMNS"] = str(Path(args.columns).resolve())
    if args.cache:
        os.environ["IOME_CACHE"] = args.cache
    if args.workers:
        _nothing_loaded(_load(str(data) if data else None, args.columns))
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn), "--workers", str(args.workers), "--bind", f"{args.host}:{args.port}",
            # Threads: a slow export or upload holds one thread, never a whole worker,
            # so the dashboard and /healthz keep answering beside it.
            "--worker-class", "gthread", "--threads", str(args.threads),
            "--preload", "--timeout", "120", "--graceful-timeout", "10",
            # Replace a worker after N requests (jittered): memory a burst took returns.
            "--max-requests", str(args.max_requests),
            "--max-requests-jitter", str(max(1, args.max_requests // 10)),
            "--access-logfile", "-" if args.debug else "/dev/null", "app:create_server()",
        ]  # fmt: skip
        os.execv(command[0], command)
    from app import create_app, load_site_data

    _nothing_loaded(load_site_data(data, args.columns))
    app = create_app(data_path=data, columns=args.columns)
    app.run(host=args.host, port=args.port, debug=args.debug, threaded=True)
    return 0


def _codebook_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--codebook",
        help="coding scheme YAML (default data/codebook.yaml, or IOME_CODEBOOK); its "
        "alignment rubric is the codebook's 'rubric:' file, else alignment_rubric.yaml "
        "beside it",
    )


def use_codebook(path: str | None) -> str | None:
    """Make ``path`` (when given) the codebook of this process and of any it starts
    (IOME_CODEBOOK), then read it and its rubric: the problem, naming file, key and line,
    or None when both are sound."""
    from evidence.codebook import CODEBOOK_ENV, CodebookError, load_codebook
    from evidence.rubric import load_rubric

    if path:
        os.environ[CODEBOOK_ENV] = str(Path(path).resolve())
    try:
        load_codebook()
        load_rubric()
    except CodebookError as exc:
        return str(exc)
    return None


_DATA_HELP = ("coded-article CSV/XLSX (default: the synthetic demo, or under --codebook the "
              "articles.csv beside that codebook)")  # fmt: skip
_COLUMNS_HELP = ("YAML mapping of your file to the coding contract: column names, id, "
                 "one-column-per-code, countries from text or coordinates, encoding "
                 "(see data/mapping.schema.json)")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with all sub-commands."""
    parser = argparse.ArgumentParser(
        prog="iome-map",
        description="An evidence map of coded articles: the IoME review's scheme by default, "
        "any review's with --codebook",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the dashboard")
    serve.add_argument("--data", help=_DATA_HELP)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8050)
    serve.add_argument("--debug", action="store_true", help="Dash debug mode and dev tools")
    serve.add_argument("--workers", type=int, default=0, help="run N gunicorn workers")
    serve.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("IOME_THREADS", "8") or 8),
        help="threads per gunicorn worker (default 8, or IOME_THREADS)",
    )
    serve.add_argument("--cache", help="shared result cache, e.g. redis://127.0.0.1:6379/0")
    serve.add_argument(
        "--max-requests", type=int, default=1000,
        help="replace a gunicorn worker after N requests, +-10%% jitter (default 1000)",
    )  # fmt: skip
    serve.set_defaults(func=cmd_serve)

    export = sub.add_parser(
        "export",
        help="export a chart as png/svg/pdf, its data or 'articles'/'gaps' as csv/xlsx, or 'deck'",
    )
    export.add_argument(
        "view", help="a chart's name as in /export/<chart>.png (a wrong name lists them)"
    )
    export.add_argument(
        "--format",
        choices=("png", "svg", "pdf", "gif", "mp4", "csv", "xlsx", "pptx"),
        help="gif / mp4: the view's timeline (one frame per year; query key timeline)",
    )
    export.add_argument("--out", required=True)
    export.add_argument("--query", default="", help='dashboard state, e.g. "year=2010-2020"')
    export.add_argument("--data", help=_DATA_HELP)
    export.add_argument("--width", type=int, help="pixels (1920; an animation 1280)")
    export.add_argument("--height", type=int, help="pixels (1080; an animation 720)")
    export.add_argument("--theme", choices=("light", "dark", "print"), default="light")
    export.set_defaults(func=cmd_export)

    template = sub.add_parser("template", help="write the coding template CSV to fill in")
    template.add_argument("--out", help="default <scheme>-template.csv (iome-template.csv)")
    template.set_defaults(func=cmd_template)

    for p in (serve, export, template):
        _codebook_option(p)
    for p in (serve, export):
        p.add_argument("--columns", help=_COLUMNS_HELP)
    for name, func, help_text in (
        ("validate", cmd_validate, "validate a coded-article file and list every problem"),
        ("check", cmd_check, "recompute the review's published figures from a file"),
        ("summary", cmd_summary, "counts per code, direction, income group and year"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("file")
        p.add_argument("--columns", help=_COLUMNS_HELP)
        p.add_argument("--json", action="store_true", help="machine-readable output")
        _codebook_option(p)
        if name == "summary":
            p.add_argument("--classification", choices=("year", "latest"), default="year")
        p.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``iome-map`` console script."""
    args = build_parser().parse_args(argv)
    path = getattr(args, "file", None) or getattr(args, "data", None)
    for given in (path, getattr(args, "codebook", None), getattr(args, "columns", None)):
        if given and not Path(given).exists():
            print(f"iome-map: no such file: {given}", file=sys.stderr)
            return 2
    if hasattr(args, "codebook"):
        problem = use_codebook(args.codebook)
        if problem:
            print(f"iome-map: codebook rejected: {problem}", file=sys.stderr)
            return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
