"""The unit page's panel registry: domain apps add sections without organisations importing them.

A panel is ``(order, title, render)`` where ``render(request, unit) -> str | None`` returns HTML
(rendered from the app's own template) or None to hide itself. Panels load their data through
the access layer themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    order: int
    render: Callable


_panels: dict[str, Panel] = {}


def register(key: str, title: str, order: int = 100):
    def decorate(render):
        _panels[key] = Panel(key=key, title=title, order=order, render=render)
        return render

    return decorate


def panels_for(request, unit) -> list[tuple[Panel, str]]:
    rendered = []
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        html = panel.render(request, unit)
        if html:
            rendered.append((panel, html))
    return rendered
