"""Suite-wide settings: every figure built during the tests is validated by plotly, and
uploads go to a private folder of this test run (servers started by tests inherit it).

Rate limits are off by default in tests: every test client and browser comes from
127.0.0.1, so the suite would count as one visitor. tests/callbacks/test_limits.py turns
them on and checks them."""

import os
import tempfile

os.environ["IOME_VALIDATE_FIGURES"] = "1"
os.environ.setdefault("IOME_UPLOAD_DIR", tempfile.mkdtemp(prefix="iome-test-uploads-"))
os.environ.setdefault("IOME_RATE_LIMITS", "off")
