"""Pages of the organisation tree: the tree browser, the unit page, and the forms that change
units and terms. Reads go through the access layer; writes through ``actions``."""

from __future__ import annotations

import os
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Left, Length
from django.shortcuts import redirect, render
from django.utils import timezone

from tuanwu.core.errors import DomainError
from tuanwu.core.panels import panels_for
from tuanwu.core.rule_settings import get_rule

from . import access, actions
from .forms import (
    TermCreateForm,
    UnitCloseForm,
    UnitCreateForm,
    UnitEditForm,
    UnitMoveForm,
    apply_domain_error,
)
from .models import Unit
from .rules import ALLOWED_CHILDREN, Kind, term_due_for_reminder, term_years

SEARCH_LIMIT = 50

# Kinds that hold League elections and therefore have terms (R7.1); the lengths do not matter here.
TERM_KINDS = frozenset(
    k for k in vars(Kind).values() if isinstance(k, str) and not k.startswith("_")
    and term_years(k, is_student_branch=False, branch_years=1, student_branch_years=1, committee_years=1,
                   county_congress_years=1) is not None
)


# ---------------------------------------------------------------------------------------------
# Reads shared by the pages


def _show_closed(request) -> bool:
    return request.GET.get("closed") == "1"


def _breadcrumb(user, unit: Unit) -> list[Unit]:
    """Root → unit, leaving out ancestors the user may not see (they exist, but not for them)."""
    return [u for u in unit.ancestors_and_self() if access.can(user, access.VIEW, u)]


def with_counts(user, units: list[Unit]) -> list[Unit]:
    """Attach ``open_children`` (direct open subunits) and ``branch_count`` (open 团支部 in the
    subtree) to each unit.

    One aggregate query per depth among ``units`` (a tree level has one depth): descendants are
    grouped by their path prefix at that depth, so the query stays on the path index however
    many units the level holds.
    """
    by_depth: dict[int, list[Unit]] = defaultdict(list)
    for unit in units:
        by_depth[unit.depth].append(unit)
    for depth, group in by_depth.items():
        paths = [u.path for u in group]
        common = os.path.commonprefix(paths)
        common = common[: len(common) // Unit.steplen * Unit.steplen]
        rows = (
            access.visible_units(user)
            .filter(path__startswith=common, depth__gt=depth, closed_on__isnull=True)
            .annotate(top=Left("path", depth * Unit.steplen))
            .filter(top__in=paths)
            .values("top")
            .annotate(
                children=Count("pk", filter=Q(depth=depth + 1)),
                branches=Count("pk", filter=Q(kind=Kind.BRANCH)),
            )
            .order_by()
        )
        counts = {row["top"]: row for row in rows}
        for unit in group:
            row = counts.get(unit.path, {})
            unit.open_children = row.get("children", 0)
            unit.branch_count = row.get("branches", 0)
    return units


def top_units(user):
    """The user's visible units whose parent they cannot see: where their tree starts."""
    visible = access.visible_units(user)
    parent_visible = visible.filter(path=Left(OuterRef("path"), Length(OuterRef("path")) - Unit.steplen))
    return visible.filter(~Exists(parent_visible)).order_by("path")


def _tree_nodes(user, units, show_closed: bool) -> list[Unit]:
    nodes = with_counts(user, list(units))
    for node in nodes:
        # Closed children exist only under nodes with numchild > 0; they show only on request.
        node.has_children = node.numchild > 0 if show_closed else node.open_children > 0
    return nodes


def _children_of(user, unit: Unit, show_closed: bool):
    children = access.visible_units(user).filter(path__startswith=unit.path, depth=unit.depth + 1)
    if not show_closed:
        children = children.filter(closed_on__isnull=True)
    return children.order_by("path")


# ---------------------------------------------------------------------------------------------
# Tree browser


@access.scoped(Unit, None, access.VIEW)
def tree(request):
    user = request.user
    show_closed = _show_closed(request)
    query = request.GET.get("q", "").strip()[:60]
    context = {"nav": "tree", "show_closed": show_closed, "query": query}
    if query:
        found = access.visible_units(user).filter(name__icontains=query)
        if not show_closed:
            found = found.filter(closed_on__isnull=True)
        results = list(found.order_by("path")[: SEARCH_LIMIT + 1])
        context["truncated"] = len(results) > SEARCH_LIMIT
        results = results[:SEARCH_LIMIT]
        # Name each result's parent (one query) so that same-named branches can be told apart.
        parent_paths = {u.path[: -Unit.steplen] for u in results if u.depth > 1}
        parents = dict(access.visible_units(user).filter(path__in=parent_paths).values_list("path", "name"))
        for unit in results:
            unit.parent_name = parents.get(unit.path[: -Unit.steplen], "")
        context["results"] = results
    else:
        tops = top_units(user)
        if not show_closed:
            tops = tops.filter(closed_on__isnull=True)
        context["nodes"] = _tree_nodes(user, tops, show_closed)
    return render(request, "organisations/tree.html", context)


@access.scoped(Unit, "pk", access.VIEW)
def unit_children(request, unit):
    show_closed = _show_closed(request)
    nodes = _tree_nodes(request.user, _children_of(request.user, unit, show_closed), show_closed)
    return render(request, "organisations/tree.html#node_list", {"nodes": nodes, "show_closed": show_closed})


# ---------------------------------------------------------------------------------------------
# Unit page


def _term_badge(term, today, reminder_months: int):
    if term.ended_on is not None:
        return None
    if term.planned_end_on < today:
        return ("已超期", "danger")
    if term_due_for_reminder(term.planned_end_on, today, reminder_months):
        return ("即将届满", "warning")
    return None


@access.scoped(Unit, "pk", access.VIEW)
def unit_detail(request, unit):
    user = request.user
    today = timezone.localdate()
    lineage = list(unit.ancestors_and_self())
    parent = lineage[-2] if len(lineage) > 1 else None
    perms = access.permissions_on(user, unit)
    manage_parent = access.can(user, access.MANAGE_UNITS, parent) if parent else access.MANAGE_UNITS in perms

    with_counts(user, [unit])
    children = _tree_nodes(user, _children_of(user, unit, show_closed=True), show_closed=True)
    children.sort(key=lambda c: (c.closed_on is not None, c.path))

    terms = list(access.visible_to(user, unit.terms.all()).order_by("-number"))
    reminder_months = get_rule("terms.reminder_months", unit, today)
    for term in terms:
        term.badge = _term_badge(term, today, reminder_months)

    grants = (
        access.visible_to(user, unit.grants.all())
        .filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("user")
        .order_by("role", "starts_on")
    )
    is_open = unit.is_open
    can = {
        "edit": is_open and access.CHANGE in perms,
        "create_child": is_open and access.MANAGE_UNITS in perms and bool(ALLOWED_CHILDREN.get(unit.kind)),
        "move": is_open and parent is not None and manage_parent,
        "close": is_open and manage_parent,
        "term": is_open and access.CHANGE in perms and unit.kind in TERM_KINDS,
        "grants": access.MANAGE_GRANTS in perms,
        # Importing adds units below this one, so it is offered only where subunits may exist.
        "import": is_open and access.IMPORT in perms and bool(ALLOWED_CHILDREN.get(unit.kind)),
        "export": access.EXPORT in perms,
    }
    return render(request, "organisations/unit_detail.html", {
        "nav": "tree",
        "unit": unit,
        "breadcrumb": [u for u in lineage if access.can(user, access.VIEW, u)],
        "parent": parent if parent and access.can(user, access.VIEW, parent) else None,
        "children": children,
        "open_children": sum(1 for c in children if c.closed_on is None),
        "terms": terms,
        "has_terms": unit.kind in TERM_KINDS,
        "current_term": next((t for t in terms if t.ended_on is None), None),
        # Kinds that cannot have subunits (a 团支部) skip the empty subunit section.
        "may_have_children": bool(ALLOWED_CHILDREN.get(unit.kind)) or bool(children),
        "reminder_months": reminder_months,
        "grants": list(grants),
        "panels": panels_for(request, unit),
        "can": can,
        "any_action": any(can.values()),
    })


# ---------------------------------------------------------------------------------------------
# Forms that change units and terms


def _form_page(request, unit, *, title, form, submit, intro="", danger=False, facts=None, blocked=None):
    """One template for every unit form; ``blocked`` explains why the form cannot be used at all."""
    return render(request, "organisations/form_page.html", {
        "nav": "tree", "unit": unit, "breadcrumb": _breadcrumb(request.user, unit), "title": title,
        "form": form, "submit": submit, "intro": intro, "danger": danger, "facts": facts or [],
        "blocked": blocked,
    })


@access.scoped(Unit, "pk", access.CHANGE)
def unit_edit(request, unit):
    parent = Unit.objects.get_parent(unit)
    form = UnitEditForm(request.POST if request.method == "POST" else None, unit=unit, parent=parent,
                        user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            unit = actions.update_unit(actor=request.user, unit=unit, **form.unit_fields())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已保存“{unit.name}”的修改")
            return redirect("organisations:unit_detail", unit.pk)
    return _form_page(request, unit, title=f"编辑：{unit.name}", form=form, submit="保存")


@access.scoped(Unit, "pk", access.MANAGE_UNITS)
def unit_create(request, unit):
    form = UnitCreateForm(request.POST if request.method == "POST" else None, parent=unit, user=request.user)
    blocked = None
    if not ALLOWED_CHILDREN.get(unit.kind):
        blocked = f"{unit.get_kind_display()}不设下级组织"
    elif not unit.is_open:
        blocked = f"“{unit.name}”已撤销，不能再设立下级组织"
    if request.method == "POST" and not blocked and form.is_valid():
        fields = form.unit_fields()
        try:
            child = actions.create_unit(actor=request.user, parent=unit, name=fields.pop("name"),
                                        kind=fields.pop("kind"), **fields)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已在“{unit.name}”下新建“{child.name}”")
            return redirect("organisations:unit_detail", child.pk)
    return _form_page(request, unit, title=f"新建下级组织：{unit.name}", form=form, submit="新建", blocked=blocked)


def _require_manage_parent(user, unit: Unit) -> Unit | None:
    """Moving or closing a unit is decided by whoever manages its parent, not the unit itself."""
    parent = Unit.objects.get_parent(unit)
    if not access.can(user, access.MANAGE_UNITS, parent or unit):
        raise PermissionDenied("需要上级组织的管理权限")
    return parent


@access.scoped(Unit, "pk", access.MANAGE_UNITS)
def unit_move(request, unit):
    parent = _require_manage_parent(request.user, unit)
    if parent is None:
        messages.error(request, "顶层组织不能移动")
        return redirect("organisations:unit_detail", unit.pk)
    moving = access.visible_units(request.user).filter(path__startswith=unit.path).count()
    form = UnitMoveForm(request.POST if request.method == "POST" else None, unit=unit, current_parent=parent,
                        user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            unit = actions.move_unit(actor=request.user, unit=unit, new_parent=form.cleaned_data["new_parent"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已将“{unit.name}”及其下级共 {moving} 个组织移到“{form.cleaned_data['new_parent'].name}”下")
            return redirect("organisations:unit_detail", unit.pk)
    facts = [("当前上级", parent.name), ("随之移动", f"{moving} 个组织（含本组织及全部下级）")]
    return _form_page(request, unit, title=f"移动：{unit.name}", form=form, submit="移动", facts=facts,
                      intro="只列出您有管理权限、且按规则可以接收该类组织的上级组织。")


@access.scoped(Unit, "pk", access.MANAGE_UNITS)
def unit_close(request, unit):
    _require_manage_parent(request.user, unit)
    form = UnitCloseForm(request.POST if request.method == "POST" else None)
    blocked = None if unit.is_open else f"该组织已于 {unit.closed_on:%Y-%m-%d} 撤销"
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            unit = actions.close_unit(actor=request.user, unit=unit, closed_on=form.cleaned_data["closed_on"],
                                      reason=form.cleaned_data["reason"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已撤销“{unit.name}”")
            return redirect("organisations:unit_detail", unit.pk)
    return _form_page(request, unit, title=f"撤销：{unit.name}", form=form, submit="撤销组织", danger=True,
                      blocked=blocked, intro="撤销后组织保留在系统中（显示为“已撤销”），其历史记录不变。有未撤销的下级组织时不能撤销。")


@access.scoped(Unit, "pk", access.CHANGE)
def term_create(request, unit):
    last = access.visible_to(request.user, unit.terms.all()).order_by("-number").first()
    form = TermCreateForm(request.POST if request.method == "POST" else None,
                          next_number=(last.number + 1) if last else 1)
    blocked = None if unit.kind in TERM_KINDS else f"{unit.get_kind_display()}不实行任期制"
    if unit.kind in TERM_KINDS and not unit.is_open:
        blocked = "已撤销的组织不能登记新任期"
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.cleaned_data
        try:
            term = actions.start_term(
                actor=request.user, unit=unit, number=data["number"], started_on=data["started_on"],
                planned_end_on=data["planned_end_on"], how_elected=data["how_elected"], note=data["note"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已登记第{term.number}届任期（应于 {term.planned_end_on:%Y-%m-%d} 届满）")
            return redirect("organisations:unit_detail", unit.pk)
    facts = []
    if last is not None:
        facts.append(("上一届", f"第{last.number}届，{last.started_on:%Y-%m-%d} 起" + (
            f"，{last.ended_on:%Y-%m-%d} 结束" if last.ended_on else "，登记新一届时自动结束")))
    return _form_page(request, unit, title=f"新一届任期：{unit.name}", form=form, submit="登记", facts=facts,
                      blocked=blocked)
