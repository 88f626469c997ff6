"""Demo part “people” (order 10): about 3,000 League members and 1,500 Young Pioneers in the demo
county, in every interesting state.

Members are spread over the county's 团支部 (villages and communities: working youth; organs
and enterprises: young employees; class branches: pupils of 14–18), Pioneers over the 中队s by
grade. Statuses follow fixed counts (mostly 团员; applicants, activists and candidates; 保留团籍的
党员; a few under 留团察看 or 暂缓注册; exits with dates and reasons), and a few members are 28
years old, some holding a post (they stay) and some not (they are due to leave). Every branch has
its 书记 recorded as a post holding, some a 副书记 and 委员s.

Loaded in bulk (one INSERT per batch) with the same derived columns the actions set (pinyin,
ciphertexts, blind indexes), the history events and the audit trail (``audit.record_many``),
deterministically from one seed. The data follows the rules the actions enforce (R1.1 join ages,
R1.2 exit records, R1.3/R1.4 ages, R2.14 development numbers).
"""

from __future__ import annotations

import datetime
import random
import re

from django.apps import apps
from django.db.models import BigIntegerField, Count
from django.db.models.functions import Cast
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.demo import registry
from tuanwu.demo.figures import Figure, _at_least, _exactly
from tuanwu.organisations import access
from tuanwu.organisations.models import Sector, Unit
from tuanwu.organisations.rules import Kind, add_years

from .bulk import build_person, person_audit_snapshot
from .idcard import check_digit
from .models import Education, HowObtained, Occupation, Person, PoliticalStatus, Position, PostHolding
from .queries import PersonFilters, people_for

SEED = 20230427 + 10
REGION = "650121"

# Exact counts by membership status (R1.2). 3,000 in all.
STATUS_COUNTS = {
    "member": 2_426, "applicant": 110, "activist": 80, "candidate": 50, "party_member_keeping": 120,
    "probation": 8, "registration_deferred": 22, "aged_out": 100, "withdrawn": 30, "lapsed": 50, "expelled": 4,
}
MEMBERS_TOTAL = sum(STATUS_COUNTS.values())
PIONEERS_TOTAL = 1_500
AGED_28_WITH_POST = 3
AGED_28_WITHOUT_POST = 4
EXIT_REASONS = {
    "aged_out": "年满 28 周岁，未担任团内职务，按规定办理超龄离团",
    "withdrawn": "本人书面申请退团，经支部大会讨论同意",
    "lapsed": "连续 6 个月不交纳团费、不过团的组织生活，经支部大会决定除名",
    "expelled": "严重违反团的纪律，经支部大会决定并报上级批准开除团籍",
}
GRADES = {"一年级": 6, "二年级": 7, "三年级": 8, "四年级": 9, "五年级": 10, "六年级": 11, "七年级": 12, "八年级": 13}

HAN_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文单解"
HUI_SURNAMES = "马马马马杨海丁白沙穆哈纳冶韩金米撒"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞",
         "平", "刚", "建国", "春燕", "海燕", "志强", "晓东", "文博", "欣怡", "子涵", "浩然", "雨轩", "佳怡", "梓萱",
         "思远", "一鸣", "俊杰", "雪梅", "晓燕", "国庆", "建新", "玉兰", "婷婷", "宇航", "子轩", "梦瑶", "天佑")
KAZAKH_GIVEN = ("阿依古丽", "叶尔兰", "努尔兰", "古丽娜", "别克", "阿依达娜", "哈那提", "沙吾列", "达吾列提", "加娜尔",
                "叶尔肯", "阿斯哈尔", "巴合提", "古丽米拉", "热依扎", "阿勒泰", "木合塔尔", "卡米拉")
KAZAKH_FATHER = ("哈力木", "努尔兰", "叶尔肯", "吐尔逊", "阿曼", "加尔肯", "赛力克", "木拉提", "托合塔尔", "别克")
UYGHUR_GIVEN = ("买买提", "阿不都", "热依拉", "古再丽", "艾力", "迪丽努尔", "吾斯曼", "帕提古丽", "伊力哈木", "阿依努尔")
UYGHUR_FATHER = ("吐尔逊", "艾买提", "阿不力孜", "热合曼", "努尔", "依明", "卡德尔", "司马义")
# Ethnic mix of the demo county (roughly 汉 45 %, 回 24 %, 哈萨克 25 %, 维吾尔 4 %, others 2 %).
ETHNIC_WEIGHTS = (("汉族", 45), ("回族", 24), ("哈萨克族", 25), ("维吾尔族", 4), ("蒙古族", 1), ("满族", 1))


def _membership_models():
    # people does not import membership (imports flow one way); the demo reads its models here.
    return apps.get_model("membership", "Membership"), apps.get_model("membership", "MembershipEvent")


def is_loaded() -> bool:
    return Person.objects.filter(is_sample=True).exists()


class PeopleBuilder:
    def __init__(self, *, today: datetime.date, actor):
        self.today = today
        self.actor = actor
        self.rng = random.Random(SEED)
        self.used_ids: set[str] = set()
        self.dev_seq: dict[int, int] = {}
        self.people: list[tuple[Person, str, str, str]] = []  # (person, id, phone, guardian phone)
        self.phone_seq = 0

    # -- small pieces --------------------------------------------------------------------------

    def ethnicity(self) -> str:
        return self.rng.choices([e for e, _ in ETHNIC_WEIGHTS], weights=[w for _, w in ETHNIC_WEIGHTS])[0]

    def name(self, ethnicity: str, gender: str) -> str:
        if ethnicity == "哈萨克族":
            return f"{self.rng.choice(KAZAKH_GIVEN)}·{self.rng.choice(KAZAKH_FATHER)}"
        if ethnicity == "维吾尔族":
            return f"{self.rng.choice(UYGHUR_GIVEN)}·{self.rng.choice(UYGHUR_FATHER)}"
        surnames = HUI_SURNAMES if ethnicity == "回族" else HAN_SURNAMES
        return self.rng.choice(surnames) + self.rng.choice(GIVEN)

    def birth_for_age(self, low: int, high: int) -> datetime.date:
        """A birth date giving an age (周岁) between ``low`` and ``high`` today."""
        latest = add_years(self.today, -low)
        earliest = add_years(self.today, -(high + 1)) + datetime.timedelta(days=1)
        return earliest + datetime.timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def id_number(self, birth: datetime.date, gender: str) -> str:
        while True:
            seq = self.rng.randint(0, 99)
            third = self.rng.randrange(1 if gender == "male" else 0, 10, 2)
            body = f"{REGION}{birth:%Y%m%d}{seq:02d}{third}"
            number = body + check_digit(body)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        self.phone_seq += 1
        prefix = self.rng.choice(("135", "138", "139", "150", "152", "158", "180", "187", "189", "199"))
        return f"{prefix}{(self.phone_seq * 7919) % 100_000_000:08d}"

    def development_number(self, year: int) -> str:
        self.dev_seq[year] = self.dev_seq.get(year, 0) + 1
        return f"{year}{REGION[:4]}{self.dev_seq[year]:04d}"

    def day_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        if end <= start:
            return start
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def add_person(self, unit: Unit, *, birth: datetime.date, gender: str, with_id: bool = True,
                   student_number: str = "", **fields) -> Person:
        ethnicity = self.ethnicity()
        number = self.id_number(birth, gender) if with_id else ""
        phone = self.phone() if fields.pop("has_phone", True) else ""
        guardian_phone = fields.pop("guardian_phone", "")
        person = build_person(unit=unit, name=self.name(ethnicity, gender), id_number=number, phone=phone,
                              guardian_phone=guardian_phone, gender=gender, ethnicity=ethnicity, birth_date=birth,
                              student_number=student_number, is_sample=True, **fields)
        self.people.append((person, number, phone, guardian_phone))
        return person

    # -- members -------------------------------------------------------------------------------

    def age_range(self, branch: Unit) -> tuple[int, int]:
        if branch.is_student:
            return 14, 18
        if branch.name == "教职工团支部":
            return 22, 27
        if branch.sector in (Sector.GOVERNMENT, Sector.PUBLIC_INSTITUTION, Sector.STATE_ENTERPRISE):
            return 22, 27
        return 16, 27

    def occupation(self, branch: Unit) -> str:
        if branch.is_student:
            return Occupation.STUDENT
        if branch.sector in (Sector.GOVERNMENT, Sector.PUBLIC_INSTITUTION) or branch.name == "教职工团支部":
            return Occupation.PUBLIC_SECTOR
        if branch.sector in (Sector.STATE_ENTERPRISE, Sector.PRIVATE_ENTERPRISE):
            return Occupation.ENTERPRISE
        return self.rng.choice((Occupation.FARMER, Occupation.FARMER, Occupation.SELF_EMPLOYED, Occupation.ENTERPRISE,
                                Occupation.FREELANCE, Occupation.UNEMPLOYED, Occupation.STUDENT))

    def education(self, age: int, branch: Unit) -> str:
        if branch.is_student:
            return Education.JUNIOR_HIGH if age < 16 else Education.SENIOR_HIGH
        if branch.sector in (Sector.GOVERNMENT, Sector.PUBLIC_INSTITUTION) or branch.name == "教职工团支部":
            return self.rng.choice((Education.BACHELOR, Education.BACHELOR, Education.COLLEGE, Education.MASTER))
        return self.rng.choice((Education.JUNIOR_HIGH, Education.SENIOR_HIGH, Education.VOCATIONAL, Education.COLLEGE,
                                Education.BACHELOR))

    def member_plan(self, branches: list[Unit]) -> list[tuple[Unit, str]]:
        """(branch, status) for every member: statuses by exact count, branches weighted (class
        branches get fewer members than villages)."""
        statuses = [s for s, n in STATUS_COUNTS.items() for _ in range(n - (len(branches) if s == "member" else 0))]
        self.rng.shuffle(statuses)
        weights = [2 if b.is_student else 3 for b in branches]
        # Every branch has at least one 团员 (its 书记) and 5 people in all; the rest by weight.
        plan = [(b, "member") for b in branches]
        base = [b for b in branches for _ in range(4)]
        rest = self.rng.choices(branches, weights=weights, k=len(statuses) - len(base))
        for branch, status in zip(base + rest, statuses, strict=True):
            if branch.is_student and status in ("party_member_keeping", "aged_out", "lapsed", "expelled"):
                # Pupils do not join the Party or age out: give the status to a village branch instead.
                branch = self.rng.choice([b for b in branches if not b.is_student])
            plan.append((branch, status))
        return plan

    def build_members(self, branches: list[Unit]):
        Membership, MembershipEvent = _membership_models()
        memberships = []
        aged_28: list[tuple[Unit, Person]] = []
        for n, (branch, status) in enumerate(self.member_plan(branches)):
            low, high = self.age_range(branch)
            if status not in ("applicant", "activist", "candidate"):
                low = max(low, 15)  # joined at 14 or later, at least a few months ago
            if status == "aged_out":
                low, high = 28, 32
            elif status in ("party_member_keeping",):
                low, high = max(low, 20), 27
            elif status in ("applicant", "activist", "candidate"):
                low, high = (14, 17) if branch.is_student else (16, 26)
            elif status in ("withdrawn", "lapsed", "expelled"):
                low, high = max(low, 18), 30
            # Not a branch's guaranteed first 团员 (n < len(branches)): that one may become its 书记.
            designated = n >= len(branches) and status == "member" and not branch.is_student and len(aged_28) < (
                AGED_28_WITH_POST + AGED_28_WITHOUT_POST) and branch.pk not in {b.pk for b, _ in aged_28}
            if designated:
                birth = add_years(self.today, -28) - datetime.timedelta(days=self.rng.randint(5, 60))
            else:
                birth = self.birth_for_age(low, high)
            gender = self.rng.choice(("male", "female"))
            age = (self.today.year - birth.year) - (1 if add_years(birth, self.today.year - birth.year) > self.today else 0)
            joined = None if status in ("applicant", "activist", "candidate") else self.day_between(
                add_years(birth, 14) + datetime.timedelta(days=30), min(add_years(birth, 18), self.today - datetime.timedelta(days=60)))
            political = {"party_member_keeping": PoliticalStatus.PARTY_MEMBER}.get(
                status, PoliticalStatus.LEAGUE_MEMBER if joined else PoliticalStatus.MASSES)
            if status in ("aged_out", "withdrawn", "lapsed", "expelled"):
                political = PoliticalStatus.MASSES
            person = self.add_person(
                branch, birth=birth, gender=gender, has_phone=self.rng.random() > 0.12,
                education=self.education(age, branch), occupation=self.occupation(branch), political_status=political,
            )
            if designated:
                aged_28.append((branch, person))
            since, exit_on, reason = self.status_dates(status, birth, joined)
            membership = Membership(
                person=person, branch=branch, status=status, status_since=since, joined_on=joined,
                development_number=self.development_number(joined.year) if joined and joined.year >= 2016 else "",
                member_card_number=f"{self.rng.randint(0, 99_999_999):08d}" if joined and self.rng.random() < 0.6 else "",
                exit_on=exit_on, exit_reason=reason, is_sample=True,
            )
            memberships.append(membership)
        return memberships, aged_28

    def status_dates(self, status: str, birth: datetime.date, joined: datetime.date | None):
        """(status_since, exit_on, exit_reason) consistent with the rules."""
        if status in ("applicant", "activist", "candidate"):
            return self.today - datetime.timedelta(days=self.rng.randint(20, 400)), None, ""
        if status == "member":
            return joined, None, ""
        if status == "aged_out":
            on = self.day_between(max(add_years(birth, 28), joined), self.today - datetime.timedelta(days=1))
            return on, on, EXIT_REASONS[status]
        if status in EXIT_STATUSES:
            last = self.today - datetime.timedelta(days=1)
            on = self.day_between(min(joined + datetime.timedelta(days=200), last), last)
            return on, on, EXIT_REASONS[status]
        last = self.today - datetime.timedelta(days=10)
        on = self.day_between(min(joined + datetime.timedelta(days=365), last), last)
        return on, None, ""

    def history(self, memberships) -> list:
        """The registration (as the status it started in) and, for those who moved on, the change."""
        _, MembershipEvent = _membership_models()
        events = []
        for m in memberships:
            common = {"membership": m, "actor_label": "系统", "is_sample": True}
            if m.joined_on is None:
                events.append(MembershipEvent(kind="registered", on=m.status_since, to_status=m.status,
                                              to_branch=m.branch, reason="示例数据", **common))
                continue
            events.append(MembershipEvent(kind="registered", on=m.joined_on, to_status="member", to_branch=m.branch,
                                          reason="支部大会通过，接收为团员", **common))
            if m.status != "member":
                events.append(MembershipEvent(kind="status", on=m.status_since, from_status="member", to_status=m.status,
                                              reason=m.exit_reason or STATUS_REASONS.get(m.status, ""), **common))
        return events

    # -- posts ---------------------------------------------------------------------------------

    def posts(self, branches: list[Unit], memberships, aged_28) -> list[PostHolding]:
        by_branch: dict[int, list] = {}
        for m in memberships:
            if m.status == "member":
                by_branch.setdefault(m.branch_id, []).append(m.person)
        holdings = []
        with_post = {person.pk for _, person in aged_28[:AGED_28_WITH_POST]}
        without_post = {person.pk for _, person in aged_28[AGED_28_WITH_POST:]}
        for branch in branches:
            candidates = [p for p in by_branch.get(branch.pk, []) if p.pk not in without_post]
            # Each designated 28-year-old with a post is the 书记 of their own branch (one per branch).
            secretaries = [p for p in candidates if p.pk in with_post] or sorted(
                candidates, key=lambda p: p.birth_date)
            secretary = secretaries[0]
            term = branch.terms.filter(ended_on__isnull=True).first()
            started = term.started_on if term else self.today - datetime.timedelta(days=300)
            holdings.append(PostHolding(person=secretary, unit=branch, position=Position.SECRETARY, started_on=started,
                                        how_obtained=HowObtained.ELECTED, document="团支部大会选举结果报告",
                                        is_sample=True))
            others = [p for p in candidates if p is not secretary and p.pk not in with_post]
            extra = []
            if others and self.rng.random() < 0.35:
                extra.append(Position.DEPUTY_SECRETARY)
            if len(others) > 2 and self.rng.random() < 0.4:
                extra += [Position.ORGANISATION, Position.PUBLICITY]
            for position, person in zip(extra, others, strict=False):
                holdings.append(PostHolding(person=person, unit=branch, position=position, started_on=started,
                                            how_obtained=HowObtained.ELECTED, is_sample=True))
        return holdings

    # -- Pioneers ------------------------------------------------------------------------------

    def build_pioneers(self, squadrons: list[Unit]) -> int:
        weights = [3 if GRADES.get(_grade(s.name), 6) <= 11 else 4 for s in squadrons]
        chosen = self.rng.choices(squadrons, weights=weights, k=PIONEERS_TOTAL - 5 * len(squadrons))
        plan = [s for s in squadrons for _ in range(5)] + chosen
        for i, squadron in enumerate(plan):
            age = GRADES.get(_grade(squadron.name), 9)
            birth = self.birth_for_age(age, age)
            gender = self.rng.choice(("male", "female"))
            # Most pupils' ID numbers are on file; some are known by their 学籍号 only.
            with_id = self.rng.random() < 0.8
            student_number = f"G{REGION}{birth:%Y}{i:06d}"
            self.add_person(squadron, birth=birth, gender=gender, with_id=with_id, student_number=student_number,
                            has_phone=False, guardian_name=self.name("汉族", "male")[:3],
                            guardian_phone=self.phone(), education=Education.PRIMARY if age < 12 else Education.JUNIOR_HIGH,
                            occupation=Occupation.STUDENT, political_status=PoliticalStatus.PIONEER)
        return len(plan)

    # -- everything ----------------------------------------------------------------------------

    def build(self) -> str:
        Membership, MembershipEvent = _membership_models()
        county = Unit.objects.get(name=COUNTY_NAME, is_sample=True)
        branches = list(Unit.objects.filter(path__startswith=county.path, kind=Kind.BRANCH, closed_on__isnull=True,
                                            is_sample=True).order_by("path"))
        squadrons = list(Unit.objects.filter(path__startswith=county.path, kind=Kind.PIONEER_SQUADRON,
                                             closed_on__isnull=True, is_sample=True).order_by("path"))
        memberships, aged_28 = self.build_members(branches)
        pioneers = self.build_pioneers(squadrons)
        people = [p for p, *_ in self.people]
        Person.objects.bulk_create(people, batch_size=2000)
        Membership.objects.bulk_create(memberships, batch_size=2000)
        events = self.history(memberships)
        MembershipEvent.objects.bulk_create(events, batch_size=2000)
        holdings = self.posts(branches, memberships, aged_28)
        PostHolding.objects.bulk_create(holdings, batch_size=2000)
        audit.record_many(actor=self.actor, action="登记人员（示例数据）", items=[
            (p, None, person_audit_snapshot(p, number, phone, guardian)) for p, number, phone, guardian in self.people])
        audit.record_many(actor=self.actor, action="登记团籍（示例数据）",
                          items=[(m, None, audit.snapshot(m)) for m in memberships])
        audit.record_many(actor=self.actor, action="登记团内职务（示例数据）",
                          items=[(h, None, audit.snapshot(h)) for h in holdings])
        return (f"{len(memberships)} 名团员及入团申请人等、{pioneers} 名少先队员、{len(holdings)} 条团内职务、"
                f"{len(events)} 条团籍记录")


STATUS_REASONS = {
    "party_member_keeping": "加入中国共产党，保留团籍",
    "probation": "违反团的纪律，经支部大会决定给予留团察看处分",
    "registration_deferred": "年度团员注册时未达到注册要求，暂缓注册",
}
EXIT_STATUSES = frozenset({"aged_out", "withdrawn", "lapsed", "expelled"})
COUNTY_NAME = "团乌鲁木齐县委"


def _grade(name: str) -> str:
    match = re.match(r"^(.+年级)", name)
    return match.group(1) if match else ""


def load(*, today: datetime.date, actor) -> str:
    summary = PeopleBuilder(today=today, actor=actor).build()
    from tuanwu.demo.registry import refresh_statistics

    refresh_statistics("people_person", "people_postholding", "membership_membership", "membership_membershipevent",
                       "core_auditevent")
    return summary


# ---------------------------------------------------------------------------------------------
# Figures for `make demo-check`, read through the same queries the pages use


def _user(username: str):
    from tuanwu.accounts.models import User

    return User.objects.filter(username=username, is_sample=True).first()


def figures() -> list[Figure]:
    Membership, _ = _membership_models()
    admin = _user("admin")
    if admin is None:
        return [Figure("示例县级管理员账号 admin", "存在", "不存在", False)]
    results = []
    everyone = people_for(admin, PersonFilters())
    # Later demo parts (membership life, order 20) develop people of their own through the
    # actions; the status counts are of the people this part loaded (audited in bulk).
    loaded = (apps.get_model("core", "AuditEvent").objects
              .filter(action="登记人员（示例数据）", object_type="people.Person")
              .annotate(pid=Cast("object_id", BigIntegerField())).values_list("pid", flat=True))
    loaded = list(loaded)  # a few thousand ids: cheaper as a list than as a correlated subquery
    counts = dict(everyone.filter(membership__isnull=False, pk__in=loaded).order_by()
                  .values_list("membership__status").annotate(n=Count("id")))
    for status, label in Membership._meta.get_field("status").choices:
        results.append(_exactly(f"县级管理员可见的{label}", STATUS_COUNTS.get(status, 0), counts.get(status, 0)))
    results.append(_exactly("县级管理员可见的少先队员", PIONEERS_TOTAL,
                            everyone.filter(political_status=PoliticalStatus.PIONEER).count()))
    audited = (apps.get_model("core", "AuditEvent").objects
               .filter(object_type="people.Person", action__in=("登记人员", "登记人员（示例数据）"))
               .values("object_id").distinct().count())
    results.append(_exactly("每个示例人员都有“登记人员”审计记录", Person.objects.filter(is_sample=True).count(), audited))
    inspector = _user("inspector")
    if inspector is not None:
        results.append(_exactly("巡察（无未成年人查看权限）看到的少先队员", 0,
                                people_for(inspector, PersonFilters(status="none"))
                                .filter(political_status=PoliticalStatus.PIONEER).count()))
    shuixigou = _user("shuixigou")
    if shuixigou is not None:
        minors = people_for(shuixigou, PersonFilters()).filter(Person.access_minor_q()).count()
        results.append(_exactly("水西沟镇管理员 shuixigou 看到的未成年人", 0, minors))
        results.append(_at_least("水西沟镇管理员 shuixigou 看到的团员", 100,
                                 people_for(shuixigou, PersonFilters(status="member")).count()))
    counsellor = _user("counsellor")
    brigade = Unit.objects.filter(name="水西沟镇中心学校少先队大队", is_sample=True).first()
    if counsellor is not None and brigade is not None:
        in_brigade = Person.objects.filter(unit__path__startswith=brigade.path, is_sample=True).count()
        results.append(_exactly("辅导员 counsellor 看到的少先队员 = 本大队人数", in_brigade,
                                people_for(counsellor, PersonFilters()).count()))
        results.append(_at_least("本大队少先队员", 50, in_brigade))
    today = timezone.localdate()
    aged = everyone.filter(membership__status="member", birth_date__lte=add_years(today, -28))
    holding = PostHolding.objects.filter(ended_on__isnull=True).values("person_id")
    results.append(_exactly("已满 28 周岁仍为团员且担任团内职务的", AGED_28_WITH_POST,
                            aged.filter(pk__in=holding).count()))
    results.append(_exactly("已满 28 周岁、未担任职务（应办理超龄离团）的", AGED_28_WITHOUT_POST,
                            aged.exclude(pk__in=holding).count()))
    branches = access.visible_units(admin).filter(kind=Kind.BRANCH, closed_on__isnull=True)
    with_secretary = branches.filter(post_holdings__position=Position.SECRETARY,
                                     post_holdings__ended_on__isnull=True).distinct().count()
    results.append(_exactly("每个团支部都登记了书记", branches.count(), with_secretary))
    no_phone = everyone.filter(membership__isnull=False, phone_index="").count()
    results.append(_at_least("没有登记手机号的团员等", 100, no_phone))
    ethnic = dict(everyone.order_by().values_list("ethnicity").annotate(n=Count("id")))
    total = sum(ethnic.values()) or 1
    shares = {e: round(100 * ethnic.get(e, 0) / total) for e in ("汉族", "回族", "哈萨克族")}
    results.append(Figure("民族构成（汉族约 45%，回族约 24%，哈萨克族约 25%）", "汉 40–50%、回 19–29%、哈 20–30%",
                          f"汉 {shares['汉族']}%、回 {shares['回族']}%、哈 {shares['哈萨克族']}%",
                          40 <= shares["汉族"] <= 50 and 19 <= shares["回族"] <= 29 and 20 <= shares["哈萨克族"] <= 30))
    return results


registry.register(key="people", title="团员名册", order=10, is_loaded=is_loaded, load=load, figures=figures)
