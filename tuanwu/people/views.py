"""Registry pages: the searchable list, a person's page (identifiers masked, an audited reveal),
and the forms for people and post holdings. Reads go through the access layer, writes through
``actions``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit

from . import actions, queries
from .exports import can_export_full, person_list_response
from .forms import PersonFilterForm, PersonForm, PostEndForm, PostHoldingForm, RevealForm, apply_domain_error
from .models import Person, PostHolding

FILTER_UNIT_LIMIT = 300


def _breadcrumb(user, unit: Unit) -> list[Unit]:
    return [u for u in unit.ancestors_and_self() if access.can(user, access.VIEW, u)]


@access.scoped(Person, None, access.VIEW)
def person_list(request):
    user = request.user
    # Units offered in the filter: the user's visible League and Pioneer units above branch level
    # and the branches themselves, capped (a larger scope still filters by any unit given in the URL).
    units = list(access.visible_units(user).filter(closed_on__isnull=True).exclude(kind__startswith="party")
                 .order_by("path")[:FILTER_UNIT_LIMIT])
    form = PersonFilterForm(request.GET or None, user=user, units=units)
    filters = form.filters()
    people = queries.people_for(user, filters)
    page = Paginator(people, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/list.html", {
        "nav": "people", "form": form, "page": page, "people": list(page), "filters": filters,
        "today": timezone.localdate(),
        "can_export": access.path_prefix_q(user, access.EXPORT, "path") is not None,
        "can_export_full": can_export_full(user),
        "export_query": request.GET.urlencode(),
    })


@access.scoped(Person, None, access.EXPORT)
def person_export(request):
    """The list as .xlsx with the list's filters; ``full=1`` asks for full numbers (pii.reveal)."""
    user = request.user
    units = list(access.visible_units(user).filter(pk=request.GET.get("unit")) if (request.GET.get("unit") or "").isdigit()
                 else [])
    form = PersonFilterForm(request.GET or None, user=user, units=units)
    return person_list_response(actor=user, filters=form.filters(), full=request.GET.get("full") == "1")


@access.scoped(Person, "pk", access.VIEW)
def person_detail(request, person):
    user = request.user
    perms = access.permissions_on(user, person.unit)
    membership = getattr(person, "membership", None)
    events = list(membership.events.select_related("from_branch", "to_branch").all()) if membership else []
    holdings = list(person.post_holdings.select_related("unit").all())
    today = timezone.localdate()
    for holding in holdings:
        holding.current = holding.is_current_on(today)
        holding.can_end = holding.current and access.can(user, access.CHANGE, holding.unit)
    return render(request, "people/detail.html", {
        "nav": "people", "person": person, "membership": membership, "events": events, "holdings": holdings,
        "breadcrumb": _breadcrumb(user, person.unit), "today": today,
        "can": {
            "reveal": access.REVEAL_PII in perms,
            "edit": access.CHANGE in perms,
            "membership": access.CHANGE in perms,
        },
    })


@access.scoped(Person, "pk", access.REVEAL_PII)
@require_POST
def person_reveal(request, person):
    form = RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse("参数错误", status=400)
    field = form.cleaned_data["field"]
    value = actions.reveal_personal_data(actor=request.user, person=person, field=field)
    if request.htmx:
        return HttpResponse(format_html('<span class="revealed">{}</span>', value or "（未登记）"))
    return render(request, "people/reveal.html", {
        "nav": "people", "person": person, "label": dict(form.fields["field"].choices)[field], "value": value,
    })


def _form_page(request, *, title, form, submit, unit=None, person=None, intro="", cancel=None, template="people/form.html"):
    crumb_unit = unit or (person.unit if person else None)
    return render(request, template, {
        "nav": "people", "title": title, "form": form, "submit": submit, "intro": intro, "person": person,
        "unit": unit, "breadcrumb": _breadcrumb(request.user, crumb_unit) if crumb_unit else [],
        "cancel": cancel,
    })


@access.scoped(Unit, "pk", access.CHANGE)
def person_create(request, unit):
    form = PersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        fields = form.person_fields()
        try:
            person = actions.create_person(actor=request.user, unit=unit, name=fields.pop("name"), **fields)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已登记“{person.name}”")
            return redirect("people:detail", person.pk)
    return _form_page(request, title=f"登记人员：{unit.name}", form=form, submit="登记", unit=unit,
                      intro="用于少先队员和尚未提出入团申请的青年。登记团员或入团申请人请在团支部使用“登记团员”。",
                      cancel=("organisations:unit_detail", unit.pk))


@access.scoped(Person, "pk", access.CHANGE)
def person_edit(request, person):
    initial = {f: getattr(person, f) for f in ("name", "student_number", "gender", "birth_date", "ethnicity",
                                               "education", "occupation", "political_status", "guardian_name")}
    form = PersonForm(request.POST if request.method == "POST" else None, initial=initial, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.update_person(actor=request.user, person=person, **form.person_fields())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已保存“{person.name}”的修改")
            return redirect("people:detail", person.pk)
    return _form_page(request, title=f"编辑：{person.name}", form=form, submit="保存", person=person,
                      intro="身份证号码、手机号码不修改时请留空；已登记的号码以脱敏形式显示在输入框中。",
                      cancel=("people:detail", person.pk))


@access.scoped(Person, "pk", access.CHANGE)
def post_create(request, person):
    form = PostHoldingForm(request.POST if request.method == "POST" else None, user=request.user,
                           initial={"unit": person.unit_id, "started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            holding = actions.add_post_holding(actor=request.user, person=person, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已登记：{holding.unit.name}{holding.get_position_display()}")
            return redirect("people:detail", person.pk)
    return _form_page(request, title=f"登记团内职务：{person.name}", form=form, submit="登记", person=person,
                      cancel=("people:detail", person.pk))


@access.scoped(PostHolding, "pk", access.CHANGE)
def post_end(request, holding):
    form = PostEndForm(request.POST if request.method == "POST" else None, initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_post_holding(actor=request.user, holding=holding, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已登记离任：{holding.unit.name}{holding.get_position_display()}")
            return redirect("people:detail", holding.person_id)
    return _form_page(request, title=f"离任：{holding.person.name} · {holding.unit.name}{holding.get_position_display()}",
                      form=form, submit="确认离任", unit=holding.unit, cancel=("people:detail", holding.person_id))
