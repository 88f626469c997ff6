"""Demo part “elections” (order 50): the 第十四届 county congress of February 2023 and a few branch
elections, counted through the same actions real tellers use.

The congress (the article's figures): 101 delegates elected by the townships and systems; 21 委员
and 9 候补委员 elected 差额; the new committee's plenary elects 9 常委 (差额), 1 书记 and 3 副书记
(等额). Every paper ballot is entered twice by two tellers and accepted when the entries agree;
one ballot approves more people than there are seats and is void (R7.7). Three branch members'
meetings elect their committees; one of them fills its last seat only in a further round
(另行选举, R7.11). The figures recount the stored ballots through ``rules.tally`` and
``rules.decide_round`` and check the hash chains.

The delegates and candidates are the people part's sample members (order 10); the generator
draws ballots from a fixed seed and tries the next seed until the first round's outcome is the
one the article reports (no tie at the cut), so the result is deterministic.
"""

from __future__ import annotations

import datetime
import random

from tuanwu.demo import registry
from tuanwu.demo.figures import Figure, _exactly
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind
from tuanwu.people.models import Person

from . import actions, rules
from .models import Election, Meeting, MeetingKind, PaperBallot, Round, RoundKind, Status
from .rules import Ballot, Mark, Office

SEED = 20230218
CONGRESS_TITLE = "共青团乌鲁木齐县第十四次代表大会"
PLENARY_TITLE = "共青团乌鲁木齐县第十四届委员会第一次全体会议"
CONGRESS_ON = datetime.date(2023, 2, 18)
DELEGATES, PRESENT = 101, 98
COMMITTEE, COMMITTEE_CANDIDATES = 21, 26
ALTERNATES, ALTERNATE_CANDIDATES = 9, 11
STANDING, STANDING_CANDIDATES = 9, 11
DEPUTIES = 3
BRANCH_MEETINGS = 3


def is_loaded() -> bool:
    return Meeting.objects.filter(is_sample=True, title=CONGRESS_TITLE).exists()


def _members(county: Unit, *, exclude: set[int]) -> list[Person]:
    return list(Person.objects.filter(is_sample=True, unit__path__startswith=county.path,
                                      membership__status="member", birth_date__lte=datetime.date(2004, 12, 31),
                                      birth_date__gte=datetime.date(1995, 3, 1))
                .exclude(pk__in=exclude).select_related("unit").order_by("pk"))


def _plan_ballots(rng: random.Random, *, voters: int, keys: list[str], seats: int, strong: int,
                  void_papers: int = 0) -> list[dict]:
    """Marks for ``voters`` papers: the first ``strong`` candidates are widely supported, the rest
    less; a paper never approves more than ``seats`` unless it is one of the void ones."""
    papers = []
    for n in range(voters):
        marks = {}
        for i, key in enumerate(keys):
            p = (0.78 + 0.2 * rng.random()) if i < strong else (0.15 + 0.25 * rng.random())
            roll = rng.random()
            marks[key] = Mark.YES if roll < p else (Mark.NO if roll < p + (1 - p) * 0.6 else Mark.ABSTAIN)
        yes = [k for k, m in marks.items() if m == Mark.YES]
        if n < void_papers:
            for key in keys[: seats + 1]:
                marks[key] = Mark.YES
        elif len(yes) > seats:
            for key in rng.sample(yes, len(yes) - seats):
                marks[key] = Mark.ABSTAIN if rng.random() < 0.5 else Mark.NO
        papers.append(marks)
    return papers


def _outcome(papers: list[dict], keys: list[str], seats: int, base: int) -> rules.RoundOutcome:
    t = rules.tally([Ballot(m) for m in papers], seats=seats, candidate_keys=keys)
    return rules.decide_round(yes={k: t.yes.get(k, 0) for k in keys}, seats=seats, base=base)


def _counted(actor, election: Election, rng: random.Random, *, strong: int, void_papers: int = 0,
             shortfall: int = 0) -> Round:
    """Open counting, draw ballots until the first round gives the wanted kind of outcome, enter
    each paper twice (two tellers) and count."""
    rnd = actions.start_counting(actor=actor, election=election)
    keys = [str(pk) for pk in rnd.candidates.order_by("pk").values_list("pk", flat=True)]
    for _ in range(200):
        papers = _plan_ballots(rng, voters=rnd.present, keys=keys, seats=rnd.seats, strong=strong,
                               void_papers=void_papers)
        outcome = _outcome(papers, keys, rnd.seats, rnd.present)
        if not outcome.tied and outcome.shortfall == shortfall:
            break
    else:  # pragma: no cover - the seeds above always find one
        raise RuntimeError("no plausible ballots found")
    actions.record_reconciliation(actor=actor, round=rnd, issued=rnd.present, returned=rnd.present)
    first, second = list(election.tellers.order_by("pk"))[:2]
    for number, marks in enumerate(papers, start=1):
        actions.enter_ballot(teller=first, round=rnd, paper_number=number, marks=marks, write_ins=[])
        actions.enter_ballot(teller=second, round=rnd, paper_number=number, marks=marks, write_ins=[])
    return actions.count_round(actor=actor, round=rnd)


def _election(actor, meeting, office, seats, candidates, tellers) -> Election:
    election = actions.create_election(actor=actor, meeting=meeting, office=office, seats=seats, candidates=candidates,
                                       is_sample=True)
    actions.add_teller(actor=actor, election=election, person=tellers[0], role="scrutineer")
    actions.add_teller(actor=actor, election=election, person=tellers[1], role="counter")
    return election


def load(*, today: datetime.date, actor) -> str:
    rng = random.Random(SEED)
    county = Unit.objects.filter(kind=Kind.LEAGUE_COUNTY, is_sample=True).order_by("pk").first()
    pool = _members(county, exclude=set())
    if len(pool) < DELEGATES + 20:
        return "示例团员不足，未生成选举"
    delegates = sorted(rng.sample(pool, DELEGATES), key=lambda p: p.pk)

    congress = actions.create_meeting(actor=actor, unit=county, kind=MeetingKind.CONGRESS, title=CONGRESS_TITLE,
                                      term_number=14, held_on=CONGRESS_ON, is_sample=True)
    by_township: dict[int, list[Person]] = {}
    for person in delegates:
        township = Unit.objects.filter(path=person.unit.path[: len(county.path) + Unit.steplen]).first()
        by_township.setdefault(township.pk if township else county.pk, []).append(person)
    for unit_id, people in sorted(by_township.items()):
        frontline = [p for p in people if p.occupation in ("farmer", "enterprise_employee", "self_employed")]
        others = [p for p in people if p not in frontline]
        unit = Unit.objects.get(pk=unit_id)
        if frontline:
            actions.add_attendees(actor=actor, meeting=congress, people=frontline, elected_by=unit, is_frontline=True,
                                  is_sample=True)
        if others:
            actions.add_attendees(actor=actor, meeting=congress, people=others, elected_by=unit, is_sample=True)
    absent = set(p.pk for p in rng.sample(delegates, DELEGATES - PRESENT))
    actions.record_roll_call(actor=actor, meeting=congress, present_person_ids={p.pk for p in delegates} - absent)

    order = rng.sample(delegates, len(delegates))
    committee_people = order[:COMMITTEE_CANDIDATES]
    alternate_people = order[COMMITTEE_CANDIDATES: COMMITTEE_CANDIDATES + ALTERNATE_CANDIDATES]
    tellers = order[-2:]
    committee = _election(actor, congress, Office.COMMITTEE, COMMITTEE, committee_people, tellers)
    _counted(actor, committee, rng, strong=COMMITTEE, void_papers=1)
    actions.close_election(actor=actor, election=committee)
    alternates = _election(actor, congress, Office.ALTERNATE, ALTERNATES, alternate_people, tellers)
    _counted(actor, alternates, rng, strong=ALTERNATES)
    actions.close_election(actor=actor, election=alternates)
    for source in (Unit.objects.get_parent(county), county):
        actions.record_composition_approval(actor=actor, meeting=congress,
                                            by="above" if source != county else "party",
                                            approved_on=datetime.date(2023, 2, 24),
                                            document="乌团发〔2023〕5号" if source != county else "乌县党组〔2023〕11号")

    plenary = actions.create_meeting(actor=actor, unit=county, kind=MeetingKind.PLENARY, title=PLENARY_TITLE,
                                     term_number=14, held_on=CONGRESS_ON, congress=congress, is_sample=True)
    members = list(Person.objects.filter(pk__in=committee.winners.values("person_id")).order_by("pk"))
    actions.add_attendees(actor=actor, meeting=plenary, people=members, is_sample=True)
    actions.record_roll_call(actor=actor, meeting=plenary, present_person_ids={p.pk for p in members})
    plenary_order = rng.sample(members, len(members))
    plenary_tellers = plenary_order[-2:]
    standing = _election(actor, plenary, Office.STANDING, STANDING, plenary_order[:STANDING_CANDIDATES],
                         plenary_tellers)
    _counted(actor, standing, rng, strong=STANDING)
    actions.close_election(actor=actor, election=standing)
    standing_ids = list(standing.winners.order_by("pk").values_list("person_id", flat=True))
    standing_people = list(Person.objects.filter(pk__in=standing_ids).order_by("pk"))
    others = [p for p in plenary_order if p.pk not in standing_ids]
    secretary = _election(actor, plenary, Office.SECRETARY, 1, standing_people[:1], others[-2:])
    _counted(actor, secretary, rng, strong=1)
    actions.close_election(actor=actor, election=secretary)
    deputies = _election(actor, plenary, Office.DEPUTY, DEPUTIES, standing_people[1:1 + DEPUTIES], others[-2:])
    _counted(actor, deputies, rng, strong=DEPUTIES)
    actions.close_election(actor=actor, election=deputies)
    for election in (committee, alternates, standing, secretary, deputies):
        actions.install_winners(actor=actor, election=election)

    # Branch members' meetings: committees of 3 from 4 candidates; the last one needs a further round.
    used = {p.pk for p in delegates}
    branches = list(Unit.objects.filter(kind=Kind.BRANCH, is_sample=True, path__startswith=county.path,
                                        is_student=False).order_by("path"))
    held = 0
    for branch in branches:
        if held == BRANCH_MEETINGS:
            break
        voters = [p for p in _members(county, exclude=used) if p.unit_id == branch.pk][:9]
        if len(voters) < 7:
            continue
        used |= {p.pk for p in voters}
        held += 1
        last_term = branch.terms.order_by("-number").values_list("number", flat=True).first() or 0
        meeting = actions.create_meeting(actor=actor, unit=branch, kind=MeetingKind.MEMBERS_MEETING,
                                         title=f"{branch.name}团员大会", term_number=last_term + 1,
                                         held_on=today - datetime.timedelta(days=20 + held), is_sample=True)
        actions.add_attendees(actor=actor, meeting=meeting, people=voters, is_sample=True)
        actions.record_roll_call(actor=actor, meeting=meeting, present_person_ids={p.pk for p in voters})
        election = _election(actor, meeting, Office.COMMITTEE, 3, voters[:4], voters[-2:])
        if held < BRANCH_MEETINGS:
            _counted(actor, election, rng, strong=3)
        else:
            _counted(actor, election, rng, strong=2, shortfall=1)
            further = actions.open_round(election)
            keys = [str(pk) for pk in further.candidates.order_by("pk").values_list("pk", flat=True)]
            actions.record_reconciliation(actor=actor, round=further, issued=further.present, returned=further.present)
            first, second = list(election.tellers.order_by("pk"))[:2]
            for number in range(1, further.present + 1):
                # In the further round the meeting rallies behind one of the remaining candidates.
                marks = {keys[0]: Mark.YES} if number <= further.present - 2 else {keys[-1]: Mark.YES}
                actions.enter_ballot(teller=first, round=further, paper_number=number, marks=marks, write_ins=[])
                actions.enter_ballot(teller=second, round=further, paper_number=number, marks=marks, write_ins=[])
            actions.count_round(actor=actor, round=further)
        actions.close_election(actor=actor, election=election)
    return (f"第十四次团代会：代表 {DELEGATES} 名，选出委员 {COMMITTEE} 名、候补委员 {ALTERNATES} 名；"
            f"全委会选出常委 {STANDING} 名、书记 1 名、副书记 {DEPUTIES} 名；团支部换届 {held} 个")


def _recount(election: Election) -> list[str]:
    """The winners of an election recounted from its stored ballots, round by round."""
    elected: list[str] = []
    for rnd in election.rounds.order_by("number"):
        keys = [str(pk) for pk in rnd.candidates.values_list("pk", flat=True)]
        ballots = [Ballot(b.marks, tuple(b.write_ins)) for b in PaperBallot.objects.filter(round=rnd)]
        t = rules.tally(ballots, seats=rnd.seats, candidate_keys=keys)
        base = rules.threshold_base(base_kind=election.threshold_base, due=rnd.due, present=rnd.present)
        elected.extend(rules.decide_round(yes={k: t.yes.get(k, 0) for k in keys}, seats=rnd.seats, base=base).elected)
    return elected


def figures() -> list[Figure]:
    congress = Meeting.objects.filter(is_sample=True, title=CONGRESS_TITLE).first()
    if congress is None:
        return [Figure("第十四次团代会", "存在", "不存在", False)]
    results = [_exactly("第十四次团代会代表（应到）", DELEGATES, congress.attendees.count()),
               _exactly("第十四次团代会召开日期", "2023-02-18", f"{congress.held_on:%Y-%m-%d}")]

    def one(meeting, office):
        return Election.objects.filter(meeting=meeting, office=office).first()

    plenary = congress.plenaries.first()
    expected = [(congress, Office.COMMITTEE, COMMITTEE, "委员"), (congress, Office.ALTERNATE, ALTERNATES, "候补委员"),
                (plenary, Office.STANDING, STANDING, "常委"), (plenary, Office.SECRETARY, 1, "书记"),
                (plenary, Office.DEPUTY, DEPUTIES, "副书记")]
    for meeting, office, seats, label in expected:
        election = one(meeting, office) if meeting else None
        if election is None:
            results.append(Figure(f"选举{label}", "存在", "不存在", False))
            continue
        recount = _recount(election)
        results.append(_exactly(f"{label}：按存储的选票重新计票的当选人数", seats, len(recount)))
        results.append(_exactly(f"{label}：重新计票与封存结果一致", True,
                                sorted(recount) == sorted(str(w.candidate_id) for w in election.winners.all())))
        results.append(_exactly(f"{label}：录入与结果的哈希链校验", True, actions.verify_chain(election)))
    committee = one(congress, Office.COMMITTEE)
    if committee is not None:
        results.append(_exactly("委员差额选举：候选人数", COMMITTEE_CANDIDATES, committee.candidates.count()))
        results.append(_exactly("委员选举：废票（赞成多于应选名额）", 1,
                                PaperBallot.objects.filter(round__election=committee).exclude(void_reason="").count()))
    alternates = one(congress, Office.ALTERNATE)
    if alternates is not None:
        results.append(_exactly("候补委员排序", list(range(1, ALTERNATES + 1)),
                                sorted(alternates.winners.values_list("rank", flat=True))))
    further = Round.objects.filter(election__is_sample=True, kind=RoundKind.FURTHER, election__status=Status.CLOSED)
    results.append(_exactly("经另行选举补足名额的团支部选举", 1, further.values("election").distinct().count()))
    return results


registry.register(key="elections", title="换届选举", order=50, is_loaded=is_loaded, load=load, figures=figures)
