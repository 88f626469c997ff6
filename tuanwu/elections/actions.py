"""State changes of meetings, elections and counting. Every action checks access, runs in one
transaction, applies the League's rules (``rules.py``, with the county's values read through
``get_rule``) and writes the audit trail.

Tellers act without an account: their actions take the :class:`Teller` (found by its one-time
code) instead of a user, and the audit trail names them.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets

from django.db import transaction
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError
from tuanwu.core.rule_settings import get_rule
from tuanwu.membership.models import Membership
from tuanwu.organisations import access
from tuanwu.organisations import actions as org_actions
from tuanwu.organisations.models import Term, Unit
from tuanwu.organisations.rules import LEAGUE_LEADING_KINDS
from tuanwu.people import actions as people_actions
from tuanwu.people.models import Person, PoliticalStatus, Position
from tuanwu.people.queries import holds_post_on

from . import rules
from .models import (
    Attendee,
    BallotEntry,
    Candidate,
    CodeAttempt,
    Election,
    Meeting,
    MeetingKind,
    PaperBallot,
    Reopening,
    Round,
    RoundKind,
    RoundMethod,
    Status,
    Teller,
    TermReschedule,
    Winner,
)
from .rules import Ballot, Mark, Office

PARTY_STATUSES = frozenset({PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PARTY_PROBATIONARY})
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
CODE_LENGTH = 10
CODE_WINDOW = datetime.timedelta(minutes=15)
CODE_FAILURES_ALLOWED = 10


def _require(actor, permission: str, unit: Unit) -> None:
    access.enforce(access.decide(actor, permission, unit))


def _open_election(election: Election) -> Election:
    """Lock the election row (entries are chained in order) and refuse changes once closed."""
    election = Election.objects.select_for_update().select_related("unit", "meeting").get(pk=election.pk)
    if election.is_closed:
        raise DomainError("选举已结束，结果不可更改；如需更正，请先记录原因并重新开启")
    return election


# ---------------------------------------------------------------------------------------------
# R7.2 terms: early or late elections


@transaction.atomic
def request_term_reschedule(*, actor, term: Term, new_date: datetime.date, reason: str) -> TermReschedule:
    """Record a request to hold the election earlier or later than the term's planned end."""
    _require(actor, access.CHANGE, term.unit)
    if term.ended_on is not None:
        raise DomainError("该届任期已结束")
    if not (reason or "").strip():
        raise DomainError("请填写提前或延期换届的理由", field="reason")
    refusal = rules.reschedule_refusal(unit_kind=term.unit.kind, planned_end=term.planned_end_on, new_date=new_date)
    if refusal:
        raise DomainError(refusal, field="new_date")
    item = TermReschedule.objects.create(term=term, original_end_on=term.planned_end_on, new_date=new_date,
                                         reason=reason.strip())
    audit.record(actor=actor, action="申请提前或延期换届", obj=item, after=audit.snapshot(item))
    return item


@transaction.atomic
def approve_term_reschedule(*, actor, reschedule: TermReschedule, by: str, approved_on: datetime.date,
                            document: str) -> TermReschedule:
    """Record one of the two approvals (``by`` = "party" or "above"). With both, the term's
    planned end moves to the approved date, so reminders and the overdue list follow it."""
    term = reschedule.term
    # The approvals are recorded by the committee above (or the county) on the unit's behalf.
    parent = Unit.objects.get_parent(term.unit) or term.unit
    _require(actor, access.CHANGE, parent)
    reschedule = TermReschedule.objects.select_for_update().get(pk=reschedule.pk)
    if reschedule.applied:
        raise DomainError("该申请已经生效")
    if not (document or "").strip():
        raise DomainError("请填写批复文号", field="document")
    before = audit.snapshot(reschedule)
    if by == "party":
        reschedule.party_approved_on, reschedule.party_document = approved_on, document.strip()
    elif by == "above":
        reschedule.above_approved_on, reschedule.above_document = approved_on, document.strip()
    else:
        raise DomainError("批准单位只能是同级党组织或上级团组织", field="by")
    if rules.reschedule_approved(party_approved_on=reschedule.party_approved_on,
                                 above_approved_on=reschedule.above_approved_on):
        term_before = audit.snapshot(term)
        Term.objects.filter(pk=term.pk).update(planned_end_on=reschedule.new_date)
        term.refresh_from_db()
        audit.record(actor=actor, action="调整换届时间（已获两级批准）", obj=term, before=term_before,
                     after=audit.snapshot(term))
        reschedule.applied = True
    reschedule.save()
    audit.record(actor=actor, action="批准提前或延期换届", obj=reschedule, before=before, after=audit.snapshot(reschedule))
    return reschedule


# ---------------------------------------------------------------------------------------------
# Meetings and the roll call


@transaction.atomic
def create_meeting(*, actor, unit: Unit, kind: str, title: str, term_number: int, held_on: datetime.date,
                   congress: Meeting | None = None, is_sample: bool = False) -> Meeting:
    """Set up a members' meeting, a congress, or the new committee's plenary (R7.13, R7.14)."""
    _require(actor, access.CHANGE, unit)
    if kind not in MeetingKind.values:
        raise DomainError("会议类型无效", field="kind")
    if unit.is_party or not unit.is_open:
        raise DomainError("只能为在册的团组织筹备选举", field="unit")
    if not (title or "").strip():
        raise DomainError("请填写会议名称", field="title")
    if kind == MeetingKind.PLENARY:
        if congress is None or congress.unit_id != unit.pk or congress.kind == MeetingKind.PLENARY:
            raise DomainError("全委会须属于本组织的一次团员大会或代表大会", field="congress")
    elif congress is not None:
        raise DomainError("只有全委会属于一次代表大会", field="congress")
    meeting = Meeting.objects.create(unit=unit, kind=kind, title=title.strip(), term_number=term_number,
                                     held_on=held_on, congress=congress, is_sample=is_sample)
    audit.record(actor=actor, action="筹备选举会议", obj=meeting, after=audit.snapshot(meeting))
    return meeting


def voter_refusal_for(person: Person, on: datetime.date) -> str | None:
    """R7.3 for a stored person: membership status, party membership, League posts."""
    # Read the status fresh: a cached membership on the person may be stale.
    status = Membership.objects.filter(person_id=person.pk).values_list("status", flat=True).first()
    return rules.voter_refusal(
        membership_status=status,
        is_party_member=person.political_status in PARTY_STATUSES,
        holds_league_post=holds_post_on(person, on),
    )


def _committee_members(congress: Meeting) -> set[int]:
    """People elected 委员 at the congress (their plenary's voters, R7.14; 候补 have no vote, R7.15)."""
    return set(Winner.objects.filter(election__meeting=congress, election__office=Office.COMMITTEE,
                                     election__status=Status.CLOSED).values_list("person_id", flat=True))


@transaction.atomic
def add_attendees(*, actor, meeting: Meeting, people: list[Person], elected_by: Unit | None = None,
                  is_frontline: bool = False, is_sample: bool = False) -> list[Attendee]:
    """Put voters on the roll call (R7.3: members, party members holding League posts, not those
    under 留团察看; at a plenary only the newly elected 委员)."""
    _require(actor, access.CHANGE, meeting.unit)
    if meeting.elections.filter(rounds__isnull=False).exists():
        raise DomainError("已开始计票，到会名单不能再改动")
    members = _committee_members(meeting.congress) if meeting.kind == MeetingKind.PLENARY else None
    created = []
    for person in people:
        if members is not None:
            if person.pk not in members:
                raise DomainError(f"{person.name}不是新当选的委员，不参加全委会选举", field="people")
        else:
            refusal = voter_refusal_for(person, meeting.held_on)
            if refusal:
                raise DomainError(f"{person.name}：{refusal}", field="people")
        if meeting.kind != MeetingKind.CONGRESS and not person.unit.path.startswith(meeting.unit.path):
            raise DomainError(f"{person.name}不在本组织", field="people")
        if Attendee.objects.filter(meeting=meeting, person=person).exists():
            raise DomainError(f"{person.name}已在到会名单中", field="people")
        created.append(Attendee(meeting=meeting, person=person, elected_by=elected_by, is_frontline=is_frontline,
                                is_sample=is_sample))
    Attendee.objects.bulk_create(created)
    audit.record_many(actor=actor, action="登记应到会人员", items=[(a, None, audit.snapshot(a)) for a in created])
    return created


@transaction.atomic
def record_roll_call(*, actor, meeting: Meeting, present_person_ids: set[int]) -> tuple[int, int]:
    """Mark who is present (no proxies: only the person themselves). Returns (应到, 实到)."""
    _require(actor, access.CHANGE, meeting.unit)
    if meeting.elections.filter(rounds__isnull=False).exists():
        raise DomainError("已开始计票，到会情况不能再改动")
    attendees = list(meeting.attendees.all())
    unknown = set(present_person_ids) - {a.person_id for a in attendees}
    if unknown:
        raise DomainError("到会人员须在应到会名单中", field="present")
    changed = []
    for attendee in attendees:
        present = attendee.person_id in present_person_ids
        if attendee.present != present:
            before = audit.snapshot(attendee)
            attendee.present = present
            changed.append((attendee, before))
    Attendee.objects.bulk_update([a for a, _ in changed], ["present"])
    if changed:
        audit.record_many(actor=actor, action="点名", items=[(a, b, audit.snapshot(a)) for a, b in changed])
    return roll_call(meeting)


def roll_call(meeting: Meeting) -> tuple[int, int]:
    """(应到, 实到) of a meeting."""
    due = meeting.attendees.count()
    return due, meeting.attendees.filter(present=True).count()


# ---------------------------------------------------------------------------------------------
# Elections


@transaction.atomic
def create_election(*, actor, meeting: Meeting, office: str, seats: int, candidates: list[Person],
                    is_sample: bool = False) -> Election:
    """Set up an election: what is elected, seats, candidates (差额 R7.5; plenary from the new
    committee R7.14; no 候补 at basic level R7.13), with the county's rule values in force."""
    unit = meeting.unit
    _require(actor, access.CHANGE, unit)
    if office not in rules.OFFICE_LABELS:
        raise DomainError("选举职务无效", field="office")
    by_plenary = meeting.kind == MeetingKind.PLENARY
    refusal = rules.office_refusal(unit_kind=unit.kind, office=office, by_plenary=by_plenary)
    if refusal:
        raise DomainError(refusal, field="office")
    if office == Office.DELEGATE and unit.kind in LEAGUE_LEADING_KINDS:
        raise DomainError("代表由下级组织选举产生", field="office")
    if len({p.pk for p in candidates}) != len(candidates):
        raise DomainError("候选人重复", field="candidates")
    ratio = get_rule("elections.competitive_ratio", unit, meeting.held_on)
    refusal = rules.competitive_refusal(candidates=len(candidates), seats=seats, ratio=ratio, office=office)
    if refusal:
        raise DomainError(refusal, field="candidates")
    if by_plenary:
        refusal = rules.plenary_candidate_refusal(candidate_ids=[p.pk for p in candidates],
                                                  committee_ids=_committee_members(meeting.congress))
        if refusal:
            raise DomainError(refusal, field="candidates")
    else:
        for person in candidates:
            refusal = voter_refusal_for(person, meeting.held_on)
            if refusal:
                raise DomainError(f"候选人{person.name}：{refusal}", field="candidates")
    election = Election.objects.create(
        meeting=meeting, unit=unit, office=office, seats=seats,
        threshold_base=get_rule("elections.threshold_base", unit, meeting.held_on),
        quorum=get_rule("elections.quorum", unit, meeting.held_on), competitive_ratio=ratio, is_sample=is_sample,
    )
    Candidate.objects.bulk_create([Candidate(election=election, person=p, name=p.name) for p in candidates])
    audit.record(actor=actor, action="设立选举", obj=election,
                 after={**audit.snapshot(election), "candidates": [p.name for p in candidates]})
    return election


def _code_hash(code: str) -> str:
    return hashlib.sha256(("teller-code:" + code.strip().upper().replace(" ", "")).encode()).hexdigest()


@transaction.atomic
def add_teller(*, actor, election: Election, person: Person, role: str) -> tuple[Teller, str]:
    """Appoint a 监票人 or 计票人 (never a candidate, R7.4) and issue their one-time code, valid
    for this election only. The code is returned once and stored only as a hash."""
    _require(actor, access.CHANGE, election.unit)
    election = _open_election(election)
    if role not in ("scrutineer", "counter"):
        raise DomainError("分工只能是监票人或计票人", field="role")
    refusal = rules.teller_refusal(teller_ids=[person.pk],
                                   candidate_ids=election.candidates.values_list("person_id", flat=True))
    if refusal:
        raise DomainError(refusal, field="person")
    if election.tellers.filter(person=person).exists():
        raise DomainError(f"{person.name}已是本次选举的监票人或计票人", field="person")
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    teller = Teller.objects.create(election=election, person=person, role=role, code_hash=_code_hash(code),
                                   code_hint=code[-2:])
    audit.record(actor=actor, action="指定监票人、计票人", obj=teller, after=audit.snapshot(teller))
    return teller, code


def code_attempts_exceeded(ip: str | None) -> bool:
    since = timezone.now() - CODE_WINDOW
    return CodeAttempt.objects.filter(ip=ip, succeeded=False, at__gte=since).count() >= CODE_FAILURES_ALLOWED


def teller_for_code(*, code: str, ip: str | None) -> Teller:
    """The teller whose code this is, for an election still being counted; rate-limited per
    address (10 failures in 15 minutes). Not atomic on purpose: a failed attempt must stay
    recorded although the refusal is raised."""
    if code_attempts_exceeded(ip):
        raise DomainError("尝试次数过多，请 15 分钟后再试", field="code")
    teller = (Teller.objects.select_related("election", "election__unit", "person")
              .filter(code_hash=_code_hash(code or ""))
              .exclude(election__status__in=[Status.CLOSED, Status.VOID]).first())
    CodeAttempt.objects.create(ip=ip, succeeded=teller is not None)
    if teller is None:
        raise DomainError("计票编码无效，或该选举已结束", field="code")
    return teller


# ---------------------------------------------------------------------------------------------
# Rounds


def _new_round(election: Election, *, kind: str, seats: int, candidates, method: str) -> Round:
    due, present = roll_call(election.meeting)
    number = (election.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    rnd = Round.objects.create(election=election, number=number, kind=kind, seats=seats, due=due, present=present,
                               method=method)
    rnd.candidates.set(candidates)
    return rnd


@transaction.atomic
def start_counting(*, actor, election: Election, method: str = RoundMethod.BALLOTS) -> Round:
    """Open the first round: the quorum (R7.6) is checked on the roll call, and at least two
    tellers must be appointed for double entry."""
    _require(actor, access.CHANGE, election.unit)
    election = _open_election(election)
    if election.rounds.exists():
        raise DomainError("计票已经开始")
    if method not in RoundMethod.values:
        raise DomainError("计票方式无效", field="method")
    due, present = roll_call(election.meeting)
    refusal = rules.quorum_refusal(due=due, present=present, quorum=election.quorum)
    if refusal:
        raise DomainError(refusal)
    if election.tellers.count() < 2:
        raise DomainError("至少需要两名监票人或计票人，才能双人录入选票")
    before = audit.snapshot(election)
    election.status = Status.COUNTING
    election.save(update_fields=["status"])
    rnd = _new_round(election, kind=RoundKind.FIRST, seats=election.seats, candidates=election.candidates.all(),
                     method=method)
    audit.record(actor=actor, action="开始计票", obj=election, before=before, after=audit.snapshot(election))
    return rnd


@transaction.atomic
def record_reconciliation(*, actor, round: Round, issued: int, returned: int) -> Round:
    """Record how many ballots were issued and returned in a round (R7.8 is applied at the count)."""
    _require(actor, access.CHANGE, round.election.unit)
    _open_election(round.election)
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.outcome is not None:
        raise DomainError("本轮已计票完毕")
    if issued < 0 or returned < 0:
        raise DomainError("票数不能为负", field="issued")
    if issued > round.present:
        raise DomainError(f"发出选票 {issued} 张，多于实到人数 {round.present}（不得委托投票）", field="issued")
    before = audit.snapshot(round)
    round.issued, round.returned = issued, returned
    round.save(update_fields=["issued", "returned"])
    audit.record(actor=actor, action="清点选票", obj=round, before=before, after=audit.snapshot(round))
    return round


# ---------------------------------------------------------------------------------------------
# Double entry and the hash chain

GENESIS = "0" * 64


def _canonical(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_content(entry: BallotEntry) -> dict:
    return {"round": entry.round.number, "teller": entry.teller_id, "paper": entry.paper_number,
            "marks": entry.marks, "write_ins": entry.write_ins, "at": entry.entered_at.isoformat()}


def chain_hash(previous: str, content: dict) -> str:
    return hashlib.sha256((previous + _canonical(content)).encode()).hexdigest()


def _last_hash(election: Election) -> str:
    last = BallotEntry.objects.filter(round__election=election).order_by("-pk").values_list("entry_hash", flat=True)
    return last.first() or GENESIS


def _clean_marks(rnd: Round, marks: dict) -> dict[str, str]:
    keys = {str(pk) for pk in rnd.candidates.values_list("pk", flat=True)}
    clean = {}
    for key, mark in (marks or {}).items():
        if str(key) not in keys:
            raise DomainError("选票上没有该候选人", field="marks")
        if mark not in rules.MARKS:
            raise DomainError("标记只能是赞成、反对或弃权", field="marks")
        if mark != Mark.ABSTAIN:  # an unmarked box is 弃权: store only the marks that say something
            clean[str(key)] = mark
    return clean


def _clean_write_ins(write_ins) -> list[str]:
    return [n.strip() for n in (write_ins or []) if n and n.strip()]


def _latest_entries(rnd: Round, paper: int) -> dict[int, BallotEntry]:
    latest: dict[int, BallotEntry] = {}
    for entry in rnd.entries.filter(paper_number=paper).order_by("pk"):
        latest[entry.teller_id] = entry
    return latest


def _agreement(rnd: Round, paper: int) -> tuple[bool, list[str]]:
    """Whether the latest entries of two tellers agree, and the differing candidate keys."""
    latest = list(_latest_entries(rnd, paper).values())
    if len(latest) < 2:
        return False, []
    keys = [str(pk) for pk in rnd.candidates.values_list("pk", flat=True)]
    first, second = latest[-2], latest[-1]
    diffs = rules.ballot_differences(Ballot(first.marks, tuple(first.write_ins)),
                                     Ballot(second.marks, tuple(second.write_ins)), candidate_keys=keys)
    return not diffs, diffs


@transaction.atomic
def enter_ballot(*, teller: Teller, round: Round, paper_number: int, marks: dict, write_ins: list[str]) -> dict:
    """A teller enters one paper ballot. When two tellers' latest entries of the paper agree it
    is accepted (and its validity decided, R7.7); when they differ, nothing is accepted and the
    differing candidates are returned so that both look at the paper again."""
    election = _open_election(round.election)
    if teller.election_id != election.pk:
        raise DomainError("该计票编码不能用于这次选举")
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.outcome is not None:
        raise DomainError("本轮已计票完毕")
    if rnd.method != RoundMethod.BALLOTS:
        raise DomainError("本轮按计票结果录入，不逐张录入选票")
    if paper_number < 1:
        raise DomainError("选票编号从 1 开始", field="paper_number")
    if rnd.returned is not None and paper_number > rnd.returned:
        raise DomainError(f"选票编号不能大于收回的选票数 {rnd.returned}", field="paper_number")
    if rnd.ballots.filter(number=paper_number).exists():
        raise DomainError(f"第 {paper_number} 号选票已由两人一致录入")
    clean = _clean_marks(rnd, marks)
    names = _clean_write_ins(write_ins)
    entry = BallotEntry(round=rnd, teller=teller, paper_number=paper_number, marks=clean, write_ins=names,
                        entered_at=timezone.now(), previous_hash=_last_hash(election))
    entry.entry_hash = chain_hash(entry.previous_hash, entry_content(entry))
    entry.save()
    audit.record(actor=None, action=f"{teller.get_role_display()}{teller.person.name}录入第{paper_number}号选票",
                 obj=entry, after=audit.snapshot(entry))
    agreed, diffs = _agreement(rnd, paper_number)
    if agreed:
        keys = [str(pk) for pk in rnd.candidates.values_list("pk", flat=True)]
        reason = rules.ballot_void_reason(Ballot(clean, tuple(names)), seats=rnd.seats, candidate_keys=keys)
        PaperBallot.objects.create(round=rnd, number=paper_number, marks=clean, write_ins=names,
                                   void_reason=reason or "")
        return {"status": "accepted", "void_reason": reason or "", "differences": []}
    if diffs:
        return {"status": "disagreement", "void_reason": "", "differences": diffs}
    return {"status": "waiting", "void_reason": "", "differences": []}


def disagreements(rnd: Round) -> dict[int, list[str]]:
    """Papers whose two tellers' entries differ: paper number → differing candidate keys."""
    accepted = set(rnd.ballots.values_list("number", flat=True))
    result = {}
    papers = sorted(set(rnd.entries.values_list("paper_number", flat=True)) - accepted)
    for paper in papers:
        agreed, diffs = _agreement(rnd, paper)
        if diffs:
            result[paper] = diffs
    return result


@transaction.atomic
def enter_tally(*, teller: Teller, round: Round, counts: dict, write_ins: dict, valid: int, void: int) -> dict:
    """Per-candidate tallies counted by hand: ``counts`` = {candidate_id: {"yes", "no",
    "abstain"}}, ``write_ins`` = {name: yes votes}. Two tellers enter it; it counts once their
    entries agree."""
    election = _open_election(round.election)
    if teller.election_id != election.pk:
        raise DomainError("该计票编码不能用于这次选举")
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.outcome is not None:
        raise DomainError("本轮已计票完毕")
    if rnd.method != RoundMethod.TALLIES:
        raise DomainError("本轮逐张录入选票")
    keys = {str(pk) for pk in rnd.candidates.values_list("pk", flat=True)}
    if set(map(str, counts)) != keys:
        raise DomainError("须为每位候选人填写票数", field="counts")
    clean = {}
    for key, value in counts.items():
        row = {m: int(value.get(m, 0)) for m in (Mark.YES, Mark.NO, Mark.ABSTAIN)}
        if min(row.values()) < 0 or sum(row.values()) != valid:
            raise DomainError("每位候选人的赞成、反对、弃权票之和应等于有效票数", field="counts")
        clean[str(key)] = row
    names = {n.strip(): int(v) for n, v in (write_ins or {}).items() if n and n.strip() and int(v) > 0}
    if any(v > valid for v in names.values()):
        raise DomainError("另选他人的票数不能多于有效票数", field="write_ins")
    payload = {"counts": clean, "valid": valid, "void": void}
    entry = BallotEntry(round=rnd, teller=teller, paper_number=0, marks=payload, write_ins=sorted(names.items()),
                        entered_at=timezone.now(), previous_hash=_last_hash(election))
    entry.entry_hash = chain_hash(entry.previous_hash, entry_content(entry))
    entry.save()
    audit.record(actor=None, action=f"{teller.get_role_display()}{teller.person.name}录入计票结果", obj=entry,
                 after=audit.snapshot(entry))
    latest = list(_latest_entries(rnd, 0).values())
    if len(latest) >= 2:
        a, b = latest[-2], latest[-1]
        same = a.marks == b.marks and a.write_ins == b.write_ins
        return {"status": "accepted" if same else "disagreement", "void_reason": "",
                "differences": [] if same else sorted(k for k in keys if a.marks["counts"][k] != b.marks["counts"][k])
                + ([] if a.write_ins == b.write_ins else ["write_ins"])
                + ([] if (a.marks["valid"], a.marks["void"]) == (b.marks["valid"], b.marks["void"]) else ["valid"])}
    return {"status": "waiting", "void_reason": "", "differences": []}


# ---------------------------------------------------------------------------------------------
# Counting a round


def round_tally(rnd: Round) -> rules.Tally:
    """The tally of a round from its accepted ballots (or its agreed hand count)."""
    keys = [str(pk) for pk in rnd.candidates.order_by("pk").values_list("pk", flat=True)]
    if rnd.method == RoundMethod.TALLIES:
        latest = list(_latest_entries(rnd, 0).values())
        if len(latest) < 2 or latest[-1].marks != latest[-2].marks or latest[-1].write_ins != latest[-2].write_ins:
            raise DomainError("两名计票人录入的计票结果尚未一致")
        data = latest[-1].marks
        result = rules.Tally(valid=data["valid"], void=data["void"])
        for key, row in data["counts"].items():
            for mark, counter in ((Mark.YES, result.yes), (Mark.NO, result.no), (Mark.ABSTAIN, result.abstain)):
                if row[mark]:
                    counter[key] += row[mark]
        for name, votes in latest[-1].write_ins:
            result.yes[rules.write_in_key(name)] += votes
        return result
    ballots = [Ballot(b.marks, tuple(b.write_ins)) for b in rnd.ballots.all()]
    return rules.tally(ballots, seats=rnd.seats, candidate_keys=keys)


@transaction.atomic
def count_round(*, actor, round: Round) -> Round:
    """Count a round once every returned ballot is accepted: R7.8 (void election), R7.9–R7.11
    (elected, tie at the cut → a re-vote round, shortfall → a further round)."""
    _require(actor, access.CHANGE, round.election.unit)
    election = _open_election(round.election)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if rnd.outcome is not None:
        raise DomainError("本轮已计票完毕")
    if rnd.issued is None or rnd.returned is None:
        raise DomainError("请先清点发出和收回的选票数")
    before = audit.snapshot(election)
    void = rules.election_void_reason(issued=rnd.issued, returned=rnd.returned)
    if void:
        election.status, election.void_reason = Status.VOID, void
        election.closed_at = timezone.now()
        election.result_hash = chain_hash(_last_hash(election), {"void": void})
        election.save(update_fields=["status", "void_reason", "closed_at", "result_hash"])
        rnd.outcome = {"void": void}
        rnd.counted_at = timezone.now()
        rnd.save(update_fields=["outcome", "counted_at"])
        audit.record(actor=actor, action="选举无效", obj=election, before=before, after=audit.snapshot(election))
        return rnd
    if rnd.method == RoundMethod.BALLOTS:
        pending = disagreements(rnd)
        if pending:
            raise DomainError("以下选票两人录入不一致，请核对后重新录入：第 " + "、".join(map(str, pending)) + " 号")
        accepted = rnd.ballots.count()
        if accepted != rnd.returned:
            raise DomainError(f"收回选票 {rnd.returned} 张，已一致录入 {accepted} 张，请录完全部选票")
    tally = round_tally(rnd)
    if rnd.method == RoundMethod.TALLIES and tally.valid + tally.void != rnd.returned:
        raise DomainError(f"有效票与废票之和（{tally.valid + tally.void}）应等于收回选票数 {rnd.returned}")
    base = rules.threshold_base(base_kind=election.threshold_base, due=rnd.due, present=rnd.present)
    keys = [str(pk) for pk in rnd.candidates.values_list("pk", flat=True)]
    yes = {k: tally.yes.get(k, 0) for k in keys} | {k: v for k, v in tally.yes.items() if k not in keys}
    decided = rules.decide_round(yes=yes, seats=rnd.seats, base=base)
    rnd.outcome = {
        "valid": tally.valid, "void": tally.void, "base": base, "yes": yes, "no": dict(tally.no),
        "abstain": dict(tally.abstain), "elected": list(decided.elected), "tied": list(decided.tied),
        "tie_seats": decided.tie_seats, "shortfall": decided.shortfall,
    }
    rnd.counted_at = timezone.now()
    rnd.save(update_fields=["outcome", "counted_at"])
    audit.record(actor=actor, action=f"第{rnd.number}轮计票", obj=rnd, after={"outcome": rnd.outcome})
    # The next round, if any: the tied re-vote for the seats at the cut (R7.10); otherwise the
    # seats left go to a further round among the candidates not yet elected (R7.11).
    elected_keys = set(_elected_keys(election))
    if decided.tied:
        tied_ids = [int(k) for k in decided.tied if not k.startswith("另选:")]
        if len(tied_ids) != len(decided.tied):
            raise DomainError("另选他人与候选人得票相等，须由大会决定再次投票的人选")
        _new_round(election, kind=RoundKind.REVOTE, seats=decided.tie_seats,
                   candidates=Candidate.objects.filter(pk__in=tied_ids), method=rnd.method)
    elif decided.shortfall:
        remaining = election.candidates.exclude(pk__in=[int(k) for k in elected_keys if not k.startswith("另选:")])
        _new_round(election, kind=RoundKind.FURTHER, seats=decided.shortfall, candidates=remaining, method=rnd.method)
    return rnd


def _elected_keys(election: Election) -> list[str]:
    keys: list[str] = []
    for rnd in election.rounds.exclude(outcome__isnull=True).order_by("number"):
        keys.extend(rnd.outcome.get("elected", []))
    return keys


def open_round(election: Election) -> Round | None:
    return election.rounds.filter(outcome__isnull=True).order_by("number").first()


@transaction.atomic
def end_without_filling(*, actor, election: Election, reason: str) -> Election:
    """Stop holding further rounds (the meeting decides the remaining seats stay empty)."""
    _require(actor, access.CHANGE, election.unit)
    election = _open_election(election)
    rnd = open_round(election)
    if rnd is None:
        raise DomainError("没有待进行的轮次")
    if rnd.entries.exists():
        raise DomainError("该轮已开始录入选票，不能取消")
    if not (reason or "").strip():
        raise DomainError("请填写原因", field="reason")
    audit.record(actor=actor, action="不再另行选举", obj=election, after={"round": rnd.number, "reason": reason.strip()})
    rnd.delete()
    return election


# ---------------------------------------------------------------------------------------------
# Result, close, re-open


def _person_for_write_in(election: Election, name: str) -> Person:
    matches = [a.person for a in election.meeting.attendees.select_related("person") if a.person.name == name]
    if len(matches) != 1:
        raise DomainError(f"另选他人“{name}”当选，但在到会名单中找不到唯一对应的人员，请核实后再结束选举")
    return matches[0]


def result_data(election: Election) -> dict:
    """The content the result hash covers: every round's counts and the winners."""
    return {
        "election": election.pk, "office": election.office, "seats": election.seats,
        "rounds": [{"number": r.number, "kind": r.kind, "seats": r.seats, "due": r.due, "present": r.present,
                    "issued": r.issued, "returned": r.returned, "outcome": r.outcome}
                   for r in election.rounds.order_by("number")],
        "winners": [{"person": w.person_id, "votes": w.votes, "round": w.round_number, "rank": w.rank}
                    for w in election.winners.order_by("pk")],
    }


@transaction.atomic
def close_election(*, actor, election: Election) -> Election:
    """Close a counted election: winners recorded (候补委员 ranked, R7.15), result hashed onto the
    chain of entries; from now on it is immutable."""
    _require(actor, access.CHANGE, election.unit)
    election = _open_election(election)
    if election.status != Status.COUNTING:
        raise DomainError("选举尚未开始计票")
    if open_round(election) is not None:
        raise DomainError("还有未完成的轮次（再次投票或另行选举）")
    before = audit.snapshot(election)
    candidates = {str(c.pk): c for c in election.candidates.select_related("person")}
    votes_of: dict[str, tuple[int, int]] = {}
    for rnd in election.rounds.exclude(outcome__isnull=True).order_by("number"):
        for key in rnd.outcome.get("elected", []):
            votes_of[key] = (rnd.outcome["yes"][key], rnd.number)
    winners = []
    for key, (votes, number) in votes_of.items():
        if key.startswith("另选:"):
            person = _person_for_write_in(election, key.split(":", 1)[1])
            winners.append(Winner(election=election, candidate=None, person=person, name=person.name, votes=votes,
                                  round_number=number))
        else:
            c = candidates[key]
            winners.append(Winner(election=election, candidate=c, person=c.person, name=c.name, votes=votes,
                                  round_number=number))
    if election.office == Office.ALTERNATE:
        by_key = {str(w.person_id): w for w in winners}
        order = rules.rank_alternates(yes={k: w.votes for k, w in by_key.items()}, elected=list(by_key),
                                      name=lambda k: by_key[k].name)
        for position, key in enumerate(order, start=1):
            by_key[key].rank = position
    Winner.objects.bulk_create(winners)
    election.status = Status.CLOSED
    election.closed_at = timezone.now()
    election.result_hash = chain_hash(_last_hash(election), result_data(election))
    election.save(update_fields=["status", "closed_at", "result_hash"])
    audit.record(actor=actor, action="结束选举", obj=election, before=before,
                 after={**audit.snapshot(election), "winners": [w.name for w in winners]})
    return election


def verify_chain(election: Election) -> bool:
    """Recompute every entry's hash and the result hash; False if anything stored was changed."""
    previous = GENESIS
    for entry in BallotEntry.objects.filter(round__election=election).select_related("round").order_by("pk"):
        if entry.previous_hash != previous or chain_hash(previous, entry_content(entry)) != entry.entry_hash:
            return False
        previous = entry.entry_hash
    if election.status == Status.CLOSED:
        return chain_hash(previous, result_data(election)) == election.result_hash
    if election.status == Status.VOID:
        return chain_hash(previous, {"void": election.void_reason}) == election.result_hash
    return True


@transaction.atomic
def reopen_election(*, actor, election: Election, reason: str) -> Election:
    """Re-open a closed election for a correction, with the reason recorded. Not possible once
    the winners have taken up their posts."""
    _require(actor, access.CHANGE, election.unit)
    election = Election.objects.select_for_update().get(pk=election.pk)
    if not election.is_closed:
        raise DomainError("选举尚未结束")
    if not (reason or "").strip():
        raise DomainError("重新开启须填写原因", field="reason")
    if election.winners.filter(post_holding__isnull=False).exists():
        raise DomainError("当选人已登记任职，不能重新开启")
    before = audit.snapshot(election)
    Reopening.objects.create(election=election, reason=reason.strip(), previous_hash=election.result_hash,
                             actor_label=actor.get_username() if getattr(actor, "pk", None) else "系统")
    election.winners.all().delete()
    last = election.rounds.exclude(outcome__isnull=True).order_by("-number").first()
    if last is not None:
        # The last counted round is counted again after the correction.
        last.outcome, last.counted_at = None, None
        last.save(update_fields=["outcome", "counted_at"])
    election.status, election.void_reason, election.closed_at, election.result_hash = Status.COUNTING, "", None, ""
    election.save(update_fields=["status", "void_reason", "closed_at", "result_hash"])
    audit.record(actor=actor, action=f"重新开启选举：{reason.strip()}", obj=election, before=before,
                 after=audit.snapshot(election))
    return election


@transaction.atomic
def discard_entries(*, actor, round: Round, paper_number: int) -> int:
    """After a re-opening, an accepted paper may be entered again: its acceptance is withdrawn
    (the entries themselves stay on the chain)."""
    _require(actor, access.CHANGE, round.election.unit)
    _open_election(round.election)
    deleted, _ = PaperBallot.objects.filter(round=round, number=paper_number).delete()
    audit.record(actor=actor, action=f"撤销第{paper_number}号选票的一致录入", obj=round, after={"paper": paper_number})
    return deleted


# ---------------------------------------------------------------------------------------------
# The new committee (R7.16)

POSITION_FOR_OFFICE = {
    Office.COMMITTEE: Position.COMMITTEE_MEMBER,
    Office.SECRETARY: Position.SECRETARY,
    Office.DEPUTY: Position.DEPUTY_SECRETARY,
    # PostHolding has no 候补委员 or 常委 position yet: recorded as 其他 with the office in the note.
    Office.ALTERNATE: Position.OTHER,
    Office.STANDING: Position.OTHER,
}


def approval_status(meeting: Meeting) -> str:
    root = meeting.congress or meeting
    return rules.composition_status(party_approved_on=root.party_approved_on, above_approved_on=root.above_approved_on)


@transaction.atomic
def record_composition_approval(*, actor, meeting: Meeting, by: str, approved_on: datetime.date,
                                document: str) -> Meeting:
    """R7.16: the party committee's or the League committee above's approval of the new committee."""
    parent = Unit.objects.get_parent(meeting.unit) or meeting.unit
    _require(actor, access.CHANGE, parent if by == "above" else meeting.unit)
    if not (document or "").strip():
        raise DomainError("请填写批复文号", field="document")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    before = audit.snapshot(meeting)
    if by == "party":
        meeting.party_approved_on, meeting.party_document = approved_on, document.strip()
    elif by == "above":
        meeting.above_approved_on, meeting.above_document = approved_on, document.strip()
    else:
        raise DomainError("批准单位只能是党组织或上级团委", field="by")
    meeting.save()
    audit.record(actor=actor, action="新一届委员会组成获批", obj=meeting, before=before, after=audit.snapshot(meeting))
    return meeting


@transaction.atomic
def install_winners(*, actor, election: Election) -> list[Winner]:
    """Winners of a closed election take up their posts: one PostHolding each in the unit
    (through the people part), with the composition's approval status in the note (R7.16).
    Delegates hold no post. After this the election can no longer be re-opened."""
    _require(actor, access.CHANGE, election.unit)
    election = Election.objects.select_for_update().select_related("meeting", "unit").get(pk=election.pk)
    if election.status != Status.CLOSED:
        raise DomainError("选举尚未结束")
    if election.office == Office.DELEGATE:
        raise DomainError("代表不登记团内职务")
    winners = list(election.winners.filter(post_holding__isnull=True).select_related("person"))
    if not winners:
        raise DomainError("当选人已全部登记任职")
    meeting = election.meeting
    status = rules.COMPOSITION_LABELS[approval_status(meeting)]
    root = meeting.congress or meeting
    documents = "；".join(d for d in (root.party_document, root.above_document) if d)
    if meeting.kind != MeetingKind.PLENARY and not Term.objects.filter(unit=election.unit,
                                                                       number=meeting.term_number).exists():
        org_actions.start_term(actor=actor, unit=election.unit, number=meeting.term_number, started_on=meeting.held_on,
                               how_elected="congress" if meeting.kind == MeetingKind.CONGRESS else "members_meeting",
                               note=meeting.title, is_sample=election.is_sample)
    for w in winners:
        note = f"{meeting.title}选举产生{rules.OFFICE_LABELS[election.office]}"
        if w.rank:
            note += f"（第{w.rank}名）"
        note += f"；组成{status}"
        holding = people_actions.add_post_holding(
            actor=actor, person=w.person, unit=election.unit, position=POSITION_FOR_OFFICE[election.office],
            started_on=meeting.held_on, how_obtained="elected", document=documents, note=note,
            is_sample=election.is_sample,
        )
        Winner.objects.filter(pk=w.pk).update(post_holding=holding)
        w.post_holding = holding
    return winners


# ---------------------------------------------------------------------------------------------
# Reads used by pages, the API and the demo


def overdue_terms(user, today: datetime.date | None = None):
    """R7.2: open terms past their planned end that the user may see (the county's overdue list)."""
    today = today or timezone.localdate()
    return (access.visible_to(user, Term.objects.filter(ended_on__isnull=True, unit__closed_on__isnull=True,
                                                        planned_end_on__lt=today))
            .select_related("unit").order_by("planned_end_on", "unit__path"))


def elections_for(user, unit: Unit | None = None):
    qs = access.visible_to(user, Election.objects.all()).select_related("meeting", "unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("-meeting__held_on", "pk")

