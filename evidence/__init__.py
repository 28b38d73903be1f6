"""The IoME evidence base: pure pandas/geopandas, never imports dash.

Every number the dashboard, the exports and the CLI show is computed here.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
DEMO_PATH = DATA_DIR / "demo" / "articles.csv"
ASSETS_DIR = PROJECT_ROOT / "assets"
