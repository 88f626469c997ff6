"""Log lines in the language of whoever reads the console: django-axes writes English warnings
for every failed login; this filter gives the ones a county's IT staff will see in Chinese."""

from __future__ import annotations

import logging

# axes' message templates (their %-placeholders kept) → ours.
AXES_MESSAGES = {
    "AXES: New login failure by %s. Created new record in the database.": "登录失败：%s（首次记录）",
    "AXES: Repeated login failure by %s. Updated existing record in the database.": "登录再次失败：%s",
    "AXES: Locking out %s after repeated login failures.": "多次登录失败，已锁定：%s",
    "AXES: Username is None and username is the only one lockout parameter, new record will NOT be created.":
        "登录失败：未填用户名，不计入锁定次数",
    "AXES: Successful login by %s.": "登录成功：%s",
    "AXES: Successful logout by %s.": "退出登录：%s",
    "AXES: User login failed, running database handler for failure.": "登录失败，正在记录",
    "AXES: BEGIN version %s, %s": "登录锁定组件 django-axes %s 已启用（%s）",
}


class ChineseAxesMessages(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        translated = AXES_MESSAGES.get(record.msg) if isinstance(record.msg, str) else None
        if translated is not None:
            record.msg = translated
        return True
