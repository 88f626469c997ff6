"""Demo part “activities” (order 30): a year (2023) of study and organisational life in the demo
county at the article's scale, plus this month's theme day so that reminders are live.

Everything goes through the actions (rosters as of each day, attendance marks, aggregates,
audit) with the system actor, deterministically from one seed, on the members and Pioneers of the
people part (order 10). The figures for 2023-01-01 to 2023-04-27 are read back through the same
queries the statistics pages use.
"""

from __future__ import annotations

import datetime
import random

from django.db import connection
from django.utils import timezone

from tuanwu.demo import registry
from tuanwu.demo.figures import Figure, _at_least, _exactly
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind

from . import actions, aggregates, queries
from .models import Activity, ActivityKind, Attendance, AttendanceStatus, Deployment, MonthlyTheme
from .rules import add_months

SEED = 20230427 + 30
D = datetime.date
WINTER_2023 = (D(2023, 1, 14), D(2023, 2, 12))
SUMMER_2023 = (D(2023, 7, 8), D(2023, 8, 31))
WINTER_2024 = (D(2024, 1, 13), D(2024, 2, 18))
THEMES_2023 = ("新春走基层·青春暖万家", "学雷锋·志愿服务月", "学习贯彻党的二十大精神", "清明祭英烈·传承红色基因",
               "五四青年节·青春心向党", "喜迎建党节·童心向党", "民族团结一家亲", "国防教育·强国有我",
               "开学第一课·奋斗正青春", "喜迎国庆·礼赞祖国", "团课：青年马克思主义者培养", "国家宪法日·法治进校园")
LECTURE_TITLE = "学习宣传贯彻党的二十大精神宣讲"


def is_loaded() -> bool:
    return Activity.objects.filter(is_sample=True).exists()


def _analyze(*tables: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def _at(day: datetime.date, hour: int = 15) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


class ActivitiesBuilder:
    def __init__(self, *, today: datetime.date, actor):
        self.today = today
        self.actor = actor
        self.rng = random.Random(SEED)
        self.county = Unit.objects.filter(kind=Kind.LEAGUE_COUNTY, is_sample=True).order_by("path").first()
        self.sessions = 0

    # --- helpers ----------------------------------------------------------------------------

    def mark_share(self, activities, share: float, *, guests: int = 0) -> None:
        """Mark a share of each roster present, the rest of the roster absent or excused."""
        ids = [a.pk for a in activities]
        marks = {}
        for pk, _ in Attendance.objects.filter(activity_id__in=ids, on_roster=True).order_by("pk").values_list(
                "pk", "activity_id"):
            roll = self.rng.random()
            marks[pk] = (AttendanceStatus.PRESENT if roll < share else
                         AttendanceStatus.EXCUSED if roll < share + (1 - share) * 0.3 else AttendanceStatus.ABSENT)
        actions.mark_many(actor=self.actor, marks=marks, source="mark")
        if guests:
            for activity in activities:
                actions.add_guests(actor=self.actor, activity=activity,
                                   names=[f"群众代表{i + 1}" for i in range(guests)])

    def push(self, unit, kind, title, day, share, **fields):
        if not actions.target_units(unit, pioneers=fields.get("pioneers", False)):
            return []
        deployment = actions.push_activity(actor=self.actor, unit=unit, kind=kind, title=title,
                                           starts_at=_at(day), is_sample=True, **fields)
        made = list(deployment.activities.all())
        self.sessions += len(made)
        self.mark_share(made, share)
        return made

    def roots(self) -> list[Unit]:
        """The county's direct children that hold branches (townships, schools, organs …)."""
        return [u for u in Unit.objects.filter(path__startswith=self.county.path, depth=self.county.depth + 1,
                                               closed_on__isnull=True).order_by("path")
                if u.subtree().filter(kind=Kind.BRANCH, closed_on__isnull=True).exists()]

    # --- parts ------------------------------------------------------------------------------

    def study(self) -> int:
        for name, (start, end) in (("寒假", WINTER_2023), ("暑假", SUMMER_2023), ("寒假", WINTER_2024)):
            actions.add_school_holiday(actor=self.actor, county=self.county, name=f"{start.year}年{name}",
                                       starts_on=start, ends_on=end, is_sample=True)
        seasons = [
            actions.create_season(actor=self.actor, county=self.county, programme=ActivityKind.YOUTH_STUDY,
                                  title="2023年春季", first_day=D(2023, 1, 2), count=22, is_sample=True),
            actions.create_season(actor=self.actor, county=self.county, programme=ActivityKind.YOUTH_STUDY,
                                  title="2023年秋季", first_day=D(2023, 9, 4), count=17, is_sample=True),
            actions.create_season(actor=self.actor, county=self.county, programme=ActivityKind.PIONEER_STUDY,
                                  title="2023年春季", first_day=D(2023, 1, 2), count=6, is_sample=True),
        ]
        # Each member has a habit; the county's push raises everyone's chance week by week, so both
        # person-times and coverage rise (R10.4: two different figures).
        habit: dict[int, float] = {}
        studied = 0
        for season in seasons:
            for k, episode in enumerate(season.episodes.order_by("number")):
                made = actions.publish_episode(actor=self.actor, episode=episode)
                self.sessions += len(made)
                base = 0.10 + 0.01 * min(k, 20) if season.programme == ActivityKind.YOUTH_STUDY else 0.12 + 0.01 * k
                if season.title == "2023年秋季":
                    base += 0.08
                # The attendance table grows by a whole roster per episode inside this one
                # transaction; fresh statistics keep the planner off nested seq scans.
                _analyze("activities_attendance", "activities_activity")
                ids = []
                for pk, person_id in Attendance.objects.filter(activity_id__in=[a.pk for a in made], on_roster=True) \
                        .order_by("pk").values_list("pk", "person_id"):
                    h = habit.setdefault(person_id, self.rng.random())
                    if self.rng.random() < base * (0.4 + 1.2 * h):
                        ids.append(pk)
                studied += actions.mark_many(actor=self.actor, marks={pk: AttendanceStatus.PRESENT for pk in ids},
                                             source="import")
        return studied

    def lectures(self) -> None:
        townships = [u for u in self.roots() if u.kind == Kind.COMMITTEE and u.sector == "rural"]
        days = [D(2023, 1, 5) + datetime.timedelta(days=4 * i + (i % 3)) for i in range(26)]
        for i, day in enumerate(days):
            unit = townships[i % len(townships)]
            activity = actions.create_activity(
                actor=self.actor, unit=unit, kind=ActivityKind.LECTURE, title=f"{LECTURE_TITLE}（第{i + 1}场）",
                starts_at=_at(day), place=f"{unit.name}党群服务中心", audience_layer="members",
                content="宣讲团成员结合身边事讲解党的二十大报告，互动交流。", is_sample=True)
            self.sessions += 1
            rows = list(Attendance.objects.filter(activity=activity, on_roster=True).order_by("pk")
                        .values_list("pk", flat=True))
            self.rng.shuffle(rows)
            present = set(rows[:80 + self.rng.randint(0, 20)])
            actions.mark_many(actor=self.actor, marks={pk: AttendanceStatus.PRESENT if pk in present
                                                       else AttendanceStatus.ABSENT for pk in rows})
            actions.add_guests(actor=self.actor, activity=activity,
                               names=[f"青年群众{j + 1}" for j in range(self.rng.randint(2, 5))])

    def birthday_parties(self) -> None:
        """共青团爱心生日会 in the 12 schools of the programme: one each in 2023, 4 of them by 27 April,
        20 children each."""
        days = [D(2023, 2, 25), D(2023, 3, 18), D(2023, 4, 8), D(2023, 4, 22), D(2023, 5, 20), D(2023, 6, 10),
                D(2023, 9, 23), D(2023, 10, 21), D(2023, 11, 4), D(2023, 11, 25), D(2023, 12, 9), D(2023, 12, 23)]
        brigades = list(Unit.objects.filter(path__startswith=self.county.path, kind=Kind.PIONEER_BRIGADE,
                                            closed_on__isnull=True).order_by("path"))
        for day, brigade in zip(days, brigades, strict=False):
            activity = actions.create_activity(
                actor=self.actor, unit=brigade, kind=ActivityKind.BIRTHDAY_PARTY, title="共青团爱心生日会",
                starts_at=_at(day), place=brigade.name.replace("少先队大队", ""), is_sample=True,
                content="为留守儿童、困难家庭儿童集体过生日，团员志愿者结对陪伴。")
            self.sessions += 1
            rows = list(Attendance.objects.filter(activity=activity, on_roster=True).order_by("pk")
                        .values_list("pk", flat=True))
            self.rng.shuffle(rows)
            actions.mark_many(actor=self.actor, marks={pk: AttendanceStatus.PRESENT for pk in rows[:20]})

    def red_practice(self) -> None:
        for day, title in ((D(2023, 3, 5), "学雷锋红色实践"), (D(2023, 4, 4), "清明祭英烈红色实践")):
            self.push(self.county, ActivityKind.RED_PRACTICE, title, day, 0.32)
            self.push(self.county, ActivityKind.RED_PRACTICE, f"{title}（少先队）", day + datetime.timedelta(days=1),
                      0.35, pioneers=True)
        for month in (3, 5, 9, 12):
            for unit in self.roots()[:6]:
                self.push(unit, ActivityKind.VOLUNTEER, "青年志愿服务日", D(2023, month, 12), 0.3)

    def theme_days(self) -> None:
        roots = self.roots()
        for month, theme_text in enumerate(THEMES_2023, 1):
            first = D(2023, month, 1)
            theme = actions.publish_theme(actor=self.actor, county=self.county, month=first, theme=theme_text,
                                          window_start=first + datetime.timedelta(days=4),
                                          window_end=first + datetime.timedelta(days=19),
                                          content="统一主题、统一时间、统一内容：集中学习、交流发言，报送出勤、照片和总结。",
                                          is_sample=True)
            for i, unit in enumerate(roots):
                if (i + month) % 9 == 0:
                    continue  # missed this month
                late = (i + month) % 7 == 0
                day = first + datetime.timedelta(days=23 if late else 6 + (i % 10))
                self.push(unit, ActivityKind.LEAGUE_DAY, theme_text, day, 0.7, theme=theme)
        # This month's theme, so that the board and the reminders are live.
        month = self.today.replace(day=1)
        actions.publish_theme(actor=self.actor, county=self.county, month=month, theme="青春建功新时代",
                              window_start=month, window_end=self.today + datetime.timedelta(days=10),
                              content="统一主题、统一时间、统一内容：集中学习、交流发言，报送出勤、照片和总结。",
                              is_sample=True)

    def meetings(self) -> None:
        """三会两制一课: quarterly 支部大会 and 团课 everywhere but one township in one quarter; monthly
        支委会 and 团小组会 in the first three roots only (the others show up as missing)."""
        roots = self.roots()
        for quarter in range(4):
            for i, unit in enumerate(roots):
                day = D(2023, 3 * quarter + 2, 10 + i % 10)
                if not (quarter == 1 and i == 2):
                    self.push(unit, ActivityKind.BRANCH_MEETING, f"{2023}年第{quarter + 1}季度支部大会", day,
                              0.45 if i == 4 else 0.75)
                self.push(unit, ActivityKind.LEAGUE_LESSON, f"{2023}年第{quarter + 1}季度团课",
                          day + datetime.timedelta(days=7), 0.7)
        for month in range(1, 13):
            for unit in roots[:3]:
                self.push(unit, ActivityKind.COMMITTEE_MEETING, f"{month}月支委会", D(2023, month, 3), 0.9)
                self.push(unit, ActivityKind.GROUP_MEETING, f"{month}月团小组会", D(2023, month, 20), 0.8)

    def build(self) -> str:
        if self.county is None:
            return "没有示例县，跳过"
        # Every write goes through the actions; the aggregates are built once from the raw rows
        # at the end (aggregates.deferred), exactly as the incremental path would have left them.
        with aggregates.deferred():
            studied = self.study()
            self.lectures()
            self.birthday_parties()
            self.red_practice()
            self.theme_days()
            self.meetings()
        deployments = Deployment.objects.filter(is_sample=True).count()
        return f"{self.sessions} 次活动（{deployments} 次统一部署），青年大学习等学习记录 {studied} 条"


def load(*, today: datetime.date, actor, **_) -> str:
    return ActivitiesBuilder(today=today, actor=actor).build()


# ---------------------------------------------------------------------------------------------
# Figures for `make demo-check`, read through the queries of the statistics pages


def _admin():
    from tuanwu.accounts.models import User

    return User.objects.filter(username="admin", is_sample=True).first()


def figures() -> list[Figure]:
    admin = _admin()
    if admin is None:
        return [Figure("示例县级管理员账号 admin", "存在", "不存在", False)]
    county = access.visible_units(admin).filter(kind=Kind.LEAGUE_COUNTY).first()
    if county is None:
        return [Figure("县级管理员可见的团县委", "存在", "不存在", False)]
    start, end = queries.ARTICLE_PERIOD
    results = []
    study = queries.stats(county, start, end, ActivityKind.YOUTH_STUDY)
    results.append(_at_least("2023-01-01 至 04-27 青年大学习人次", 3_600, study.person_times))
    months = [queries.stats(county, D(2023, m, 1), add_months(D(2023, m, 1), 1) - datetime.timedelta(days=1),
                            ActivityKind.YOUTH_STUDY).coverage for m in (1, 2, 3, 4)]
    values = [m.value or 0 for m in months]
    results.append(Figure("青年大学习覆盖率 1–4 月逐月上升", "逐月上升", " → ".join(m.percent for m in months),
                          all(a < b for a, b in zip(values, values[1:], strict=False))))
    lectures = queries.stats(county, start, end, ActivityKind.LECTURE)
    results.append(_at_least("二十大精神宣讲场次", 20, lectures.sessions))
    results.append(_at_least("二十大精神宣讲人次", 2_000, lectures.person_times))
    birthday = queries.stats(county, start, end, ActivityKind.BIRTHDAY_PARTY)
    results.append(_exactly("共青团爱心生日会场次（2023-01-01 至 04-27）", 4, birthday.sessions))
    results.append(_exactly("共青团爱心生日会人次（2023-01-01 至 04-27）", 80, birthday.person_times))
    schools = set()
    for path in (queries.visible_activities(admin).filter(kind=ActivityKind.BIRTHDAY_PARTY,
                                                          starts_at__year=2023).values_list("unit__path", flat=True)):
        school = Unit.objects.filter(kind=Kind.SCHOOL, path__in=[path[:i] for i in range(4, len(path) + 1, 4)]).first()
        if school:
            schools.add(school.pk)
    results.append(_exactly("开展爱心生日会的学校（2023 年）", 12, len(schools)))
    red = queries.stats(county, start, end, ActivityKind.RED_PRACTICE)
    results.append(_at_least("红色主题实践参与的团员和少先队员（去重人数）", 1_000, red.persons))
    pioneers = (Attendance.objects.filter(activity__kind=ActivityKind.RED_PRACTICE, status=AttendanceStatus.PRESENT,
                                          person__political_status="pioneer").values("person_id").distinct().count())
    results.append(_at_least("其中少先队员", 1, pioneers))
    theme = MonthlyTheme.objects.filter(county=county, month=timezone.localdate().replace(day=1)).first()
    board = queries.theme_board(admin, county, theme) if theme else []
    results.append(_at_least("本月主题团日看板中的团支部", 100, len(board)))
    return results


registry.register(key="activities", title="学习活动", order=30, is_loaded=is_loaded, load=load, figures=figures)
