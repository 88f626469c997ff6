"""Demo parts contributed by the domain apps, so that later issues add sample data and figures
without editing the tree loader.

An app provides ``<app>/demo.py`` calling :func:`register`. Parts load in ``order`` after the
tree, each in its own transaction, and each decides for itself whether it is already loaded, so
a database loaded before a part existed gains it on the next ``load_demo`` (``make run``).
Figures are checked by ``make demo-check`` after the tree's own figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class DemoPart:
    key: str
    title: str
    order: int
    is_loaded: Callable[[], bool]
    load: Callable[..., str]  # load(*, today, actor, rng_seed) -> a one-line Chinese summary
    figures: Callable[[], list]  # -> list[tuanwu.demo.figures.Figure]


_parts: dict[str, DemoPart] = {}


def register(*, key: str, title: str, order: int, is_loaded, load, figures) -> DemoPart:
    part = DemoPart(key=key, title=title, order=order, is_loaded=is_loaded, load=load, figures=figures)
    _parts[key] = part
    return part


def parts() -> list[DemoPart]:
    autodiscover_modules("demo")
    return sorted(_parts.values(), key=lambda p: (p.order, p.key))


def load_parts(*, today: datetime.date, actor, progress: Callable[[str], None] | None = None) -> list[str]:
    """Load every part not yet loaded; returns their summaries. ``progress`` is told each part's
    title before it starts (a first ``make run`` takes minutes: the console says what it is doing)."""
    from django.db import transaction

    summaries = []
    for part in parts():
        if part.is_loaded():
            continue
        if progress is not None:
            progress(part.title)
        with transaction.atomic():
            summaries.append(f"{part.title}：{part.load(today=today, actor=actor)}")
        refresh_statistics()
    return summaries


def refresh_statistics(*tables: str) -> None:
    """ANALYZE after a bulk load. A part writes thousands of rows at once; without fresh
    statistics the planner takes the new tables for empty and picks nested loops that run for
    minutes (a fresh database has none at all). ANALYZE, unlike VACUUM, may run inside a
    transaction, and there it counts the transaction's own rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}" if tables else "ANALYZE")
