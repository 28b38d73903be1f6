"""Figures of the bounded fuzz runs: scale from IOME_FUZZ_SCALE, one JSON line per check
appended to IOME_FUZZ_REPORT (see RELIABILITY.md)."""

import json
import os

SCALE = max(1, int(os.environ.get("IOME_FUZZ_SCALE", "1")))


def write_figures(prefix: str, stats: dict[str, dict]) -> None:
    """Append each check's counters (``seconds`` rounded) when IOME_FUZZ_REPORT is set."""
    out = os.environ.get("IOME_FUZZ_REPORT")
    if not out:
        return
    with open(out, "a", encoding="utf-8") as fh:
        for check, entry in stats.items():
            figures = {**entry, "seconds": round(entry.get("seconds", 0.0), 2)}
            line = {"check": f"{prefix}:{check}", "scale": SCALE, **figures, "errors": 0}
            fh.write(json.dumps(line) + "\n")
