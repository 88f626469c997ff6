"""Unit list export (.xlsx): the units the user may export, optionally one subtree."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from tuanwu.core.exports import xlsx_response

from . import access
from .models import Sector, Unit, UnitKind

HEADERS = ["名称", "类型", "领域", "上级组织", "完整路径", "行政区划代码", "成立日期", "状态", "示例数据"]
KIND_LABELS = dict(UnitKind.choices)
SECTOR_LABELS = dict(Sector.choices)


def unit_rows(units, names: dict[str, str]):
    """Rows for ``units`` (ordered by path); ``names`` maps path → name and fills in as it goes,
    so that parents and full paths cost no query per row."""
    step = Unit.steplen
    for unit in units:
        names[unit.path] = unit.name
        chain = [names.get(unit.path[:i], "") for i in range(step, len(unit.path) + 1, step)]
        yield [
            unit.name, KIND_LABELS.get(unit.kind, unit.kind), SECTOR_LABELS.get(unit.sector, ""),
            chain[-2] if len(chain) > 1 else "", " / ".join(chain), unit.division_code, unit.founded_on,
            "正常" if unit.closed_on is None else "已撤销", unit.is_sample,
        ]


@access.scoped(Unit, None, access.EXPORT)
def unit_export(request):
    units = access.visible_units(request.user, access.EXPORT)
    scope = None
    subtree_of = request.GET.get("subtree_of")
    if subtree_of:
        if not subtree_of.isdigit():
            raise Http404("未找到，或您无权查看")
        scope = access.get_unit_or_404(request.user, int(subtree_of), access.EXPORT)
        units = units.filter(path__startswith=scope.path)
    units = units.order_by("path").only(
        "path", "name", "kind", "sector", "division_code", "founded_on", "closed_on", "is_sample"
    )
    # Names of the ancestors above the exported subtrees (outside the user's scope, or above the
    # chosen subtree) for the full path column: one query for the paths, one for those names.
    step = Unit.steplen
    paths = set(units.values_list("path", flat=True))
    prefixes: set[str] = set()
    for path in paths:
        parent = path[:-step]
        if parent and parent not in paths:
            prefixes.update(parent[:i] for i in range(step, len(parent) + 1, step))
    names = dict(Unit.objects.filter(path__in=prefixes).values_list("path", "name")) if prefixes else {}
    label = scope.name if scope else "全部"
    filename = f"组织名单_{label}_{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(
        filename, "组织名单", HEADERS, unit_rows(units.iterator(chunk_size=2000), names),
        actor=request.user, audit_action="导出组织名单", audit_obj=scope,
    )
