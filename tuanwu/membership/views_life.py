"""Pages of membership life: the development pipeline, review and registration, 推优入党,
dues, transfers, exits and the 党团队育人 funnel. Each view: access declaration, one query or
one action, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.forms import apply_domain_error
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import PIONEER_KINDS, Kind
from tuanwu.people.models import Person, PoliticalStatus

from . import development as dev_actions
from . import dues, exits, life_forms, party, pioneers, review, transfers
from . import life_rules as lr
from .life_common import approving_committee
from .models import (
    Development,
    ExitCase,
    Membership,
    PartyRecommendation,
    PioneerRecommendation,
    ReviewGrade,
    ReviewSession,
    Status,
    Transfer,
)

NAV = "membership_life"
PERSON_KEYS = ("name", "id_number", "student_number", "gender", "birth_date", "ethnicity", "phone", "education",
               "occupation")


def _crumbs(user, unit: Unit):
    return [u for u in unit.ancestors_and_self() if access.can(user, access.VIEW, u)]


def _form_page(request, *, title, form, unit, submit, cancel_url, intro="", facts=None, blocked=None):
    return render(request, "membership/life_form.html", {
        "nav": NAV, "title": title, "form": form, "submit": submit, "intro": intro, "facts": facts or [],
        "blocked": blocked, "cancel_url": cancel_url, "breadcrumb": _crumbs(request.user, unit),
    })


def _submitted(request, form, act, *, done, then, blocked=None):
    """The usual life-form POST: run ``act(cleaned_data)``. A refusal is shown on the form and
    None returned (the caller renders the page again); success flashes ``done`` and redirects to
    ``then``; both may be functions of the action's result. None for a GET or an invalid form."""
    if request.method != "POST" or blocked or not form.is_valid():
        return None
    try:
        result = act(form.cleaned_data)
    except DomainError as error:
        apply_domain_error(form, error)
        return None
    messages.success(request, done(result) if callable(done) else done)
    return redirect(then(result) if callable(then) else then)


def _can(user, unit, permission=access.CHANGE) -> bool:
    return access.can(user, permission, unit)


# ---------------------------------------------------------------------------------------------
# Landing and pipeline


@access.self_only
def life_home(request):
    """The user's units with links to each membership-life page."""
    grants = access.active_grants(request.user)
    units = sorted({g.unit for g in grants if g.unit.kind not in PIONEER_KINDS and not g.unit.is_party},
                   key=lambda u: u.path)
    if request.user.is_superuser and not units:
        units = list(Unit.objects.filter(kind=Kind.LEAGUE_COUNTY).order_by("path"))
    person = getattr(request.user, "person", None)
    own = getattr(person, "membership", None) if person else None
    brigades = sorted({g.unit for g in grants if g.unit.kind in PIONEER_KINDS}, key=lambda u: u.path)
    pioneers_ = []
    if brigades:
        from django.db.models import Q

        from tuanwu.organisations.rules import add_years

        q = Q()
        for b in brigades:
            q |= Q(unit__path__startswith=b.path)
        pioneers_ = (access.visible_to(request.user, Person.objects.filter(
            q, political_status=PoliticalStatus.PIONEER, birth_date__lte=add_years(timezone.localdate(), -13),
            pioneer_recommendations__isnull=True)).select_related("unit").order_by("birth_date")[:100])
    return render(request, "membership/life_home.html", {"nav": NAV, "units": units, "own": own,
                                                         "brigades": brigades, "pioneers": pioneers_})


@access.scoped(Unit, "pk", access.VIEW)
def pipeline(request, unit):
    """R2: who is at which stage and what blocks each person, for a branch, township or county."""
    today = timezone.localdate()
    devs = (access.visible_to(request.user, Development.objects.filter(
        membership__branch__path__startswith=unit.path).exclude(stage__in=["admitted", "stopped"]))
        .select_related("membership__person", "membership__branch")
        .prefetch_related("lessons", "notices", "contacts")
        .order_by("membership__branch__path", "stage", "applied_on"))
    stage_order = [Development.Stage.APPLICANT, Development.Stage.ACTIVIST, Development.Stage.CANDIDATE,
                   Development.Stage.PROPOSED]
    rows_by_stage = {s: [] for s in stage_order}
    for d in devs[:500]:
        step, blockers = dev_actions.blocking_summary(d, today)
        rows_by_stage[d.stage].append({"d": d, "step": step, "blockers": blockers})
    year = today.year
    county = unit.nearest_county() if unit.kind != Kind.LEAGUE_COUNTY else unit
    quota = used = None
    if county is not None:
        from tuanwu.core.rule_settings import get_rule

        quota = get_rule("development.yearly_quota", county, datetime.date(year, 12, 31))
        used = dev_actions.admissions_in_year(county, year)
    admitted = (access.visible_to(request.user, Development.objects.filter(
        membership__branch__path__startswith=unit.path, stage="admitted", approved_on__year=year))
        .select_related("membership__person", "membership__branch").order_by("-approved_on")[:50])
    return render(request, "membership/pipeline.html", {
        "nav": NAV, "unit": unit, "breadcrumb": _crumbs(request.user, unit),
        "stages": [(Development.Stage(s).label, rows_by_stage[s]) for s in stage_order],
        "total": sum(len(v) for v in rows_by_stage.values()), "can_apply": unit.kind == Kind.BRANCH and _can(
            request.user, unit), "year": year, "quota": quota, "used": used, "county": county, "admitted": admitted,
    })


@access.scoped(Unit, "pk", access.CHANGE)
def apply(request, unit):
    """R2.1: register a written application (creates the person when new)."""
    form = life_forms.ApplicationForm(request.POST or None)
    blocked = None if unit.kind == Kind.BRANCH else "入团申请登记在团支部：请进入具体的团支部"
    return _submitted(
        request, form, blocked=blocked,
        act=lambda data: dev_actions.apply(
            actor=request.user, branch=unit, applied_on=data["applied_on"], note=data.get("note", ""),
            person_fields={k: v for k, v in form.person_fields().items() if k in PERSON_KEYS}),
        done=lambda d: f"已登记“{d.membership.person.name}”的入团申请；应于 {lr.talk_due_by(d.applied_on):%Y-%m-%d} 前谈话",
        then=lambda d: reverse("membership:development", args=[d.pk]),
    ) or _form_page(request, title=f"登记入团申请：{unit.name}", form=form, unit=unit, submit="登记申请",
                      blocked=blocked, cancel_url=reverse("membership:pipeline", args=[unit.pk]),
                      intro="递交书面入团申请书后，团支部应在 1 个月内与申请人谈话。")


@access.scoped(Development, "pk", access.VIEW)
def development_detail(request, d):
    today = timezone.localdate()
    steps = dev_actions.plan(d, today)
    for s in steps:
        s.allowed = dev_actions.can_act(request.user, d, s.by_above)
    from tuanwu.core.rule_settings import get_rule

    branch = d.membership.branch
    min_hours = get_rule("development.min_course_hours", branch, today)
    months = get_rule("development.cultivation_months", branch, today)
    lessons = list(d.lessons.all())
    counted = lr.course_hours(dev_actions.lessons_of(d))
    return render(request, "membership/development.html", {
        "nav": NAV, "d": d, "m": d.membership, "person": d.membership.person, "steps": steps,
        "breadcrumb": _crumbs(request.user, branch), "lessons": lessons, "counted": counted, "min_hours": min_hours,
        "contacts": list(dev_actions.current_contacts(d)), "notices": list(d.notices.all()),
        "votes": list(d.votes.all()), "events": d.membership.events.select_related("from_branch", "to_branch")[:60],
        "ready_on": lr.cultivation_ready_on(d.activist_on, months) if d.activist_on else None, "months": months,
        "talk_due": lr.talk_due_by(d.applied_on), "committee": approving_committee(branch),
        "can_change": _can(request.user, branch), "today": today,
        "can_stop": _can(request.user, branch) and d.stage not in ("admitted", "stopped"),
    })


def _step_form(step: str, request, d: Development):
    data = request.POST if request.method == "POST" else None
    user, m = request.user, d.membership
    forms_ = {
        "talk": lambda: life_forms.TalkForm(data),
        "activist": lambda: life_forms.ActivistForm(data, initial={"channel": d.channel or "member_recommendation",
                                                                   "recommenders": d.recommenders}),
        "file_activist": lambda: life_forms.DateForm(data, label="备案日期"),
        "lesson": lambda: life_forms.LessonForm(data),
        "contact": lambda: life_forms.ContactForm(data, user=user, membership=m),
        "candidate": lambda: life_forms.DateForm(data, label="支委会研究日期"),
        "prereview": lambda: life_forms.DateForm(data, label="预审日期"),
        "issue_form": lambda: life_forms.DateForm(data, label="发放入团志愿书日期"),
        "introducers": lambda: life_forms.IntroducersForm(data, user=user, membership=m),
        "vote": lambda: life_forms.VoteForm(data, initial={"voting_members": party.voting_members_due(m)}),
        "approve": lambda: life_forms.DateForm(data, label="审批日期"),
        "ceremony": lambda: life_forms.DateForm(data, label="入团仪式日期"),
        "stop": lambda: life_forms.StopForm(data),
        **{k: (lambda: life_forms.NoticeForm(data)) for k in life_forms.NOTICE_STEPS},
    }
    if step not in forms_:
        raise Http404("未找到该步骤")
    return forms_[step]()


STEP_TITLES = {
    "talk": "记录入团谈话", "activist": "确定为入团积极分子", "file_activist": "入团积极分子报上级备案",
    "lesson": "登记团课", "contact": "确定培养联系人", "candidate": "确定为发展对象", "prereview": "上级团委预审",
    "issue_form": "发放入团志愿书", "introducers": "确定入团介绍人", "vote": "支部大会表决", "approve": "上级团委审批",
    "ceremony": "入团仪式", "stop": "终止发展", "notice_activist": "入团积极分子公示",
    "notice_candidate": "发展对象公示", "notice_admission": "拟接收公示",
}


def _run_step(step: str, user, d: Development, c: dict):
    a = dev_actions
    if step == "talk":
        return a.record_talk(actor=user, development=d, talk_on=c["talk_on"], talk_by=c["talk_by"])
    if step == "activist":
        return a.make_activist(actor=user, development=d, on=c["on"], channel=c["channel"], recommenders=c["recommenders"])
    if step == "file_activist":
        return a.file_activist(actor=user, development=d, on=c["on"])
    if step == "lesson":
        return a.add_lesson(actor=user, development=d, on=c["on"], topic=c["topic"], hours=c["hours"],
                            minutes=c["minutes"], in_person=c["in_person"])
    if step == "contact":
        return a.assign_contact(actor=user, development=d, contact=c["contact"], on=c["on"])
    if step in life_forms.NOTICE_STEPS:
        return a.post_notice(actor=user, development=d, stage=life_forms.NOTICE_STEPS[step], starts_on=c["starts_on"],
                             place=c["place"])
    if step == "introducers":
        return a.set_introducers(actor=user, development=d, introducer_1=c["introducer_1"],
                                 introducer_2=c["introducer_2"], on=c["on"])
    if step == "vote":
        return a.record_vote(actor=user, development=d, **c)
    if step == "stop":
        return a.stop(actor=user, development=d, on=c["on"], reason=c["reason"])
    action = {"candidate": a.make_candidate, "prereview": a.prereview, "issue_form": a.issue_form,
              "approve": a.approve_admission, "ceremony": a.record_ceremony}[step]
    return action(actor=user, development=d, on=c["on"])


@access.scoped(Development, "pk", access.CHANGE)
def development_step(request, d, step):
    """One step of the pipeline: a form around one action; a refusal says what is missing."""
    form = _step_form(step, request, d)
    steps = {s.key: s for s in dev_actions.plan(d)}
    hint = steps.get(step)
    done = _submitted(request, form, lambda data: _run_step(step, request.user, d, dict(data)),
                      done=f"{STEP_TITLES[step]}：已办理", then=reverse("membership:development", args=[d.pk]))
    if done:
        return done
    facts = [("申请人", d.membership.person.name), ("团支部", d.membership.branch.name),
             ("当前阶段", d.get_stage_display())]
    if hint and hint.blockers:
        facts.append(("尚需", "；".join(hint.blockers)))
    intro = ""
    if step.startswith("notice"):
        intro = "公示期按工作日计算：跳过周六、周日；法定节假日未计入，请自行顺延。"
    if step == "vote":
        intro = ("支部大会须有超过半数的有表决权团员到会；赞成票超过到会有表决权团员的半数为通过。"
                 "一人一表决。留团察看的团员没有表决权。")
    return _form_page(request, title=f"{STEP_TITLES[step]}：{d.membership.person.name}", form=form,
                      unit=d.membership.branch, submit="确定", facts=facts, intro=intro,
                      cancel_url=reverse("membership:development", args=[d.pk]))


# ---------------------------------------------------------------------------------------------
# Membership hub (团籍事务)


@access.scoped(Membership, "pk", access.VIEW)
def membership_life(request, m):
    today = timezone.localdate()
    account = getattr(m, "dues_account", None) if hasattr(m, "dues_account") else None
    line = dues.dues_lines(request.user, [m], today)[0] if m.joined_on else None
    return render(request, "membership/membership_life.html", {
        "nav": NAV, "m": m, "person": m.person, "breadcrumb": _crumbs(request.user, m.branch),
        "development": getattr(m, "development", None) if hasattr(m, "development") else None,
        "grades": m.review_grades.select_related("session").order_by("-session__year"),
        "registrations": m.registrations.all(), "party": m.party_recommendations.all(),
        "transfers": m.transfers.select_related("from_branch", "to_unit", "to_branch"),
        "exit_cases": m.exit_cases.all(), "account": account, "line": line,
        "payments": m.dues_payments.all()[:24], "can_change": _can(request.user, m.branch),
        "in_league": m.status in (Status.MEMBER, Status.PARTY_MEMBER_KEEPING, Status.PROBATION,
                                  Status.REGISTRATION_DEFERRED),
        "events": m.events.select_related("from_branch", "to_branch")[:80],
        "certificate_note": not lr.blocks_degree_certificate("any"),
    })


# ---------------------------------------------------------------------------------------------
# Review and registration


@access.scoped(Unit, "pk", access.VIEW)
def reviews(request, unit):
    """R3: a branch's review sessions and this year's registration; above a branch, a summary."""
    today = timezone.localdate()
    sessions = (access.visible_to(request.user, ReviewSession.objects.filter(branch__path__startswith=unit.path))
                .select_related("branch", "approved_by_unit").order_by("-year", "branch__path")[:200])
    members = []
    if unit.kind == Kind.BRANCH:
        for m in (access.visible_to(request.user, Membership.objects.filter(
                branch=unit, status__in=[Status.MEMBER, Status.PARTY_MEMBER_KEEPING, Status.PROBATION,
                                         Status.REGISTRATION_DEFERRED]))
                  .select_related("person").order_by("person__name_pinyin")):
            reg = m.registrations.filter(year=today.year).order_by("-on").first()
            grade, approved = review.grade_for_registration(m, today.year)
            members.append({"m": m, "reg": reg, "grade": dict(lr.GRADES).get(grade, "—") if grade else "—",
                            "approved": approved, "last": review.last_registered_on(m),
                            "flag": lr.unregistered_too_long(review.last_registered_on(m), m.joined_on, today)})
    return render(request, "membership/reviews.html", {
        "nav": NAV, "unit": unit, "breadcrumb": _crumbs(request.user, unit), "sessions": sessions,
        "members": members, "is_branch": unit.kind == Kind.BRANCH, "can_change": _can(request.user, unit),
        "year": today.year, "register_form": life_forms.RegisterForm(),
        "unregistered": len([x for x in members if x["flag"]]),
    })


@access.scoped(Unit, "pk", access.CHANGE)
def review_new(request, unit):
    members = list(review.reviewable(unit)) if unit.kind == Kind.BRANCH else []
    form = life_forms.ReviewForm(request.POST or None, members=members)
    blocked = None if unit.kind == Kind.BRANCH else "评议以团支部为单位进行"
    done = _submitted(
        request, form, blocked=blocked,
        act=lambda data: review.hold_review(actor=request.user, branch=unit, year=data["year"], held_on=data["held_on"],
                                            present=data["present"], grades=form.grades()),
        done=lambda session: f"已登记 {session.year} 年度评议",
        then=lambda session: reverse("membership:review_session", args=[session.pk]))
    if done:
        return done
    from tuanwu.core.rule_settings import get_rule

    cap = get_rule("review.excellent_cap", unit)
    return _form_page(request, title=f"团员教育评议：{unit.name}", form=form, unit=unit, submit="登记评议结果",
                      blocked=blocked, cancel_url=reverse("membership:reviews", args=[unit.pk]),
                      facts=[("应参加评议", f"{len(members)} 人（保留团籍的党员不参加评议，但要注册）"),
                             ("“优秀”上限", f"评议人数的 {cap * 100:.0f}%（最多 {lr.excellent_limit(len(members), cap)} 名）")],
                      intro="评议须在支部大会上进行，到会人数超过应到人数的三分之二；结果报上级团委审定。")


@access.scoped(ReviewSession, "pk", access.VIEW)
def review_session(request, session):
    committee = approving_committee(session.branch)
    grades = session.grades.select_related("membership__person").order_by("membership__person__name_pinyin")
    rows = []
    for g in grades:
        start, end = lr.reassessment_window(session.held_on)
        rows.append({"g": g, "window": (start, end)})
    return render(request, "membership/review_session.html", {
        "nav": NAV, "s": session, "breadcrumb": _crumbs(request.user, session.branch), "rows": rows,
        "committee": committee, "can_approve": committee is not None and _can(request.user, committee)
        and not session.approved_on, "can_change": _can(request.user, session.branch),
        "approve_form": life_forms.DateForm(label="审定日期"), "reassess_form": life_forms.ReassessForm(),
    })


@access.scoped(ReviewSession, "pk", access.CHANGE)
@require_POST
def review_approve(request, session):
    form = life_forms.DateForm(request.POST, label="审定日期")
    if form.is_valid():
        try:
            review.approve_review(actor=request.user, session=session, on=form.cleaned_data["on"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "评议结果已审定")
    else:
        messages.error(request, "请填写审定日期")
    return redirect("membership:review_session", session.pk)


@access.scoped(ReviewGrade, "pk", access.CHANGE)
def grade_reassess(request, grade):
    form = life_forms.ReassessForm(request.POST or None)
    done = _submitted(request, form, lambda data: review.reassess(actor=request.user, grade=grade, **data),
                      done="已登记复评结果", then=reverse("membership:review_session", args=[grade.session_id]))
    if done:
        return done
    start, end = lr.reassessment_window(grade.session.held_on)
    return _form_page(request, title=f"复评：{grade.membership.person.name}", form=form, unit=grade.session.branch,
                      submit="登记复评", cancel_url=reverse("membership:review_session", args=[grade.session_id]),
                      facts=[("原等次", grade.get_grade_display()), ("复评时间", f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}")],
                      intro="不合格的团员限期整改，3–6 个月后复评；仍无改变的予以劝退，劝而不退的按程序除名。")


@access.scoped(Unit, "pk", access.CHANGE)
@require_POST
def register_branch(request, unit):
    form = life_forms.RegisterForm(request.POST)
    if not form.is_valid() or unit.kind != Kind.BRANCH:
        messages.error(request, "请填写注册年度和日期（在团支部办理）")
        return redirect("membership:reviews", unit.pk)
    try:
        done, refused = review.register_branch(actor=request.user, branch=unit, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已注册 {len(done)} 人")
        for m, reason in refused:
            messages.warning(request, f"{m.person.name}未注册：{reason}")
    return redirect("membership:reviews", unit.pk)


@access.scoped(Membership, "pk", access.CHANGE)
def registration_defer(request, m):
    form = life_forms.DeferForm(request.POST or None)
    return _submitted(request, form, lambda data: review.defer_registration(actor=request.user, membership=m, **data),
                      done=f"{m.person.name}暂缓注册", then=reverse("membership:life", args=[m.pk])) or _form_page(request, title=f"暂缓注册：{m.person.name}", form=form, unit=m.branch, submit="暂缓注册",
                      cancel_url=reverse("membership:life", args=[m.pk]),
                      intro="暂缓注册期限为 3–6 个月，期满后经复核予以注册。")


@access.scoped(Membership, "pk", access.CHANGE)
def registration_single(request, m):
    form = life_forms.RegisterForm(request.POST or None)
    return _submitted(request, form, lambda data: review.register(actor=request.user, membership=m, **data),
                      done=f"{m.person.name}已注册", then=reverse("membership:life", args=[m.pk])) or _form_page(request, title=f"团籍注册：{m.person.name}", form=form, unit=m.branch, submit="注册",
                      cancel_url=reverse("membership:life", args=[m.pk]),
                      intro="基本合格及以上方可注册；保留团籍的党员不参加评议，但要注册。")


# ---------------------------------------------------------------------------------------------
# 推优入党


@access.scoped(Membership, "pk", access.CHANGE)
def party_propose(request, m):
    form = life_forms.PartyProposeForm(request.POST or None)
    return _submitted(request, form, lambda data: party.propose(actor=request.user, membership=m, **data),
                      done="支委会已提出推优", then=lambda rec: reverse("membership:party", args=[rec.pk])) or _form_page(request, title=f"推优入党：{m.person.name}", form=form, unit=m.branch, submit="提出",
                      cancel_url=reverse("membership:life", args=[m.pk]),
                      intro="由支委会提出，团员大会无记名投票；赞成票超过应到会有表决权团员的半数为通过。")


@access.scoped(PartyRecommendation, "pk", access.VIEW)
def party_detail(request, rec):
    today = timezone.localdate()
    committee = approving_committee(rec.membership.branch)
    m = rec.membership
    return render(request, "membership/party.html", {
        "nav": NAV, "rec": rec, "m": m, "breadcrumb": _crumbs(request.user, m.branch), "committee": committee,
        "can_change": _can(request.user, m.branch), "can_review": committee is not None and _can(request.user, committee),
        "meeting_form": life_forms.PartyMeetingForm(initial={"due": party.voting_members_due(m)}),
        "notice_form": life_forms.NoticeForm(), "review_form": life_forms.PartyReviewForm(),
        "review_blockers": party.review_blockers(rec, today), "valid": party.is_valid_on(rec, today),
    })


@access.scoped(PartyRecommendation, "pk", access.CHANGE)
@require_POST
def party_step(request, rec, step):
    forms_ = {"meeting": life_forms.PartyMeetingForm, "notice": life_forms.NoticeForm,
              "review": life_forms.PartyReviewForm}
    if step not in forms_:
        raise Http404("未找到该步骤")
    form = forms_[step](request.POST)
    if not form.is_valid():
        messages.error(request, "请完整填写：" + "；".join(f"{form.fields[k].label}" for k in form.errors if k in form.fields))
        return redirect("membership:party", rec.pk)
    c = form.cleaned_data
    try:
        if step == "meeting":
            party.record_meeting(actor=request.user, recommendation=rec, **c)
        elif step == "notice":
            party.post_notice(actor=request.user, recommendation=rec, starts_on=c["starts_on"])
        else:
            party.review(actor=request.user, recommendation=rec, **c)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已办理")
    return redirect("membership:party", rec.pk)


@access.scoped(PartyRecommendation, "pk", access.VIEW)
def party_letter(request, rec, fmt):
    if fmt not in ("docx", "pdf"):
        raise Http404("未找到")
    if rec.state != PartyRecommendation.State.REVIEWED:
        messages.error(request, "团委审查同意后才能出具推荐意见")
        return redirect("membership:party", rec.pk)
    if fmt == "docx":
        data = party.letter_docx(rec)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        data = party.letter_pdf(rec)
        content_type = "application/pdf"
    response = HttpResponse(data, content_type=content_type)
    from urllib.parse import quote

    name = quote(f"推优入党推荐意见-{rec.membership.person.name}.{fmt}")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


# ---------------------------------------------------------------------------------------------
# Dues


@access.scoped(Unit, "pk", access.VIEW)
def dues_list(request, unit):
    """R5: each member's monthly amount and arrears; ?lapse=1 lists R1.5 candidates only."""
    today = timezone.localdate()
    only_lapse = request.GET.get("lapse") == "1"
    if only_lapse:
        lines = dues.lapse_candidates(request.user, unit, today) if _can(request.user, unit) else []
    else:
        lines = dues.dues_lines(request.user, dues.members_for_dues(request.user, unit)[:500], today)
    from tuanwu.core.rule_settings import get_rule

    settings_ = {k.replace(".", "_"): get_rule(k, unit, today) for k in ("dues.salary_threshold", "dues.low_salary_amount",
                                                       "dues.salary_rate_permille", "dues.basic_amount",
                                                       "dues.monthly_cap", "membership.lapse_months")}
    return render(request, "membership/dues.html", {
        "nav": NAV, "unit": unit, "breadcrumb": _crumbs(request.user, unit), "lines": lines,
        "only_lapse": only_lapse, "settings": settings_, "basis": dues.LAPSE_BASIS,
        "can_change": _can(request.user, unit), "owed_total": sum((x.owed_amount or 0) for x in lines),
    })


@access.scoped(Membership, "pk", access.CHANGE)
def dues_account(request, m):
    account = getattr(m, "dues_account", None) if hasattr(m, "dues_account") else None
    initial = {"category": account.category if account else dues.default_category(m),
               "monthly_wage": account.monthly_wage if account else None,
               "starts_month": account.starts_month if account else None}
    form = life_forms.DuesAccountForm(request.POST or None, initial=initial)
    return _submitted(request, form, lambda data: dues.set_account(actor=request.user, membership=m, **data),
                      done="已设置团费标准", then=reverse("membership:life", args=[m.pk])) or _form_page(request, title=f"团费标准：{m.person.name}", form=form, unit=m.branch, submit="保存",
                      cancel_url=reverse("membership:life", args=[m.pk]),
                      intro="税后月固定工资低于分档线的每月 3 元，达到分档线的按 2‰ 取整；学生、农民、无业、领取救济、离退休的"
                            "每月 0.2 元（均可在规则参数中调整）。团费自入团当月起交（R5）。")


@access.scoped(Membership, "pk", access.CHANGE)
def dues_pay(request, m):
    today = timezone.localdate()
    form = life_forms.DuesPayForm(request.POST or None, initial={"first_month": today.replace(day=1),
                                                                 "last_month": today.replace(day=1)})
    done = _submitted(
        request, form, lambda data: dues.pay(actor=request.user, membership=m, months=form.months(),
                                             paid_on=data["paid_on"]),
        done=lambda rows: f"已登记 {len(rows)} 个月团费，共 {sum(r.amount for r in rows)} 元",
        then=reverse("membership:life", args=[m.pk]))
    if done:
        return done
    line = dues.dues_lines(request.user, [m], today)[0] if m.joined_on else None
    facts = []
    if line:
        facts = [("每月团费", f"{line.monthly} 元" if line.monthly is not None else "未设置（须填写月工资）"),
                 ("欠交", f"{len(line.owed_months)} 个月" + (f"，{line.owed_amount} 元" if line.owed_amount else ""))]
    return _form_page(request, title=f"登记团费：{m.person.name}", form=form, unit=m.branch, submit="登记",
                      cancel_url=reverse("membership:life", args=[m.pk]), facts=facts,
                      intro="按月登记；每月金额按当月有效的标准计算。")


# ---------------------------------------------------------------------------------------------
# Transfers


@access.scoped(Unit, "pk", access.VIEW)
def transfer_list(request, unit):
    incoming, outgoing = transfers.transfers_for(request.user, unit)
    return render(request, "membership/transfers.html", {
        "nav": NAV, "unit": unit, "breadcrumb": _crumbs(request.user, unit), "incoming": incoming[:200],
        "outgoing": outgoing[:200], "can_change": _can(request.user, unit),
    })


def _transfer_request(request, *, form, membership, initiated_by, to_unit, back):
    c = form.cleaned_data
    try:
        t = transfers.request_transfer(actor=request.user, membership=membership, initiated_by=initiated_by,
                                       destination=c["destination"], to_unit=to_unit, requested_on=c["requested_on"],
                                       graduated_on=c.get("graduated_on"), note=c.get("note", ""))
    except DomainError as error:
        apply_domain_error(form, error)
        return None
    messages.success(request, f"已提交组织关系转接（{t.get_state_display()}）")
    return redirect(back)


@access.scoped(Membership, "pk", access.CHANGE)
def transfer_out(request, m):
    """R6.1: the sending branch starts a transfer."""
    form = life_forms.TransferRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _transfer_request(request, form=form, membership=m, initiated_by=Transfer.Initiator.SENDER,
                                 to_unit=form.cleaned_data.get("to_unit"),
                                 back=reverse("membership:transfers", args=[m.branch_id]))
        if done:
            return done
    return _form_page(request, title=f"转出组织关系：{m.person.name}", form=form, unit=m.branch, submit="提交",
                      cancel_url=reverse("membership:life", args=[m.pk]), intro=TRANSFER_INTRO)


TRANSFER_INTRO = ("转入方审批并分配团支部（R6.2）。毕业生：到就业单位团组织，未建团的到居住地；升学的 30 天内转入新学校；"
                  "出国（境）的组织关系保留在学校最长 5 年；参军入伍的暂存待转（R6.3）。组织关系转接不影响毕业证书发放（R6.4）。")


@access.scoped(Unit, "pk", access.CHANGE)
def transfer_in(request, unit):
    """R6.1: the receiving organisation starts a transfer, naming the member by ID number."""
    form = life_forms.TransferInForm(request.POST or None, to_unit=unit)
    if request.method == "POST" and form.is_valid():
        m = transfers.find_by_id_number(form.cleaned_data["id_number"])
        if m is None:
            form.add_error("id_number", "未找到该身份证号码的团籍记录")
        else:
            done = _transfer_request(request, form=form, membership=m, initiated_by=Transfer.Initiator.RECEIVER,
                                     to_unit=unit, back=reverse("membership:transfers", args=[unit.pk]))
            if done:
                return done
    return _form_page(request, title=f"申请转入：{unit.name}", form=form, unit=unit, submit="提交",
                      cancel_url=reverse("membership:transfers", args=[unit.pk]), intro=TRANSFER_INTRO)


@access.self_only
def my_transfer(request):
    """R6.1: the member starts their own transfer."""
    person = getattr(request.user, "person", None)
    m = getattr(person, "membership", None) if person else None
    if m is None:
        raise Http404("您没有团籍记录")
    form = life_forms.TransferRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _transfer_request(request, form=form, membership=m, initiated_by=Transfer.Initiator.MEMBER,
                                 to_unit=form.cleaned_data.get("to_unit"), back=reverse("membership:home"))
        if done:
            return done
    return _form_page(request, title="申请转接我的组织关系", form=form, unit=m.branch, submit="提交",
                      cancel_url=reverse("membership:home"), intro=TRANSFER_INTRO,
                      facts=[("当前团支部", m.branch.name)])


@access.scoped(Transfer, "pk", access.CHANGE)
def transfer_decide(request, t):
    """R6.2/R6.4: the receiver approves (assigning a branch) or sends back; then the check-in."""
    form = life_forms.TransferDecideForm(request.POST or None, transfer=t)
    checkin = life_forms.DateForm(request.POST or None, label="线下报到日期", prefix="checkin")
    if request.method == "POST":
        try:
            if "checkin-on" in request.POST:
                if checkin.is_valid():
                    transfers.record_checkin(actor=request.user, transfer=t, on=checkin.cleaned_data["on"])
                    messages.success(request, "已登记报到")
                    return redirect("membership:transfer_decide", t.pk)
            elif form.is_valid():
                c = form.cleaned_data
                transfers.decide(actor=request.user, transfer=t, approve=c["decision"] == "approve", on=c["on"],
                                 to_branch=c.get("to_branch"), note=c.get("note", ""))
                messages.success(request, "已同意转入" if c["decision"] == "approve" else "已退回")
                return redirect("membership:transfers", t.to_unit_id)
        except DomainError as error:
            apply_domain_error(checkin if "checkin-on" in request.POST else form, error)
    return render(request, "membership/transfer_decide.html", {
        "nav": NAV, "t": t, "form": form, "checkin": checkin, "breadcrumb": _crumbs(request.user, t.to_unit),
        "overdue": t.decided_on and lr.checkin_overdue(t.decided_on, t.checked_in_on, timezone.localdate()),
    })


# ---------------------------------------------------------------------------------------------
# Exits


@access.scoped(Membership, "pk", access.CHANGE)
def exit_open(request, m):
    form = life_forms.ExitOpenForm(request.POST or None)
    return _submitted(request, form, lambda data: exits.open_case(actor=request.user, membership=m, **data),
                      done=lambda case: f"已提出{case.get_kind_display()}",
                      then=lambda case: reverse("membership:exit_case", args=[case.pk])) or _form_page(request, title=f"退团／除名：{m.person.name}", form=form, unit=m.branch, submit="提出",
                      cancel_url=reverse("membership:life", args=[m.pk]),
                      intro="退团：本人书面申请 → 支部大会讨论 → 报上级团委备案。自行脱团除名：连续 6 个月（可配置）"
                            "未交团费、未过组织生活、未做团的工作，经支部大会决定并报上级批准。系统目前按连续未交团费的月数提示候选人。")


@access.scoped(ExitCase, "pk", access.CHANGE)
def exit_case(request, case):
    committee = approving_committee(case.membership.branch)
    form = life_forms.DateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = request.POST.get("step")
        try:
            if step == "meeting":
                exits.record_meeting(actor=request.user, case=case, meeting_on=form.cleaned_data["on"])
            elif step == "complete":
                exits.complete(actor=request.user, case=case, on=form.cleaned_data["on"])
            else:
                raise Http404("未找到该步骤")
        except DomainError as error:
            apply_domain_error(form, error)
        except PermissionDenied:
            raise
        else:
            messages.success(request, "已办理")
            return redirect("membership:exit_case", case.pk)
    return render(request, "membership/exit_case.html", {
        "nav": NAV, "case": case, "form": form, "committee": committee,
        "breadcrumb": _crumbs(request.user, case.membership.branch),
        "can_complete": committee is not None and _can(request.user, committee),
    })


# ---------------------------------------------------------------------------------------------
# Young Pioneers and the funnel


@access.scoped(Person, "pk", access.CHANGE)
def pioneer_recommend(request, person):
    brigade = next((u for u in reversed(list(person.unit.ancestors_and_self())) if u.kind == Kind.PIONEER_BRIGADE), None)
    school = next((u for u in reversed(list(person.unit.ancestors_and_self())) if u.kind == Kind.SCHOOL), None)
    form = life_forms.PioneerRecommendForm(request.POST or None, school=school)
    blocked = None
    if brigade is None or person.political_status != PoliticalStatus.PIONEER:
        blocked = "只有少先队大队的少先队员可以推优入团"
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            rec = pioneers.recommend(actor=request.user, person=person, brigade=brigade, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if rec.development_id:
                messages.success(request, f"已推优，{person.name}已转为入团积极分子候选")
            else:
                messages.success(request, f"已推优；{person.name}满 14 周岁（{pioneers.eligible_on(person, rec.branch):%Y-%m-%d}）"
                                          "后由团支部转为入团积极分子候选")
            return redirect("people:detail", person.pk)
    return _form_page(request, title=f"少先队推优入团：{person.name}", form=form, unit=person.unit, submit="推荐",
                      blocked=blocked, cancel_url=reverse("people:detail", args=[person.pk]),
                      intro="少先队推优是产生入团积极分子的渠道，不是年龄例外：满 14 周岁后方可转为入团积极分子候选。")


@access.scoped(PioneerRecommendation, "pk", access.CHANGE)
def pioneer_open(request, rec):
    form = life_forms.DateForm(request.POST or None, label="转入日期")
    ready = pioneers.eligible_on(rec.person, rec.branch)
    if request.method == "POST" and form.is_valid():
        try:
            d = pioneers.open_candidacy(actor=request.user, recommendation=rec, on=form.cleaned_data["on"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{rec.person.name}已转为入团积极分子候选")
            return redirect("membership:development", d.pk)
    return _form_page(request, title=f"少先队推优转入：{rec.person.name}", form=form, unit=rec.branch, submit="转入",
                      cancel_url=reverse("membership:pipeline", args=[rec.branch_id]),
                      facts=[("推荐的大队", rec.brigade.name), ("推荐日期", f"{rec.recommended_on:%Y-%m-%d}"),
                             ("满 14 周岁", f"{ready:%Y-%m-%d}"), ("推荐理由", rec.reason or "—")],
                      blocked=None if rec.development_id is None else "已转为入团积极分子候选")


@access.scoped(Unit, "pk", access.VIEW)
def funnel(request, unit):
    """党团队育人链接: Pioneers → 推优入团 → applicants → members → 推优入党, per school and township."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year + 1)
    units = pioneers.funnel_units(request.user, unit)
    rows = pioneers.funnel(request.user, units, year)
    totals = pioneers.funnel(request.user, [unit], year)[0]
    return render(request, "membership/funnel.html", {
        "nav": NAV, "unit": unit, "breadcrumb": _crumbs(request.user, unit), "rows": rows, "totals": totals,
        "year": year, "years": list(range(today.year, today.year - 5, -1)),
        "stage_counts": pioneers.stage_counts(request.user, unit),
    })
