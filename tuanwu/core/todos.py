"""The to-do registry: apps register providers; the 待办 page and the badge read them all.

A provider is ``alerts_for(user) -> iterable[TodoItem]`` and must fetch its data through the
access layer, so that a user sees only items in their own scope.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SEVERITY_ORDER = {"danger": 0, "warning": 1, "info": 2}
SEVERITY_LABELS = {"danger": "紧急", "warning": "提醒", "info": "提示"}


@dataclass(frozen=True)
class TodoItem:
    unit_id: int | None
    unit_name: str
    kind: str
    severity: str  # danger, warning, info
    text: str
    due: datetime.date | None
    link: str

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)


_providers: list[Callable[[object], Iterable[TodoItem]]] = []


def register(provider: Callable[[object], Iterable[TodoItem]]):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def alerts_for(user) -> list[TodoItem]:
    items: list[TodoItem] = []
    for provider in _providers:
        items.extend(provider(user))
    far = datetime.date.max
    return sorted(items, key=lambda i: (SEVERITY_ORDER.get(i.severity, 9), i.due or far, i.unit_name))


def count_for(user) -> int:
    return len(alerts_for(user))
