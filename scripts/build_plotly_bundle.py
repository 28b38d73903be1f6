"""Build assets/vendor/plotly-iome.min.js: plotly.js with only the trace types we draw.

The full plotly.js bundle is about 1.4 MB gzipped; the dashboard draws only bar,
heatmap, choropleth and scattergeo traces, and this partial bundle of the same
plotly.js version as the installed plotly.py is about a third of that. Needs npm.

Usage: python scripts/build_plotly_bundle.py
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from plotly.offline import get_plotlyjs_version

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "assets" / "vendor" / "plotly-iome.min.js"
LOCAL_TOPOJSON = "/assets/topojson/"
_DEFAULT_TOPOJSON = re.compile(r'(topojsonURL:\{valType:"string",noBlank:!0,dflt:)"https?://[^"]+"')
_REMOTE_MENTION = re.compile(r"fetched from [\w.-]+\.ly\b")
TRACES = ("bar", "heatmap", "choropleth", "scattergeo")
ENTRY = """var Plotly = require('plotly.js/lib/core');
Plotly.register([{modules}]);
module.exports = Plotly;
"""


def make_local(code: str) -> str:
    """Point plotly.js's default map-topology URL (a remote host) at this app's assets."""
    code, n = _DEFAULT_TOPOJSON.subn(rf'\1"{LOCAL_TOPOJSON}"', code, count=1)
    if n != 1:
        raise SystemExit("plotly.js changed: the topojsonURL default was not found")
    return _REMOTE_MENTION.sub("fetched from the app's /assets/topojson/", code)


def main() -> None:
    """Install plotly.js and esbuild in a temp dir, bundle, and copy the result."""
    version = get_plotlyjs_version()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run(["npm", "init", "-y"], cwd=work, check=True, capture_output=True)
        subprocess.run(
            ["npm", "install", "--silent", f"plotly.js@{version}", "esbuild@0"],
            cwd=work,
            check=True,
        )
        modules = ", ".join(f"require('plotly.js/lib/{t}')" for t in TRACES)
        (work / "entry.js").write_text(ENTRY.format(modules=modules), encoding="utf-8")
        subprocess.run(
            ["npx", "esbuild", "entry.js", "--bundle", "--minify", "--format=iife",
             "--global-name=Plotly", "--define:global=window", "--outfile=bundle.js",
             "--log-level=warning"],
            cwd=work,
            check=True,
        )  # fmt: skip
        header = (
            f"/* plotly.js {version} (MIT licence), partial bundle: {', '.join(TRACES)}. "
            "Built by scripts/build_plotly_bundle.py; do not edit. */\n"
        )
        code = (work / "bundle.js").read_text(encoding="utf-8")
        OUT.write_text(header + make_local(code), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes), plotly.js {version}")
    if shutil.which("gzip"):
        size = len(subprocess.run(["gzip", "-c", str(OUT)], capture_output=True).stdout)
        print(f"gzipped: {size:,} bytes")


if __name__ == "__main__":
    main()
