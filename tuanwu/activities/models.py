"""Activities, attendance (the roster snapshot), weekly study, monthly theme days, photos, and the
aggregate counters that keep dashboards off the raw rows.

Definitions (docs/activities.md): an activity's roster is taken when it is recorded, as the
membership on its date; every roster member has one Attendance row (status ``not_recorded`` until
marked). Guests have rows without a person and count for 人次 only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from tuanwu.people.models import Person


class ActivityKind(models.TextChoices):
    YOUTH_STUDY = "youth_study", "青年大学习"
    PIONEER_STUDY = "pioneer_study", "红领巾爱学习"
    LEAGUE_DAY = "league_day", "主题团日"
    PIONEER_DAY = "pioneer_day", "主题队日"
    LECTURE = "lecture", "宣讲"
    LEAGUE_LESSON = "league_lesson", "团课"
    BRANCH_MEETING = "branch_meeting", "支部大会"
    COMMITTEE_MEETING = "committee_meeting", "支委会"
    GROUP_MEETING = "group_meeting", "团小组会"
    PIONEER_CLASS = "pioneer_class", "红领巾小课堂"
    BIRTHDAY_PARTY = "birthday_party", "共青团爱心生日会"
    LETTERS = "letters", "书信手拉手"
    VOLUNTEER = "volunteer_service", "志愿服务"
    RED_PRACTICE = "red_practice", "红色主题实践"
    OTHER = "other", "其他"


STUDY_KINDS = frozenset({ActivityKind.YOUTH_STUDY, ActivityKind.PIONEER_STUDY})
THEME_DAY_KINDS = frozenset({ActivityKind.LEAGUE_DAY, ActivityKind.PIONEER_DAY})


class AudienceLayer(models.TextChoices):
    """宣讲's audience layer (宣讲 is given at several levels: to cadres, members, pupils…)."""

    CADRES = "cadres", "团干部"
    MEMBERS = "members", "团员青年"
    STUDENTS = "students", "青少年学生"
    PIONEERS = "pioneers", "少先队员"
    PUBLIC = "public", "社会青年"


class Audience(models.TextChoices):
    """Member categories whose people form the roster."""

    LEAGUE_MEMBERS = "league_members", "团员"
    PIONEERS = "pioneers", "少先队员"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    ABSENT = "absent", "缺席"
    EXCUSED = "excused", "请假"
    NOT_RECORDED = "not_recorded", "未记录"


class StudySeason(models.Model):
    """One season (季) of 青年大学习 or 红领巾爱学习, published by a county (or higher) committee."""

    county = models.ForeignKey("organisations.Unit", verbose_name="发布单位", on_delete=models.PROTECT,
                               related_name="study_seasons")
    programme = models.CharField("类别", max_length=20, choices=[(ActivityKind.YOUTH_STUDY.value, "青年大学习"),
                                                                (ActivityKind.PIONEER_STUDY.value, "红领巾爱学习")])
    title = models.CharField("名称", max_length=100)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "county"

    class Meta:
        verbose_name = "学习季"
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["county", "programme", "title"], name="study_season_unique")]

    def __str__(self):
        return f"{self.get_programme_display()} {self.title}"

    def audit_unit_path(self) -> str:
        return self.county.path


class StudyEpisode(models.Model):
    """One weekly episode (期). Publishing it gives every branch (or squadron) a study activity
    with its roster taken that day (R10.2)."""

    season = models.ForeignKey(StudySeason, verbose_name="学习季", on_delete=models.PROTECT, related_name="episodes")
    number = models.PositiveSmallIntegerField("期次")
    title = models.CharField("标题", max_length=200)
    published_on = models.DateField("发布日期")
    is_published = models.BooleanField("已下发", default=False)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "season__county"

    class Meta:
        verbose_name = "学习期次"
        ordering = ["season", "number"]
        constraints = [models.UniqueConstraint(fields=["season", "number"], name="study_episode_unique")]

    def __str__(self):
        return f"{self.season.title}第{self.number}期"

    def audit_unit_path(self) -> str:
        return self.season.county.path


class SchoolHoliday(models.Model):
    """A school holiday during which weekly study pauses (R10.1)."""

    county = models.ForeignKey("organisations.Unit", verbose_name="团县委", on_delete=models.PROTECT,
                               related_name="school_holidays")
    name = models.CharField("名称", max_length=40)
    starts_on = models.DateField("开始")
    ends_on = models.DateField("结束")
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "county"

    class Meta:
        verbose_name = "学校假期"
        ordering = ["starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="school_holiday_ends_after_start")]

    def __str__(self):
        return f"{self.name}（{self.starts_on}–{self.ends_on}）"

    def audit_unit_path(self) -> str:
        return self.county.path


class MonthlyTheme(models.Model):
    """The county's "三统一" theme for one month (R10.6): one theme, one window, one content."""

    county = models.ForeignKey("organisations.Unit", verbose_name="团县委", on_delete=models.PROTECT,
                               related_name="monthly_themes")
    month = models.DateField("月份")  # the first day of the month
    theme = models.CharField("统一主题", max_length=200)
    window_start = models.DateField("开展时间自")
    window_end = models.DateField("开展时间至")
    content = models.TextField("统一内容要求")
    for_pioneers = models.BooleanField("主题队日", default=False)
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    ACCESS_UNIT = "county"

    class Meta:
        verbose_name = "月度主题团（队）日"
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["county", "month", "for_pioneers"], name="monthly_theme_unique"),
            models.CheckConstraint(condition=Q(window_end__gte=models.F("window_start")), name="theme_window_order"),
        ]

    def __str__(self):
        return f"{self.month:%Y年%m月}{'主题队日' if self.for_pioneers else '主题团日'}：{self.theme}"

    def audit_unit_path(self) -> str:
        return self.county.path


class Deployment(models.Model):
    """A county-wide (or township-wide) activity pushed to many units at once. It is not a session
    itself: each unit's Activity is, with its own roster, so nothing is counted twice."""

    unit = models.ForeignKey("organisations.Unit", verbose_name="部署单位", on_delete=models.PROTECT,
                             related_name="activity_deployments")
    kind = models.CharField("活动类型", max_length=30, choices=ActivityKind.choices)
    title = models.CharField("主题", max_length=200)
    content = models.TextField("内容要求", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "unit"

    class Meta:
        verbose_name = "统一部署"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"

    def audit_unit_path(self) -> str:
        return self.unit.path


class Activity(models.Model):
    """One session held by one unit. A county-wide activity is pushed: one Activity per unit,
    each pointing to the county's :class:`Deployment`."""

    # unit and episode have no index of their own: activity_unit_time_idx and the partial unique
    # constraint on (episode, unit) lead with them (a province holds millions of activities,
    # and every index is written on each counter update).
    unit = models.ForeignKey("organisations.Unit", verbose_name="组织单位", on_delete=models.PROTECT,
                             related_name="activities", db_index=False)
    kind = models.CharField("活动类型", max_length=30, choices=ActivityKind.choices)
    title = models.CharField("主题", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间", null=True, blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    content = models.TextField("内容", blank=True)
    audience_layer = models.CharField("宣讲对象层级", max_length=20, choices=AudienceLayer.choices, blank=True)
    audience = ArrayField(models.CharField(max_length=20, choices=Audience.choices), verbose_name="参加对象",
                          default=list, blank=True)
    summary = models.TextField("活动总结", blank=True)
    episode = models.ForeignKey(StudyEpisode, verbose_name="学习期次", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="activities", db_index=False)
    theme = models.ForeignKey(MonthlyTheme, verbose_name="月度主题", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="activities")
    deployment = models.ForeignKey("Deployment", verbose_name="上级统一部署", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="activities")
    roster_on = models.DateField("名单日期")
    checkin_nonce = models.CharField(max_length=16, blank=True, editable=False)
    # Counters kept exact by the actions (docs/activities.md): the roster and its marks.
    roster_count = models.PositiveIntegerField("应到", default=0)
    present_roster = models.PositiveIntegerField("名单内出席", default=0)
    present_other = models.PositiveIntegerField("名单外出席", default=0)
    present_guests = models.PositiveIntegerField("来宾", default=0)
    absent_count = models.PositiveIntegerField("缺席", default=0)
    excused_count = models.PositiveIntegerField("请假", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "unit"

    class Meta:
        verbose_name = "活动"
        verbose_name_plural = "活动"
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "starts_at"], name="activity_unit_time_idx"),
            models.Index(fields=["kind", "starts_at"], name="activity_kind_time_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["episode", "unit"], condition=Q(episode__isnull=False),
                                    name="activity_one_per_episode_unit"),
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                                   name="activity_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"

    def audit_unit_path(self) -> str:
        return self.unit.path

    @property
    def person_times(self) -> int:
        return self.present_roster + self.present_other + self.present_guests

    @property
    def recorded_count(self) -> int:
        return self.present_roster + self.absent_count + self.excused_count

    @property
    def not_recorded_count(self) -> int:
        return self.roster_count - self.recorded_count


class Attendance(models.Model):
    """One person's (or one guest's) attendance at one activity. Roster rows are created with the
    activity; ``on_roster`` is False for members who came without being on it and for guests."""

    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="attendance")
    person = models.ForeignKey(Person, verbose_name="人员", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="attendance")
    guest_name = models.CharField("来宾", max_length=60, blank=True)
    on_roster = models.BooleanField("在名单内", default=True)
    status = models.CharField("出勤", max_length=20, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.NOT_RECORDED)
    source = models.CharField("方式", max_length=20, blank=True)  # mark, qr, import, guest
    marked_at = models.DateTimeField("记录时间", null=True, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "activity__unit"

    class Meta:
        verbose_name = "出勤记录"
        indexes = [
            models.Index(fields=["person", "status"], name="attendance_person_idx"),
            # The raw baseline and the period scans read present rows of one activity.
            models.Index(fields=["activity", "status"], name="attendance_activity_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], condition=Q(person__isnull=False),
                                    name="attendance_one_per_person"),
            models.CheckConstraint(condition=Q(person__isnull=False) | (~Q(guest_name="") & Q(on_roster=False)),
                                   name="attendance_person_or_guest"),
        ]

    def __str__(self):
        return f"{self.person.name if self.person_id else self.guest_name} · {self.get_status_display()}"

    # How the row was recorded, as a secretary would say it (the stored values are codes).
    SOURCE_LABELS = {"roster": "名单生成", "mark": "手工登记", "qr": "扫码签到", "import": "表格导入",
                     "guest": "来宾登记"}

    @property
    def source_label(self) -> str:
        return self.SOURCE_LABELS.get(self.source, "") if self.source else ""

    @classmethod
    def access_minor_q(cls) -> Q:
        return Person.access_minor_q(prefix="person__")

    def audit_unit_path(self) -> str:
        return self.activity.unit.path


def photo_path(instance, filename):
    return f"activities/{instance.stored_name}"


class ActivityPhoto(models.Model):
    """A photo of an activity, re-encoded without EXIF (location) data; served only through the
    access layer (``activities:photo``), never as a public media URL."""

    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.PROTECT, related_name="photos")
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField("大小")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    caption = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    ACCESS_UNIT = "activity__unit"

    class Meta:
        verbose_name = "活动照片"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.caption or f"照片 {self.pk}"

    def audit_unit_path(self) -> str:
        return self.activity.unit.path


# ---------------------------------------------------------------------------------------------
# Aggregates (docs/activities.md "汇总表"): written only by aggregates.py, inside the actions'
# transactions, so that they are exact whenever the raw rows are. Their foreign keys carry no
# database constraint (db_constraint=False): they are derived rows, rebuilt from the raw ones,
# and a constraint check per row would cost a province's rebuild tens of millions of lookups.
# Deleting a unit, episode or person still cascades to them through the ORM.


class SubtreeEpisodeStat(models.Model):
    """Counters per (unit subtree, study episode): ``unit`` and everything below it."""

    # Indexed by the unique constraint (unit first) and the episode index below.
    unit = models.ForeignKey("organisations.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                             db_index=False)
    episode = models.ForeignKey(StudyEpisode, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                                db_index=False)
    sessions = models.IntegerField(default=0, db_default=0)
    roster = models.IntegerField(default=0, db_default=0)
    present_roster = models.IntegerField(default=0, db_default=0)
    present_all = models.IntegerField(default=0, db_default=0)  # 人次, guests included
    recorded = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "episode"], name="subtree_episode_unique")]
        indexes = [models.Index(fields=["episode"], name="subtree_episode_episode_idx")]

    def __str__(self):
        return f"{self.unit_id}/{self.episode_id}: {self.present_roster}/{self.roster}"


class SubtreePeriodStat(models.Model):
    """Distinct counts per (unit subtree, activity kind or '' for all, period).

    ``period`` is ``M2023-01``, ``Q2023-1`` or ``Y2023``.
    """

    unit = models.ForeignKey("organisations.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                             db_index=False)  # the unique constraint below leads with unit
    kind = models.CharField(max_length=30, blank=True)
    period = models.CharField(max_length=10)
    sessions = models.IntegerField(default=0, db_default=0)
    person_times = models.IntegerField(default=0, db_default=0)
    persons = models.IntegerField(default=0, db_default=0)
    roster_persons = models.IntegerField(default=0, db_default=0)
    covered = models.IntegerField(default=0, db_default=0)
    roster_rows = models.IntegerField(default=0, db_default=0)  # roster places (a person on two rosters: 2)
    present_roster = models.IntegerField(default=0, db_default=0)
    recorded = models.IntegerField(default=0, db_default=0)  # roster places marked present, absent or excused

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "period"], name="subtree_period_unique")]

    def __str__(self):
        return f"{self.unit_id}/{self.kind or '*'}/{self.period}"


class PersonPeriodUnit(models.Model):
    """Per person, organiser unit, activity kind and month (``period`` is ``M2023-01``): how often
    on a roster and how often present. It is what lets the distinct counts above change by
    exactly ±1; quarters, years and "all kinds" are read as sums of these months."""

    # The unique constraint below leads with person: no separate index for it.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                               db_index=False)
    unit = models.ForeignKey("organisations.Unit", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    kind = models.CharField(max_length=30, blank=True)
    period = models.CharField(max_length=10)
    roster_times = models.IntegerField(default=0, db_default=0)
    present_times = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind", "period", "unit"],
                                               name="person_period_unit_unique")]

    def __str__(self):
        return f"{self.person_id}/{self.unit_id}/{self.kind or '*'}/{self.period}"
