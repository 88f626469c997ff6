"""Finds URL patterns whose view does not declare its access (public, self_only or scoped)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from tuanwu.organisations.access import declaration_of


def iter_patterns(patterns, prefix=""):
    for route, pattern, _namespace in iter_named_patterns(patterns, prefix):
        yield route, pattern


def iter_named_patterns(patterns, prefix="", namespace=""):
    """(route, pattern, namespace) for every URL pattern, resolvers flattened."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from iter_named_patterns(entry.url_patterns, prefix + str(entry.pattern), full)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, namespace


# The API's schema, its docs page and its index describe the API and hold no data: public.
PUBLIC_BY_DESIGN = frozenset(
    {"ninja.openapi.views.openapi_json", "ninja.openapi.views.openapi_view", "ninja.openapi.views.default_home"}
)


def is_api_pattern(pattern: URLPattern) -> bool:
    # django-ninja routes dispatch to operations that are checked one by one (tests/test_api_declarations.py).
    return pattern.lookup_str.startswith("ninja.operation.") or pattern.lookup_str in PUBLIC_BY_DESIGN


def undeclared_routes(urlconf=None) -> list[str]:
    resolver = get_resolver(urlconf)
    missing = []
    for route, pattern in iter_patterns(resolver.url_patterns):
        if is_api_pattern(pattern):
            continue
        if declaration_of(pattern.callback) is None:
            missing.append(f"{route} → {pattern.lookup_str}")
    return missing
