"""Cadre pages: the staffing page of any subtree, the roster export, the forms that record posts,
quotas, secondments, appraisals and training, and the 任免审批表 document. Reads go through the
access layer and ``queries``; writes through ``actions``."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tuanwu.core.errors import DomainError
from tuanwu.core.exports import xlsx_response
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.people.models import PostHolding

from . import actions, appointment, queries
from .forms import (
    AppointForm,
    AppraisalForm,
    ApprovalForm,
    AttendanceForm,
    CourseForm,
    EndForm,
    QuotaForm,
    SecondmentForm,
    TermsForm,
    apply_domain_error,
)
from .models import PostTerms, Secondment, TrainingCourse


def _breadcrumb(user, unit: Unit) -> list[Unit]:
    return [u for u in unit.ancestors_and_self() if access.can(user, access.VIEW, u)]


def _day(request) -> datetime.date:
    """The day the page describes: today, or ``?on=YYYY-MM-DD`` to look back."""
    raw = request.GET.get("on", "")
    try:
        return datetime.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _form_page(request, *, title, form, submit, unit, cancel, intro="", facts=None, blocked=""):
    return render(request, "cadres/form.html", {
        "nav": "cadres", "title": title, "form": form, "submit": submit, "intro": intro, "facts": facts or [],
        "breadcrumb": _breadcrumb(request.user, unit), "cancel": cancel, "blocked": blocked,
    })


@access.scoped(Unit, None, access.VIEW)
def index(request):
    """The user's topmost visible League unit's staffing (the county, for a county administrator)."""
    unit = (access.visible_units(request.user).filter(closed_on__isnull=True).exclude(kind__startswith="party")
            .exclude(kind__in=["school", "pioneer_brigade", "pioneer_squadron"]).order_by("depth", "path").first())
    if unit is None:
        return render(request, "cadres/empty.html", {"nav": "cadres"})
    return redirect("cadres:staffing", unit.pk)


@access.scoped(Unit, "pk", access.VIEW)
def staffing(request, unit):
    on = _day(request)
    result = queries.staffing(unit, on, user=request.user)
    perms = access.permissions_on(request.user, unit)
    rows = list(queries.roster_rows(result))
    for holding, row in zip(result.holdings, rows, strict=True):
        holding.row = row
        holding.terms = queries.terms_of(holding)
        holding.away = next((s for s in result.secondments if s.holding_id == holding.pk), None)
        holding.can_change = access.can(request.user, access.CHANGE, holding.unit)
    return render(request, "cadres/staffing.html", {
        "nav": "cadres", "unit": unit, "on": on, "staffing": result, "breadcrumb": _breadcrumb(request.user, unit),
        "training": queries.training_figures(unit, on.year, on),
        "can": {"change": access.CHANGE in perms, "quota": access.MANAGE_RULES in perms,
                "export": access.EXPORT in perms},
        "is_today": on == timezone.localdate(),
    })


@access.scoped(Unit, None, access.EXPORT)
def roster_export(request):
    """The roster of ``?unit=<id>``'s subtree as .xlsx (audited). The unit is a query parameter,
    as in the unit list export, because exporting is its own permission."""
    raw = request.GET.get("unit", "")
    if not raw.isdigit():
        raise Http404("未找到，或您无权查看")
    unit = access.get_unit_or_404(request.user, int(raw), access.EXPORT)
    on = _day(request)
    result = queries.staffing(unit, on, user=request.user, permission=access.EXPORT)
    return xlsx_response(f"团干部名册_{unit.name}_{on:%Y%m%d}.xlsx", "团干部名册", queries.ROSTER_HEADERS,
                         queries.roster_rows(result), actor=request.user, audit_action="导出团干部名册", audit_obj=unit)


@access.scoped(Unit, "pk", access.CHANGE)
def appoint(request, unit):
    form = AppointForm(request.POST if request.method == "POST" else None, user=request.user, root=unit,
                       initial={"unit": unit.pk, "started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            terms = actions.appoint_cadre(actor=request.user, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            holding = terms.holding
            messages.success(request, f"已登记：{holding.person.name} 任 {holding.unit.name}"
                                      f"{holding.get_position_display()}（{terms.get_kind_display()}）")
            return redirect("cadres:staffing", unit.pk)
    return _form_page(request, title=f"登记团干部职务：{unit.name}", form=form, submit="登记", unit=unit,
                      cancel=("cadres:staffing", unit.pk),
                      intro="职务记入团内职务记录（唯一的职务记录），干部类型、编制、派出单位和任职文件记在其旁。")


@access.scoped(PostHolding, "pk", access.CHANGE)
def terms_edit(request, holding):
    current = PostTerms.objects.filter(holding=holding).first()
    initial = {}
    if current is not None:
        initial = {f: getattr(current, f) for f in ("kind", "in_establishment", "rank", "home_employer",
                                                    "planned_end_on", "appointing_document",
                                                    "appointing_document_date")}
    form = TermsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_post_terms(actor=request.user, holding=holding, **form.terms())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已保存 {holding.person.name} 的干部类型")
            return redirect("cadres:staffing", holding.unit_id)
    return _form_page(request, title=f"干部类型：{holding.person.name} · {holding.unit.name}{holding.get_position_display()}",
                      form=form, submit="保存", unit=holding.unit, cancel=("cadres:staffing", holding.unit_id))


@access.scoped(PostTerms, "pk", access.CHANGE)
def second(request, terms):
    holding = terms.holding
    form = SecondmentForm(request.POST if request.method == "POST" else None,
                          initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if data.pop("found_unapproved"):
                secondment = actions.record_unapproved_secondment(
                    actor=request.user, holding=holding, move=data["move"], destination=data["destination"],
                    started_on=data["started_on"], planned_end_on=data["planned_end_on"], note=data["note"])
            else:
                secondment = actions.second_cadre(actor=request.user, holding=holding, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已登记：{holding.person.name}{secondment.get_move_display()}至"
                                      f"{secondment.destination}")
            return redirect("cadres:staffing", holding.unit_id)
    facts = [("职务", f"{holding.unit.name}{holding.get_position_display()}"), ("干部类型", terms.get_kind_display())]
    history = list(holding.secondments.all())
    if history:
        facts.append(("借调记录", "；".join(
            f"{s.started_on:%Y-%m-%d} {s.get_move_display()}至{s.destination}"
            f"{'（至 ' + s.ended_on.isoformat() + '）' if s.ended_on else '（未结束）'}" for s in history)))
    return _form_page(request, title=f"借调、抽调：{holding.person.name}", form=form, submit="登记", unit=holding.unit,
                      cancel=("cadres:staffing", holding.unit_id), facts=facts,
                      intro="专职团干部借调、抽调或挂职外出须经县委批准，未填写县委批准文号和日期的不予办理。")


@access.scoped(Secondment, "pk", access.CHANGE)
def secondment_approve(request, secondment):
    holding = secondment.holding
    form = ApprovalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.approve_secondment(actor=request.user, secondment=secondment, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已补录县委批准：{secondment}")
            return redirect("cadres:staffing", holding.unit_id)
    return _form_page(request, title=f"补录县委批准：{secondment}", form=form, submit="保存", unit=holding.unit,
                      cancel=("cadres:staffing", holding.unit_id))


@access.scoped(Secondment, "pk", access.CHANGE)
def secondment_end(request, secondment):
    holding = secondment.holding
    form = EndForm(request.POST if request.method == "POST" else None, initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_secondment(actor=request.user, secondment=secondment, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已登记结束：{secondment}")
            return redirect("cadres:staffing", holding.unit_id)
    return _form_page(request, title=f"借调结束：{secondment}", form=form, submit="确认", unit=holding.unit,
                      cancel=("cadres:staffing", holding.unit_id))


@access.scoped(Unit, "pk", access.MANAGE_RULES)
def quota_edit(request, unit):
    current = queries.quotas_in_force(unit, timezone.localdate()).get(unit.pk)
    initial = {"effective_from": timezone.localdate()}
    if current is not None:
        initial.update(full_time_posts=current.full_time_posts, document=current.document,
                       **{p.position: p.count for p in current.positions.all() if p.position in QuotaForm.POSITIONS})
    form = QuotaForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.set_staffing_quota(actor=request.user, unit=unit, effective_from=data["effective_from"],
                                       full_time_posts=data["full_time_posts"], positions=form.positions(),
                                       document=data["document"], note=data["note"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已核定 {unit.name} 的编制和职数")
            return redirect("cadres:staffing", unit.pk)
    history = list(unit.staffing_quotas.prefetch_related("positions"))
    facts = [(f"{q.effective_from:%Y-%m-%d} 起", f"专职编制 {q.full_time_posts} 个；"
              + "、".join(f"{p.get_position_display()} {p.count}" for p in q.positions.all())
              + (f"（{q.document}）" if q.document else "")) for q in history]
    return _form_page(request, title=f"核定编制和职数：{unit.name}", form=form, submit="保存", unit=unit,
                      cancel=("cadres:staffing", unit.pk), facts=facts,
                      intro="新的核定从生效日期起适用，此前的核定保留为历史。")


@access.scoped(PostTerms, "pk", access.CHANGE)
def appraisal(request, terms):
    holding = terms.holding
    form = AppraisalForm(request.POST if request.method == "POST" else None,
                         initial={"year": timezone.localdate().year - 1})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_appraisal(actor=request.user, person=holding.person, unit=holding.unit, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已登记 {holding.person.name} 的年度考核")
            return redirect("cadres:staffing", holding.unit_id)
    facts = [(f"{a.year} 年度", a.grade) for a in holding.person.cadre_appraisals.all()]
    return _form_page(request, title=f"年度考核：{holding.person.name}", form=form, submit="保存", unit=holding.unit,
                      cancel=("cadres:staffing", holding.unit_id), facts=facts)


@access.scoped(PostTerms, "pk", access.EXPORT)
def appointment_form(request, terms):
    content = appointment.appointment_form(actor=request.user, terms=terms)
    holding = terms.holding
    response = HttpResponse(content, content_type=appointment.DOCX_CONTENT_TYPE)
    filename = f"干部任免审批表_{holding.person.name}.docx"
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@access.scoped(Unit, "pk", access.VIEW)
def training(request, unit):
    on = _day(request)
    year = on.year
    raw_year = request.GET.get("year", "")
    if raw_year.isdigit() and 1950 <= int(raw_year) <= 2100:
        year = int(raw_year)
    courses = access.visible_to(request.user, TrainingCourse.objects.filter(unit__path__startswith=unit.path,
                                                                            started_on__year=year))
    return render(request, "cadres/training.html", {
        "nav": "cadres", "unit": unit, "year": year, "breadcrumb": _breadcrumb(request.user, unit),
        "figures": queries.training_figures(unit, year, on),
        "courses": courses.select_related("unit").order_by("-started_on", "pk"),
        "can_change": access.can(request.user, access.CHANGE, unit),
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
    })


@access.scoped(Unit, "pk", access.CHANGE)
def course_create(request, unit):
    form = CourseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            course = actions.create_training_course(actor=request.user, unit=unit, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已登记培训：{course.title}")
            return redirect("cadres:course", course.pk)
    return _form_page(request, title=f"登记团干部培训：{unit.name}", form=form, submit="登记", unit=unit,
                      cancel=("cadres:training", unit.pk))


@access.scoped(TrainingCourse, "pk", access.VIEW)
def course_detail(request, course):
    on = timezone.localdate()
    can_change = access.can(request.user, access.CHANGE, course.unit)
    form = AttendanceForm(request.POST if request.method == "POST" and can_change else None, user=request.user,
                          course=course, on=on) if can_change else None
    if request.method == "POST":
        if not can_change:
            access.enforce(access.Decision.FORBIDDEN)
        if form.is_valid():
            try:
                actions.record_attendance(actor=request.user, course=course, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, f"已登记：{form.cleaned_data['person'].name}")
                return redirect("cadres:course", course.pk)
    attendances = access.visible_to(request.user, course.attendances.select_related("person"))
    return render(request, "cadres/course.html", {
        "nav": "cadres", "course": course, "form": form, "attendances": attendances,
        "breadcrumb": _breadcrumb(request.user, course.unit),
    })
