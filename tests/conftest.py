"""Suite-wide settings: every figure built during the tests is validated by plotly, and
uploads go to a private folder of this test run (servers started by tests inherit it)."""

import os
import tempfile

os.environ["IOME_VALIDATE_FIGURES"] = "1"
os.environ.setdefault("IOME_UPLOAD_DIR", tempfile.mkdtemp(prefix="iome-test-uploads-"))
