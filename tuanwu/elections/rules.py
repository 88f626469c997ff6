"""The League's election rules (R7.2–R7.17) as pure functions.

Configurable values (the 差额 ratio, the quorum, the threshold base, delegate targets …) are
parameters: actions read them with ``get_rule`` for the unit and date and pass them in. Term
lengths and the first reminder (R7.1, R7.2) live in ``tuanwu/organisations/rules.py``.

Counting works on plain data: a ballot is a mapping from candidate key to mark plus a tuple of
written-in names, so the same functions count stored ballots, recount the demo, and run under
hypothesis.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from tuanwu.organisations.rules import BRANCH_KINDS, COMMITTEE_KINDS, LEAGUE_LEADING_KINDS, Kind, add_months

# ---------------------------------------------------------------------------------------------
# What is elected


class Office:
    DELEGATE = "delegate"
    COMMITTEE = "committee_member"  # 委员 (and a basic-level branch committee)
    ALTERNATE = "alternate_member"  # 候补委员
    STANDING = "standing_member"  # 常委
    SECRETARY = "secretary"
    DEPUTY = "deputy_secretary"


OFFICE_LABELS = {
    Office.DELEGATE: "代表",
    Office.COMMITTEE: "委员",
    Office.ALTERNATE: "候补委员",
    Office.STANDING: "常务委员会委员",
    Office.SECRETARY: "书记",
    Office.DEPUTY: "副书记",
}

# R7.5: 书记 and 副书记 may be elected with as many candidates as seats (等额).
EQUAL_ALLOWED_OFFICES = frozenset({Office.SECRETARY, Office.DEPUTY})
# R7.14: offices the committee's plenary (全委会) elects from its own members.
PLENARY_OFFICES = frozenset({Office.STANDING, Office.SECRETARY, Office.DEPUTY})


class Mark:
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


MARK_LABELS = {Mark.YES: "赞成", Mark.NO: "反对", Mark.ABSTAIN: "弃权"}
MARKS = frozenset(MARK_LABELS)

# Printed on every ballot paper and result sheet (R7.7).
VOID_RULE_TEXT = "赞成（含另选他人）的人数多于应选名额的，选票作废。"


# ---------------------------------------------------------------------------------------------
# R7.2 early or late elections, reminders


def reschedule_refusal(*, unit_kind: str, planned_end: datetime.date, new_date: datetime.date,
                       branch_max_months: int = 6, other_max_months: int = 12) -> str | None:
    """R7.2: an election moved earlier or later than the term's end by at most 6 months for a
    branch (团支部, 团总支) and 1 year for other units."""
    if new_date == planned_end:
        return "新的换届日期与应届满日期相同，无需报批"
    limit = branch_max_months if unit_kind in BRANCH_KINDS | {Kind.GENERAL_BRANCH} else other_max_months
    if not add_months(planned_end, -limit) <= new_date <= add_months(planned_end, limit):
        return f"提前或延期换届不能超过 {limit} 个月"
    return None


def reschedule_approved(*, party_approved_on: datetime.date | None, above_approved_on: datetime.date | None) -> bool:
    """R7.2: both the party organisation and the League committee above must approve."""
    return party_approved_on is not None and above_approved_on is not None


def reminder_stage(*, due_on: datetime.date, today: datetime.date, first_months: int = 6,
                   final_months: int = 1) -> str | None:
    """R7.2: which reminder a term is at: ``overdue``, ``final`` (within ``final_months``),
    ``first`` (within ``first_months``), or None."""
    if due_on < today:
        return "overdue"
    if today >= add_months(due_on, -final_months):
        return "final"
    if today >= add_months(due_on, -first_months):
        return "first"
    return None


# ---------------------------------------------------------------------------------------------
# R7.3 electorate, R7.4 tellers

# Membership statuses whose holders vote (R7.3): members, and party members keeping their
# membership; 留团察看 (probation) never; people outside the League never.
VOTING_STATUSES = frozenset({"member", "party_member_keeping", "registration_deferred"})
NO_VOTE_STATUSES = frozenset({"probation"})


def voter_refusal(*, membership_status: str | None, is_party_member: bool, holds_league_post: bool) -> str | None:
    """R7.3: why a person is not in the electorate (Chinese), or None when they vote."""
    if membership_status in NO_VOTE_STATUSES:
        return "受留团察看处分期间没有选举权"
    if membership_status in VOTING_STATUSES:
        return None
    if is_party_member and holds_league_post:
        return None  # a party member assigned to a League post
    return "不是团员，也不是担任团内职务的党员，没有选举权"


def proxy_refusal(*, voter_id: int, cast_by_id: int | None, present_ids: Iterable[int],
                  candidate_ids: Iterable[int], helper_id: int | None = None) -> str | None:
    """R7.3: no proxy voting. A ballot is cast by the voter in person; a voter who cannot write
    may have someone who is not a candidate fill it in."""
    if voter_id not in set(present_ids):
        return "选举人未到会，不得委托他人投票"
    if cast_by_id is not None and cast_by_id != voter_id:
        return "不得委托他人投票"
    if helper_id is not None and helper_id in set(candidate_ids):
        return "代写选票的人不能是候选人"
    return None


def teller_refusal(*, teller_ids: Iterable[int], candidate_ids: Iterable[int]) -> str | None:
    """R7.4: 监票人 and 计票人 are never candidates."""
    clash = set(teller_ids) & set(candidate_ids)
    return "监票人、计票人不能是候选人" if clash else None


# ---------------------------------------------------------------------------------------------
# R7.5 差额, R7.6 quorum, R7.13 sizes, R7.14 who elects what


def min_candidates(*, seats: int, ratio: Decimal | Fraction | float, office: str) -> int:
    """R7.5: the fewest candidates for ``seats``: seats × ratio rounded up, or the seats alone
    for 书记/副书记 (等额 allowed)."""
    if office in EQUAL_ALLOWED_OFFICES:
        return seats
    return max(seats, math.ceil(Fraction(str(ratio)) * seats))


def competitive_refusal(*, candidates: int, seats: int, ratio, office: str) -> str | None:
    """R7.5: too few candidates for a 差额 election (Chinese reason), or None."""
    if seats < 1:
        return "应选名额至少为 1"
    needed = min_candidates(seats=seats, ratio=ratio, office=office)
    if candidates < needed:
        kind = "等额选举" if office in EQUAL_ALLOWED_OFFICES else f"差额选举（候选人数不少于应选名额的 {ratio} 倍）"
        return f"{kind}：应选 {seats} 名，候选人至少 {needed} 名，现有 {candidates} 名"
    return None


def quorum_met(*, due: int, present: int, quorum) -> bool:
    """R7.6: more than ``quorum`` (default 4/5) of those due are present (strictly more)."""
    return due > 0 and Fraction(present) > Fraction(str(quorum)) * due


def quorum_refusal(*, due: int, present: int, quorum) -> str | None:
    if present > due:
        return f"实到人数 {present} 多于应到人数 {due}"
    if not quorum_met(due=due, present=present, quorum=quorum):
        return f"实到 {present} 人，未超过应到 {due} 人的 {Fraction(str(quorum))}，不能进行选举"
    return None


TYPICAL_SIZES = {
    Kind.BRANCH: (3, 5),
    Kind.GENERAL_BRANCH: (5, 7),
}


def alternates_refusal(*, unit_kind: str) -> str | None:
    """R7.13: no 候补委员 at basic level (below the county)."""
    if unit_kind in LEAGUE_LEADING_KINDS:
        return None
    return "基层团组织不设候补委员"


def size_advice(*, unit_kind: str, seats: int, has_standing_committee: bool = False) -> str | None:
    """R7.13: advice (not a refusal) when a basic-level committee is outside its typical size."""
    if unit_kind in TYPICAL_SIZES:
        low, high = TYPICAL_SIZES[unit_kind]
    elif unit_kind in COMMITTEE_KINDS:
        low, high = (15, 21) if has_standing_committee else (7, 9)
    else:
        return None
    if low <= seats <= high:
        return None
    return f"委员会通常为 {low}–{high} 人，本次应选 {seats} 人"


def members_congress_allowed(*, member_count: int, min_members: int = 200) -> bool:
    """R7.13: a congress of delegates instead of a members' meeting from 200 members."""
    return member_count >= min_members


def office_refusal(*, unit_kind: str, office: str, by_plenary: bool) -> str | None:
    """R7.14: the congress (or members' meeting) elects 委员 (and at the county 候补委员);
    the new committee's plenary elects 常委, 书记 and 副书记."""
    if office == Office.ALTERNATE:
        reason = alternates_refusal(unit_kind=unit_kind)
        if reason:
            return reason
    if office in PLENARY_OFFICES and unit_kind in LEAGUE_LEADING_KINDS and not by_plenary:
        return f"{OFFICE_LABELS[office]}由新一届委员会全体会议选举产生"
    if office not in PLENARY_OFFICES and by_plenary:
        return f"全体委员会议不选举{OFFICE_LABELS[office]}"
    return None


def plenary_candidate_refusal(*, candidate_ids: Iterable[int], committee_ids: Iterable[int]) -> str | None:
    """R7.14: the plenary elects from the members of the newly elected committee."""
    outside = set(candidate_ids) - set(committee_ids)
    return "全委会只能从新当选的委员中选举" if outside else None


# ---------------------------------------------------------------------------------------------
# R7.7 ballots, R7.8 reconciliation


@dataclass(frozen=True)
class Ballot:
    """One paper ballot: a mark per listed candidate (missing = 弃权) and written-in names."""

    marks: Mapping[str, str]
    write_ins: tuple[str, ...] = ()

    def approvals(self) -> int:
        return sum(1 for m in self.marks.values() if m == Mark.YES) + len(self.write_ins)


def ballot_void_reason(ballot: Ballot, *, seats: int, candidate_keys: Iterable[str]) -> str | None:
    """R7.7: a ballot approving more people than there are seats is void (written-in names count
    as approvals). Unknown candidates or marks are an entry error, not a voter's choice."""
    keys = set(candidate_keys)
    unknown = set(ballot.marks) - keys
    if unknown:
        raise ValueError(f"unknown candidates {sorted(unknown)}")
    bad = {m for m in ballot.marks.values() if m not in MARKS}
    if bad:
        raise ValueError(f"unknown marks {sorted(bad)}")
    if ballot.approvals() > seats:
        return f"赞成 {ballot.approvals()} 人，多于应选名额 {seats} 名"
    if len(set(ballot.write_ins)) != len(ballot.write_ins):
        return "同一人在另选他人栏重复填写"
    return None


def election_void_reason(*, issued: int, returned: int) -> str | None:
    """R7.8: the election is void when more ballots come back than were issued."""
    if returned > issued:
        return f"收回选票 {returned} 张，多于发出的 {issued} 张，选举无效"
    return None


def write_in_key(name: str) -> str:
    return "另选:" + name.strip()


@dataclass
class Tally:
    valid: int = 0
    void: int = 0
    yes: Counter = field(default_factory=Counter)
    no: Counter = field(default_factory=Counter)
    abstain: Counter = field(default_factory=Counter)


def tally(ballots: Iterable[Ballot], *, seats: int, candidate_keys: Sequence[str]) -> Tally:
    """Count ballots: void ones (R7.7) count only as void; a listed candidate left unmarked on a
    valid ballot counts as 弃权; a written-in name counts as a yes for that person."""
    result = Tally()
    for ballot in ballots:
        if ballot_void_reason(ballot, seats=seats, candidate_keys=candidate_keys):
            result.void += 1
            continue
        result.valid += 1
        for key in candidate_keys:
            mark = ballot.marks.get(key, Mark.ABSTAIN)
            {Mark.YES: result.yes, Mark.NO: result.no, Mark.ABSTAIN: result.abstain}[mark][key] += 1
        for name in ballot.write_ins:
            result.yes[write_in_key(name)] += 1
    return result


def ballot_differences(first: Ballot, second: Ballot, *, candidate_keys: Sequence[str]) -> list[str]:
    """Double entry: every candidate whose mark differs between two tellers' entries of the same
    paper, and a difference in the written-in names (as keys; empty when they agree)."""
    diffs = [k for k in candidate_keys
             if first.marks.get(k, Mark.ABSTAIN) != second.marks.get(k, Mark.ABSTAIN)]
    if sorted(n.strip() for n in first.write_ins) != sorted(n.strip() for n in second.write_ins):
        diffs.append("write_ins")
    return diffs


# ---------------------------------------------------------------------------------------------
# R7.9 threshold, R7.10 ties at the cut, R7.11 shortfall


def threshold_base(*, base_kind: str, due: int, present: int) -> int:
    """R7.9: the number the yes votes must exceed half of: 实到 (``present``) or 应到 (``due``)."""
    if base_kind == "present":
        return present
    if base_kind == "due":
        return due
    raise ValueError(base_kind)


def passes_threshold(*, yes: int, base: int) -> bool:
    """R7.9: more than half of the base (strictly)."""
    return 2 * yes > base


@dataclass(frozen=True)
class RoundOutcome:
    elected: tuple[str, ...]  # by votes, highest first
    tied: tuple[str, ...] = ()  # R7.10: to re-vote among, for ``tie_seats``
    tie_seats: int = 0
    shortfall: int = 0  # R7.11: seats left for a further round (另行选举)

    @property
    def complete(self) -> bool:
        return not self.tied and not self.shortfall


def decide_round(*, yes: Mapping[str, int], seats: int, base: int) -> RoundOutcome:
    """R7.9–R7.11 for one round.

    Those above half of the base qualify. If no more qualify than there are seats, all of them
    are elected and the rest of the seats go to a further round (R7.11). If more qualify, the
    highest win; when the votes at the cut are tied between more people than seats remain, those
    above the cut are elected and the tied re-vote for the remaining seats (R7.10).
    """
    qualifying = sorted((k for k, v in yes.items() if passes_threshold(yes=v, base=base)),
                        key=lambda k: (-yes[k], _natural(k)))
    if len(qualifying) <= seats:
        return RoundOutcome(elected=tuple(qualifying), shortfall=seats - len(qualifying))
    cut = yes[qualifying[seats - 1]]
    above = [k for k in qualifying if yes[k] > cut]
    at_cut = [k for k in qualifying if yes[k] == cut]
    if len(above) + len(at_cut) <= seats:  # the tie at the cut fits in the seats
        return RoundOutcome(elected=tuple(above + at_cut))
    return RoundOutcome(elected=tuple(above), tied=tuple(sorted(at_cut, key=_natural)), tie_seats=seats - len(above))


def _natural(key: str) -> tuple:
    """Equal votes keep a stable order: candidate ids by number ("99" before "100"), else by text."""
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


# ---------------------------------------------------------------------------------------------
# R7.12 姓氏笔画 order

STROKE_TABLE = Path(__file__).resolve().parent / "data" / "strokes.tsv"
# Characters outside the table (Latin letters, rare characters) sort after every known one.
_UNKNOWN = (999, 9)
# Separators inside transliterated names (阿不都·热合曼) do not take part in the order.
_SEPARATORS = frozenset("·•・．. ")


@lru_cache(maxsize=1)
def stroke_table() -> dict[str, tuple[int, int]]:
    table = {}
    with STROKE_TABLE.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            char, total, first = line.rstrip("\n").split("\t")
            # First stroke 0 (unknown) sorts after the five known ones.
            table[char] = (int(total), int(first) or 6)
    return table


def strokes_of(char: str) -> tuple[int, int] | None:
    """(total strokes, first stroke 1–5 or 6 when unknown) of a character, None when not in the table."""
    return stroke_table().get(char)


def stroke_key(name: str) -> tuple:
    """R7.12: the sort key of a name: character by character, the stroke count, then the first
    stroke (横竖撇点折), then the character itself (so that the same surname stays together)."""
    table = stroke_table()
    return tuple((*table.get(ch, _UNKNOWN), ord(ch)) for ch in name.strip() if ch not in _SEPARATORS)


def stroke_order(items: Iterable, name: Callable = lambda x: x) -> list:
    """Items sorted by the 姓氏笔画 order of ``name(item)``."""
    return sorted(items, key=lambda item: (stroke_key(name(item)), name(item)))


# ---------------------------------------------------------------------------------------------
# R7.15 alternates, R7.16 the new committee, R7.17 delegate structure


def rank_alternates(*, yes: Mapping[str, int], elected: Iterable[str], name: Callable[[str], str]) -> list[str]:
    """R7.15: 候补委员 in order of votes received; equal votes in 姓氏笔画 order."""
    return sorted(elected, key=lambda k: (-yes[k], stroke_key(name(k)), name(k)))


def by_election_refusal(*, elected_total: int, already_added: int, adding: int) -> str | None:
    """R7.16: by-elections (增选) add at most a third of the committee elected at the congress."""
    limit = elected_total // 3
    if already_added + adding > limit:
        return f"增选人数不能超过选举产生总数（{elected_total} 名）的三分之一，即 {limit} 名；已增选 {already_added} 名"
    return None


def composition_status(*, party_approved_on: datetime.date | None, above_approved_on: datetime.date | None) -> str:
    """R7.16: the new committee's composition needs both the party committee's and the League
    committee above's approval."""
    if party_approved_on and above_approved_on:
        return "approved"
    if party_approved_on or above_approved_on:
        return "partly_approved"
    return "pending"


COMPOSITION_LABELS = {"approved": "已批准", "partly_approved": "部分批准", "pending": "待批准"}


def plenary_overdue(*, last_plenary_on: datetime.date | None, term_started_on: datetime.date,
                    today: datetime.date, months: int = 12) -> bool:
    """R7.16: the committee's plenary meets at least once a year."""
    since = last_plenary_on or term_started_on
    return today > add_months(since, months)


@dataclass(frozen=True)
class DelegateFacts:
    gender: str  # "male" / "female"
    ethnicity: str
    age: int
    is_frontline: bool


@dataclass(frozen=True)
class StructureFigure:
    key: str
    label: str
    count: int
    total: int
    target: Decimal  # 0 = no target set
    kind: str = "at_least"  # the share must reach the target

    @property
    def share(self) -> Fraction:
        return Fraction(self.count, self.total) if self.total else Fraction(0)

    @property
    def met(self) -> bool | None:
        if not self.target:
            return None
        return self.share >= Fraction(str(self.target))


def delegate_structure(delegates: Sequence[DelegateFacts], *, women_share, minority_share, frontline_share,
                       young_share, young_max_age: int) -> list[StructureFigure]:
    """R7.17: the delegates' composition against the configured targets (0 = none set)."""
    total = len(delegates)

    def fig(key, label, count, target):
        return StructureFigure(key=key, label=label, count=count, total=total, target=Decimal(str(target)))

    return [
        fig("women", "女性", sum(1 for d in delegates if d.gender == "female"), women_share),
        fig("minority", "少数民族", sum(1 for d in delegates if d.ethnicity != "汉族"), minority_share),
        fig("frontline", "一线", sum(1 for d in delegates if d.is_frontline), frontline_share),
        fig("young", f"{young_max_age} 周岁及以下", sum(1 for d in delegates if d.age <= young_max_age), young_share),
    ]
