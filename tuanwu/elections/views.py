"""Election pages: the list (with the overdue terms), a meeting with its roll call, an election
from set-up to result, the printed papers, and the tellers' code-guarded entry pages.

Reads go through the access layer, every change through one action in ``actions.py``.
"""

from __future__ import annotations

from fractions import Fraction

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tuanwu.core.errors import DomainError
from tuanwu.membership.models import Membership
from tuanwu.organisations import access
from tuanwu.organisations.forms import apply_domain_error
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import LEAGUE_LEADING_KINDS
from tuanwu.people.models import Person

from . import actions, documents, rules
from .forms import (
    ApprovalForm,
    BallotEntryForm,
    ElectionForm,
    MeetingForm,
    PaperForm,
    PeopleChoiceForm,
    PlenaryForm,
    ReasonForm,
    ReconcileForm,
    TellerCodeForm,
    TellerForm,
)
from .models import Election, Meeting, MeetingKind, Round, RoundMethod, Status, Teller

NAV = "elections"
PEOPLE_CHOICE_LIMIT = 400
SESSION_KEY = "election_tellers"


def _breadcrumb(user, unit: Unit) -> list[Unit]:
    return [u for u in unit.ancestors_and_self() if access.can(user, access.VIEW, u)]


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


# ---------------------------------------------------------------------------------------------
# List


@access.scoped(Election, None, access.VIEW)
def election_list(request):
    user = request.user
    meetings = (access.visible_to(user, Meeting.objects.all()).select_related("unit")
                .prefetch_related("elections").order_by("-held_on", "-pk")[:100])
    units = list(access.visible_units(user, access.CHANGE).filter(closed_on__isnull=True)
                 .exclude(kind__startswith="party").exclude(kind__startswith="pioneer").exclude(kind="school")
                 .order_by("path")[:PEOPLE_CHOICE_LIMIT])
    overdue = list(actions.overdue_terms(user)[:200])
    # The 筹备换届 button only where its form would let the user in (an inspector sees the
    # overdue list read-only).
    can_prepare = {t.unit_id for t in overdue if access.CHANGE in access.permissions_on(user, t.unit)}
    return render(request, "elections/list.html", {
        "nav": NAV, "meetings": meetings, "overdue": overdue, "can_prepare": can_prepare, "units": units,
        "today": timezone.localdate(),
    })


@access.scoped(Unit, None, access.CHANGE)
def meeting_choose(request):
    """The list's unit picker: on to the chosen unit's meeting form (checked there)."""
    unit_id = request.GET.get("unit", "")
    if not unit_id.isdigit():
        return redirect("elections:list")
    return redirect("elections:meeting_create", int(unit_id))


# ---------------------------------------------------------------------------------------------
# Meetings


@access.scoped(Unit, "pk", access.CHANGE)
def meeting_create(request, unit):
    form = MeetingForm(request.POST or None, initial={
        "kind": "congress" if unit.kind in LEAGUE_LEADING_KINDS else "members_meeting",
        "title": f"{unit.name}{'团员代表大会' if unit.kind in LEAGUE_LEADING_KINDS else '团员大会'}",
        "held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.create_meeting(actor=request.user, unit=unit, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "已创建选举会议，请登记应到会人员")
            return redirect("elections:meeting_detail", meeting.pk)
    return render(request, "elections/form.html", {
        "nav": NAV, "title": f"筹备选举会议：{unit.name}", "form": form, "submit": "创建",
        "breadcrumb": _breadcrumb(request.user, unit),
        "intro": "团员大会由全体团员参加；200 名团员以上可召开团员代表大会（R7.13）。全委会在代表大会选出委员后创建。",
    })


def _eligible_people(meeting: Meeting) -> list[tuple[str, str]]:
    """People who could be added to the roll call: members in the unit's subtree (R7.3 is
    checked again by the action), not yet on it."""
    on_list = set(meeting.attendees.values_list("person_id", flat=True))
    if meeting.kind == MeetingKind.PLENARY:
        members = actions._committee_members(meeting.congress) - on_list
        people = Person.objects.filter(pk__in=members).order_by("name")
        return [(str(p.pk), p.name) for p in people]
    rows = (Membership.objects.filter(branch__path__startswith=meeting.unit.path,
                                      status__in=sorted(rules.VOTING_STATUSES))
            .exclude(person_id__in=on_list).select_related("person", "branch").order_by("branch__path", "person__name")
            [:PEOPLE_CHOICE_LIMIT])
    return [(str(m.person_id), f"{m.person.name}（{m.branch.name}）") for m in rows]


@access.scoped(Meeting, "pk", access.VIEW)
def meeting_detail(request, meeting):
    user = request.user
    can_change = access.can(user, access.CHANGE, meeting.unit)
    attendees = list(meeting.attendees.select_related("person", "elected_by").order_by("pk"))
    due, present = actions.roll_call(meeting)
    counting = meeting.elections.filter(rounds__isnull=False).exists()
    structure = None
    if meeting.kind == MeetingKind.CONGRESS and attendees:
        from tuanwu.core.rule_settings import get_rule

        on = meeting.held_on
        facts = [rules.DelegateFacts(gender=a.person.gender, ethnicity=a.person.ethnicity,
                                     age=a.person.age_on(on), is_frontline=a.is_frontline) for a in attendees]
        structure = rules.delegate_structure(
            facts, women_share=get_rule("elections.delegate_women_share", meeting.unit, on),
            minority_share=get_rule("elections.delegate_minority_share", meeting.unit, on),
            frontline_share=get_rule("elections.delegate_frontline_share", meeting.unit, on),
            young_share=get_rule("elections.delegate_young_share", meeting.unit, on),
            young_max_age=get_rule("elections.delegate_young_max_age", meeting.unit, on))
    quorum = None
    first = meeting.elections.first()
    if first is not None:
        quorum = rules.quorum_refusal(due=due, present=present, quorum=first.quorum)
    return render(request, "elections/meeting.html", {
        "nav": NAV, "meeting": meeting, "attendees": attendees, "due": due, "present": present,
        "elections": list(meeting.elections.all()), "can_change": can_change, "counting": counting,
        "add_form": PeopleChoiceForm(choices=_eligible_people(meeting)) if can_change and not counting else None,
        "approval_form": ApprovalForm() if can_change and meeting.kind != MeetingKind.PLENARY else None,
        "approval": rules.COMPOSITION_LABELS[actions.approval_status(meeting)],
        "plenaries": list(meeting.plenaries.all()), "structure": structure, "quorum_problem": quorum,
        "breadcrumb": _breadcrumb(user, meeting.unit),
        "can_plenary": can_change and meeting.kind == MeetingKind.CONGRESS and actions._committee_members(meeting),
    })


@access.scoped(Meeting, "pk", access.CHANGE)
@require_POST
def meeting_attendees(request, meeting):
    form = PeopleChoiceForm(request.POST, choices=_eligible_people(meeting))
    if form.is_valid():
        ids = [int(x) for x in form.cleaned_data["people"]]
        people = list(Person.objects.filter(pk__in=ids).select_related("unit"))
        try:
            added = actions.add_attendees(actor=request.user, meeting=meeting, people=people)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已登记 {len(added)} 名应到会人员")
    else:
        messages.error(request, "请选择人员")
    return redirect("elections:meeting_detail", meeting.pk)


@access.scoped(Meeting, "pk", access.CHANGE)
@require_POST
def meeting_roll_call(request, meeting):
    ids = {int(x) for x in request.POST.getlist("present") if x.isdigit()}
    try:
        due, present = actions.record_roll_call(actor=request.user, meeting=meeting, present_person_ids=ids)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"点名完成：应到 {due} 人，实到 {present} 人")
    return redirect("elections:meeting_detail", meeting.pk)


@access.scoped(Meeting, "pk", access.CHANGE)
@require_POST
def meeting_approval(request, meeting):
    form = ApprovalForm(request.POST)
    if form.is_valid():
        try:
            actions.record_composition_approval(actor=request.user, meeting=meeting, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已登记批准")
    else:
        messages.error(request, "请填写批准单位、日期和批复文号")
    return redirect("elections:meeting_detail", meeting.pk)


@access.scoped(Meeting, "pk", access.CHANGE)
def plenary_create(request, meeting):
    form = PlenaryForm(request.POST or None, initial={"held_on": meeting.held_on})
    if request.method == "POST" and form.is_valid():
        try:
            plenary = actions.create_meeting(actor=request.user, unit=meeting.unit, kind=MeetingKind.PLENARY,
                                             term_number=meeting.term_number, congress=meeting, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return redirect("elections:meeting_detail", plenary.pk)
    return render(request, "elections/form.html", {
        "nav": NAV, "title": f"召开全委会：{meeting.title}", "form": form, "submit": "创建",
        "breadcrumb": _breadcrumb(request.user, meeting.unit),
        "intro": "新一届委员会全体会议从新当选的委员中选举常委（差额）、书记和副书记（可等额）（R7.14）。",
    })


def _offices_for(meeting: Meeting) -> list[str]:
    if meeting.kind == MeetingKind.PLENARY:
        return sorted(rules.PLENARY_OFFICES)
    offices = [rules.Office.COMMITTEE]
    if meeting.unit.kind in LEAGUE_LEADING_KINDS:
        offices.append(rules.Office.ALTERNATE)
    else:
        offices += [rules.Office.SECRETARY, rules.Office.DEPUTY, rules.Office.DELEGATE]
    return offices


@access.scoped(Meeting, "pk", access.CHANGE)
def election_create(request, meeting):
    choices = [(str(a.person_id), a.person.name) for a in meeting.attendees.select_related("person").order_by("pk")]
    form = ElectionForm(request.POST or None, choices=choices, offices=_offices_for(meeting))
    if request.method == "POST" and form.is_valid():
        people = list(Person.objects.filter(pk__in=[int(x) for x in form.cleaned_data["candidates"]]))
        try:
            election = actions.create_election(actor=request.user, meeting=meeting, office=form.cleaned_data["office"],
                                               seats=form.cleaned_data["seats"], candidates=people)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            advice = rules.size_advice(unit_kind=meeting.unit.kind, seats=election.seats)
            if advice and election.office == rules.Office.COMMITTEE:
                messages.warning(request, f"提示：{advice}（R7.13）")
            messages.success(request, "已设立选举，请指定监票人、计票人")
            return redirect("elections:election_detail", election.pk)
    return render(request, "elections/form.html", {
        "nav": NAV, "title": f"设立选举：{meeting.title}", "form": form, "submit": "设立选举",
        "breadcrumb": _breadcrumb(request.user, meeting.unit),
        "intro": "候选人从应到会人员中选择。差额选举的候选人数不少于应选名额的规定倍数；书记、副书记可等额（R7.5）。"
                 "基层团组织不设候补委员（R7.13）。",
    })


# ---------------------------------------------------------------------------------------------
# An election


def _election_page(request, election, *, new_code=None, status=200):
    user = request.user
    can_change = access.can(user, access.CHANGE, election.unit) and not election.is_closed
    rounds = []
    for rnd in election.rounds.order_by("number").prefetch_related("candidates"):
        rounds.append({
            "round": rnd, "accepted": rnd.ballots.count(), "void_ballots": rnd.ballots.exclude(void_reason="").count(),
            "disagreements": actions.disagreements(rnd) if rnd.method == RoundMethod.BALLOTS and rnd.outcome is None
            else {},
            "candidates": documents.ballot_candidates(election, rnd),
            "reconcile_form": ReconcileForm(initial={"issued": rnd.issued, "returned": rnd.returned})
            if can_change and rnd.outcome is None else None,
        })
    candidate_ids = set(election.candidates.values_list("person_id", flat=True))
    teller_ids = set(election.tellers.values_list("person_id", flat=True))
    teller_choices = [(str(a.person_id), a.person.name) for a in election.meeting.attendees.select_related("person")
                      if a.person_id not in candidate_ids | teller_ids]
    ctx = result = documents.result_context(election)
    return render(request, "elections/election.html", {
        "nav": NAV, "election": election, "meeting": election.meeting, "result": result,
        "candidates": documents.ballot_candidates(election, election.rounds.order_by("number").first()),
        "tellers": ctx["tellers"], "rounds": rounds, "can_change": can_change,
        "can_reopen": access.can(user, access.CHANGE, election.unit) and election.is_closed,
        "teller_form": TellerForm(choices=teller_choices) if can_change and election.status == Status.SETUP else None,
        "new_code": new_code, "open_round": actions.open_round(election),
        "chain_ok": actions.verify_chain(election), "installed": election.winners.filter(post_holding__isnull=False).exists(),
        "breadcrumb": _breadcrumb(user, election.unit), "due_present": actions.roll_call(election.meeting),
        "void_rule": rules.VOID_RULE_TEXT, "teller_url": request.build_absolute_uri(reverse("elections:teller_login")),
        "quorum_label": str(Fraction(str(election.quorum)).limit_denominator(100)),
    }, status=status)


@access.scoped(Election, "pk", access.VIEW)
def election_detail(request, election):
    return _election_page(request, election)


def _run(request, target, func, success: str, **kwargs):
    try:
        func(actor=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("elections:election_detail", target.pk)


@access.scoped(Election, "pk", access.CHANGE)
@require_POST
def teller_add(request, election):
    form = TellerForm(request.POST, choices=[(request.POST.get("person"), "")])
    if not form.is_valid():
        messages.error(request, "请选择人员和分工")
        return redirect("elections:election_detail", election.pk)
    person = Person.objects.filter(pk=int(form.cleaned_data["person"]),
                                   pk__in=election.meeting.attendees.values("person_id")).first()
    if person is None:
        messages.error(request, "监票人、计票人须在到会名单中")
        return redirect("elections:election_detail", election.pk)
    try:
        teller, code = actions.add_teller(actor=request.user, election=election, person=person,
                                          role=form.cleaned_data["role"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("elections:election_detail", election.pk)
    # The code is shown this once (it is stored only as a hash).
    return _election_page(request, election, new_code=(teller, code))


@access.scoped(Election, "pk", access.CHANGE)
@require_POST
def election_start(request, election):
    method = request.POST.get("method", RoundMethod.BALLOTS)
    return _run(request, election, actions.start_counting, "已开始计票：请按编号清点并录入选票", election=election,
                method=method)


@access.scoped(Round, "pk", access.CHANGE)
@require_POST
def round_reconcile(request, rnd):
    form = ReconcileForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写发出和收回的选票数")
        return redirect("elections:election_detail", rnd.election_id)
    return _run(request, rnd.election, actions.record_reconciliation, "已登记清点结果", round=rnd, **form.cleaned_data)


@access.scoped(Round, "pk", access.CHANGE)
@require_POST
def round_count(request, rnd):
    return _run(request, rnd.election, actions.count_round, f"第{rnd.number}轮计票完成", round=rnd)


@access.scoped(Round, "pk", access.CHANGE)
@require_POST
def round_discard(request, rnd):
    form = PaperForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写选票编号")
        return redirect("elections:election_detail", rnd.election_id)
    return _run(request, rnd.election, actions.discard_entries, "已撤销该选票的一致录入，请两名计票人重新录入",
                round=rnd, paper_number=form.cleaned_data["paper_number"])


@access.scoped(Election, "pk", access.CHANGE)
@require_POST
def election_close(request, election):
    return _run(request, election, actions.close_election, "选举已结束，结果已封存", election=election)


@access.scoped(Election, "pk", access.CHANGE)
@require_POST
def election_reopen(request, election):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "重新开启须填写原因")
        return redirect("elections:election_detail", election.pk)
    return _run(request, election, actions.reopen_election, "选举已重新开启，原因已记录", election=election,
                reason=form.cleaned_data["reason"])


@access.scoped(Election, "pk", access.CHANGE)
@require_POST
def election_install(request, election):
    return _run(request, election, actions.install_winners, "当选人已登记任职", election=election)


@access.scoped(Election, "pk", access.VIEW)
def ballot_pdf(request, election):
    rnd = actions.open_round(election) or election.rounds.order_by("number").first()
    response = HttpResponse(documents.ballot_pdf(election, rnd), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ballot-{election.pk}.pdf"'
    return response


@access.scoped(Election, "pk", access.VIEW)
def result_pdf(request, election):
    response = HttpResponse(documents.result_pdf(election), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="result-{election.pk}.pdf"'
    return response


@access.scoped(Election, "pk", access.VIEW)
def result_docx(request, election):
    response = HttpResponse(
        documents.result_docx(election),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f'attachment; filename="result-{election.pk}.docx"'
    return response


# ---------------------------------------------------------------------------------------------
# Tellers: no account, a one-time code valid for one election


def _session_teller(request) -> Teller | None:
    teller_id = request.session.get(SESSION_KEY)
    if not teller_id:
        return None
    teller = (Teller.objects.select_related("election", "election__meeting", "person")
              .filter(pk=teller_id).exclude(election__status__in=[Status.CLOSED, Status.VOID]).first())
    if teller is None:
        request.session.pop(SESSION_KEY, None)
    return teller


@access.public
def teller_login(request):
    """Public, guarded by the code: a teller enters the code given to them for one election."""
    form = TellerCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            teller = actions.teller_for_code(code=form.cleaned_data["code"], ip=_client_ip(request))
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY] = teller.pk
            return redirect("elections:teller_entry")
    return render(request, "elections/teller_login.html", {"form": form})


@access.public
def teller_entry(request):
    """Public, guarded by the code in the session: enter paper ballots for the open round."""
    teller = _session_teller(request)
    if teller is None:
        return redirect("elections:teller_login")
    election = teller.election
    rnd = actions.open_round(election)
    candidates = documents.ballot_candidates(election, rnd) if rnd else []
    form = BallotEntryForm(request.POST or None, candidates=candidates)
    result = None
    if request.method == "POST" and rnd is not None and form.is_valid():
        try:
            result = actions.enter_ballot(teller=teller, round=rnd, paper_number=form.cleaned_data["paper_number"],
                                          marks=form.marks(), write_ins=form.names())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            result["paper_number"] = form.cleaned_data["paper_number"]
            # In ballot order, as the tellers see the paper.
            result["difference_names"] = [c.name for c in candidates if str(c.pk) in result["differences"]] + (
                ["另选他人"] if "write_ins" in result["differences"] else [])
            if result["status"] != "disagreement":
                form = BallotEntryForm(candidates=candidates,
                                       initial={"paper_number": form.cleaned_data["paper_number"] + 1})
    mine = set(rnd.entries.filter(teller=teller).values_list("paper_number", flat=True)) if rnd else set()
    return render(request, "elections/teller_entry.html", {
        "teller": teller, "election": election, "round": rnd, "form": form, "result": result,
        "accepted": rnd.ballots.count() if rnd else 0, "mine": len(mine),
        "disagreements": sorted(actions.disagreements(rnd)) if rnd and rnd.method == RoundMethod.BALLOTS else [],
        "void_rule": rules.VOID_RULE_TEXT, "office_label": rules.OFFICE_LABELS[election.office],
    })


@access.public
@require_POST
def teller_logout(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("elections:teller_login")
