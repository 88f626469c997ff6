"""QR check-in: the signed, time-limited token and the rate limit of the public page.

The token signs ``<activity id>:<nonce>`` with Django's TimestampSigner: it cannot be forged,
expires after ``TOKEN_MAX_AGE`` and dies at once when the organiser renews the nonce. The page
asks for a name and the last 4 digits of the phone, and answers a wrong name exactly like a
right name with a wrong phone, so it never tells whether a name is on the roster.
"""

from __future__ import annotations

import datetime

from django.core import signing
from django.core.cache import cache

SALT = "tuanwu.activities.checkin"
TOKEN_MAX_AGE = datetime.timedelta(hours=6)
# Attempts allowed per window: per client address, and per activity (all addresses together).
PER_IP = 10
PER_ACTIVITY = 600
WINDOW_SECONDS = 600

NO_MATCH = "未能核对您的信息。请检查姓名和手机号后四位是否与登记的一致，或联系活动组织者。"
ALREADY = "您已签到，无需重复签到。感谢参加！"
DONE = "签到成功，感谢参加！"
LIMITED = "尝试次数过多，请稍后再试，或联系活动组织者现场签到。"
EXPIRED = "签到二维码已失效，请扫描组织者出示的最新二维码。"


def make_token(activity) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{activity.pk}:{activity.checkin_nonce}")


def read_token(token: str) -> tuple[int, str] | None:
    """(activity id, nonce), or None when the token is forged, malformed or expired."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    pk, _, nonce = value.partition(":")
    if not pk.isdigit():
        return None
    return int(pk), nonce


def _hit(key: str, limit: int) -> bool:
    """Count one attempt; True when the limit is exceeded."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count > limit


def rate_limited(ip: str | None, activity_id: int) -> bool:
    over_ip = _hit(f"checkin:ip:{ip or 'unknown'}", PER_IP)
    over_activity = _hit(f"checkin:activity:{activity_id}", PER_ACTIVITY)
    return over_ip or over_activity
