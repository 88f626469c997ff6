"""Shared test set-up: the project's own PostgreSQL, a non-UTC zone, and the named test world."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

pytest_plugins = ["tuanwu.testing.world"]

# A run that starts this close to the county's midnight waits for it (the whole suite takes about
# 8 minutes here; 20 leaves room for a slower machine).
MIDNIGHT_MARGIN_MINUTES = 20


def pytest_sessionstart(session):
    """Many test modules compute "today" once, when they are imported (``TODAY = timezone.localdate()``),
    while the code asks for today's date at each call. A run that crossed midnight in Asia/Shanghai
    compared yesterday's TODAY with the new day and failed (CI failed so once, a test refusing a
    date "in the future" that had become today). So a run starting in the last minutes before that
    midnight waits until just after it, and says so."""
    import datetime
    import time
    import zoneinfo

    from django.conf import settings

    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    now = datetime.datetime.now(zone)
    midnight = datetime.datetime.combine(now.date() + datetime.timedelta(days=1), datetime.time(), zone)
    wait = (midnight - now).total_seconds()
    if wait < MIDNIGHT_MARGIN_MINUTES * 60:
        print(f"\n距北京时间零点还有 {wait:.0f} 秒：测试在零点后开始，以免运行中日期改变。", flush=True)
        time.sleep(wait + 5)
