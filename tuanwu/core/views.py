"""Core pages: home, to-do list, audit trail, rule settings, error pages."""

import re
from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tuanwu.core import queries, todos
from tuanwu.core.exports import ExportRecord, xlsx_response
from tuanwu.core.forms import AuditFilterForm, RuleSettingForm
from tuanwu.core.models import AuditEvent
from tuanwu.core.rule_settings import REGISTRY, get_rule, set_rule
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind

AUDIT_PAGE_SIZE = 50
AUDIT_UNFOLDED_CHANGES = 6
# Units offered in the audit trail's unit filter: the levels people filter by. Branches can
# still be chosen through a link (?unit=<id>).
AUDIT_FILTER_KINDS = [Kind.LEAGUE_PROVINCE, Kind.LEAGUE_CITY, Kind.LEAGUE_COUNTY, Kind.WORKING_COMMITTEE,
                      Kind.COMMITTEE, Kind.SCHOOL, Kind.GENERAL_BRANCH]
AUDIT_FILTER_MAX_UNITS = 300


@access.self_only
def home(request):
    user = request.user
    grants = sorted(access.active_grants(user), key=lambda g: (g.unit.path, g.role))
    figures = access.visible_units(user).filter(closed_on__isnull=True).aggregate(
        units=Count("pk"), branches=Count("pk", filter=Q(kind=Kind.BRANCH))
    )
    items = todos.alerts_for(user)
    return render(request, "core/home.html", {
        "nav": "home",
        "grants": grants,
        "figures": figures,
        # Passed here so the navigation badge does not run the providers a second time.
        "todo_count": len(items),
        "top_todos": items[:5],
        "today": timezone.localdate(),
    })


@access.public
def health(request):
    return HttpResponse("ok", content_type="text/plain")


@access.self_only
def todo_badge(request):
    """The navigation's to-do count, fetched by htmx after the page has rendered."""
    count = todos.count_for(request.user)
    html = f'<span class="count">{count}</span>' if count else ""
    return HttpResponse(html)


@access.self_only
def todo_list(request):
    items = todos.alerts_for(request.user)
    kinds = Counter(item.kind for item in items)
    kind = request.GET.get("kind", "")
    if kind not in kinds:
        kind = ""
    shown = [item for item in items if not kind or item.kind == kind]
    # Sections by severity, then kind; items keep the registry's order (by due date) inside.
    sections: dict[tuple[str, str], list] = {}
    for item in sorted(shown, key=lambda i: (todos.SEVERITY_ORDER.get(i.severity, 9), i.kind)):
        sections.setdefault((item.severity, item.kind), []).append(item)
    return render(request, "core/todos.html", {
        "nav": "todos",
        "todo_count": len(items),
        "kinds": sorted(kinds.items()),
        "kind": kind,
        "sections": [
            {"severity": sev, "severity_label": todos.SEVERITY_LABELS.get(sev, sev), "kind": k, "items": group}
            for (sev, k), group in sections.items()
        ],
        "shown_count": len(shown),
    })


def _audit_scope(request):
    """The filtered rows the user may read, the filter form and its values; 403 without
    audit.view anywhere."""
    events = queries.audit_events_for(request.user)
    if events is None:
        raise PermissionDenied("只有县级管理员和巡察人员可以查看操作日志")
    actions, object_types = queries.audit_choices(events)
    units = list(
        access.visible_units(request.user, access.VIEW_AUDIT)
        .filter(kind__in=AUDIT_FILTER_KINDS, closed_on__isnull=True)
        .order_by("path")[:AUDIT_FILTER_MAX_UNITS]
    )
    form = AuditFilterForm(request.GET, user=request.user, actions=actions, object_types=object_types, units=units)
    filters = form.filters()
    return queries.filter_audit(events, filters), form, filters


@access.scoped(AuditEvent, None, access.VIEW_AUDIT)
def audit_list(request):
    events, form, _filters = _audit_scope(request)
    page = Paginator(events.select_related("actor"), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for e in page:
        changes = queries.audit_changes(e)
        # Changed fields (old → new) always show; fields that only have a new value (a new
        # record lists all of them) fold away when there are many, so the page stays scannable.
        changed = [c for c in changes if c.before is not None]
        added = [c for c in changes if c.before is None]
        rows.append({
            "event": e, "changed": changed, "added": added, "fold_added": len(added) > (2 if changed else AUDIT_UNFOLDED_CHANGES),
            "source": queries.SOURCE_LABELS.get(e.source, e.source), "object_type": queries.model_label(e.object_type),
        })
    return render(request, "core/audit.html", {"nav": "audit", "form": form, "page": page, "rows": rows})


AUDIT_EXPORT_HEADERS = ["时间", "操作人", "姓名", "途径", "来源 IP", "操作", "对象类型", "对象", "修改内容"]


@access.scoped(AuditEvent, None, access.VIEW_AUDIT)
def audit_export(request):
    events, _form, filters = _audit_scope(request)

    def rows():
        for e in events.select_related("actor").iterator(chunk_size=2000):
            yield [
                e.at, e.actor_label,
                e.actor.full_name if e.actor else "", queries.SOURCE_LABELS.get(e.source, e.source),
                e.source_ip or "", e.action, queries.model_label(e.object_type), e.object_repr,
                queries.audit_change_text(e),
            ]

    filename = f"操作日志-{timezone.localdate():%Y%m%d}.xlsx"
    # File the export's own audit row where the exported rows live, so the same people see it.
    unit = filters.unit
    paths = sorted((s.path for s in access.scopes(request.user) if access.VIEW_AUDIT in s.permissions), key=len)
    unit_path = unit.path if unit else ("" if request.user.is_superuser or not paths else paths[0])
    return xlsx_response(filename, "操作日志", AUDIT_EXPORT_HEADERS, rows(), actor=request.user,
                         audit_action="导出操作日志", audit_obj=ExportRecord(filename, unit_path=unit_path))


@access.self_only
def rules_home(request):
    counties = list(queries.administered_counties(request.user))
    if not counties:
        raise PermissionDenied("规则参数由团县委的县级管理员设置，您没有这项权限")
    if len(counties) == 1:
        return redirect("core:rules", pk=counties[0].pk)
    return render(request, "core/rules_home.html", {"nav": "rules", "counties": counties})


def _breadcrumb(user, unit: Unit) -> list[Unit]:
    # Units above the user's scope would be links to a 404: leave them out.
    return [u for u in unit.ancestors_and_self() if access.can(user, access.VIEW, u)]


def _require_county(unit: Unit) -> None:
    # Settings apply from the nearest 团县委; other units have none of their own.
    if unit.kind != Kind.LEAGUE_COUNTY:
        raise Http404("规则参数只在团县委设置")


@access.scoped(Unit, "pk", access.MANAGE_RULES)
def rules_for_county(request, unit):
    _require_county(unit)
    return render(request, "core/rules.html", {
        "nav": "rules", "unit": unit, "groups": queries.rules_overview(unit), "today": timezone.localdate(),
        "breadcrumb": _breadcrumb(request.user, unit),
    })


@access.scoped(Unit, "pk", access.MANAGE_RULES)
def rule_edit(request, unit, key):
    _require_county(unit)
    rule = REGISTRY.get(key)
    if rule is None:
        raise Http404("没有这个规则参数")
    current = get_rule(key, unit)
    initial_value = current if rule.kind in ("bool", "choice") else rule.to_json(current)
    form = RuleSettingForm(request.POST or None, rule=rule, initial={"value": initial_value})
    if request.method == "POST" and form.is_valid():
        try:
            row = set_rule(
                actor=request.user, key=key, raw_value=form.cleaned_data["value"], county=unit,
                effective_from=form.cleaned_data["effective_from"], note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            # The value was checked by the form; what is left to refuse is the date.
            form.add_error("effective_from", error)
        else:
            messages.success(
                request,
                f"已设置“{rule.label}”：自 {row.effective_from:%Y-%m-%d} 起为 {rule.display(rule.from_json(row.value))}",
            )
            return redirect(reverse("core:rules", args=[unit.pk]) + f"#{rule.key}")
    overview = queries.rules_overview(unit)
    entry = next(r for group in overview.values() for r in group if r.rule.key == key)
    return render(request, "core/rule_edit.html", {
        "nav": "rules", "unit": unit, "rule": rule, "entry": entry, "form": form,
        "breadcrumb": _breadcrumb(request.user, unit),
    })


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _detail(exception) -> str:
    # Our own refusals carry a Chinese reason worth showing; anything else (framework
    # internals, English) is not shown to users.
    text = str(exception or "")
    return text if _CJK.search(text) else ""


def permission_denied(request, exception=None):
    return render(request, "403.html", {"detail": _detail(exception)}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", {}, status=404)
