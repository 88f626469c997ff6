"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live server.

``playwright install`` cannot download browsers here, so the system Chromium is launched
instead. Playwright's sync API keeps an event loop running in the test thread, and Django
refuses database access from such a thread unless told it is safe; it is safe here because the
test thread and the live server each use their own connection. This is set for browser tests
only.
"""

import os
import re
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed: apt-get install -y chromium fonts-noto-cjk")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": DESKTOP}


@pytest.fixture
def screenshots():
    """``screenshots(page, "tree")`` saves full-page PNGs of the page at desktop and phone widths
    (test-results/screenshots/tree-desktop.png, tree-phone.png), then restores the desktop size."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> list[Path]:
        paths = []
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            # Let the side navigation finish its slide (a CSS transition) after the resize.
            page.wait_for_timeout(400)
            path = SCREENSHOTS / f"{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        page.set_viewport_size(DESKTOP)
        return paths

    return take


def login(page, base: str, user) -> None:
    """Log ``user`` in through the login form (every test world user has the same password)."""
    from django.urls import reverse

    from tuanwu.testing.world import PASSWORD

    page.goto(base + reverse("accounts:login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
