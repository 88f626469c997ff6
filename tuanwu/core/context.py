"""Who is acting and from where, for the audit trail, without passing requests into actions."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    source: str = "command"  # web, api, import, command, task
    ip: str | None = None


_DEFAULT = Origin()
_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar("tuanwu_origin")


def current_origin() -> Origin:
    return _origin.get(_DEFAULT)


@contextmanager
def origin(source: str, ip: str | None = None):
    token = _origin.set(Origin(source=source, ip=ip))
    try:
        yield
    finally:
        _origin.reset(token)


def set_origin(source: str, ip: str | None = None):
    return _origin.set(Origin(source=source, ip=ip))


def reset_origin(token) -> None:
    _origin.reset(token)
