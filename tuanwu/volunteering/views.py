"""西部计划 pages. Reads through ``queries`` and the access layer, writes through ``actions``."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tuanwu.core.errors import DomainError
from tuanwu.core.exports import xlsx_response
from tuanwu.core.rule_settings import get_rule
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.people.models import Person

from . import actions, documents, queries, rules
from .models import (
    AssessmentKind,
    Channel,
    Cohort,
    Outcome,
    PlacementMode,
    Post,
    Recommendation,
    RecommendationOutcome,
    Volunteer,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _can_manage(user, unit: Unit) -> bool:
    return access.can(user, access.MANAGE_VOLUNTEERS, unit)


# ---------------------------------------------------------------------------------------------
# Forms


class OverrideForm(forms.Form):
    post = forms.ModelChoiceField(label="调整到岗位", queryset=Post.objects.none())
    reason = forms.CharField(label="调整原因（必填，记入操作日志）", max_length=300)

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = cohort.posts.select_related("service_unit").order_by("service_unit__name", "title")


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(label="考核类别", choices=AssessmentKind.choices)
    year_number = forms.IntegerField(label="服务年次", min_value=1, max_value=3)
    grade = forms.ChoiceField(label="等次")
    assessed_on = forms.DateField(label="考核日期", widget=forms.DateInput(attrs={"type": "date"}))
    comment = forms.CharField(label="评语", max_length=500, required=False)

    def __init__(self, *args, scale: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, g) for g in scale]


class MentoringForm(forms.Form):
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    content = forms.CharField(label="传帮带内容", max_length=500)


class SafetyForm(forms.Form):
    month = forms.DateField(label="月份（任一日期）", widget=forms.DateInput(attrs={"type": "date"}))
    incidents = forms.IntegerField(label="安全事件数", min_value=0, max_value=999, initial=0)
    note = forms.CharField(label="情况说明", max_length=500, required=False)


class RecommendForm(forms.Form):
    channel = forms.ChoiceField(label="推荐渠道", choices=Channel.choices)
    addressee = forms.CharField(label="主送机关", max_length=120, initial="中共乌鲁木齐县委组织部")


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="结果", choices=RecommendationOutcome.choices)
    note = forms.CharField(label="结果说明", max_length=300, required=False)


def _form_errors(form) -> str:
    return "；".join(f"{form.fields[k].label if k in form.fields else ''}{'：' if k in form.fields else ''}{', '.join(v)}"
                    for k, v in form.errors.items())


# ---------------------------------------------------------------------------------------------
# Cohorts


@access.scoped(Cohort, None, access.VIEW)
def cohort_list(request):
    cohorts = list(queries.cohorts_for(request.user))
    retention = dict(queries.retention_by_cohort(request.user))
    for cohort in cohorts:
        cohort.retention = retention.get(cohort)
    return render(request, "volunteering/cohort_list.html", {
        "nav": "volunteers", "cohorts": cohorts, "stayed_total": sum(r.stayed for r in retention.values()),
    })


@access.scoped(Cohort, "pk", access.VIEW)
def cohort_detail(request, cohort):
    today = timezone.localdate()
    volunteers = queries.volunteers_of(cohort)
    page = Paginator(volunteers, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteering/cohort_detail.html", {
        "nav": "volunteers", "cohort": cohort, "page": page, "volunteers": list(page),
        "cycle": rules.yearly_cycle(cohort.year), "phases_now": rules.phases_on(cohort.year, today),
        "posts": list(queries.posts_of(cohort)), "by_field": queries.posts_by_field(cohort),
        "mentor_load": queries.mentor_load(cohort), "reports": list(queries.safety_reports(cohort)[:12]),
        "missing": queries.missing_safety_months(cohort, today), "quality": queries.current_quality(cohort),
        "can_manage": _can_manage(request.user, cohort.unit), "safety_form": SafetyForm(initial={"month": today}),
    })


@access.scoped(Cohort, "pk", access.VIEW)
def cohort_export(request, cohort):
    rows = [
        (v.person.name, v.person.get_gender_display(), v.university, v.major, "、".join(v.specialty_tags),
         v.get_degree_display(), v.hometown, v.programme, v.get_status_display(),
         str(v.placement.post) if hasattr(v, "placement") else "", v.mentor.name if v.mentor_id else "",
         v.get_outcome_display())
        for v in queries.volunteers_of(cohort)
    ]
    headers = ["姓名", "性别", "毕业院校", "所学专业", "特长标签", "学历", "生源地", "专项", "状态", "服务岗位", "导师",
               "服务期满去向"]
    return xlsx_response(f"{cohort.year}年西部计划志愿者.xlsx", "志愿者", headers, rows, actor=request.user,
                         audit_action="导出西部计划志愿者名单", audit_obj=cohort)


@access.scoped(Cohort, "pk", access.VIEW)
def cohort_placement(request, cohort):
    solutions, problem = queries.compare(cohort)
    names, labels = problem.volunteer_names, problem.post_labels
    stable, optimal = solutions["stable"], solutions["optimal"]
    rows = []
    for v, name in enumerate(names):
        cells = []
        for solution in (stable, optimal):
            p = solution.assignment[v]
            explanation = next((r[4] for r in solution.rows if r[0] == v), "") if p >= 0 else "未安排"
            cells.append({"post": labels[p] if p >= 0 else "—", "explanation": explanation})
        rows.append({"name": name, "stable": cells[0], "optimal": cells[1], "differs": stable.assignment[v] != optimal.assignment[v]})
    return render(request, "volunteering/placement.html", {
        "nav": "volunteers", "cohort": cohort, "stable": stable.quality, "optimal": optimal.quality, "rows": rows,
        "differences": sum(1 for r in rows if r["differs"]), "rejected_wishes": problem.rejected_wishes,
        "current": queries.current_quality(cohort), "can_manage": _can_manage(request.user, cohort.unit),
        "modes": PlacementMode,
    })


@access.scoped(Cohort, "pk", access.MANAGE_VOLUNTEERS)
@require_POST
def cohort_placement_apply(request, cohort):
    mode = request.POST.get("mode", "")
    try:
        solution = actions.apply_placement(actor=request.user, cohort=cohort, mode=mode)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("volunteering:cohort_placement", pk=cohort.pk)
    q = solution.quality
    messages.success(request, f"已按“{PlacementMode(mode).label}”安排岗位：安排 {q.placed} 人，"
                              f"第一志愿 {q.first_wish} 人，前三志愿 {q.top3} 人，未安排 {q.unplaced} 人")
    return redirect("volunteering:cohort_detail", pk=cohort.pk)


@access.scoped(Cohort, "pk", access.MANAGE_VOLUNTEERS)
@require_POST
def cohort_safety_report(request, cohort):
    form = SafetyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            report = actions.submit_safety_report(actor=request.user, cohort=cohort, month=form.cleaned_data["month"],
                                                  incidents=form.cleaned_data["incidents"],
                                                  note=form.cleaned_data["note"])
            messages.success(request, f"已提交{report.month:%Y年%m月}安全报告"
                                      f"（{'零事故' if report.zero_accident else f'{report.incidents} 起安全事件'}）")
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("volunteering:cohort_detail", pk=cohort.pk)


# ---------------------------------------------------------------------------------------------
# Volunteers


def _volunteer_context(request, volunteer, **extra):
    cohort = volunteer.cohort
    today = timezone.localdate()
    scale = rules.parse_grade_scale(get_rule("volunteers.grade_scale", cohort.unit, today))
    can_manage = _can_manage(request.user, cohort.unit)
    return {
        "nav": "volunteers", "volunteer": volunteer, "person": volunteer.person, "cohort": cohort,
        "placement": getattr(volunteer, "placement", None),
        "wishes": list(volunteer.wishes.select_related("post__service_unit").order_by("rank")),
        "agreements": list(volunteer.agreements.order_by("year_number")),
        "assessments": list(volunteer.assessments.order_by("year_number", "kind")),
        "logs": list(volunteer.mentoring_logs.select_related("mentor")[:20]),
        "recommendations": list(volunteer.recommendations.order_by("-issued_on")),
        "eligibility": queries.eligibility(volunteer, today), "can_manage": can_manage,
        "override_form": OverrideForm(cohort=cohort) if can_manage else None,
        "assessment_form": AssessmentForm(scale=scale, initial={"assessed_on": today}) if can_manage else None,
        "mentoring_form": MentoringForm(initial={"on": today}) if can_manage else None,
        "recommend_form": RecommendForm() if can_manage else None,
        **extra,
    }


@access.scoped(Volunteer, "pk", access.VIEW)
def volunteer_detail(request, volunteer):
    return render(request, "volunteering/volunteer_detail.html", _volunteer_context(request, volunteer))


@access.scoped(Volunteer, "pk", access.MANAGE_VOLUNTEERS)
@require_POST
def volunteer_override(request, volunteer):
    form = OverrideForm(request.POST, cohort=volunteer.cohort)
    if not form.is_valid():
        messages.error(request, "调整失败：" + _form_errors(form))
        return redirect("volunteering:volunteer_detail", pk=volunteer.pk)
    try:
        placement = actions.override_placement(actor=request.user, volunteer=volunteer, post=form.cleaned_data["post"],
                                               reason=form.cleaned_data["reason"])
        messages.success(request, f"已调整到“{placement.post}”，原因已记录")
    except DomainError as error:
        messages.error(request, "调整失败：" + error.message)
    return redirect("volunteering:volunteer_detail", pk=volunteer.pk)


@access.scoped(Volunteer, "pk", access.MANAGE_VOLUNTEERS)
@require_POST
def volunteer_assessment(request, volunteer):
    scale = rules.parse_grade_scale(get_rule("volunteers.grade_scale", volunteer.cohort.unit, timezone.localdate()))
    form = AssessmentForm(request.POST, scale=scale)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            actions.record_assessment(actor=request.user, volunteer=volunteer, **form.cleaned_data)
            messages.success(request, "考核结果已登记")
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("volunteering:volunteer_detail", pk=volunteer.pk)


@access.scoped(Volunteer, "pk", access.MANAGE_VOLUNTEERS)
@require_POST
def volunteer_mentoring(request, volunteer):
    form = MentoringForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            actions.log_mentoring(actor=request.user, volunteer=volunteer, **form.cleaned_data)
            messages.success(request, "传帮带记录已登记")
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("volunteering:volunteer_detail", pk=volunteer.pk)


@access.scoped(Volunteer, "pk", access.MANAGE_VOLUNTEERS)
@require_POST
def volunteer_recommend(request, volunteer):
    form = RecommendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("volunteering:volunteer_detail", pk=volunteer.pk)
    try:
        rec = actions.issue_recommendation(actor=request.user, county=volunteer.cohort.unit, volunteer=volunteer,
                                           channel=form.cleaned_data["channel"],
                                           addressee=form.cleaned_data["addressee"])
    except DomainError as error:
        messages.error(request, "未能出具推荐意见：" + error.message)
        return redirect("volunteering:volunteer_detail", pk=volunteer.pk)
    messages.success(request, f"已出具推荐意见 {rec.document_number}")
    return redirect("volunteering:recommendation_detail", pk=rec.pk)


def _appraisal_args(volunteer):
    today = timezone.localdate()
    return volunteer, queries.issuer_name(volunteer.cohort.unit, today), today


@access.scoped(Volunteer, "pk", access.VIEW)
def volunteer_appraisal_docx(request, volunteer):
    data = documents.appraisal_docx(*_appraisal_args(volunteer))
    return _download(data, f"服务鉴定表-{volunteer.person.name}.docx", DOCX)


@access.scoped(Volunteer, "pk", access.VIEW)
def volunteer_appraisal_pdf(request, volunteer):
    data = documents.appraisal_pdf(*_appraisal_args(volunteer))
    return _download(data, f"服务鉴定表-{volunteer.person.name}.pdf", "application/pdf")


@access.self_only
def my_service(request):
    """Phone-friendly self-service: the volunteer linked to this login sees their own record."""
    person = Person.objects.filter(user=request.user).first()
    volunteer = Volunteer.objects.filter(person=person).select_related("cohort__unit").first() if person else None
    context = {"nav": "my_volunteer", "volunteer": volunteer}
    if volunteer is not None:
        context.update({
            "placement": getattr(volunteer, "placement", None), "mentor": volunteer.mentor,
            "logs": list(volunteer.mentoring_logs.all()[:20]),
            "assessments": list(volunteer.assessments.order_by("year_number", "kind")),
            "agreements": list(volunteer.agreements.order_by("year_number")),
        })
    return render(request, "volunteering/my_service.html", context)


# ---------------------------------------------------------------------------------------------
# Recommendations and retention


@access.scoped(Recommendation, None, access.VIEW)
def recommendation_list(request):
    today = timezone.localdate()
    counties = list(access.visible_units(request.user).filter(volunteer_cohorts__isnull=False).distinct())
    eligible, cadres = [], []
    for county in counties:
        eligible += [(v, e, county) for v, e in queries.eligible_volunteers(county, today)]
        cadres += [(c, county) for c in queries.eligible_cadres(county, today)]
    recs = Paginator(queries.recommendations_for(request.user), queries.PAGE_SIZE).get_page(request.GET.get("page"))
    manageable = {c.pk for c in counties if _can_manage(request.user, c)}
    return render(request, "volunteering/recommendations.html", {
        "nav": "volunteer_recommendations", "eligible": eligible, "cadres": cadres, "page": recs,
        "recommendations": list(recs), "manageable": manageable, "form": RecommendForm(),
        "cadres_available": queries.cadres_available(),
    })


@access.scoped(Recommendation, None, access.MANAGE_VOLUNTEERS)
@require_POST
def recommendation_issue_cadre(request):
    """R9.7: a recommendation for a non-establishment League cadre (the county comes in the form
    and is loaded through the access layer)."""
    county = access.get_object_or_404(request.user, Unit, access.MANAGE_VOLUNTEERS, pk=request.POST.get("county") or 0)
    cadre = access.get_object_or_404(request.user, Person, access.VIEW, pk=request.POST.get("person") or 0)
    form = RecommendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("volunteering:recommendation_list")
    try:
        rec = actions.issue_recommendation(actor=request.user, county=county, cadre=cadre,
                                           channel=form.cleaned_data["channel"], addressee=form.cleaned_data["addressee"])
    except DomainError as error:
        messages.error(request, "未能出具推荐意见：" + error.message)
        return redirect("volunteering:recommendation_list")
    messages.success(request, f"已出具推荐意见 {rec.document_number}")
    return redirect("volunteering:recommendation_detail", pk=rec.pk)


@access.scoped(Recommendation, "pk", access.VIEW)
def recommendation_detail(request, rec):
    return render(request, "volunteering/recommendation_detail.html", {
        "nav": "volunteer_recommendations", "rec": rec, "paragraphs": rec.body.split("\n\n"),
        "can_manage": _can_manage(request.user, rec.county), "outcome_form": OutcomeForm(initial={"outcome": rec.outcome}),
    })


@access.scoped(Recommendation, "pk", access.MANAGE_VOLUNTEERS)
@require_POST
def recommendation_outcome(request, rec):
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            actions.record_recommendation_outcome(actor=request.user, recommendation=rec, **form.cleaned_data)
            messages.success(request, "推荐结果已登记")
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _form_errors(form))
    return redirect("volunteering:recommendation_detail", pk=rec.pk)


@access.scoped(Recommendation, "pk", access.VIEW)
def recommendation_docx(request, rec):
    return _download(documents.recommendation_docx(rec), f"{rec.document_number}.docx", DOCX)


@access.scoped(Recommendation, "pk", access.VIEW)
def recommendation_pdf(request, rec):
    return _download(documents.recommendation_pdf(rec), f"{rec.document_number}.pdf", "application/pdf")


@access.scoped(Cohort, None, access.VIEW)
def retention(request):
    rows = queries.retention_by_cohort(request.user)
    peak = max((r.completed for _, r in rows), default=0) or 1
    bars = [{"cohort": c, "r": r, "completed_pct": r.completed * 100 // peak, "stayed_pct": r.stayed * 100 // peak}
            for c, r in rows]
    stayed = [v for v in access.visible_to(request.user, Volunteer.objects.filter(outcome__in=rules.STAYED_OUTCOMES))
              .select_related("person", "cohort").order_by("cohort__year", "person__name_pinyin")]
    return render(request, "volunteering/retention.html", {
        "nav": "volunteer_retention", "bars": bars, "stayed": stayed, "outcomes": Outcome,
        "stayed_total": sum(r.stayed for _, r in rows), "completed_total": sum(r.completed for _, r in rows),
    })
