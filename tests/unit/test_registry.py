"""One home per view and per filter: the registry and the declarations drive everything.

These tests fail when per-view or per-filter code creeps back into the shell (a chart
name or a filter key written into components/ or app.py), when the pure package starts
importing Dash, or when the README's view and filter tables drift from the declarations.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from evidence import timeline
from evidence.fields import CONTROLLED, FIELDS, FILTER_KEYS, controls_in
from evidence.state import FilterState, parse_query, to_query
from evidence.views import CLICKABLE, REGISTRY, VIEWS

ROOT = Path(__file__).resolve().parents[2]
SHELL = [ROOT / "app.py", *sorted((ROOT / "components").glob("*.py"))]


def _string_constants(path: Path) -> set[str]:
    """Every string literal of a module's code (docstrings excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
    }  # fmt: skip


def test_evidence_never_imports_dash():
    code = (
        "import sys, evidence.views, evidence.export, evidence.fields, evidence.filters\n"
        "print(sorted(m for m in sys.modules if m == 'dash' or m.startswith('dash_')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, check=True)  # fmt: skip
    assert out.stdout.strip() == "[]"


def test_export_only_modules_wait_for_the_first_file():
    """A worker that only draws never holds kaleido, python-pptx or openpyxl (about 20 MB
    a process); the first request for a file imports them before its route runs."""
    code = (
        "import sys, app\n"
        "a = app.create_app()\n"
        "mods = ('kaleido', 'pptx', 'openpyxl')\n"
        "print([m for m in mods if m in sys.modules])\n"
        "r = a.server.test_client().get('/data/map.csv')\n"
        "print(r.status_code, [m for m in mods if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, check=True)  # fmt: skip
    assert out.stdout.split("\n")[:2] == ["[]", "200 ['kaleido', 'pptx', 'openpyxl']"]


@pytest.mark.parametrize("path", SHELL, ids=lambda p: p.name)
def test_the_shell_names_no_chart_and_no_filter(path):
    """A view's or a filter's name written in the Dash shell is per-view code outside its
    module; the shell must loop over the registry and the declarations instead."""
    names = set(VIEWS) | {f.key for f in FIELDS} | {f"fig-{c}" for c in VIEWS}
    # also words of Dash, HTML and the codebook ("type" of an id, role="region"), and the
    # "kind" of upload store /healthz reports ({"kind": "redis", ...}, README)
    names -= {"year", "format", "type", "region", "country", "motivation", "kind"}
    found = names & _string_constants(path)
    assert not found, f"{path.name} names {sorted(found)}"


def test_every_chart_is_clickable_and_named_once():
    assert set(CLICKABLE) == set(VIEWS)  # every mark is a filter
    names = [c.name for v in REGISTRY for c in v.charts]
    assert len(names) == len(set(names))
    assert [v.name for v in REGISTRY] == [v.main.name for v in REGISTRY]


def test_every_switch_sits_in_a_registered_view_or_the_panel():
    places = {"panel", timeline.PLACE} | {v.name for v in REGISTRY}
    assert {f.control.where for f in FIELDS if f.control} <= places
    assert set(CONTROLLED) == {f.key for w in places for f in controls_in(w)}


def test_state_fields_are_the_declarations():
    assert list(FilterState.__dataclass_fields__) == [f.key for f in FIELDS]
    assert set(FilterState().filter_fields()) == set()
    # every filter round-trips through the URL and restricts the articles
    examples = {"year": "2010-2012", "country": "KEN", "region": "africa", "origin_income": "H",
                "setting_income": "L", "format": "mobility", "motivation": "market",
                "basis": "explicit", "language": "en", "type": "research",
                "kind": "clinical", "flow": "USA-KEN", "direction": "H-L",
                "region_flow": "north-america~sub-saharan-africa",
                "partner": "IRL-BOL", "q": "kenya elective", "focus": "KEN"}  # fmt: skip
    assert set(examples) == set(FILTER_KEYS)
    for key, text in examples.items():
        state, notices = parse_query(f"{key}={text}")
        assert notices == [] and key in state.filter_fields(), key
        assert parse_query(to_query(state))[0] == state


def test_readme_documents_every_filter_switch_and_clickable_chart():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    filters = readme.split("### Filters and their URL keys", 1)[1].split("\n## ", 1)[0]
    table_keys = set(re.findall(r"^\| `(\w+)`(?:, `(\w+)`)?", filters, flags=re.M))
    documented = {k for pair in table_keys for k in pair if k}
    assert documented == set(FILTER_KEYS)
    switches = filters.split("View switches", 1)[1].split("\n\n", 1)[0]
    assert {f.key for f in FIELDS if not f.is_filter} == set(re.findall(r"`(\w+)`\s\(", switches))
    clicks = readme.split("| click on | sets | e.g. |", 1)[1].split("\n\n", 1)[0]
    assert len(re.findall(r"^\| ", clicks, flags=re.M)) >= len(VIEWS)
