"""Shared test set-up: the project's own PostgreSQL, a non-UTC zone, and the named test world."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

pytest_plugins = ["tuanwu.testing.world"]
