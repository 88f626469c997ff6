"""Build the demo county through the same actions a user's clicks go through.

Every unit, term and grant is made by ``tuanwu.organisations.actions``, so the tree rules, the
term-length rules (R7.1) and the audit trail apply exactly as they do for real data. The actor is
an unsaved superuser: the audit trail records it as “系统”, and no dormant superuser account is
left behind in the database.

Deterministic: one ``random.Random(SEED)`` drives every choice, in a fixed order. Dates that must
stay live (term reminders) are computed from the load date.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tuanwu.accounts.models import User
from tuanwu.core import audit
from tuanwu.core.rule_settings import get_rule
from tuanwu.organisations import actions
from tuanwu.organisations.models import Role, Sector, Term, Unit
from tuanwu.organisations.rules import Kind, add_years

from . import data

ROLE_LABELS = dict(Role.choices)


def is_loaded() -> bool:
    """The county committee marks a completed load (the whole load is one transaction)."""
    return Unit.objects.filter(name=data.COUNTY_NAME, kind=Kind.LEAGUE_COUNTY, is_sample=True).exists()


def system_actor() -> User:
    """An in-memory superuser: passes every access check; audited as “系统”, never saved."""
    return User(username="系统", full_name="示例数据装载", is_superuser=True, is_staff=True, is_active=True)


@dataclass
class LoadResult:
    units: int
    terms: int
    grants: int
    users: int


class DemoBuilder:
    def __init__(self, *, today: datetime.date):
        self.today = today
        self.rng = random.Random(data.SEED)
        self.actor = system_actor()
        # One argon2 hash for the shared demo password: hashing ~130 times would cost seconds and
        # buy nothing, since the password is published anyway.
        self.password_hash = make_password(data.DEMO_PASSWORD)
        self.county: Unit | None = None
        self.townships: dict[str, Unit] = {}
        self.township_party: dict[str, Unit] = {}
        self.township_branches: dict[tuple[str, str], Unit] = {}
        self.brigades: dict[str, Unit] = {}
        self.used_codes: set[str] = set()
        self.account_counters: dict[str, int] = {}
        self.counts = LoadResult(0, 0, 0, 0)

    # -- primitives -----------------------------------------------------------------------------

    def unit(self, parent: Unit | None, name: str, kind: str, **fields) -> Unit:
        unit = actions.create_unit(actor=self.actor, parent=parent, name=name, kind=kind, is_sample=True, **fields)
        self.counts.units += 1
        return unit

    def term(self, unit: Unit, *, started_on: datetime.date, number: int, how: str,
             planned_end_on: datetime.date | None = None) -> Term:
        term = actions.start_term(
            actor=self.actor, unit=unit, number=number, started_on=started_on, planned_end_on=planned_end_on,
            how_elected=how, is_sample=True,
        )
        self.counts.terms += 1
        return term

    def person_name(self) -> str:
        if self.rng.random() < 0.3:
            return f"{self.rng.choice(data.KAZAKH_GIVEN)}·{self.rng.choice(data.KAZAKH_FATHER)}"
        return self.rng.choice(data.SURNAMES) + self.rng.choice(data.GIVEN)

    def user(self, username: str, full_name: str) -> User:
        user = User.objects.create(
            username=username, full_name=full_name, password=self.password_hash, must_change_password=False,
            is_sample=True,
        )
        audit.record(actor=self.actor, action="新建账号", obj=user, after=audit.snapshot(user))
        self.counts.users += 1
        return user

    def grant(self, user: User, unit: Unit, role: str, starts_on: datetime.date, note: str = "示例数据"):
        grant = actions.grant_role(actor=self.actor, user=user, unit=unit, role=role,
                                   starts_on=min(starts_on, self.today), note=note)
        self.counts.grants += 1
        return grant

    def secretary(self, unit: Unit, prefix: str, starts_on: datetime.date) -> User:
        """An administrator account for ``unit``, named ``<prefix><nn>`` (e.g. shuixigou03)."""
        n = self.account_counters.get(prefix, 0) + 1
        self.account_counters[prefix] = n
        user = self.user(f"{prefix}{n:02d}", self.person_name())
        self.grant(user, unit, Role.UNIT_ADMIN, starts_on)
        return user

    def code(self, base: str, lo: int, hi: int, width: int) -> str:
        """A plausible, unused, unconfirmed division code: ``base`` + a number in [lo, hi]."""
        while True:
            candidate = f"{base}{self.rng.randint(lo, hi):0{width}d}"
            if candidate not in self.used_codes:
                self.used_codes.add(candidate)
                return candidate

    def past_day(self, min_days: int, max_days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(min_days, max_days))

    def school_year_start(self) -> datetime.date:
        year = self.today.year if self.today >= datetime.date(self.today.year, 9, 1) else self.today.year - 1
        return min(datetime.date(year, 9, 1) + datetime.timedelta(days=self.rng.randint(3, 20)), self.today)

    def branch_term(self, unit: Unit) -> None:
        """Branch terms: 3 years (student branches 1 year, from this school year): R7.1 via the
        county's rule settings. Some start long enough ago to fall due within the reminder window."""
        if unit.is_student:
            started = self.school_year_start()
        else:
            started = self.past_day(20, 3 * 365 + 45)
        self.term(unit, started_on=started, number=self.rng.randint(1, 6), how=Term.HowElected.MEMBERS_MEETING)

    def committee_term(self, unit: Unit, *, ends_in_days: int | None = None, number: int | None = None) -> Term:
        years = get_rule("terms.committee_years", unit, self.today)
        if ends_in_days is None:
            started = self.past_day(60, years * 365 - 200)
        else:
            started = add_years(self.today + datetime.timedelta(days=ends_in_days), -years)
        return self.term(unit, started_on=started, number=number or self.rng.randint(2, 5),
                         how=Term.HowElected.CONGRESS)

    # -- the county ---------------------------------------------------------------------------------

    def build(self) -> LoadResult:
        province = self.unit(None, data.PROVINCE_NAME, Kind.LEAGUE_PROVINCE, division_code="650000")
        city = self.unit(province, data.CITY_NAME, Kind.LEAGUE_CITY, division_code="650100")
        party_root = self.build_party_tree()
        self.county = county = self.unit(city, data.COUNTY_NAME, Kind.LEAGUE_COUNTY,
                                         division_code=data.COUNTY_CODE, led_by=party_root)
        self.used_codes.add(data.COUNTY_CODE)
        # 第十三届 (history) then 第十四届 from the February 2023 congress: starting the 14th ends the 13th.
        self.term(county, started_on=data.PREVIOUS_COUNTY_TERM_START, number=data.COUNTY_TERM_NUMBER - 1,
                  how=Term.HowElected.CONGRESS)
        self.term(county, started_on=data.COUNTY_TERM_START, number=data.COUNTY_TERM_NUMBER,
                  planned_end_on=data.COUNTY_TERM_END, how=Term.HowElected.CONGRESS)
        for township in data.TOWNSHIPS:
            self.build_township(county, township)
        self.build_organs(county)
        self.build_enterprises(county)
        social = self.unit(county, data.SOCIAL_ORGANISATION_BRANCH, Kind.BRANCH, sector=Sector.SOCIAL_ORGANISATION)
        self.branch_term(social)
        self.secretary(social, "shehui", self.today - datetime.timedelta(days=300))
        for school in data.SCHOOLS:
            self.build_school(county, school)
        self.build_featured_accounts()
        return self.counts

    def build_party_tree(self) -> Unit:
        root = self.unit(None, data.PARTY_ROOT_NAME, Kind.PARTY_COMMITTEE, division_code=data.COUNTY_CODE)
        self.organs_party = self.unit(root, "中共乌鲁木齐县直属机关工作委员会", Kind.PARTY_COMMITTEE,
                                      sector=Sector.GOVERNMENT)
        self.party_branches: dict[tuple[str, str], Unit] = {}
        for township in data.TOWNSHIPS:
            committee = self.unit(root, f"{township.name}党委", Kind.PARTY_COMMITTEE, sector=Sector.RURAL)
            self.township_party[township.name] = committee
            for community in township.communities:
                self.party_branches[(township.name, community)] = self.unit(
                    committee, f"{community}社区党支部", Kind.PARTY_BRANCH, sector=Sector.COMMUNITY)
            for village in township.villages:
                self.party_branches[(township.name, village)] = self.unit(
                    committee, f"{village}村党支部", Kind.PARTY_BRANCH, sector=Sector.RURAL)
        return root

    def build_township(self, county: Unit, township: data.Township) -> None:
        if township.code:
            code, confirmed = township.code, True
            self.used_codes.add(code)
        elif township.is_town:
            code, confirmed = self.code(data.COUNTY_CODE, 101, 109, 3), False
        else:
            code, confirmed = self.code(data.COUNTY_CODE, 200, 209, 3), False
        party = self.township_party[township.name]
        committee = self.unit(
            county, f"{township.name}团委", Kind.COMMITTEE, sector=Sector.RURAL, division_code=code,
            division_code_confirmed=confirmed, led_by=party,
        )
        self.townships[township.name] = committee
        term = self.committee_term(committee, ends_in_days=township.term_end_in_days, number=township.term_number)
        if township.short not in ("shuixigou", "banfanggou"):  # those two are featured accounts
            self.grant(self.user(township.short, self.person_name()), committee, Role.UNIT_ADMIN, term.started_on)

        skipped = {name for town, name in data.UNADMINISTERED_BRANCHES if town == township.name}

        def branch(name: str, sector: str, *, led_by: Unit | None = None, code: str = "",
                   **flags) -> Unit:
            unit = self.unit(committee, name, Kind.BRANCH, sector=sector, led_by=led_by, division_code=code,
                             division_code_confirmed=not code, **flags)
            self.township_branches[(township.name, name)] = unit
            self.branch_term(unit)
            if name not in skipped and not (township.name == "水西沟镇" and name == "平西梁村团支部"):
                self.secretary(unit, township.short, unit.terms.get(ended_on__isnull=True).started_on)
            return unit

        branch(f"{township.name}机关团支部", Sector.GOVERNMENT, led_by=party)
        for i, community in enumerate(township.communities, start=1):
            branch(f"{community}社区团支部", Sector.COMMUNITY, led_by=self.party_branches[(township.name, community)],
                   code=f"{code}{i:03d}")
        for i, village in enumerate(township.villages, start=1):
            branch(f"{village}村团支部", Sector.RURAL, led_by=self.party_branches[(township.name, village)],
                   code=f"{code}{200 + i:03d}")
        for town, name in data.PRIVATE_ENTERPRISES:
            if town == township.name:
                branch(name, Sector.PRIVATE_ENTERPRISE)
        if township.name == "水西沟镇":
            # 流动团员团支部 for members working away from home.
            branch("水西沟镇流动团员团支部", Sector.RURAL, is_mobile=True)
            self.demo_handover(self.township_branches[(township.name, "溪水社区团支部")])

    def demo_handover(self, unit: Unit) -> None:
        """A secretary changed during the current term: the old grant ended the day before the
        new one began, and both stay on record."""
        current = unit.grants.get(ends_on__isnull=True)
        on = max(current.starts_on + datetime.timedelta(days=1), self.today - datetime.timedelta(days=200))
        successor = self.user("shuixigou_xin", self.person_name())
        actions.hand_over(actor=self.actor, grant=current, new_user=successor, on=on)
        self.counts.grants += 1

    def build_organs(self, county: Unit) -> None:
        organs = self.unit(county, "县直机关团工委", Kind.WORKING_COMMITTEE, sector=Sector.GOVERNMENT,
                           led_by=self.organs_party)
        term = self.committee_term(organs)
        self.secretary(organs, "xianzhi", term.started_on)
        for name, sector in data.ORGAN_BRANCHES:
            unit = self.unit(organs, name, Kind.BRANCH, sector=sector)
            self.branch_term(unit)
            self.secretary(unit, "xianzhi", unit.terms.get(ended_on__isnull=True).started_on)

    def build_enterprises(self, county: Unit) -> None:
        soe = self.unit(county, data.STATE_ENTERPRISE, Kind.COMMITTEE, sector=Sector.STATE_ENTERPRISE)
        term = self.committee_term(soe)
        self.secretary(soe, "chengtou", term.started_on)
        for name in data.STATE_ENTERPRISE_BRANCHES:
            unit = self.unit(soe, name, Kind.BRANCH, sector=Sector.STATE_ENTERPRISE)
            self.branch_term(unit)
            self.secretary(unit, "chengtou", unit.terms.get(ended_on__isnull=True).started_on)

    def build_school(self, county: Unit, school: data.School) -> None:
        node = self.unit(county, school.name, Kind.SCHOOL, sector=Sector.SCHOOL)
        brigade = self.unit(node, f"{school.name}少先队大队", Kind.PIONEER_BRIGADE, sector=Sector.SCHOOL)
        self.brigades[school.name] = brigade
        for grade in school.pioneer_grades:
            for i in range(1, self.rng.randint(1, 3) + 1):
                self.unit(brigade, f"{grade}({i})中队", Kind.PIONEER_SQUADRON, sector=Sector.SCHOOL)
        if not school.class_branch_grades:
            return
        if school.stage == "complete":
            league = self.unit(node, f"{school.name}团委", Kind.COMMITTEE, sector=Sector.SCHOOL)
            term = self.committee_term(league)
            per_grade = (2, 4)
        else:
            league = self.unit(node, f"{school.name}团总支", Kind.GENERAL_BRANCH, sector=Sector.SCHOOL)
            started = self.past_day(60, 2 * 365)
            term = self.term(league, started_on=started, number=self.rng.randint(1, 4),
                             how=Term.HowElected.MEMBERS_MEETING)
            per_grade = (1, 2)
        self.secretary(league, school.short, term.started_on)
        teachers = self.unit(league, "教职工团支部", Kind.BRANCH, sector=Sector.SCHOOL)
        self.branch_term(teachers)
        self.secretary(teachers, school.short, teachers.terms.get(ended_on__isnull=True).started_on)
        for grade in school.class_branch_grades:
            for i in range(1, self.rng.randint(*per_grade) + 1):
                unit = self.unit(league, f"{grade}({i})班团支部", Kind.BRANCH, sector=Sector.SCHOOL, is_student=True)
                self.branch_term(unit)
                # Class branches are looked after by the class teacher (班主任) as liaison.
                self.secretary(unit, school.short, unit.terms.get(ended_on__isnull=True).started_on)

    def featured_unit(self, where: tuple) -> Unit:
        kind = where[0]
        if kind == "county":
            return self.county
        if kind == "township":
            return self.townships[where[1]]
        if kind == "branch":
            return self.township_branches[(where[1], where[2])]
        if kind == "brigade":
            return self.brigades[where[1]]
        if kind == "party":
            return self.township_party[where[1]]
        raise ValueError(where)

    def build_featured_accounts(self) -> None:
        for username, full_name, role, where, _ in data.FEATURED_ACCOUNTS:
            unit = self.featured_unit(where)
            open_term = unit.terms.filter(ended_on__isnull=True).first()
            starts = open_term.started_on if open_term and role == Role.UNIT_ADMIN else data.PERIOD_START
            self.grant(self.user(username, full_name), unit, role, starts)


@transaction.atomic
def load_demo(*, today: datetime.date | None = None) -> LoadResult | None:
    """Load the demo county; None when it is already there (nothing is changed)."""
    if is_loaded():
        return None
    return DemoBuilder(today=today or timezone.localdate()).build()


# -- the accounts table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    username: str
    full_name: str
    role: str
    unit: str
    note: str


def account_rows(*, everything: bool = False) -> list[AccountRow]:
    """The demo accounts as they are in the database now (featured ones first, in order)."""
    today = timezone.localdate()
    users = {
        u.username: u
        for u in User.objects.filter(is_sample=True).prefetch_related("grants__unit").order_by("username")
    }
    rows: list[AccountRow] = []

    def describe(user: User) -> tuple[str, str]:
        active = [g for g in user.grants.all() if g.is_active_on(today)]
        if not active:
            return "（无在任角色）", ""
        return "、".join(ROLE_LABELS[g.role] for g in active), "、".join(g.unit.name for g in active)

    featured = [username for username, *_ in data.FEATURED_ACCOUNTS]
    notes = {username: note for username, *_, note in data.FEATURED_ACCOUNTS}
    for township in data.TOWNSHIPS:
        if township.short not in featured:
            featured.append(township.short)
            notes[township.short] = "乡镇团委书记"
    for username in featured:
        if username in users:
            role, unit = describe(users[username])
            rows.append(AccountRow(username, users[username].full_name, role, unit, notes.get(username, "")))
    if everything:
        for username, user in users.items():
            if username not in featured:
                role, unit = describe(user)
                rows.append(AccountRow(username, user.full_name, role, unit, ""))
    return rows


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def accounts_table(*, everything: bool = False) -> str:
    rows = account_rows(everything=everything)
    header = AccountRow("用户名", "姓名", "角色", "组织", "看到什么")
    table = [header, *rows]
    cols = ["username", "full_name", "role", "unit", "note"]
    widths = {c: max(_width(getattr(r, c)) for r in table) for c in cols}
    lines = ["  ".join(_pad(getattr(r, c), widths[c]) for c in cols).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * widths[c] for c in cols))
    others = User.objects.filter(is_sample=True).count() - len(rows)
    footer = [f"所有示例账号的密码均为：{data.DEMO_PASSWORD}（示例数据，勿用于生产）"]
    if others > 0:
        footer.append(
            f"另有 {others} 个组织管理员账号（如 shuixigou01、xianzhi01、yizhong01），"
            "密码相同；python manage.py demo_accounts --all 列出全部。"
        )
    return "\n".join(["示例账号：", *lines, "", *footer])
