"""The timeline: which publication years each step of a played timeline shows.

Two ways to watch the evidence base change year by year:

* ``upto`` (cumulative): step Y shows every article published up to Y, from the first
  year of the data, so the reader sees the evidence base grow;
* ``inN`` (a window of N = 1-5 years): step Y shows the articles of the N years ending
  in Y (``in1`` is that year alone).

The dashboard's timeline (assets/timeline.js) and the animated exports
(:mod:`evidence.animate`) follow these rules; the year range is the ``year`` filter, so
every view and the URL follow the timeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidence.memo import PerBase

if TYPE_CHECKING:
    from evidence.model import EvidenceBase

PLACE = "timeline"  # where the dashboard shows the field's control: the timeline bar
MODES: tuple[str, ...] = ("upto", "in1", "in2", "in3", "in4", "in5")
DEFAULT_MODE = "upto"
WORDS: dict[str, str] = {
    "upto": "Up to each year",
    "in1": "Each year alone",
    **{f"in{n}": f"{n}-year window" for n in range(2, 6)},
}


_BOUNDS = PerBase()


def year_bounds(eb: EvidenceBase) -> tuple[int, int]:
    """First and last publication year in the data (a sensible range when empty): the
    year slider's ends, the timeline's first and last step."""
    if eb.n_articles == 0:
        return (2000, 2020)
    return _BOUNDS.get(eb, None, lambda: _first_last(eb))  # twice a click: read once


def _first_last(eb: EvidenceBase) -> tuple[int, int]:
    return int(eb.articles["year"].min()), int(eb.articles["year"].max())


def window(mode: str) -> int | None:
    """The window of a mode in years (None for cumulative)."""
    if mode in MODES and mode.startswith("in"):
        return int(mode[2:])
    return None


def step_years(mode: str, year: int, bounds: tuple[int, int]) -> tuple[int, int]:
    """The publication years the step at ``year`` shows, clipped to the data's ``bounds``."""
    lo, hi = bounds
    year = min(max(int(year), lo), hi)
    n = window(mode)
    return (lo, year) if n is None else (max(lo, year - n + 1), year)


def steps(mode: str, bounds: tuple[int, int]) -> list[tuple[int, tuple[int, int]]]:
    """Every step of a played timeline, first to last: (the step's year, its years)."""
    lo, hi = bounds
    return [(y, step_years(mode, y, bounds)) for y in range(lo, hi + 1)]


def step_label(mode: str, year: int, bounds: tuple[int, int]) -> str:
    """What the timeline says at a step: "Up to 2015", "2015", "2013-2015"."""
    a, b = step_years(mode, year, bounds)
    if window(mode) is None:
        return f"Up to {b}" if a < b else str(b)
    return str(b) if a == b else f"{a}-{b}"


def year_label(year: tuple[int, int] | None, bounds: tuple[int, int]) -> str:
    """What the timeline bar says for the state's year filter: the years as its chip says
    them ("2020", "2010-2014"), or "All years, 2000-2020" without one. The server sends it
    with the count (app.py), so the bar, the chip and the count never disagree."""
    if not year:
        return f"All years, {bounds[0]}-{bounds[1]}"
    return str(year[0]) if year[0] == year[1] else f"{year[0]}-{year[1]}"
