"""A view's timeline as an animated GIF or MP4, for slides and web pages.

One frame per step of the timeline (:mod:`evidence.timeline`: every year up to Y, or
the window of years ending in Y), each the still export of that step
(:func:`evidence.export.export_figure`: the same caption, filters in words and footer),
with the step written large in the top right corner. Every frame uses the scales of
the whole animation (the map's colour scale, the bars' value axis, the years' axis), so
a colour or a bar length means the same count in every frame.

Frames are drawn by the project's headless Chromium renderer (with its deadlines) and
encoded by maintained encoders: Pillow for GIF, ffmpeg (the imageio-ffmpeg build,
H.264 in an MP4) for video, with a time limit on the encoder.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from evidence import timeline
from evidence.export import (
    ExportError,
    check_request,
    export_figure,
    export_scale,
    render_image,
)
from evidence.fields import year_text
from evidence.figures.map import colour_ticks
from evidence.figures.theme import count_step
from evidence.model import EvidenceBase
from evidence.state import FilterState

ANIMATION_FORMATS = ("gif", "mp4")
STEP_SECONDS = 1.0  # each year on screen
END_SECONDS = 3.0  # the last frame held, so the end can be read
MP4_FPS = 10
MAX_FRAMES = 80
ENCODE_TIMEOUT_S = 120.0
# A progress callback: (frames done, frames in all, what is happening).
Progress = Callable[[int, int, str], None]


def animation_years(eb: EvidenceBase, state: FilterState) -> tuple[int, int]:
    """The years an animation runs over: the state's year filter (within the data's
    years), else every year of the data, so its last frame is the screen's state."""
    lo, hi = timeline.year_bounds(eb)
    if state.year is None:
        return lo, hi
    a, b = max(lo, state.year[0]), min(hi, state.year[1])
    if a > b:
        raise ExportError(f"the data has no articles in {year_text(state.year)} to animate")
    return a, b


def step_words(years: tuple[int, int], data_years: tuple[int, int], mode: str) -> str:
    """What a frame's corner says, as the page's timeline bar says it for those years
    (assets/timeline.js): "2013", "Up to 2013" (from the data's first year, cumulative),
    else "2010-2013"."""
    a, b = years
    if a == b:
        return str(b)
    if a == data_years[0] and timeline.window(mode) is None:
        return f"Up to {b}"
    return f"{a}-{b}"


def frame_states(eb: EvidenceBase, state: FilterState) -> list[tuple[str, FilterState]]:
    """(the step's words, its state) for every step: the state's own filters, each step
    showing the timeline's years within the state's year range (the last step is the
    state itself, so the last frame's N is the screen's count)."""
    if eb.n_articles == 0:
        raise ExportError("there are no articles to animate")
    data_years = timeline.year_bounds(eb)
    bounds = animation_years(eb, state)
    out = []
    for _, years in timeline.steps(state.timeline, bounds):
        label = step_words(years, data_years, state.timeline)
        keep = state.year if years == bounds else years  # as the screen writes it
        out.append((label, replace(state, year=None if keep == data_years else keep)))
    if len(out) > MAX_FRAMES:
        raise ExportError(
            f"the years span {len(out)} steps; an animation holds at most {MAX_FRAMES}"
        )
    return out


def _list(value) -> list:
    """An array-like of a figure (list, tuple, numpy array) as a list."""
    return [] if value is None else np.asarray(value).tolist()


def _values(values) -> list[float]:
    """The finite numbers of an array-like of a figure."""
    out = []
    for v in _list(values):
        if isinstance(v, list):  # a matrix's row
            out += _values(v)
        elif isinstance(v, int | float) and not (isinstance(v, float) and math.isnan(v)):
            out.append(float(v))
    return out


def _stack_max(fig: go.Figure, horizontal: bool) -> float:
    """The largest bar (stacked bars summed per category) of a figure."""
    stacked = (fig.layout.barmode or "group") in ("stack", "relative")
    totals: dict = {}
    best = 0.0
    for t in fig.data:
        if t.type != "bar" or (t.orientation == "h") != horizontal:
            continue
        cats, vals = _list(t.y if horizontal else t.x), _list(t.x if horizontal else t.y)
        for c, v in zip(cats, vals, strict=False):
            if not isinstance(v, int | float):
                continue
            if stacked:
                totals[c] = totals.get(c, 0.0) + float(v)
            else:
                best = max(best, float(v))
    return max([best, *totals.values()])


def _years_axis(trace) -> bool:
    xs = _list(trace.x)
    return bool(xs) and all(isinstance(x, int | float) and 1900 <= x <= 2200 for x in xs)


def steady(figures: list[go.Figure], bounds: tuple[int, int]) -> None:
    """Give every frame the scales of the whole animation (in place)."""
    # Colour scales of counts (the map, the income-pair matrices): the largest count of
    # any frame. A scale of categories (the rubric's statuses, zmin < 0) stays.
    # (The k-th heatmap of one frame is the k-th of every frame; the traces before it
    # differ in number, e.g. an arc map's.)
    for kind in ("choropleth", "heatmap"):
        per_frame = [[t for t in f.data if t.type == kind] for f in figures]
        for k in range(max(map(len, per_frame), default=0)):
            same = [traces[k] for traces in per_frame if k < len(traces)]
            if any(t.zmin is not None and t.zmin < 0 for t in same):
                continue
            top = max((max(_values(t.z), default=0) for t in same), default=0)
            if top < 1:
                continue
            for t in same:
                # counts start at 1 (0 is "none", drawn apart) once any frame has more
                t.update(zmin=1 if top > 1 else 0, zmax=top, zauto=False)
                if kind == "choropleth" and t.colorbar is not None and t.colorbar.tickvals:
                    t.colorbar.tickvals = colour_ticks(int(top))
    # Bars: one value axis for every frame; a years axis spans every year.
    for horizontal, axis in ((False, "yaxis"), (True, "xaxis")):
        top = max((_stack_max(f, horizontal) for f in figures), default=0)
        if top > 0:
            for f in figures:
                f.layout[axis].update(range=[0, top * 1.06], autorange=False)
                if f.layout[axis].dtick is not None:  # a count axis's whole-number step
                    f.layout[axis].dtick = count_step(top)
    if any(t.type == "bar" and t.orientation != "h" and _years_axis(t)
           for f in figures for t in f.data):  # fmt: skip
        for f in figures:
            f.layout.xaxis.update(range=[bounds[0] - 0.5, bounds[1] + 0.5], autorange=False)


def stamp(fig: go.Figure, words: str, theme: str) -> None:
    """The step, large, in the top right corner."""
    colour = "rgba(238,238,238,0.85)" if theme == "dark" else "rgba(33,37,41,0.78)"
    fig.add_annotation(
        text=f"<b>{words}</b>", xref="paper", yref="paper", x=1, y=1, xanchor="right",
        yanchor="bottom", showarrow=False, font={"size": 30, "color": colour},
        name="timeline-step",
    )  # fmt: skip


def animation_frames(
    eb: EvidenceBase,
    state: FilterState,
    view: str,
    *,
    width: int = 1280,
    height: int = 720,
    theme: str = "light",
    slide: bool = False,
) -> list[tuple[str, go.Figure]]:
    """(the step's words, the frame's figure) for every step, on common scales;
    ``slide``: each frame the chart's slide picture (text that reads when projected)."""
    steps = frame_states(eb, state)
    figures = [export_figure(eb, s, view, width=width, height=height, theme=theme, slide=slide)
               for _, s in steps]  # fmt: skip
    steady(figures, animation_years(eb, state))
    for (words, _), fig in zip(steps, figures, strict=True):
        stamp(fig, words, theme)
    return [(words, fig) for (words, _), fig in zip(steps, figures, strict=True)]


def check_animation(
    eb: EvidenceBase, state: FilterState, view: str, fmt: str, width: int, height: int, theme: str
) -> None:
    """Raise ExportError now for a request that cannot become an animation."""
    _check(fmt, width, height)
    check_request(view, width, height, theme)
    frame_states(eb, state)


def _check(fmt: str, width: int, height: int) -> None:
    if fmt not in ANIMATION_FORMATS:
        raise ExportError(f"unknown animation format '{fmt}' (use {', '.join(ANIMATION_FORMATS)})")
    if not (320 <= width <= 1920 and 240 <= height <= 1080):
        raise ExportError("an animation's width must be 320-1920 and its height 240-1080 pixels")


def export_animation(
    eb: EvidenceBase,
    state: FilterState,
    view: str,
    fmt: str,
    *,
    width: int = 1280,
    height: int = 720,
    theme: str = "light",
    progress: Progress | None = None,
    slide: bool = False,
) -> bytes:
    """GIF or MP4 bytes of the view's timeline; ``progress(done, total, words)`` is told
    after each frame (and once more while encoding). ``slide``: frames in the slide
    theme, ``width`` pixels wide at the slide picture's proportions."""
    _check(fmt, width, height)  # the view, size and steps: checked as the frames are made
    report = progress or (lambda *_: None)
    frames = animation_frames(eb, state, view, width=width, height=height, theme=theme,
                              slide=slide)  # fmt: skip
    total = len(frames) + 1  # the frames, then the encoding
    report(0, total, "Drawing the frames")
    scale = width / frames[0][1].layout.width if slide else export_scale(width)
    pngs = []
    for i, (words, fig) in enumerate(frames, start=1):
        pngs.append(render_image(fig, "png", fig.layout.width, fig.layout.height, scale=scale))
        report(i, total, f"Frame {i} of {len(frames)}: {words}")
    report(len(frames), total, "Encoding")
    content = encode_gif(pngs) if fmt == "gif" else encode_mp4(pngs)
    report(total, total, "Done")
    return content


def _images(pngs: list[bytes]):
    from PIL import Image

    return [Image.open(io.BytesIO(p)).convert("RGB") for p in pngs]


def encode_gif(pngs: list[bytes]) -> bytes:
    """An endlessly looping GIF: each frame STEP_SECONDS, the last END_SECONDS. One
    adaptive palette from the whole animation, so colours do not shimmer between frames."""
    from PIL import Image

    images = _images(pngs)
    # One palette for every frame, from a strip of all of them.
    w, h = images[0].size
    strip = Image.new("RGB", (w, h * min(len(images), 6)))
    picks = images[:: max(1, len(images) // 6)][:6]
    for k, im in enumerate(picks):
        strip.paste(im, (0, h * k))
    palette = strip.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    frames = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    durations = [int(STEP_SECONDS * 1000)] * (len(frames) - 1) + [int(END_SECONDS * 1000)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:],
                   duration=durations, loop=0, optimize=False, disposal=1)  # fmt: skip
    return out.getvalue()


def ffmpeg_exe() -> str:
    """The ffmpeg to encode with: imageio-ffmpeg's own build, else one on PATH."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:  # no wheel for this platform, or its binary missing
        found = shutil.which("ffmpeg")
        if found:
            return found
        raise ExportError("MP4 export needs ffmpeg (pip install imageio-ffmpeg)") from exc


def encode_mp4(pngs: list[bytes]) -> bytes:
    """An H.264 MP4 (yuv420p: plays in browsers, PowerPoint and Keynote) at MP4_FPS, each
    step held STEP_SECONDS, the last END_SECONDS; ffmpeg gets ENCODE_TIMEOUT_S."""
    extra = max(0, round(END_SECONDS / STEP_SECONDS) - 1)  # the last frame, held longer
    frames = [*pngs, *[pngs[-1]] * extra]
    with tempfile.TemporaryDirectory(prefix="iome-mp4-") as tmp:
        for k, png in enumerate(frames):
            (Path(tmp) / f"frame-{k:04d}.png").write_bytes(png)
        out = Path(tmp) / "out.mp4"
        cmd = [ffmpeg_exe(), "-y", "-nostdin", "-loglevel", "error",
               "-framerate", f"{1 / STEP_SECONDS:g}", "-i", str(Path(tmp) / "frame-%04d.png"),
               "-vf", f"fps={MP4_FPS},scale=trunc(iw/2)*2:trunc(ih/2)*2", "-an",
               "-c:v", "libx264", "-preset", "medium", "-crf", "20", "-pix_fmt", "yuv420p",
               "-movflags", "+faststart", str(out)]  # fmt: skip
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=ENCODE_TIMEOUT_S,
                                  check=False, stdin=subprocess.DEVNULL)  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise ExportError(
                f"the video encoder did not finish within {ENCODE_TIMEOUT_S:.0f} s"
            ) from exc
        if proc.returncode != 0 or not out.exists():
            why = proc.stderr.decode("utf-8", "replace").strip()[-300:]
            raise ExportError(f"the video encoder failed ({why or proc.returncode})")
        return out.read_bytes()
