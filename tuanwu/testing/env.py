"""Loaded by pytest (``-p tuanwu.testing.env``) before pytest-django configures Django, so the
settings module sees the test environment."""

import os

os.environ.setdefault("TUANWU_TESTING", "true")
