"""The left navigation, contributed by the apps (each registers its links in AppConfig.ready),
so a new module adds its pages without editing templates/base.html."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

GROUP_ORDER = ["工作台", "组织", "团员", "学习活动", "西部计划", "换届选举", "团干部", "改革与考核", "管理", "我的"]


@dataclass(frozen=True)
class NavItem:
    group: str
    label: str
    key: str  # the view's `nav` context value that highlights it
    url_name: str = ""
    url: str = ""
    order: int = 100
    visible: Callable | None = None  # visible(user) -> bool; None: every logged-in user
    # Also offered on the home page (常用功能): on a phone the navigation hides behind ☰, so each
    # area's everyday page is one tap from home.
    quick: bool = False

    def href(self) -> str:
        return self.url or reverse(self.url_name)


_items: dict[str, NavItem] = {}


def register(*, group: str, label: str, key: str, url_name: str = "", url: str = "", order: int = 100,
             visible: Callable | None = None, quick: bool = False) -> NavItem:
    if group not in GROUP_ORDER:
        raise ValueError(f"unknown navigation group {group!r}")
    item = NavItem(group=group, label=label, key=key, url_name=url_name, url=url, order=order, visible=visible,
                   quick=quick)
    _items[key] = item
    return item


def groups_for(user) -> list[tuple[str, list[NavItem]]]:
    result = []
    for group in GROUP_ORDER:
        items = sorted((i for i in _items.values() if i.group == group), key=lambda i: (i.order, i.label))
        items = [i for i in items if i.visible is None or i.visible(user)]
        if items:
            result.append((group, items))
    return result
