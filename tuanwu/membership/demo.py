"""Demo part “membership life” (order 20), on top of the people part (order 10).

Everything goes through the actions with the system actor, deterministically (one seeded
random generator; dates relative to the load date):

- every 入团申请人 / 积极分子 / 发展对象 the people part loaded gets its development record
  (补录, with talks, contacts and 团课 where the stage implies them);
- new applicants of 水西沟镇 are developed through every step: some admitted (with
  发展团员编号 from the county's quota), some 拟接收, some pre-reviewed, some just applied;
- last year's review in every branch of 水西沟镇 and 板房沟镇, approved above, and this year's
  registration of those eligible;
- a year of dues in 水西沟镇, with a few members who stopped paying (自行脱团候选, 仅按团费判断);
- a few transfers (pending, approved and checked in, approved without check-in, sent back,
  a graduate abroad held), 推优入党 (one with its letter), 少先队推优, and two exit cases.

The people part's membership statuses are left as it loaded them (its figures count them);
status changes happen only to the people this part creates.
"""

from __future__ import annotations

import datetime
import random

from django.db.models import Count, Q
from django.utils import timezone

from tuanwu.core.rule_settings import get_rule, set_rule
from tuanwu.demo import registry
from tuanwu.demo.figures import Figure, _at_least, _exactly
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind, add_months, add_years
from tuanwu.people.models import Person, PoliticalStatus

from . import development as dev
from . import dues, exits, party, pioneers, review, transfers
from .models import (
    Development,
    DuesPayment,
    ExitCase,
    Membership,
    PartyRecommendation,
    PioneerRecommendation,
    Registration,
    ReviewSession,
    Status,
    Transfer,
)

SEED = 20230427 + 20
COUNTY_NAME = "团乌鲁木齐县委"
HOME_TOWN = "水西沟镇团委"
REVIEW_TOWNS = ("水西沟镇团委", "板房沟镇团委")
QUOTA = 60
ADMITTED = 8  # new members developed through every step
PROPOSED = 2  # 支部大会 passed, 拟接收
PREREVIEWED = 2  # 发展对象 pre-reviewed, 志愿书 issued
FRESH = 3  # applications this month
PIONEERS_RECOMMENDED = 5
PEOPLE_PIPELINE = {"applicant": 110, "activist": 80, "candidate": 50}  # the people part's counts
D = datetime.timedelta


def is_loaded() -> bool:
    return Development.objects.filter(is_sample=True).exists()


class Builder:
    def __init__(self, *, today: datetime.date, actor):
        self.today = today
        self.actor = actor
        self.rng = random.Random(SEED)
        self.county = Unit.objects.get(name=COUNTY_NAME, is_sample=True)
        self.home = Unit.objects.get(name=HOME_TOWN, is_sample=True)
        self.counts: dict[str, int] = {}
        self.rates: dict = {}  # dues settings per (county, month), read once for the whole load

    def bump(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def branches(self, town: Unit) -> list[Unit]:
        return list(Unit.objects.filter(path__startswith=town.path, kind=Kind.BRANCH, closed_on__isnull=True)
                    .order_by("path"))

    def members_of(self, branch: Unit) -> list[Membership]:
        return list(Membership.objects.filter(branch=branch, status=Status.MEMBER).select_related("person")
                    .order_by("pk"))

    def id_number(self, birth: datetime.date, gender: str) -> str:
        """A valid ID number not yet registered (the people part holds many)."""
        from tuanwu.people.idcard import check_digit
        from tuanwu.people.models import id_number_index

        while True:
            seq = self.rng.randint(0, 99)
            third = self.rng.randrange(1 if gender == "male" else 0, 10, 2)
            body = f"650121{birth:%Y%m%d}{seq:02d}{third}"
            number = body + check_digit(body)
            if not Person.objects.filter(id_number_index=id_number_index(number)).exists():
                return number

    # -- the people part's pipeline: 补录 ------------------------------------------------------

    def adopt_pipeline(self) -> None:
        rows = (Membership.objects.filter(status__in=list(PEOPLE_PIPELINE), development__isnull=True,
                                          branch__path__startswith=self.county.path)
                .select_related("person", "branch").order_by("pk"))
        members_by_branch: dict[int, list[Membership]] = {}
        for m in rows:
            since = m.status_since
            fourteen = add_years(m.person.birth_date, 14)
            channel = "pioneer_recommendation" if m.branch.is_student and self.rng.random() < 0.4 else \
                "member_recommendation"
            if m.status == Status.APPLICANT:
                talk = since + D(days=self.rng.randint(3, 25)) if self.rng.random() < 0.7 else None
                dev.adopt(actor=self.actor, membership=m, applied_on=since,
                          talk_on=talk if talk and talk <= self.today else None, talk_by="支部书记")
                self.bump("adopted")
                continue
            activist_on = max(since if m.status == Status.ACTIVIST else since - D(days=120), fourteen)
            activist_on = min(activist_on, since)
            applied = activist_on - D(days=40)
            talk = applied + D(days=10)
            filed = activist_on + D(days=7) if self.rng.random() < 0.7 and activist_on + D(days=7) <= self.today else None
            candidate_on = since if m.status == Status.CANDIDATE else None
            if candidate_on is not None and filed is not None and filed > candidate_on:
                filed = candidate_on
            d = dev.adopt(actor=self.actor, membership=m, applied_on=applied, talk_on=talk, talk_by="支部书记",
                          channel=channel, activist_on=activist_on, activist_filed_on=filed, candidate_on=candidate_on)
            if m.branch_id not in members_by_branch:
                members_by_branch[m.branch_id] = self.members_of(m.branch)
            mates = members_by_branch[m.branch_id]
            if mates:
                dev.assign_contact(actor=self.actor, development=d, contact=mates[m.pk % len(mates)], on=activist_on)
            lessons = 4 if m.status == Status.CANDIDATE else self.rng.randint(0, 2)
            last = candidate_on or self.today
            for i in range(lessons):
                day = activist_on + D(days=min(10 + 15 * i, max((last - activist_on).days, 0)))
                dev.add_lesson(actor=self.actor, development=d, on=day, topic=LESSON_TOPICS[i % len(LESSON_TOPICS)],
                               hours=2, minutes=100)
            self.bump("adopted")

    # -- new applicants of 水西沟镇 through every step -----------------------------------------

    def develop_new(self) -> None:
        branches = [b for b in self.branches(self.home) if len(self.members_of(b)) >= 3 and not b.is_student]
        plan = ["admitted"] * ADMITTED + ["proposed"] * PROPOSED + ["prereviewed"] * PREREVIEWED + ["fresh"] * FRESH
        for i, target in enumerate(plan):
            branch = branches[i % len(branches)]
            mates = self.members_of(branch)
            birth = add_years(self.today, -self.rng.randint(17, 24)) - D(days=self.rng.randint(0, 300))
            if target == "fresh":
                applied = self.today - D(days=self.rng.randint(0, 5))
            else:
                applied = self.today - D(days=230 + 7 * i)
            gender = "male" if i % 2 == 0 else "female"
            ethnicity = ("汉族", "回族", "哈萨克族")[i % 3]
            d = dev.apply(actor=self.actor, branch=branch, applied_on=applied, is_sample=True, person_fields={
                "name": NEW_NAMES[i % len(NEW_NAMES)], "id_number": self.id_number(birth, gender),
                "ethnicity": ethnicity, "occupation": ("farmer", "enterprise_employee", "self_employed")[i % 3],
            }, note="志愿加入中国共产主义青年团")
            self.bump("new")
            if target == "fresh":
                continue
            s = dict(talk=applied + D(days=9), activist=applied + D(days=20))
            s["candidate"] = s["activist"] + D(days=98)
            s["notice"] = s["candidate"] + D(days=1)
            s["prereview"] = s["candidate"] + D(days=14)
            s["form"] = s["prereview"] + D(days=1)
            s["introducers"] = s["form"] + D(days=3)
            s["vote"] = s["introducers"] + D(days=5)
            s["admission_notice"] = s["vote"] + D(days=1)
            s["approve"] = s["vote"] + D(days=16)
            dev.record_talk(actor=self.actor, development=d, talk_on=s["talk"], talk_by="支部书记")
            dev.make_activist(actor=self.actor, development=d, on=s["activist"], channel="member_recommendation",
                              recommenders=mates[0].person.name)
            dev.file_activist(actor=self.actor, development=d, on=s["activist"] + D(days=3))
            dev.assign_contact(actor=self.actor, development=d, contact=mates[0], on=s["activist"])
            for n in range(4):
                dev.add_lesson(actor=self.actor, development=d, on=s["activist"] + D(days=12 + 20 * n),
                               topic=LESSON_TOPICS[n], hours=2, minutes=100)
            dev.make_candidate(actor=self.actor, development=d, on=s["candidate"])
            dev.post_notice(actor=self.actor, development=d, stage="candidate", starts_on=s["notice"],
                            place="村委会公示栏")
            dev.prereview(actor=self.actor, development=d, on=s["prereview"])
            dev.issue_form(actor=self.actor, development=d, on=s["form"])
            if target == "prereviewed":
                continue
            dev.set_introducers(actor=self.actor, development=d, introducer_1=mates[1], introducer_2=mates[2],
                                on=s["introducers"])
            present = max(len(mates) // 2 + 1, 3)
            dev.record_vote(actor=self.actor, development=d, meeting_on=s["vote"], voting_members=len(mates),
                            present=present, yes=present - 1, no=1, abstain=0)
            dev.post_notice(actor=self.actor, development=d, stage="admission", starts_on=s["admission_notice"],
                            place="村委会公示栏")
            if target == "proposed":
                continue
            dev.approve_admission(actor=self.actor, development=d, on=s["approve"])
            dev.record_ceremony(actor=self.actor, development=d, on=s["approve"] + D(days=2))
            self.bump("admitted")

    # -- review and registration ----------------------------------------------------------------

    def reviews(self) -> None:
        year = self.today.year - 1
        held, approved = datetime.date(year, 12, 20), datetime.date(year, 12, 28)
        cap = get_rule("review.excellent_cap", self.county, held)
        reg_day = min(datetime.date(self.today.year, 2, 15), self.today)
        for town in Unit.objects.filter(name__in=REVIEW_TOWNS, is_sample=True).order_by("path"):
            for branch in self.branches(town):
                members = list(review.reviewable(branch))
                if not members:
                    continue
                limit = int(len(members) * cap)
                grades, excellent = {}, 0
                for m in members:
                    roll = self.rng.random()
                    if roll < 0.2 and excellent < limit:
                        grade, excellent = "excellent", excellent + 1
                    elif roll < 0.9:
                        grade = "good"
                    elif roll < 0.97:
                        grade = "basic"
                    else:
                        grade = "failed"
                    grades[m.pk] = grade
                present = len(members) * 2 // 3 + 1 + (1 if len(members) > 6 else 0)
                session = review.hold_review(actor=self.actor, branch=branch, year=year, held_on=held,
                                             present=min(present, len(members)), grades=grades, is_sample=True)
                review.approve_review(actor=self.actor, session=session, on=approved)
                self.bump("sessions")
                done, _ = review.register_branch(actor=self.actor, branch=branch, year=self.today.year, on=reg_day)
                self.bump("registered", len(done))

    # -- dues -----------------------------------------------------------------------------------

    def dues(self) -> None:
        this_month = self.today.replace(day=1)
        members = (Membership.objects.filter(branch__path__startswith=self.home.path,
                                             status__in=[Status.MEMBER, Status.PARTY_MEMBER_KEEPING])
                   .select_related("person", "branch").order_by("pk"))
        for i, m in enumerate(members):
            category = dues.default_category(m)
            if category == "salaried":
                dues.set_account(actor=self.actor, membership=m, category="salaried",
                                 monthly_wage=self.rng.choice((1800, 2600, 3500, 4800, 6200)))
            start = max(dues.dues_from(m, getattr(m, "dues_account", None) if hasattr(m, "dues_account") else None)
                        or this_month, add_months(this_month, -11))
            stopped = i % 12 == 5  # about one in twelve stopped paying eight months ago
            last = add_months(this_month, -8) if stopped else add_months(this_month, -1)
            months = []
            month = start
            while month <= last:
                months.append(month)
                month = add_months(month, 1)
            if months:
                dues.pay(actor=self.actor, membership=m, months=months, paid_on=last + D(days=5), rates=self.rates)
                self.bump("payments", len(months))
            if stopped and months:
                self.bump("stopped")

    # -- transfers, 推优入党, 少先队推优, exits ------------------------------------------------

    def transfers(self) -> None:
        home_branches = self.branches(self.home)
        banfang = Unit.objects.get(name="板房沟镇团委", is_sample=True)
        senders = [m for b in self.branches(banfang)[:5] for m in self.members_of(b)[3:4]]
        pending, approved, unchecked, rejected = senders[:4]
        for m, note in ((pending, "到水西沟镇工作"), (approved, "家庭住址迁至水西沟镇"), (unchecked, "到水西沟镇工作"),
                        (rejected, "误选转入组织")):
            t = transfers.request_transfer(actor=self.actor, membership=m, initiated_by="sender", destination="work",
                                           to_unit=self.home, requested_on=self.today - D(days=50 if m is not pending
                                                                                            else 3), note=note,
                                           is_sample=True)
            if m is approved:
                transfers.decide(actor=self.actor, transfer=t, approve=True, on=self.today - D(days=45),
                                 to_branch=home_branches[0])
                transfers.record_checkin(actor=self.actor, transfer=t, on=self.today - D(days=40))
            elif m is unchecked:
                transfers.decide(actor=self.actor, transfer=t, approve=True, on=self.today - D(days=45),
                                 to_branch=home_branches[1])
            elif m is rejected:
                transfers.decide(actor=self.actor, transfer=t, approve=False, on=self.today - D(days=45),
                                 note="转入组织有误，请重新选择居住地团组织")
        school_branch = Unit.objects.filter(name__startswith="高三", kind=Kind.BRANCH, is_sample=True).order_by("path").first()
        if school_branch is not None:
            grads = self.members_of(school_branch)[:1]
            for m in grads:
                graduated = datetime.date(self.today.year if self.today.month > 7 else self.today.year - 1, 7, 1)
                transfers.request_transfer(actor=self.actor, membership=m, initiated_by="sender", destination="abroad",
                                           to_unit=None, requested_on=max(graduated, self.today - D(days=30)),
                                           graduated_on=graduated, note="出国留学", is_sample=True)
        self.bump("transfers", Transfer.objects.filter(is_sample=True).count())

    def party(self) -> None:
        branch = next(b for b in self.branches(self.home) if len(self.members_of(b)) >= 8)
        mates = self.members_of(branch)
        due = Membership.objects.filter(branch=branch, status__in=[Status.MEMBER, Status.PARTY_MEMBER_KEEPING,
                                                                   Status.REGISTRATION_DEFERRED]).count()
        base = self.today - D(days=60)
        reviewed = party.propose(actor=self.actor, membership=mates[-1], kind="to_activist", proposed_on=base,
                                 is_sample=True)
        party.record_meeting(actor=self.actor, recommendation=reviewed, meeting_on=base + D(days=7), due=due,
                             present=due - 1, yes=due - 2, no=1, abstain=0)
        party.post_notice(actor=self.actor, recommendation=reviewed, starts_on=base + D(days=8))
        party.review(actor=self.actor, recommendation=reviewed, on=base + D(days=25))
        passed = party.propose(actor=self.actor, membership=mates[-2], kind="to_activist", proposed_on=self.today - D(days=4),
                               is_sample=True)
        party.record_meeting(actor=self.actor, recommendation=passed, meeting_on=self.today - D(days=2), due=due,
                             present=due - 1, yes=due // 2 + 1, no=due - 2 - due // 2, abstain=0)
        party.post_notice(actor=self.actor, recommendation=passed, starts_on=self.today - D(days=1))
        failed = party.propose(actor=self.actor, membership=mates[-3], kind="to_activist", proposed_on=base,
                               is_sample=True)
        # Half of those due said yes: enough among those present, not of those due (R4.3).
        party.record_meeting(actor=self.actor, recommendation=failed, meeting_on=base + D(days=7), due=due,
                             present=due - 2, yes=due // 2, no=due - 2 - due // 2, abstain=0)

    def pioneers(self) -> None:
        from tuanwu.accounts.models import User

        counsellor = User.objects.filter(username="counsellor", is_sample=True).first()
        brigade = Unit.objects.get(name="水西沟镇中心学校少先队大队", is_sample=True)
        school = Unit.objects.get(name="水西沟镇中心学校", is_sample=True)
        branch = Unit.objects.filter(path__startswith=school.path, kind=Kind.BRANCH).order_by("path").first()
        oldest = (Person.objects.filter(unit__path__startswith=brigade.path, political_status=PoliticalStatus.PIONEER)
                  .order_by("birth_date", "pk")[:PIONEERS_RECOMMENDED])
        # Recommended by the counsellor, who cannot act for the branch: each waits for the branch,
        # which opens the candidacy once the child is 14 (a to-do says when).
        actor = counsellor or self.actor
        for person in oldest:
            pioneers.recommend(actor=actor, person=person, brigade=brigade, branch=branch,
                               recommended_on=self.today - D(days=20), reason="品学兼优，少先队推优", is_sample=True)

    def exits(self) -> None:
        branch = self.branches(self.home)[2]
        mates = self.members_of(branch)
        exits.open_case(actor=self.actor, membership=mates[-1], kind="withdrawal", requested_on=self.today - D(days=10),
                        request_text="因外出务工，本人书面申请退团", is_sample=True)
        lapse = next((line for line in dues.lapse_candidates(self.actor, self.home, self.today)), None)
        if lapse is not None:
            case = exits.open_case(actor=self.actor, membership=lapse.membership, kind="lapse",
                                   requested_on=self.today - D(days=6),
                                   request_text="连续多月未交纳团费，经多次联系未参加组织生活", is_sample=True)
            exits.record_meeting(actor=self.actor, case=case, meeting_on=self.today - D(days=2))

    def build(self) -> str:
        for year in (self.today.year - 1, self.today.year):
            set_rule(actor=self.actor, key="development.yearly_quota", raw_value=QUOTA, county=self.county,
                     effective_from=datetime.date(year, 1, 1), allow_past=True, note="示例数据：年度发展计划")
        self.adopt_pipeline()
        self.develop_new()
        self.reviews()
        self.dues()
        self.transfers()
        self.party()
        self.pioneers()
        self.exits()
        c = self.counts
        return (f"补录发展档案 {c.get('adopted', 0)} 份、新发展 {c.get('new', 0)} 人（入团 "
                f"{c.get('admitted', 0)} 人）、评议 {c.get('sessions', 0)} 个团支部、注册 {c.get('registered', 0)} 人、"
                f"团费 {c.get('payments', 0)} 个月次、转接 {c.get('transfers', 0)} 件")


LESSON_TOPICS = ("团章学习", "共青团的光荣历史", "新时代青年的使命担当", "团员的权利与义务")
NEW_NAMES = ("王晓雨", "马玉凤", "阿依达娜·赛力克", "李思远", "海文静", "叶尔兰·阿曼", "张浩宇", "杨秀兰",
             "古丽米拉·木拉提", "陈子墨", "丁雪", "哈那提·别克", "刘欣然", "白志刚", "沙吾列·努尔兰")


def load(*, today: datetime.date, actor) -> str:
    return Builder(today=today, actor=actor).build()


# ---------------------------------------------------------------------------------------------
# Figures (through the queries the pages use)


def _user(username: str):
    from tuanwu.accounts.models import User

    return User.objects.filter(username=username, is_sample=True).first()


def figures() -> list[Figure]:
    admin = _user("admin")
    county = Unit.objects.filter(name=COUNTY_NAME, is_sample=True).first()
    if admin is None or county is None:
        return [Figure("示例县级管理员账号 admin 与团县委", "存在", "不存在", False)]
    today = timezone.localdate()
    results: list[Figure] = []
    devs = access.visible_to(admin, Development.objects.filter(membership__branch__path__startswith=county.path))
    stages = dict(devs.order_by().values_list("stage").annotate(n=Count("pk")))
    results.append(_exactly("发展档案：入团申请人", PEOPLE_PIPELINE["applicant"] + FRESH, stages.get("applicant", 0)))
    results.append(_exactly("发展档案：入团积极分子", PEOPLE_PIPELINE["activist"], stages.get("activist", 0)))
    results.append(_exactly("发展档案：发展对象", PEOPLE_PIPELINE["candidate"] + PREREVIEWED, stages.get("candidate", 0)))
    results.append(_exactly("发展档案：拟接收（支部大会已通过）", PROPOSED, stages.get("proposed", 0)))
    results.append(_exactly("发展档案：已入团（经全部步骤）", ADMITTED, stages.get("admitted", 0)))
    # The funnel, read as the funnel page reads it: admissions by join year over the last two years.
    admitted = sum(pioneers.funnel(admin, [county], y)[0].admitted for y in (today.year - 1, today.year))
    results.append(_exactly("党团队育人链接：近两年发展团员（按入团时间）", ADMITTED, admitted))
    recommended = sum(pioneers.funnel(admin, [county], y)[0].recommended for y in (today.year - 1, today.year))
    results.append(_exactly("党团队育人链接：少先队推优入团", PIONEERS_RECOMMENDED, recommended))
    party_passed = sum(pioneers.funnel(admin, [county], y)[0].party for y in (today.year - 1, today.year))
    results.append(_exactly("党团队育人链接：推优入党（团员大会通过）", 2, party_passed))
    rows = pioneers.funnel(admin, pioneers.funnel_units(admin, county), today.year)
    results.append(_exactly("育人链接各乡镇、学校的少先队员之和 = 全县", pioneers.funnel(admin, [county], today.year)[0].pioneers,
                            sum(r.pioneers for r in rows)))
    numbers = list(Membership.objects.filter(development__stage="admitted", development__is_sample=True)
                   .values_list("development_number", flat=True))
    results.append(_exactly("新团员的发展团员编号：12 位、前 4 位为入团年份、县内不重复", ADMITTED,
                            len({n for n in numbers if len(n) == 12 and n[4:8] == "0121"})))
    towns = Q()
    for town in Unit.objects.filter(name__in=REVIEW_TOWNS, is_sample=True):
        towns |= Q(path__startswith=town.path)
    branches = Unit.objects.filter(towns, kind=Kind.BRANCH, closed_on__isnull=True)
    with_members = [b for b in branches if review.reviewable(b).exists() or ReviewSession.objects.filter(branch=b).exists()]
    sessions = access.visible_to(admin, ReviewSession.objects.filter(year=today.year - 1, approved_on__isnull=False))
    results.append(_exactly("上年度评议：两镇每个有团员的团支部都已评议并经上级审定", len(with_members), sessions.count()))
    registered = access.visible_to(admin, Registration.objects.filter(year=today.year, outcome="registered")).count()
    results.append(_at_least("本年度已注册团籍", 200, registered))
    shuixigou = _user("shuixigou")
    home = Unit.objects.filter(name=HOME_TOWN, is_sample=True).first()
    if shuixigou is not None and home is not None:
        lapse = dues.lapse_candidates(shuixigou, home, today)
        results.append(_at_least("水西沟镇自行脱团候选（仅按团费判断）", 5, len(lapse)))
        paid = access.visible_to(shuixigou, DuesPayment.objects.all()).count()
        results.append(_at_least("水西沟镇团费交纳记录", 1000, paid))
        pending, unchecked = transfers.waiting_for(shuixigou, today)
        results.append(_exactly("水西沟镇待审批的转入", 1, len(pending)))
        results.append(_exactly("水西沟镇转入超过 30 天未报到", 1, len(unchecked)))
    results.append(_exactly("推优入党：已出具推荐意见", 1,
                            access.visible_to(admin, PartyRecommendation.objects.filter(state="reviewed")).count()))
    results.append(_exactly("少先队推优：等待满 14 周岁", PIONEERS_RECOMMENDED,
                            PioneerRecommendation.objects.filter(is_sample=True, development__isnull=True).count()))
    results.append(_exactly("在办的离团手续（退团 1、除名 1）", 2,
                            access.visible_to(admin, ExitCase.objects.exclude(state="done")).count()))
    quota = get_rule("development.yearly_quota", county, today)
    results.append(Figure("年度发展计划", f"{QUOTA} 名", f"{quota} 名", quota == QUOTA))
    return results


registry.register(key="membership_life", title="团员发展与团籍管理", order=20, is_loaded=is_loaded, load=load,
                  figures=figures)
