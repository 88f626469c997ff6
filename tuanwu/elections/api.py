"""The JSON API of elections: the whole flow from set-up to result.

Meetings, elections and rounds are scoped records loaded through the access layer; every write
is one action in ``actions.py``. Tellers enter ballots without an account: their two operations
are public, take the teller's one-time code in the body and are rate-limited per address.
"""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Router, Schema, Status

from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.schemas import ERRORS, Day, Id, text
from tuanwu.people.models import Person

from . import actions, documents, rules
from .models import Election, Meeting, MeetingKind, OfficeChoice, Round, RoundMethod, TellerRole

router = Router()
API_PREFIX = "/elections"
TAGS = ["换届选举"]
TELLER_TAGS = ["计票人录入"]


def _ok(schema, status: int = 200) -> dict:
    return {status: schema, **ERRORS}


# ---------------------------------------------------------------------------------------------
# Shapes


class MeetingIn(Schema):
    unit_id: Id
    kind: Literal["members_meeting", "congress"] = Field(..., description="团员大会或团员代表大会")
    title: text(120, min_length=1)
    term_number: int = Field(..., ge=1, le=99, description="选举产生第几届")
    held_on: Day


class PlenaryIn(Schema):
    title: text(120, min_length=1)
    held_on: Day


class AttendeeOut(Schema):
    person_id: int
    name: str
    present: bool
    elected_by_id: int | None
    is_frontline: bool


class MeetingOut(Schema):
    id: int
    unit_id: int
    kind: str
    title: str
    term_number: int
    held_on: datetime.date
    congress_id: int | None
    due: int = Field(..., description="应到人数")
    present: int = Field(..., description="实到人数")
    approval: str = Field(..., description="新一届组成批准情况（R7.16）")
    election_ids: list[int]


class AttendeesIn(Schema):
    person_ids: list[Id] = Field(..., min_length=1, max_length=1000)
    elected_by_id: Id | None = Field(None, description="选举该代表的单位（代表大会）")
    is_frontline: bool = False


class RollCallIn(Schema):
    present_person_ids: list[Id] = Field(..., max_length=5000, description="到会人员（本人到会，不得委托）")


class RollCallOut(Schema):
    due: int
    present: int


class ApprovalIn(Schema):
    by: Literal["party", "above"]
    approved_on: Day
    document: text(120, min_length=1)


class ElectionIn(Schema):
    office: OfficeChoice
    seats: int = Field(..., ge=1, le=500)
    candidate_person_ids: list[Id] = Field(..., min_length=1, max_length=1000)


class CandidateOut(Schema):
    id: int
    person_id: int
    name: str


class TellerOut(Schema):
    id: int
    person_id: int
    name: str
    role: str


class RoundOut(Schema):
    id: int
    number: int
    kind: str
    method: str
    seats: int
    due: int
    present: int
    issued: int | None
    returned: int | None
    candidate_ids: list[int]
    accepted_ballots: int
    disagreements: dict[str, list[str]] = Field(..., description="选票编号 → 两人录入不一致的候选人 id")
    outcome: dict | None


class WinnerOut(Schema):
    person_id: int
    name: str
    votes: int
    round_number: int
    rank: int | None


class ElectionOut(Schema):
    id: int
    meeting_id: int
    unit_id: int
    office: str
    seats: int
    threshold_base: str
    quorum: str
    competitive_ratio: str
    status: str
    void_reason: str
    candidates: list[CandidateOut] = Field(..., description="按姓氏笔画排列")
    tellers: list[TellerOut]
    rounds: list[RoundOut]
    winners: list[WinnerOut] = Field(..., description="按姓氏笔画排列（候补委员按名次）")
    result_hash: str
    chain_valid: bool


class TellerIn(Schema):
    person_id: Id
    role: TellerRole


class TellerCodeOut(Schema):
    teller: TellerOut
    code: str = Field(..., description="计票编码，只返回这一次，只对本次选举有效")


class StartIn(Schema):
    method: RoundMethod = RoundMethod.BALLOTS


class ReconcileIn(Schema):
    issued: int = Field(..., ge=0, le=100_000)
    returned: int = Field(..., ge=0, le=100_000)


class ReasonIn(Schema):
    reason: text(300, min_length=1)


Mark = Literal["yes", "no", "abstain"]


class BallotIn(Schema):
    code: text(20, min_length=1)
    round_id: Id
    paper_number: int = Field(..., ge=1, le=100_000)
    marks: dict[str, Mark] = Field(..., description="候选人 id → yes/no/abstain；未列出的视为弃权")
    write_ins: list[text(60, min_length=1)] = Field(default_factory=list, max_length=200)


class EntryOut(Schema):
    status: Literal["accepted", "waiting", "disagreement"]
    void_reason: str
    differences: list[str]


class TallyRow(Schema):
    yes: int = Field(..., ge=0, le=100_000)
    no: int = Field(..., ge=0, le=100_000)
    abstain: int = Field(..., ge=0, le=100_000)


class TallyIn(Schema):
    code: text(20, min_length=1)
    round_id: Id
    counts: dict[str, TallyRow]
    write_ins: dict[str, int] = Field(default_factory=dict)
    valid: int = Field(..., ge=0, le=100_000)
    void: int = Field(..., ge=0, le=100_000)


# ---------------------------------------------------------------------------------------------
# Helpers


def _meeting_out(meeting: Meeting) -> dict:
    due, present = actions.roll_call(meeting)
    return {"id": meeting.pk, "unit_id": meeting.unit_id, "kind": meeting.kind, "title": meeting.title,
            "term_number": meeting.term_number, "held_on": meeting.held_on, "congress_id": meeting.congress_id,
            "due": due, "present": present, "approval": rules.COMPOSITION_LABELS[actions.approval_status(meeting)],
            "election_ids": list(meeting.elections.values_list("pk", flat=True))}


def _election_out(election: Election) -> dict:
    ctx = documents.result_context(election)
    rounds = []
    for rnd in election.rounds.order_by("number"):
        rounds.append({
            "id": rnd.pk, "number": rnd.number, "kind": rnd.kind, "method": rnd.method, "seats": rnd.seats,
            "due": rnd.due, "present": rnd.present, "issued": rnd.issued, "returned": rnd.returned,
            "candidate_ids": sorted(rnd.candidates.values_list("pk", flat=True)),
            "accepted_ballots": rnd.ballots.count(),
            "disagreements": {str(k): v for k, v in actions.disagreements(rnd).items()}
            if rnd.method == RoundMethod.BALLOTS else {},
            "outcome": rnd.outcome,
        })
    return {
        "id": election.pk, "meeting_id": election.meeting_id, "unit_id": election.unit_id, "office": election.office,
        "seats": election.seats, "threshold_base": election.threshold_base, "quorum": str(election.quorum),
        "competitive_ratio": str(election.competitive_ratio), "status": election.status,
        "void_reason": election.void_reason,
        "candidates": [{"id": c.pk, "person_id": c.person_id, "name": c.name}
                       for c in rules.stroke_order(election.candidates.all(), name=lambda c: c.name)],
        "tellers": [_teller_out(t) for t in ctx["tellers"]],
        "rounds": rounds,
        "winners": [{"person_id": w.person_id, "name": w.name, "votes": w.votes, "round_number": w.round_number,
                     "rank": w.rank} for w in ctx["winners"]],
        "result_hash": election.result_hash, "chain_valid": actions.verify_chain(election),
    }


def _teller_out(teller) -> dict:
    return {"id": teller.pk, "person_id": teller.person_id, "name": teller.person.name, "role": teller.role}


def _people(user, ids: list[int]) -> list[Person]:
    """People named in a request, each of whom the caller must be able to see."""
    found = {p.pk: p for p in access.visible_to(user, Person.objects.filter(pk__in=ids)).select_related("unit")}
    missing = [i for i in ids if i not in found]
    if missing:
        raise DomainError(f"人员 {missing[0]} 不存在，或您无权查看", field="person_ids")
    return [found[i] for i in ids]


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


# ---------------------------------------------------------------------------------------------
# Meetings


@router.get("/meetings", response=_ok(list[MeetingOut]), tags=TAGS, operation_id="list_election_meetings",
            summary="选举会议列表", description="您有权查看的团员大会、代表大会和全委会，最近的在前（最多 200 条）。")
@access.api_scoped(Meeting, None, access.VIEW)
def list_meetings(request):
    meetings = access.visible_to(request.user, Meeting.objects.all()).order_by("-held_on", "-pk")[:200]
    return [_meeting_out(m) for m in meetings]


@router.post("/meetings", response=_ok(MeetingOut, 201), tags=TAGS, operation_id="create_election_meeting",
             summary="筹备选举会议", description="需要该组织的编辑权限。")
@access.api_scoped(Unit, None, access.CHANGE)
def create_meeting(request, payload: MeetingIn):
    unit = access.get_unit_or_404(request.user, payload.unit_id, access.VIEW)
    meeting = actions.create_meeting(actor=request.user, unit=unit, kind=payload.kind, title=payload.title,
                                     term_number=payload.term_number, held_on=payload.held_on)
    return Status(201, _meeting_out(meeting))


@router.get("/meetings/{meeting_id}", response=_ok(MeetingOut), tags=TAGS, operation_id="get_election_meeting",
            summary="选举会议详情")
@access.api_scoped(Meeting, "meeting_id", access.VIEW)
def get_meeting(request, meeting_id: Id):
    return _meeting_out(request.scoped_object)


@router.get("/meetings/{meeting_id}/attendees", response=_ok(list[AttendeeOut]), tags=TAGS,
            operation_id="list_meeting_attendees", summary="到会名单（应到与实到）")
@access.api_scoped(Meeting, "meeting_id", access.VIEW)
def list_attendees(request, meeting_id: Id):
    return [{"person_id": a.person_id, "name": a.person.name, "present": a.present, "elected_by_id": a.elected_by_id,
             "is_frontline": a.is_frontline}
            for a in request.scoped_object.attendees.select_related("person").order_by("pk")]


@router.post("/meetings/{meeting_id}/attendees", response=_ok(RollCallOut), tags=TAGS,
             operation_id="add_meeting_attendees", summary="登记应到会人员",
             description="团员和担任团内职务的党员；受留团察看处分的没有选举权（R7.3）。全委会只能登记新当选的委员。")
@access.api_scoped(Meeting, "meeting_id", access.CHANGE)
def add_attendees(request, meeting_id: Id, payload: AttendeesIn):
    meeting = request.scoped_object
    elected_by = None
    if payload.elected_by_id is not None:
        elected_by = access.visible_units(request.user).filter(pk=payload.elected_by_id).first()
        if elected_by is None:
            raise DomainError("选举单位不存在，或您无权查看", field="elected_by_id")
    actions.add_attendees(actor=request.user, meeting=meeting, people=_people(request.user, payload.person_ids),
                          elected_by=elected_by, is_frontline=payload.is_frontline)
    due, present = actions.roll_call(meeting)
    return {"due": due, "present": present}


@router.post("/meetings/{meeting_id}/roll-call", response=_ok(RollCallOut), tags=TAGS,
             operation_id="record_roll_call", summary="点名", description="返回应到和实到人数。")
@access.api_scoped(Meeting, "meeting_id", access.CHANGE)
def record_roll_call(request, meeting_id: Id, payload: RollCallIn):
    due, present = actions.record_roll_call(actor=request.user, meeting=request.scoped_object,
                                            present_person_ids=set(payload.present_person_ids))
    return {"due": due, "present": present}


@router.post("/meetings/{meeting_id}/approvals", response=_ok(MeetingOut), tags=TAGS,
             operation_id="record_composition_approval", summary="登记新一届组成的批准（R7.16）",
             description="党组织的批准需要本组织的编辑权限，上级团委的批准需要上级组织的编辑权限。")
@access.api_scoped(Meeting, "meeting_id", access.CHANGE)
def record_approval(request, meeting_id: Id, payload: ApprovalIn):
    meeting = actions.record_composition_approval(actor=request.user, meeting=request.scoped_object, by=payload.by,
                                                  approved_on=payload.approved_on, document=payload.document)
    return _meeting_out(meeting)


@router.post("/meetings/{meeting_id}/plenary", response=_ok(MeetingOut, 201), tags=TAGS,
             operation_id="create_plenary", summary="召开新一届委员会全体会议（R7.14）")
@access.api_scoped(Meeting, "meeting_id", access.CHANGE)
def create_plenary(request, meeting_id: Id, payload: PlenaryIn):
    congress = request.scoped_object
    plenary = actions.create_meeting(actor=request.user, unit=congress.unit, kind=MeetingKind.PLENARY,
                                     title=payload.title, term_number=congress.term_number, held_on=payload.held_on,
                                     congress=congress)
    return Status(201, _meeting_out(plenary))


@router.post("/meetings/{meeting_id}/elections", response=_ok(ElectionOut, 201), tags=TAGS,
             operation_id="create_election", summary="设立选举",
             description="候选人差额（R7.5）；基层不设候补委员（R7.13）；全委会从新当选的委员中选举（R7.14）。")
@access.api_scoped(Meeting, "meeting_id", access.CHANGE)
def create_election(request, meeting_id: Id, payload: ElectionIn):
    election = actions.create_election(actor=request.user, meeting=request.scoped_object, office=payload.office,
                                       seats=payload.seats,
                                       candidates=_people(request.user, payload.candidate_person_ids))
    return Status(201, _election_out(election))


# ---------------------------------------------------------------------------------------------
# Elections and rounds


@router.get("/{election_id}", response=_ok(ElectionOut), tags=TAGS, operation_id="get_election",
            summary="选举详情与结果", description="候选人和当选人按姓氏笔画排列；含各轮计票、分歧与哈希链校验。")
@access.api_scoped(Election, "election_id", access.VIEW)
def get_election(request, election_id: Id):
    return _election_out(request.scoped_object)


@router.post("/{election_id}/tellers", response=_ok(TellerCodeOut, 201), tags=TAGS, operation_id="add_teller",
             summary="指定监票人、计票人并生成计票编码", description="监票人、计票人不得为候选人（R7.4）。编码只返回一次。")
@access.api_scoped(Election, "election_id", access.CHANGE)
def add_teller(request, election_id: Id, payload: TellerIn):
    person = _people(request.user, [payload.person_id])[0]
    teller, code = actions.add_teller(actor=request.user, election=request.scoped_object, person=person,
                                      role=payload.role)
    return Status(201, {"teller": _teller_out(teller), "code": code})


@router.post("/{election_id}/start", response=_ok(ElectionOut), tags=TAGS, operation_id="start_counting",
             summary="开始计票", description="实到人数须超过应到人数的规定比例（R7.6）；至少两名计票人。")
@access.api_scoped(Election, "election_id", access.CHANGE)
def start_counting(request, election_id: Id, payload: StartIn):
    actions.start_counting(actor=request.user, election=request.scoped_object, method=payload.method)
    return _election_out(Election.objects.get(pk=election_id))


@router.post("/rounds/{round_id}/reconciliation", response=_ok(ElectionOut), tags=TAGS,
             operation_id="record_reconciliation", summary="清点发出和收回的选票")
@access.api_scoped(Round, "round_id", access.CHANGE)
def reconcile(request, round_id: Id, payload: ReconcileIn):
    rnd = request.scoped_object
    actions.record_reconciliation(actor=request.user, round=rnd, issued=payload.issued, returned=payload.returned)
    return _election_out(Election.objects.get(pk=rnd.election_id))


@router.post("/rounds/{round_id}/count", response=_ok(ElectionOut), tags=TAGS, operation_id="count_round",
             summary="本轮计票",
             description="收回多于发出则选举无效（R7.8）；过半数者多于名额时得票相等者再次投票（R7.10），"
                         "少于名额时另行选举（R7.11），均作为同一选举的新一轮。")
@access.api_scoped(Round, "round_id", access.CHANGE)
def count_round(request, round_id: Id):
    rnd = request.scoped_object
    actions.count_round(actor=request.user, round=rnd)
    return _election_out(Election.objects.get(pk=rnd.election_id))


@router.post("/{election_id}/close", response=_ok(ElectionOut), tags=TAGS, operation_id="close_election",
             summary="结束选举并封存结果")
@access.api_scoped(Election, "election_id", access.CHANGE)
def close_election(request, election_id: Id):
    return _election_out(actions.close_election(actor=request.user, election=request.scoped_object))


@router.post("/{election_id}/reopen", response=_ok(ElectionOut), tags=TAGS, operation_id="reopen_election",
             summary="重新开启选举（须记录原因）")
@access.api_scoped(Election, "election_id", access.CHANGE)
def reopen_election(request, election_id: Id, payload: ReasonIn):
    return _election_out(actions.reopen_election(actor=request.user, election=request.scoped_object,
                                                 reason=payload.reason))


@router.post("/{election_id}/install", response=_ok(list[WinnerOut]), tags=TAGS, operation_id="install_winners",
             summary="当选人登记任职", description="每位当选人在本组织登记一条团内职务，备注新一届组成的批准情况（R7.16）。")
@access.api_scoped(Election, "election_id", access.CHANGE)
def install_winners(request, election_id: Id):
    winners = actions.install_winners(actor=request.user, election=request.scoped_object)
    return [{"person_id": w.person_id, "name": w.name, "votes": w.votes, "round_number": w.round_number,
             "rank": w.rank} for w in winners]


# ---------------------------------------------------------------------------------------------
# Tellers (no account: the one-time code)


@router.post("/teller/ballots", response=_ok(EntryOut), tags=TELLER_TAGS, operation_id="teller_enter_ballot",
             summary="计票人录入一张选票（无需登录）", auth=None,
             description="凭计票编码录入；两名计票人对同一张选票的录入一致时采用，不一致时返回不一致的候选人。"
                         "编码错误按来源地址限频（15 分钟 10 次）。")
@access.api_public
def teller_enter_ballot(request, payload: BallotIn):
    teller = actions.teller_for_code(code=payload.code, ip=_client_ip(request))
    rnd = Round.objects.filter(pk=payload.round_id, election_id=teller.election_id).first()
    if rnd is None:
        raise DomainError("该计票编码不能用于这一轮", field="round_id")
    return actions.enter_ballot(teller=teller, round=rnd, paper_number=payload.paper_number,
                                marks=dict(payload.marks), write_ins=list(payload.write_ins))


@router.post("/teller/tallies", response=_ok(EntryOut), tags=TELLER_TAGS, operation_id="teller_enter_tally",
             summary="计票人录入手工计票结果（无需登录）", auth=None,
             description="按候选人录入赞成、反对、弃权票数；两名计票人录入一致时采用。")
@access.api_public
def teller_enter_tally(request, payload: TallyIn):
    teller = actions.teller_for_code(code=payload.code, ip=_client_ip(request))
    rnd = Round.objects.filter(pk=payload.round_id, election_id=teller.election_id).first()
    if rnd is None:
        raise DomainError("该计票编码不能用于这一轮", field="round_id")
    counts = {k: v.model_dump() for k, v in payload.counts.items()}
    return actions.enter_tally(teller=teller, round=rnd, counts=counts, write_ins=dict(payload.write_ins),
                               valid=payload.valid, void=payload.void)
