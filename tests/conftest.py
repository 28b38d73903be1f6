"""Suite-wide settings: every figure built during the tests is validated by plotly."""

import os

os.environ["IOME_VALIDATE_FIGURES"] = "1"
