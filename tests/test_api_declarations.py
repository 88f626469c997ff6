"""Every API operation declares its access; an undeclared operation is reported (the check can fail)."""

from ninja import NinjaAPI, Router

from tuanwu.api import api, iter_operations, undeclared_operations
from tuanwu.organisations import access


def test_every_api_operation_declares_its_access():
    operations = list(iter_operations(api))
    # The walk really sees the API (an empty walk would pass vacuously).
    assert {(method, path) for method, path, _ in operations} >= {
        ("GET", "/units"), ("POST", "/units"), ("GET", "/units/{unit_id}"), ("PATCH", "/units/{unit_id}"),
        ("POST", "/units/{unit_id}/move"), ("POST", "/units/{unit_id}/close"), ("GET", "/units/{unit_id}/terms"),
        ("POST", "/units/{unit_id}/terms"), ("GET", "/units/{unit_id}/grants"), ("POST", "/units/{unit_id}/grants"),
        ("POST", "/grants/{grant_id}/end"), ("GET", "/accounts/me"), ("GET", "/accounts/tokens"),
        ("POST", "/accounts/tokens"), ("POST", "/accounts/tokens/{token_id}/revoke"),
    }
    assert undeclared_operations(api) == []
    for _, _, operation in operations:
        assert access.declaration_of(operation.view_func).kind in {"public", "self_only", "scoped"}


def test_scoped_operations_name_their_model_and_permission():
    found = {
        (method, path): access.declaration_of(operation.view_func) for method, path, operation in iter_operations(api)
    }
    patch = found[("PATCH", "/units/{unit_id}")]
    assert (patch.kind, patch.model.__name__, patch.lookup, patch.permission) == ("scoped", "Unit", "unit_id", "change")
    end = found[("POST", "/grants/{grant_id}/end")]
    assert (end.kind, end.model.__name__, end.lookup, end.permission) == ("scoped", "RoleGrant", "grant_id", "grant.manage")
    assert found[("GET", "/accounts/me")].kind == "self_only"


def test_an_undeclared_operation_is_reported():
    router = Router()

    @router.get("/declared")
    @access.api_public
    def declared(request):
        return {"ok": True}

    @router.get("/forgotten")
    def forgotten(request):
        return {"oops": True}

    @router.post("/things/{thing_id}")
    @access.api_scoped(object, "thing_id", access.CHANGE)
    def scoped_thing(request, thing_id: int):
        return {}

    throwaway = NinjaAPI(urls_namespace="throwaway-declarations")
    throwaway.add_router("/demo", router)
    assert undeclared_operations(throwaway) == ["GET /demo/forgotten"]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_schema_class_names_are_unique_across_the_api():
    # The OpenAPI document names its components after the schema classes: two classes of one name
    # in different apps silently share one component, and one operation then documents the
    # other's body (schemathesis found activities' attendance documented as cadres' course one).
    from ninja import Schema

    ours = [cls for cls in set(_subclasses(Schema)) if cls.__module__.startswith("tuanwu.")]
    assert len(ours) > 50  # the walk sees the API's schemas
    by_name: dict[str, list[str]] = {}
    for cls in ours:
        by_name.setdefault(cls.__name__, []).append(cls.__module__)
    assert {name: modules for name, modules in by_name.items() if len(modules) > 1} == {}
