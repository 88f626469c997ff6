"""The JSON API for the organisation tree: units, terms and role grants.

Every operation declares its access (``access.api_*``); scoped records are loaded through the
access layer (outside the caller's subtree → 404, visible without permission → 403) and every
write goes through an action in ``actions.py``, which checks access again and audits it.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tuanwu.core.errors import DomainError

from . import access, actions
from .models import RoleGrant, Unit, UnitKind
from .schemas import (
    ERRORS,
    GrantEndIn,
    GrantIn,
    GrantOut,
    Id,
    Pagination,
    TermIn,
    TermOut,
    UnitCloseIn,
    UnitCreateIn,
    UnitMoveIn,
    UnitOut,
    UnitUpdateIn,
    with_parent_id,
)

router = Router()

UNITS, TERMS, GRANTS = ["组织"], ["任期"], ["授权"]


def _ok(schema, status: int = 200) -> dict:
    return {status: schema, **ERRORS}


def _led_by(user, led_by_id: int | None) -> Unit | None:
    """The party organisation named as leader, which the caller must be able to see."""
    if led_by_id is None:
        return None
    found = access.visible_units(user).filter(pk=led_by_id).first()
    if found is None:
        raise DomainError("上级党组织不存在，或您无权查看", field="led_by_id")
    return found


def _require_parent_manage(user, unit: Unit, message: str) -> None:
    """Moving or closing a unit is decided at its parent. The unit itself is visible here, so a
    caller who lacks the parent's management permission is refused (403), not told it is gone."""
    parent = Unit.objects.get_parent(unit)
    if parent is not None and not access.can(user, access.MANAGE_UNITS, parent):
        raise PermissionDenied(message)


# ---------------------------------------------------------------------------------------------
# Units


@router.get("/units", response=_ok(list[UnitOut]), tags=UNITS, operation_id="list_units", summary="组织列表",
            description="只列出您有权查看的组织，按组织树顺序排列。")
@paginate(Pagination)
@access.api_scoped(Unit, None, access.VIEW)
def list_units(
    request,
    subtree_of: Id | None = Query(None, description="只列出该组织及其全部下级（该组织须可见，否则 404）"),
    kind: UnitKind | None = Query(None, description="按类型代码筛选"),
    include_closed: bool = Query(False, description="包含已撤销的组织"),
):
    units = access.visible_units(request.user)
    if subtree_of is not None:
        root = access.get_unit_or_404(request.user, subtree_of, access.VIEW)
        units = units.filter(path__startswith=root.path)
    if kind is not None:
        units = units.filter(kind=kind)
    if not include_closed:
        units = units.filter(closed_on__isnull=True)
    return with_parent_id(units).order_by("path")


@router.get("/units/{unit_id}", response=_ok(UnitOut), tags=UNITS, operation_id="get_unit", summary="组织详情")
@access.api_scoped(Unit, "unit_id", access.VIEW)
def get_unit(request, unit_id: Id):
    return request.scoped_object


@router.post("/units", response=_ok(UnitOut, 201), tags=UNITS, operation_id="create_unit", summary="新建下级组织",
             description="需要上级组织的组织管理权限；类型须符合上下级设置规则。")
@access.api_scoped(Unit, None, access.MANAGE_UNITS)
def create_unit(request, payload: UnitCreateIn):
    parent = access.get_unit_or_404(request.user, payload.parent_id, access.VIEW)
    data = payload.model_dump(exclude={"parent_id", "led_by_id", "name", "kind", "sector"})
    unit = actions.create_unit(
        actor=request.user, parent=parent, name=payload.name, kind=payload.kind, sector=payload.sector or "",
        led_by=_led_by(request.user, payload.led_by_id), **data,
    )
    return Status(201, unit)


# Fields that cannot be emptied: a null for them is a mistake, not "leave unchanged".
_NOT_NULL = {"name", "kind", "division_code", "division_code_confirmed", "is_student", "is_mobile", "is_temporary"}


@router.patch("/units/{unit_id}", response=_ok(UnitOut), tags=UNITS, operation_id="update_unit", summary="修改组织",
              description="只修改提交的字段。需要该组织的编辑权限。")
@access.api_scoped(Unit, "unit_id", access.CHANGE)
def update_unit(request, unit_id: Id, payload: UnitUpdateIn):
    unit = request.scoped_object
    changes = payload.model_dump(exclude_unset=True)
    for key in sorted(_NOT_NULL & changes.keys()):
        if changes[key] is None:
            raise DomainError(f"字段 {key} 不能为空", field=key)
    if "sector" in changes:
        changes["sector"] = changes["sector"] or ""
    if "led_by_id" in changes:
        changes["led_by"] = _led_by(request.user, changes.pop("led_by_id"))
    if not changes:
        return unit
    return actions.update_unit(actor=request.user, unit=unit, **changes)


@router.post("/units/{unit_id}/move", response=_ok(UnitOut), tags=UNITS, operation_id="move_unit",
             summary="移动组织（连同全部下级）",
             description="需要原上级组织和新上级组织的组织管理权限。")
@access.api_scoped(Unit, "unit_id", access.MANAGE_UNITS)
def move_unit(request, unit_id: Id, payload: UnitMoveIn):
    unit = request.scoped_object
    _require_parent_manage(request.user, unit, "移动组织需要其上级组织的管理权限")
    new_parent = access.get_unit_or_404(request.user, payload.new_parent_id, access.VIEW)
    return actions.move_unit(actor=request.user, unit=unit, new_parent=new_parent)


@router.post("/units/{unit_id}/close", response=_ok(UnitOut), tags=UNITS, operation_id="close_unit",
             summary="撤销组织", description="组织不会被删除；仍有未撤销的下级组织时不能撤销。")
@access.api_scoped(Unit, "unit_id", access.MANAGE_UNITS)
def close_unit(request, unit_id: Id, payload: UnitCloseIn):
    unit = request.scoped_object
    _require_parent_manage(request.user, unit, "撤销组织需要其上级组织的管理权限")
    return actions.close_unit(actor=request.user, unit=unit, closed_on=payload.closed_on, reason=payload.reason)


# ---------------------------------------------------------------------------------------------
# Terms


@router.get("/units/{unit_id}/terms", response=_ok(list[TermOut]), tags=TERMS, operation_id="list_terms",
            summary="任期列表", description="最近一届在前。")
@access.api_scoped(Unit, "unit_id", access.VIEW)
def list_terms(request, unit_id: Id):
    unit = request.scoped_object
    return access.visible_to(request.user, unit.terms.all()).order_by("-number")


@router.post("/units/{unit_id}/terms", response=_ok(TermOut, 201), tags=TERMS, operation_id="start_term",
             summary="登记新一届任期", description="上一届（如未结束）在新一届开始之日结束。")
@access.api_scoped(Unit, "unit_id", access.CHANGE)
def start_term(request, unit_id: Id, payload: TermIn):
    term = actions.start_term(
        actor=request.user, unit=request.scoped_object, number=payload.number, started_on=payload.started_on,
        planned_end_on=payload.planned_end_on, how_elected=payload.how_elected, note=payload.note,
    )
    return Status(201, term)


# ---------------------------------------------------------------------------------------------
# Grants


@router.get("/units/{unit_id}/grants", response=_ok(list[GrantOut]), tags=GRANTS, operation_id="list_grants",
            summary="组织上的角色授权")
@access.api_scoped(Unit, "unit_id", access.VIEW)
def list_grants(request, unit_id: Id, active_only: bool = Query(False, description="只列出今天有效的授权")):
    unit = request.scoped_object
    grants = access.visible_to(request.user, unit.grants.select_related("user", "unit", "granted_by"))
    if active_only:
        today = timezone.localdate()
        grants = [g for g in grants if g.is_active_on(today)]
    return grants


@router.post("/units/{unit_id}/grants", response=_ok(GrantOut, 201), tags=GRANTS, operation_id="grant_role",
             summary="授予角色", description="只能在自己的管辖范围内授予不高于自己的角色。")
@access.api_scoped(Unit, "unit_id", access.MANAGE_GRANTS)
def grant_role(request, unit_id: Id, payload: GrantIn):
    user = get_user_model().objects.filter(username=payload.username, is_active=True).first()
    if user is None:
        raise DomainError(f"用户“{payload.username}”不存在或已停用", field="username")
    grant = actions.grant_role(
        actor=request.user, user=user, unit=request.scoped_object, role=payload.role,
        starts_on=payload.starts_on, ends_on=payload.ends_on, note=payload.note,
    )
    return Status(201, grant)


@router.post("/grants/{grant_id}/end", response=_ok(GrantOut), tags=GRANTS, operation_id="end_grant",
             summary="结束授权（交接）", description="授权记录保留；结束日期当天仍有效。")
@access.api_scoped(RoleGrant, "grant_id", access.MANAGE_GRANTS)
def end_grant(request, grant_id: Id, payload: GrantEndIn | None = None):
    grant = request.scoped_object
    return actions.end_grant(actor=request.user, grant=grant, ends_on=payload.ends_on if payload else None)
