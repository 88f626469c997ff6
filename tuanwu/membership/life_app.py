"""Registrations of membership life with the core registries (called from MembershipConfig.ready)."""

from __future__ import annotations


def ready() -> None:
    from tuanwu.core import nav

    from . import life_panels, life_todos  # noqa: F401  (register panels and to-do providers)

    nav.register(group="团员", label="团员发展与团籍", key="membership_life", url_name="membership:home", order=10,
                 quick=True)
