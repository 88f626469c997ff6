"""The console speaks Chinese: django-axes' English login warnings are rewritten."""

import logging

from tuanwu.core.logs import ChineseAxesMessages


def test_axes_login_failure_warning_is_written_in_chinese():
    record = logging.LogRecord("axes.handlers.database", logging.WARNING, __file__, 1,
                               "AXES: New login failure by %s. Created new record in the database.",
                               ("{username: \"zhang\"}",), None)
    assert ChineseAxesMessages().filter(record) is True
    assert record.getMessage() == "登录失败：{username: \"zhang\"}（首次记录）"


def test_other_messages_pass_unchanged():
    record = logging.LogRecord("django", logging.WARNING, __file__, 1, "something %s", ("x",), None)
    ChineseAxesMessages().filter(record)
    assert record.getMessage() == "something x"
