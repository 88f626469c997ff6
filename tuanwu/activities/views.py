"""Activity pages. Each view: declaration, access, one action or query, render."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tuanwu.core.errors import DomainError
from tuanwu.core.exports import xlsx_response
from tuanwu.core.middleware import client_ip
from tuanwu.organisations import access
from tuanwu.organisations.forms import apply_domain_error
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import LEAGUE_LEADING_KINDS, Kind

from . import actions, checkin, photos, queries
from .forms import (
    ActivityForm,
    CheckinForm,
    GuestsForm,
    HolidayForm,
    PhotoForm,
    PushForm,
    SeasonForm,
    StatsForm,
    SummaryForm,
    ThemeForm,
    default_start,
    this_year_so_far,
)
from .models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    Attendance,
    AttendanceStatus,
    MonthlyTheme,
    SchoolHoliday,
    StudyEpisode,
    StudySeason,
)


def _crumbs(user, unit):
    return [u for u in unit.ancestors_and_self() if access.can(user, access.VIEW, u)]


def _top_unit(user) -> Unit | None:
    return access.visible_units(user).filter(closed_on__isnull=True).order_by("depth", "path").first()


def _county_of(unit: Unit) -> Unit | None:
    """The nearest League committee at county level or above (where study and themes are issued)."""
    return (unit.ancestors_and_self().filter(kind__in=sorted(LEAGUE_LEADING_KINDS)).order_by("-depth").first())


def _home(target: str):
    @access.scoped(Unit, None, access.VIEW)
    def view(request):
        unit = _top_unit(request.user)
        if unit is None:
            return render(request, "activities/nothing.html", {"nav": target})
        return redirect(f"activities:{target}", unit.pk)

    view.__name__ = f"{target}_home"
    return view


stats_home = _home("stats")
study_home = _home("study")
themes_home = _home("themes")
compliance_home = _home("compliance")


# ---------------------------------------------------------------------------------------------
# Activities


@access.scoped(Activity, None, access.VIEW)
def activity_list(request):
    activities = queries.visible_activities(request.user)
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = access.get_unit_or_404(request.user, int(request.GET["unit"]))
        activities = activities.filter(unit__path__startswith=unit.path)
    kind = request.GET.get("kind", "")
    if kind in ActivityKind.values:
        activities = activities.filter(kind=kind)
    if request.GET.get("export"):
        access.enforce(access.decide(request.user, access.EXPORT, unit) if unit else access.Decision.ALLOWED)
        exportable = access.visible_to(request.user, activities, access.EXPORT).order_by("-starts_at", "-pk")
        return xlsx_response("活动列表.xlsx", "活动", ["时间", "类型", "主题", "组织单位", "应到", "名单内出席", "人次",
                                                   "缺席", "请假", "未记录"],
                             ([timezone.localtime(a.starts_at).strftime("%Y-%m-%d %H:%M"), a.get_kind_display(), a.title,
                               a.unit.name, a.roster_count, a.present_roster, a.person_times, a.absent_count,
                               a.excused_count, a.not_recorded_count] for a in exportable.iterator(chunk_size=2000)),
                             actor=request.user, audit_action="导出活动列表", audit_obj=unit)
    page = Paginator(activities.order_by("-starts_at", "-pk"), 50).get_page(request.GET.get("page"))
    target = unit or _top_unit(request.user)
    return render(request, "activities/list.html", {
        "nav": "activities", "page": page, "unit": unit, "kind": kind, "kinds": ActivityKind.choices,
        "can_create": target is not None and access.can(request.user, access.CHANGE, target), "target": target,
        "breadcrumb": _crumbs(request.user, unit) if unit else None,
    })


def _themes_for(unit: Unit):
    county = _county_of(unit)
    if county is None:
        return MonthlyTheme.objects.none()
    return MonthlyTheme.objects.filter(county=county).order_by("-month")[:24]


@access.scoped(Unit, "pk", access.CHANGE)
def activity_create(request, unit):
    themes = MonthlyTheme.objects.filter(pk__in=[t.pk for t in _themes_for(unit)])
    form = ActivityForm(request.POST or None, themes=themes, initial={"starts_at": default_start()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = actions.create_activity(
                actor=request.user, unit=unit, kind=data["kind"], title=data["title"], starts_at=data["starts_at"],
                ends_at=data["ends_at"], place=data["place"], content=data["content"],
                audience_layer=data["audience_layer"], theme=data["theme"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已登记活动，名单 {created.roster_count} 人")
            return redirect("activities:detail", created.pk)
    return render(request, "activities/form.html", {
        "nav": "activities", "form": form, "title": f"登记活动：{unit.name}", "submit": "登记",
        "breadcrumb": _crumbs(request.user, unit),
        "intro": "登记时按活动当天的团籍生成应到名单；之后可批量记录出勤，或出示签到二维码让参加者扫码签到。",
    })


@access.scoped(Unit, "pk", access.CHANGE)
def activity_push(request, unit):
    themes = MonthlyTheme.objects.filter(pk__in=[t.pk for t in _themes_for(unit)])
    form = PushForm(request.POST or None, themes=themes, initial={"starts_at": default_start()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deployment = actions.push_activity(
                actor=request.user, unit=unit, kind=data["kind"], title=data["title"], starts_at=data["starts_at"],
                ends_at=data["ends_at"], place=data["place"], content=data["content"],
                audience_layer=data["audience_layer"], pioneers=data["pioneers"], theme=data["theme"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已下发到 {deployment.activities.count()} 个组织")
            return redirect(f"{reverse('activities:list')}?unit={unit.pk}")
    return render(request, "activities/form.html", {
        "nav": "activities", "form": form, "title": f"统一部署活动：{unit.name}", "submit": "下发",
        "breadcrumb": _crumbs(request.user, unit),
        "intro": "为下属每个团支部（或少先队中队）各生成一次活动，名单按各自当天的团籍生成。",
    })


@access.scoped(Activity, "pk", access.VIEW)
def activity_detail(request, activity):
    rows = (access.visible_to(request.user, Attendance.objects.filter(activity=activity))
            .select_related("person").order_by("-on_roster", "person__name_pinyin", "guest_name", "pk"))
    if request.GET.get("export"):
        access.enforce(access.decide(request.user, access.EXPORT, activity.unit))
        return xlsx_response(f"出勤_{activity.title}.xlsx", "出勤", ["姓名", "名单", "出勤", "方式"],
                             [[r.person.name if r.person_id else f"{r.guest_name}（来宾）",
                               "名单内" if r.on_roster else "名单外", r.get_status_display(), r.source] for r in rows],
                             actor=request.user, audit_action="导出出勤名单", audit_obj=activity)
    hidden = activity.attendance.count() - rows.count()
    can_change = access.can(request.user, access.CHANGE, activity.unit)
    return render(request, "activities/detail.html", {
        "nav": "activities", "activity": activity, "rows": rows, "hidden": hidden, "can_change": can_change,
        "statuses": AttendanceStatus.choices, "photos": activity.photos.all(),
        "guests_form": GuestsForm(), "summary_form": SummaryForm(initial={"summary": activity.summary}),
        "photo_form": PhotoForm(), "breadcrumb": _crumbs(request.user, activity.unit),
        "can_export": access.can(request.user, access.EXPORT, activity.unit),
    })


@access.scoped(Activity, "pk", access.CHANGE)
@require_POST
def attendance_mark(request, activity):
    marks = {}
    bulk = request.POST.get("bulk", "")
    if bulk in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT):
        # "All not yet recorded → present/absent": the usual way to finish a register.
        ids = access.visible_to(request.user, Attendance.objects.filter(
            activity=activity, on_roster=True, status=AttendanceStatus.NOT_RECORDED)).values_list("pk", flat=True)
        marks = {pk: bulk for pk in ids}
    else:
        visible = set(access.visible_to(request.user, Attendance.objects.filter(activity=activity))
                      .values_list("pk", flat=True))
        for key, value in request.POST.items():
            if key.startswith("status_") and key[7:].isdigit() and int(key[7:]) in visible:
                marks[int(key[7:])] = value
    try:
        changed = actions.mark_attendance(actor=request.user, activity=activity, marks=marks)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已更新 {changed} 条出勤记录")
    return redirect("activities:detail", activity.pk)


@access.scoped(Activity, "pk", access.CHANGE)
@require_POST
def guests_add(request, activity):
    form = GuestsForm(request.POST)
    if form.is_valid():
        try:
            rows = actions.add_guests(actor=request.user, activity=activity,
                                      names=form.cleaned_data["names"].splitlines())
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已登记来宾 {len(rows)} 位（只计入人次）")
    else:
        messages.error(request, "请填写来宾姓名（每行一位）")
    return redirect("activities:detail", activity.pk)


@access.scoped(Activity, "pk", access.CHANGE)
@require_POST
def summary_edit(request, activity):
    form = SummaryForm(request.POST)
    if form.is_valid():
        actions.update_summary(actor=request.user, activity=activity, summary=form.cleaned_data["summary"])
        messages.success(request, "已保存活动总结")
    return redirect("activities:detail", activity.pk)


@access.scoped(Activity, "pk", access.CHANGE)
@require_POST
def photo_upload(request, activity):
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择照片文件")
        return redirect("activities:detail", activity.pk)
    upload = form.cleaned_data["photo"]
    if upload.size > photos.MAX_BYTES:
        messages.error(request, f"照片不能超过 {photos.MAX_BYTES // (1024 * 1024)} MB")
        return redirect("activities:detail", activity.pk)
    try:
        actions.add_photo(actor=request.user, activity=activity, data=upload.read(),
                          caption=form.cleaned_data["caption"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已上传照片（已去除拍摄位置等信息）")
    return redirect("activities:detail", activity.pk)


@access.scoped(ActivityPhoto, "pk", access.VIEW)
def photo(request, item):
    path = photos.path_of(item.stored_name)
    if not path.exists():
        raise Http404("照片文件不存在")
    response = FileResponse(open(path, "rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------------------------------------
# QR check-in


@access.scoped(Activity, "pk", access.CHANGE)
def checkin_qr(request, activity):
    url = request.build_absolute_uri(reverse("activities:checkin", args=[checkin.make_token(activity)]))
    qr = segno.make(url, error="m")
    return render(request, "activities/qr.html", {
        "nav": "activities", "activity": activity, "url": url,
        "qr_svg": qr.svg_data_uri(scale=6, border=2, dark="#1f2328"),
        "expires": timezone.localtime() + checkin.TOKEN_MAX_AGE, "breadcrumb": _crumbs(request.user, activity.unit),
    })


@access.scoped(Activity, "pk", access.CHANGE)
@require_POST
def checkin_renew(request, activity):
    actions.renew_checkin(actor=request.user, activity=activity)
    messages.success(request, "已更换二维码，之前的二维码全部失效")
    return redirect("activities:qr", activity.pk)


@access.scoped(Activity, "pk", access.CHANGE)
def checkin_count(request, activity):
    activity.refresh_from_db()
    return render(request, "activities/_count.html", {"activity": activity})


@access.public
def checkin_page(request, token):
    """The attendee's page: no login. Every refusal of a name/phone pair reads the same."""
    found = checkin.read_token(token)
    activity = Activity.objects.select_related("unit").filter(pk=found[0]).first() if found else None
    if activity is None or activity.checkin_nonce != found[1]:
        return render(request, "activities/checkin.html", {"expired": checkin.EXPIRED}, status=410)
    form = CheckinForm(request.POST or None)
    result = None
    if request.method == "POST":
        if checkin.rate_limited(client_ip(request), activity.pk):
            result = ("limited", checkin.LIMITED)
        elif form.is_valid():
            outcome = actions.check_in(activity_id=activity.pk, nonce=found[1], name=form.cleaned_data["name"],
                                       last4=form.cleaned_data["last4"])
            result = (outcome, {"done": checkin.DONE, "already": checkin.ALREADY, "no_match": checkin.NO_MATCH,
                                "expired": checkin.EXPIRED}[outcome])
        else:
            result = ("no_match", checkin.NO_MATCH)
        if result[0] in ("done", "already"):
            form = CheckinForm()
    return render(request, "activities/checkin.html", {"activity": activity, "form": form, "result": result},
                  status=429 if result and result[0] == "limited" else 200)


# ---------------------------------------------------------------------------------------------
# Statistics


def _stats_range(request):
    form = StatsForm(request.GET or None, initial=StatsForm.initial_range())
    if request.GET and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["kind"] or ""
    if not request.GET:
        form = StatsForm(initial=StatsForm.initial_range())
    start, end = this_year_so_far()
    return form, start, end, ""


@access.scoped(Unit, "pk", access.VIEW)
def stats(request, unit):
    form, start, end, kind = _stats_range(request)
    rows = queries.stats_by_kind(unit, start, end) if not kind else [
        (kind, dict(ActivityKind.choices)[kind], queries.stats(unit, start, end, kind))]
    year = end.year
    trend = queries.monthly_trend(unit, year, kind)
    children = list(access.visible_units(request.user).filter(path__startswith=unit.path, depth=unit.depth + 1,
                                                              closed_on__isnull=True).order_by("path"))
    child_rows = [(c, queries.stats(c, start, end, kind)) for c in children[:60]]
    chart = {
        "title": f"{year}年各月人次与覆盖率", "months": [k[1:] for k, _ in trend],
        "person_times": [r.person_times if r else 0 for _, r in trend],
        "coverage": [round(r.covered * 100 / r.roster_persons, 1) if r and r.roster_persons else 0 for _, r in trend],
    }
    return render(request, "activities/stats.html", {
        "nav": "stats", "unit": unit, "form": form, "start": start, "end": end, "kind": kind, "rows": rows,
        "total": rows[-1][2], "child_rows": child_rows, "chart": chart, "breadcrumb": _crumbs(request.user, unit),
        "can_export": access.can(request.user, access.EXPORT, unit), "query": request.GET.urlencode(),
    })


@access.scoped(Unit, "pk", access.VIEW)
def stats_export(request, unit):
    # Declared on view (the route matrix needs a role without it); exporting needs data.export.
    access.enforce(access.decide(request.user, access.EXPORT, unit))
    _, start, end, kind = _stats_range(request)
    rows = queries.stats_by_kind(unit, start, end) if not kind else [
        (kind, dict(ActivityKind.choices)[kind], queries.stats(unit, start, end, kind))]
    children = access.visible_units(request.user).filter(path__startswith=unit.path, depth=unit.depth + 1,
                                                         closed_on__isnull=True).order_by("path")
    body = [[unit.name, label, s.sessions, s.person_times, s.persons, s.coverage.numerator, s.coverage.denominator,
             s.coverage.percent, s.attendance.percent, s.completeness.percent] for _, label, s in rows]
    for child in children:
        s = queries.stats(child, start, end, kind)
        body.append([child.name, dict(ActivityKind.choices).get(kind, "全部类型"), s.sessions, s.person_times, s.persons,
                     s.coverage.numerator, s.coverage.denominator, s.coverage.percent, s.attendance.percent,
                     s.completeness.percent])
    return xlsx_response(f"活动统计_{unit.name}_{start}_{end}.xlsx", "活动统计",
                         ["组织", "活动类型", "场次", "人次", "人数", "覆盖人数", "名单人数", "覆盖率", "出勤率",
                          "记录完整率"], body, actor=request.user, audit_action="导出活动统计", audit_obj=unit)


# ---------------------------------------------------------------------------------------------
# Study


def _programme(request) -> str:
    value = request.GET.get("programme", ActivityKind.YOUTH_STUDY)
    return value if value in (ActivityKind.YOUTH_STUDY, ActivityKind.PIONEER_STUDY) else ActivityKind.YOUTH_STUDY


@access.scoped(Unit, "pk", access.VIEW)
def study(request, unit):
    programme = _programme(request)
    trend = queries.episode_trend(unit, programme)
    episode = None
    if request.GET.get("episode", "").isdigit():
        episode = queries.episodes_for(unit, programme).filter(pk=int(request.GET["episode"])).first()
    if episode is None and trend:
        episode = trend[-1][0]
    ranking = queries.episode_ranking(request.user, unit, episode) if episode else []
    individuals = queries.individual_rates(request.user, unit, programme) if unit.kind == Kind.BRANCH else []
    county = _county_of(unit)
    chart = {"title": "参学率趋势（近 52 期）", "labels": [f"{e.published_on:%m-%d}" for e, _, _ in trend],
             "rates": [float(round(r.value * 100, 1)) if r.value is not None else 0 for _, r, _ in trend],
             "times": [t for _, _, t in trend]}
    return render(request, "activities/study.html", {
        "nav": "study", "unit": unit, "programme": programme, "trend": trend, "episode": episode, "ranking": ranking,
        "individuals": individuals, "chart": chart, "breadcrumb": _crumbs(request.user, unit),
        "can_import": access.can(request.user, access.IMPORT, unit),
        "can_manage": county is not None and access.can(request.user, access.CHANGE, county), "county": county,
        "can_export": access.can(request.user, access.EXPORT, unit),
    })


@access.scoped(Unit, "pk", access.VIEW)
def study_export(request, unit):
    # Declared on view (the route matrix needs a role without it); exporting needs data.export.
    access.enforce(access.decide(request.user, access.EXPORT, unit))
    programme = _programme(request)
    if request.GET.get("what") == "individuals":
        rows = queries.individual_rates(request.user, unit, programme) if unit.kind == Kind.BRANCH else []
        return xlsx_response(f"个人参学率_{unit.name}.xlsx", "个人参学率", ["姓名", "入团时间", "已学期数", "应学期数",
                                                                       "参学率"],
                             [[r.membership.person.name, r.membership.joined_on, r.rate.numerator, r.rate.denominator,
                               r.rate.percent] for r in rows], actor=request.user, audit_action="导出个人参学率",
                             audit_obj=unit)
    trend = queries.episode_trend(unit, programme)
    return xlsx_response(f"参学率_{unit.name}.xlsx", "参学率",
                         ["期次", "发布日期", "应学人数（当时团员）", "已学人数", "参学率", "人次"],
                         [[f"{e.season.title}第{e.number}期", e.published_on, r.denominator, r.numerator, r.percent, t]
                          for e, r, t in trend], actor=request.user, audit_action="导出参学率", audit_obj=unit)


@access.scoped(Unit, "pk", access.CHANGE)
def study_manage(request, unit):
    is_county = unit.kind in LEAGUE_LEADING_KINDS
    season_form = SeasonForm(request.POST if request.POST.get("form") == "season" else None)
    holiday_form = HolidayForm(request.POST if request.POST.get("form") == "holiday" else None)
    if request.method == "POST" and is_county:
        try:
            if request.POST.get("form") == "season" and season_form.is_valid():
                d = season_form.cleaned_data
                actions.create_season(actor=request.user, county=unit, programme=d["programme"], title=d["title"],
                                      first_day=d["first_day"], count=d["count"])
                messages.success(request, "已新建学习季")
                return redirect("activities:study_manage", unit.pk)
            if request.POST.get("form") == "holiday" and holiday_form.is_valid():
                d = holiday_form.cleaned_data
                actions.add_school_holiday(actor=request.user, county=unit, name=d["name"], starts_on=d["starts_on"],
                                           ends_on=d["ends_on"])
                messages.success(request, "已登记学校假期")
                return redirect("activities:study_manage", unit.pk)
            if request.POST.get("form") == "publish" and request.POST.get("episode", "").isdigit():
                episode = StudyEpisode.objects.filter(season__county=unit, pk=int(request.POST["episode"])).first()
                if episode is None:
                    raise DomainError("期次不存在")
                made = actions.publish_episode(actor=request.user, episode=episode)
                messages.success(request, f"已下发到 {len(made)} 个组织")
                return redirect("activities:study_manage", unit.pk)
        except DomainError as error:
            messages.error(request, error.message)
    seasons = StudySeason.objects.filter(county=unit).prefetch_related("episodes").order_by("-pk")[:8]
    return render(request, "activities/study_manage.html", {
        "nav": "study", "unit": unit, "is_county": is_county, "seasons": seasons, "season_form": season_form,
        "holiday_form": holiday_form, "holidays": SchoolHoliday.objects.filter(county=unit),
        "today": timezone.localdate(), "breadcrumb": _crumbs(request.user, unit),
    })


# ---------------------------------------------------------------------------------------------
# Theme days (R10.6) and 三会两制一课 (R10.5)


@access.scoped(Unit, "pk", access.VIEW)
def themes(request, unit):
    county = _county_of(unit)
    all_themes = list(MonthlyTheme.objects.filter(county=county).order_by("-month", "for_pioneers")) if county else []
    selected = None
    if request.GET.get("theme", "").isdigit():
        selected = next((t for t in all_themes if t.pk == int(request.GET["theme"])), None)
    if selected is None and all_themes:
        today = timezone.localdate()
        selected = next((t for t in all_themes if t.month <= today), all_themes[-1])
    board = queries.theme_board(request.user, unit, selected) if selected else []
    if request.GET.get("export") and selected:
        access.enforce(access.decide(request.user, access.EXPORT, unit))
        return xlsx_response(f"主题团日_{selected.month:%Y%m}_{unit.name}.xlsx", "主题团日",
                             ["组织", "状态", "开展日期", "统一主题", "统一时间"],
                             [[r.unit.name, r.status_label, r.held_on, selected.theme,
                               f"{selected.window_start}至{selected.window_end}"] for r in board],
                             actor=request.user, audit_action="导出主题团日看板", audit_obj=unit)
    counts = {}
    for row in board:
        counts[row.status_label] = counts.get(row.status_label, 0) + 1
    can_publish = county is not None and access.can(request.user, access.CHANGE, county)
    form = ThemeForm(request.POST or None) if can_publish else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        try:
            actions.publish_theme(actor=request.user, county=county, month=d["month"], theme=d["theme"],
                                  window_start=d["window_start"], window_end=d["window_end"], content=d["content"],
                                  for_pioneers=d["for_pioneers"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "已发布月度主题")
            return redirect("activities:themes", unit.pk)
    return render(request, "activities/themes.html", {
        "nav": "themes", "unit": unit, "county": county, "themes": all_themes, "selected": selected,
        "board": board, "counts": counts, "form": form, "breadcrumb": _crumbs(request.user, unit),
        "can_export": access.can(request.user, access.EXPORT, unit),
    })


@access.scoped(Unit, "pk", access.VIEW)
def compliance(request, unit):
    today = timezone.localdate()
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else today.year
    year = max(2000, min(year, today.year))
    rows = queries.compliance(request.user, unit, year, today)
    if request.GET.get("export"):
        access.enforce(access.decide(request.user, access.EXPORT, unit))
        labels = [label for label, *_ in rows[0].cells] if rows else []
        return xlsx_response(f"三会两制一课_{year}_{unit.name}.xlsx", "三会两制一课",
                             ["团支部", *[f"{x}（开展/应开展周期）" for x in labels], "缺开周期", "支部大会未过半"],
                             [[r.unit.name, *[f"{ok}/{due}" for _, due, ok, _, _ in r.cells], r.missing,
                               r.quorum_failures] for r in rows],
                             actor=request.user, audit_action="导出三会两制一课", audit_obj=unit)
    return render(request, "activities/compliance.html", {
        "nav": "compliance", "unit": unit, "year": year, "rows": rows[:300], "more": max(0, len(rows) - 300),
        "years": list(range(today.year, today.year - 4, -1)), "breadcrumb": _crumbs(request.user, unit),
        "headers": [label for label, _ in [(dict(ActivityKind.choices)[k], k) for k, _ in queries.MEETING_KINDS]],
        "can_export": access.can(request.user, access.EXPORT, unit),
    })

