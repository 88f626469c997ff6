"""The only code that decides who may see or do what.

A role granted on a unit covers that unit's subtree for the dates of the grant. Decisions are
made on (user, permission, record): a record outside every covering scope is hidden (404); a
record inside a scope whose roles lack the permission is forbidden (403).

Record classes:
- ``ordinary``: decided by scope and role;
- ``minor`` (people under 14): visible only with ``minor.view`` (the counsellors of their
  大队 and county administrators); to everyone else it does not exist (404);
- ``self``: the record of the person linked to the requesting user, who may always view it.

Every URL pattern and API operation declares exactly one of :func:`public`, :func:`self_only`
or :func:`scoped`; a test walks the URL conf and the API and fails on an undeclared route.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import Enum, StrEnum

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import Role, RoleGrant, Unit
from .rules import LEAGUE_LEADING_KINDS, PARTY_KINDS, PIONEER_KINDS, Kind

# ---------------------------------------------------------------------------------------------
# Permissions and roles

VIEW = "view"
CHANGE = "change"  # edit a unit's fields and terms
MANAGE_UNITS = "unit.manage"  # create, move, close units below
MANAGE_GRANTS = "grant.manage"
VIEW_MINOR = "minor.view"
REVEAL_PII = "pii.reveal"
MANAGE_RULES = "rules.manage"
VIEW_AUDIT = "audit.view"
IMPORT = "data.import"
EXPORT = "data.export"
MANAGE_VOLUNTEERS = "volunteer.manage"
REVIEW = "assessment.review"

ALL_PERMISSIONS = frozenset(
    {VIEW, CHANGE, MANAGE_UNITS, MANAGE_GRANTS, VIEW_MINOR, REVEAL_PII, MANAGE_RULES, VIEW_AUDIT, IMPORT,
     EXPORT, MANAGE_VOLUNTEERS, REVIEW}
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: ALL_PERMISSIONS,
    Role.UNIT_ADMIN: frozenset({VIEW, CHANGE, MANAGE_UNITS, MANAGE_GRANTS, IMPORT, EXPORT}),
    Role.COUNSELLOR: frozenset({VIEW, CHANGE, VIEW_MINOR, EXPORT}),
    Role.VOLUNTEER_OFFICE: frozenset({VIEW, MANAGE_VOLUNTEERS, EXPORT}),
    Role.PARTY_REVIEWER: frozenset({VIEW, REVIEW}),
    Role.INSPECTOR: frozenset({VIEW, VIEW_AUDIT, EXPORT}),
}

# An administrator grants only roles no higher than their own.
ROLE_LEVEL: dict[str, int] = {
    Role.COUNTY_ADMIN: 50,
    Role.UNIT_ADMIN: 40,
    Role.COUNSELLOR: 30,
    Role.VOLUNTEER_OFFICE: 30,
    Role.PARTY_REVIEWER: 20,
    Role.INSPECTOR: 10,
}


def role_refusal_for_unit(role: str, unit: Unit) -> str | None:
    """Why ``role`` cannot be held on ``unit`` (Chinese), or None."""
    if role == Role.COUNTY_ADMIN and unit.kind not in LEAGUE_LEADING_KINDS:
        return "县级管理员只能授予在团县委（或更高层级团委）上"
    if role == Role.PARTY_REVIEWER and unit.kind not in PARTY_KINDS:
        return "党组织评审只能授予在党组织上"
    if role == Role.COUNSELLOR and unit.kind not in PIONEER_KINDS | {Kind.SCHOOL}:
        return "少先队辅导员只能授予在学校或少先队组织上"
    if role not in (Role.PARTY_REVIEWER,) and unit.kind in PARTY_KINDS:
        return "党组织上只能授予“党组织评审”角色"
    return None


class RecordClass(StrEnum):
    ORDINARY = "ordinary"
    MINOR = "minor"
    SELF = "self"


class Decision(Enum):
    HIDDEN = 404
    FORBIDDEN = 403
    ALLOWED = 200


# ---------------------------------------------------------------------------------------------
# Scopes


@dataclass(frozen=True)
class Scope:
    path: str  # covers every unit whose path starts with this
    role: str
    grant_id: int

    @property
    def permissions(self) -> frozenset[str]:
        return ROLE_PERMISSIONS[self.role]


def active_grants(user, on=None) -> list[RoleGrant]:
    """The user's grants in force on ``on`` (default today), with their units."""
    if user is None or not user.is_authenticated:
        return []
    on = on or timezone.localdate()
    return list(
        RoleGrant.objects.filter(user=user, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .exclude(unit__closed_on__isnull=False, unit__closed_on__lte=on)
        .select_related("unit")
    )


def scopes(user) -> list[Scope]:
    """Path prefixes the user's roles cover today; cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_tuanwu_scopes", None)
    if cached is not None:
        return cached
    result: list[Scope] = []
    for grant in active_grants(user):
        if grant.role == Role.PARTY_REVIEWER:
            # A party reviewer covers the League units led by their party organisation or any
            # party organisation below it, with those units' subtrees.
            led = Unit.objects.filter(led_by__path__startswith=grant.unit.path).values_list("path", flat=True)
            result.extend(Scope(path=p, role=grant.role, grant_id=grant.pk) for p in led)
            result.append(Scope(path=grant.unit.path, role=grant.role, grant_id=grant.pk))
        else:
            result.append(Scope(path=grant.unit.path, role=grant.role, grant_id=grant.pk))
    user._tuanwu_scopes = result
    return result


def forget_scopes(user) -> None:
    if hasattr(user, "_tuanwu_scopes"):
        del user._tuanwu_scopes


def _covering(user, path: str) -> list[Scope]:
    return [s for s in scopes(user) if path.startswith(s.path)]


def permissions_on(user, unit: Unit) -> frozenset[str]:
    """Every permission the user holds on ``unit`` through any covering grant."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return ALL_PERMISSIONS
    perms: set[str] = set()
    for scope in _covering(user, unit.path):
        perms |= scope.permissions
    return frozenset(perms)


def decide(user, permission: str, unit: Unit, record_class: RecordClass = RecordClass.ORDINARY,
           owner_id: int | None = None) -> Decision:
    """The one decision: hidden (404), forbidden (403) or allowed, for a record in ``unit``."""
    if user is None or not user.is_authenticated:
        return Decision.HIDDEN
    if record_class == RecordClass.SELF and owner_id is not None and owner_id == user.pk and permission == VIEW:
        return Decision.ALLOWED
    perms = permissions_on(user, unit)
    if VIEW not in perms:
        return Decision.HIDDEN
    if record_class == RecordClass.MINOR and VIEW_MINOR not in perms:
        return Decision.HIDDEN
    return Decision.ALLOWED if permission in perms else Decision.FORBIDDEN


def can(user, permission: str, unit: Unit, **kwargs) -> bool:
    return decide(user, permission, unit, **kwargs) == Decision.ALLOWED


def enforce(decision: Decision) -> None:
    if decision == Decision.HIDDEN:
        raise Http404("未找到，或您无权查看")
    if decision == Decision.FORBIDDEN:
        raise PermissionDenied("您可以查看，但无权进行此操作")


def _prefix_q(user, permission: str, field: str) -> Q | None:
    """A Q selecting rows whose unit path falls under a scope granting ``permission``."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return Q()
    paths = sorted({s.path for s in scopes(user) if permission in s.permissions})
    # Drop prefixes already covered by a shorter one: fewer ORs, same rows.
    kept: list[str] = []
    for p in paths:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    if not kept:
        return None
    q = Q()
    for p in kept:
        q |= Q(**{f"{field}__startswith": p})
    return q


def path_prefix_q(user, permission: str, field: str) -> Q | None:
    """For records that store a unit path themselves (the audit trail): a Q selecting those
    under a scope granting ``permission``; ``Q()`` for superusers, None when there is none."""
    return _prefix_q(user, permission, field)


def visible_units(user, permission: str = VIEW) -> QuerySet[Unit]:
    """Units on which the user holds ``permission`` (one indexed query on path prefixes)."""
    q = _prefix_q(user, permission, "path")
    return Unit.objects.none() if q is None else Unit.objects.filter(q)


def visible_to(user, queryset: QuerySet, permission: str = VIEW) -> QuerySet:
    """Filter a scoped model's queryset to the rows the user may access with ``permission``.

    The model names the path to its unit in ``ACCESS_UNIT``; a model with minors' records defines
    a classmethod ``access_minor_q()`` returning a Q that selects them (for example by birth date,
    so it never goes stale), and those rows need ``minor.view`` as well.
    """
    model = queryset.model
    if model is Unit:
        prefix = "path"
    else:
        prefix = f"{model.ACCESS_UNIT}__path"
    q = _prefix_q(user, permission, prefix)
    if q is None:
        return queryset.none()
    queryset = queryset.filter(q)
    minor_q_factory = getattr(model, "access_minor_q", None)
    if minor_q_factory is not None:
        is_minor = minor_q_factory()
        minor_scope = _prefix_q(user, VIEW_MINOR, prefix)
        queryset = queryset.filter(~is_minor | (is_minor & minor_scope) if minor_scope is not None else ~is_minor)
    return queryset


def unit_of(obj: Model) -> Unit:
    if isinstance(obj, Unit):
        return obj
    target = obj
    for part in obj.ACCESS_UNIT.split("__"):
        target = getattr(target, part)
    return target


def record_class_of(obj: Model) -> RecordClass:
    getter = getattr(obj, "access_record_class", None)
    return getter() if callable(getter) else RecordClass.ORDINARY


def get_object_or_404(user, model, permission: str, **lookup):
    """Load one scoped record through the access layer: 404 outside, 403 without permission."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        raise Http404("未找到，或您无权查看")
    enforce(
        decide(user, permission, unit_of(obj), record_class_of(obj), owner_id=getattr(obj, "access_owner_id", None))
    )
    return obj


def get_unit_or_404(user, pk, permission: str = VIEW) -> Unit:
    return get_object_or_404(user, Unit, permission, pk=pk)


# ---------------------------------------------------------------------------------------------
# Granting


def grant_refusal(grantor, role: str, unit: Unit) -> str | None:
    """Why ``grantor`` may not grant ``role`` on ``unit`` (Chinese), or None."""
    reason = role_refusal_for_unit(role, unit)
    if reason:
        return reason
    if grantor.is_superuser:
        return None
    covering = [s for s in _covering(grantor, unit.path) if MANAGE_GRANTS in s.permissions]
    if not covering:
        return "您无权在该组织授予角色"
    if max(ROLE_LEVEL[s.role] for s in covering) < ROLE_LEVEL[role]:
        return "只能授予不高于自己的角色"
    return None


# ---------------------------------------------------------------------------------------------
# Route declarations


@dataclass(frozen=True)
class Declaration:
    kind: str  # public, self_only, scoped
    model: type | None = None
    lookup: str | None = None
    permission: str | None = None


ATTR = "tuanwu_access"


def declaration_of(func) -> Declaration | None:
    seen = set()
    while func is not None and id(func) not in seen:
        seen.add(id(func))
        found = getattr(func, ATTR, None)
        if found is not None:
            return found
        func = getattr(func, "__wrapped__", None) or getattr(func, "view_func", None)
    return None


def public(view):
    """Anyone, logged in or not (login page, health check, QR check-in)."""
    setattr(view, ATTR, Declaration("public"))
    return view


def _require_login(request):
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def self_only(view):
    """Any logged-in user, acting only on their own account or their own records."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _require_login(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    setattr(wrapper, ATTR, Declaration("self_only"))
    return wrapper


def scoped(model, lookup: str | None, permission: str):
    """A view on scoped data.

    With ``lookup`` (a URL keyword such as ``pk``) the record is loaded through
    :func:`get_object_or_404` and passed to the view in place of that keyword, as its second
    positional argument. With ``lookup=None`` the view lists data and must filter through
    :func:`visible_to`; only the login is checked here.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _require_login(request):
                return redirect_to_login(request.get_full_path())
            if lookup is None:
                return view(request, *args, **kwargs)
            value = kwargs.pop(lookup)
            obj = get_object_or_404(request.user, model, permission, **{lookup: value})
            return view(request, obj, *args, **kwargs)

        setattr(wrapper, ATTR, Declaration("scoped", model, lookup, permission))
        return wrapper

    return decorate


def api_public(func):
    setattr(func, ATTR, Declaration("public"))
    return func


def _keep_signature(wrapper, func):
    # django-ninja reads the signature (following __signature__) to build parameters; resolve it
    # against the original module so string annotations keep working.
    from ninja.signature.utils import get_typed_signature

    wrapper.__signature__ = get_typed_signature(func)
    return wrapper


def api_self_only(func):
    """An API operation on the caller's own account; authentication is enforced by the router."""

    @functools.wraps(func)
    def wrapper(request, *args, **kwargs):
        if not _require_login(request) and getattr(request, "auth", None) is None:
            raise PermissionDenied("请先登录")
        return func(request, *args, **kwargs)

    setattr(wrapper, ATTR, Declaration("self_only"))
    return _keep_signature(wrapper, func)


def api_scoped(model, lookup: str | None, permission: str):
    """An API operation on scoped data. With ``lookup`` the record is loaded through the access
    layer (404/403) and left on ``request.scoped_object``; the operation's parameters are
    unchanged so the OpenAPI schema still shows them."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(request, *args, **kwargs):
            if lookup is not None:
                value = kwargs[lookup]
                request.scoped_object = get_object_or_404(request.user, model, permission, **{"pk": value})
            return func(request, *args, **kwargs)

        setattr(wrapper, ATTR, Declaration("scoped", model, lookup, permission))
        return _keep_signature(wrapper, func)

    return decorate


def is_declared(func) -> bool:
    return declaration_of(func) is not None


