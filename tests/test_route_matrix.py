"""For every scoped route: outside → 404, inside without the permission → 403 (nothing changed),
inside with it → served. The routes are discovered from the URL conf, so a new route is covered
as soon as it is added (and fails here if the world cannot supply objects for its model)."""


import pytest
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from tuanwu.core.models import AuditEvent, ImportJob
from tuanwu.core.routecheck import is_api_pattern, iter_named_patterns
from tuanwu.organisations import access, actions
from tuanwu.organisations.access import declaration_of
from tuanwu.organisations.models import Role, RoleGrant, Term, Unit

EXTRA_KWARGS = {"kind": "units", "key": "terms.branch_years"}


def _app_testing_modules():
    """Each app may supply ``testing.route_cases(world, model, permission)`` and ``ROUTE_KWARGS``."""
    import importlib
    import importlib.util

    from django.apps import apps

    modules = []
    for config in apps.get_app_configs():
        name = f"{config.name}.testing"
        if config.name.startswith("tuanwu.") and importlib.util.find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return modules


TESTING_MODULES = _app_testing_modules()
for _module in TESTING_MODULES:
    EXTRA_KWARGS.update(getattr(_module, "ROUTE_KWARGS", {}))


def scoped_routes():
    routes = []
    for route, pattern, namespace in iter_named_patterns(get_resolver().url_patterns):
        if is_api_pattern(pattern):
            continue
        decl = declaration_of(pattern.callback)
        if decl and decl.kind == "scoped" and decl.lookup:
            routes.append((route, (pattern, namespace), decl))
    return routes


ROUTES = scoped_routes()


def _url(named, route, lookup, value):
    from django.urls import reverse

    pattern, namespace = named
    kwargs = {lookup: value}
    for name in pattern.pattern.converters:
        if name != lookup:
            kwargs[name] = EXTRA_KWARGS[name]
    return reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _cases(world, model, permission):
    """(inside object, outside object, user with permission, user without it) for a model."""
    today = timezone.localdate()
    if model is Unit and permission == access.MANAGE_RULES:
        other_county = actions.create_unit(actor=world.superuser, parent=world.city, name="团另一县委", kind="league_county")
        return world.county, other_county, world.county_admin, world.inspector
    if model is Unit:
        return world.branch_a2, world.branch_b1, world.town_secretary, world.inspector
    if model is RoleGrant:
        inside = RoleGrant.objects.get(user=world.branch_secretary)
        outside = actions.grant_role(actor=world.county_admin, user=world.outsider, unit=world.branch_b1,
                                     role=Role.UNIT_ADMIN, starts_on=today)
        return inside, outside, world.town_secretary, world.inspector
    if model is ImportJob:
        def job(unit):
            return ImportJob.objects.create(kind="units", unit=unit, created_by=world.county_admin, original_name="x.xlsx")
        return job(world.branch_a2), job(world.branch_b1), world.town_secretary, world.inspector
    if model is Term:
        inside = actions.start_term(actor=world.county_admin, unit=world.branch_a2, started_on=today, how_elected="members_meeting")
        outside = actions.start_term(actor=world.county_admin, unit=world.branch_b1, started_on=today, how_elected="members_meeting")
        return inside, outside, world.town_secretary, world.inspector
    for module in TESTING_MODULES:
        supplier = getattr(module, "route_cases", None)
        found = supplier(world, model, permission) if supplier else None
        if found is not None:
            return found
    raise AssertionError(
        f"the test world supplies no objects for {model.__name__}: add them to its app's testing.route_cases"
    )


def _state(obj):
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.parametrize("route,pattern,decl", ROUTES, ids=[r[0] for r in ROUTES])
def test_scoped_route_statuses(world, route, pattern, decl):
    inside, outside, with_perm, without_perm = _cases(world, decl.model, decl.permission)
    assert access.can(with_perm, decl.permission, access.unit_of(inside))
    inside_url = _url(pattern, route, decl.lookup, inside.pk)
    outside_url = _url(pattern, route, decl.lookup, outside.pk)

    # Outside the user's subtree: the record does not exist for them, whatever the method.
    assert _client(with_perm).get(outside_url).status_code == 404
    assert _client(world.outsider).get(inside_url).status_code == 404

    # Inside, with only lesser permissions: 403, and a POST changes nothing.
    if decl.permission != access.VIEW:
        assert access.can(without_perm, access.VIEW, access.unit_of(inside))
        assert not access.can(without_perm, decl.permission, access.unit_of(inside))
        audits, before = AuditEvent.objects.count(), _state(inside)
        assert _client(without_perm).get(inside_url).status_code == 403
        assert _client(without_perm).post(inside_url, {"name": "改名", "reason": "x"}).status_code == 403
        assert AuditEvent.objects.count() == audits
        assert _state(inside) == before

    # Inside, with the permission: served (a page, a redirect, a download or a method refusal).
    response = _client(with_perm).get(inside_url)
    assert response.status_code in (200, 302, 405), (route, response.status_code)
