"""Cadres (团干部): the cadre terms of post holdings, establishment quotas, secondments, appraisals
and training.

Why ``PostTerms`` is a separate table: the registry's ``people.PostHolding`` is the only record of
posts (issue 8: "extend the registry's post holdings, do not create another record of posts").
The kind of cadre (专职/挂职/兼职), the establishment status, the home employer and the appointing
document are part of that same record, but they are stored beside it, one row per holding keyed on
the holding itself (``primary_key=True``), so that:

- imports flow one way (people ← cadres): the registry does not know cadres exist, and a holding
  without cadre terms is simply a post whose cadre kind has not been recorded yet;
- the registry app's migrations stay with the registry's owner.

A ``PostTerms`` row has no life of its own: it shares the holding's primary key, unit, person and
dates, and ``queries.holdings_with_terms`` reads the two together.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from tuanwu.people.models import Person, Position, PostHolding

from .rules import GRADES, KIND_LABELS, MOVE_LABELS, CadreKind, MoveKind


class Kind(models.TextChoices):
    FULL_TIME = CadreKind.FULL_TIME, KIND_LABELS[CadreKind.FULL_TIME]
    SECONDED = CadreKind.SECONDED, KIND_LABELS[CadreKind.SECONDED]
    PART_TIME = CadreKind.PART_TIME, KIND_LABELS[CadreKind.PART_TIME]


class Move(models.TextChoices):
    BORROWED = MoveKind.BORROWED, MOVE_LABELS[MoveKind.BORROWED]
    DRAWN = MoveKind.DRAWN, MOVE_LABELS[MoveKind.DRAWN]
    SECONDED_OUT = MoveKind.SECONDED_OUT, MOVE_LABELS[MoveKind.SECONDED_OUT]


class PostTerms(models.Model):
    """The cadre terms of one post holding (R8.1): part of the holding's record, stored beside it."""

    holding = models.OneToOneField(PostHolding, verbose_name="团内职务", primary_key=True, on_delete=models.PROTECT,
                                   related_name="cadre_terms")
    kind = models.CharField("干部类型", max_length=20, choices=Kind.choices)
    in_establishment = models.BooleanField("占用编制", default=False,
                                           help_text="只有专职岗位可以占用编制（R8.2）")
    rank = models.CharField("职级", max_length=40, blank=True, help_text="兼职团干部不定职级")
    home_employer = models.CharField("派出单位", max_length=120, blank=True, help_text="挂职团干部的工作单位")
    planned_end_on = models.DateField("挂职期满日期", null=True, blank=True)
    appointing_document = models.CharField("任职文件文号", max_length=120, blank=True)
    appointing_document_date = models.DateField("任职文件日期", null=True, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    ACCESS_UNIT = "holding__unit"

    class Meta:
        verbose_name = "团干部任职信息"
        verbose_name_plural = "团干部任职信息"
        constraints = [
            models.CheckConstraint(condition=Q(in_establishment=False) | Q(kind=CadreKind.FULL_TIME),
                                   name="cadre_terms_only_full_time_in_establishment"),
            models.CheckConstraint(
                condition=~Q(kind=CadreKind.SECONDED) | (~Q(home_employer="") & Q(planned_end_on__isnull=False)),
                name="cadre_terms_seconded_has_employer_and_end"),
            models.CheckConstraint(condition=~Q(kind=CadreKind.PART_TIME) | Q(rank=""),
                                   name="cadre_terms_part_time_no_rank"),
        ]

    def __str__(self):
        return f"{self.holding}（{self.get_kind_display()}）"

    def audit_unit_path(self) -> str:
        return self.holding.unit.path

    @property
    def counts_against_establishment(self) -> bool:
        return self.kind == CadreKind.FULL_TIME and self.in_establishment


class StaffingQuota(models.Model):
    """A unit's establishment (编制) from a date: full-time posts and, per position, how many
    places the committee has (R8.2). History is kept; the row in force is the latest started."""

    unit = models.ForeignKey("organisations.Unit", verbose_name="组织", on_delete=models.PROTECT,
                             related_name="staffing_quotas")
    effective_from = models.DateField("生效日期")
    full_time_posts = models.PositiveSmallIntegerField("专职编制数", validators=[MaxValueValidator(200)])
    document = models.CharField("依据文件", max_length=200, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    ACCESS_UNIT = "unit"

    class Meta:
        verbose_name = "编制与职数"
        verbose_name_plural = "编制与职数"
        ordering = ["unit", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["unit", "effective_from"], name="staffing_quota_one_per_day")]

    def __str__(self):
        return f"{self.unit.name} 编制（{self.effective_from:%Y-%m-%d} 起）"

    def audit_unit_path(self) -> str:
        return self.unit.path


class PositionQuota(models.Model):
    """How many places of one position (职数) a unit's committee has under a quota."""

    quota = models.ForeignKey(StaffingQuota, verbose_name="编制", on_delete=models.CASCADE, related_name="positions")
    position = models.CharField("职务", max_length=30, choices=Position.choices)
    count = models.PositiveSmallIntegerField("职数", validators=[MaxValueValidator(50)])

    ACCESS_UNIT = "quota__unit"

    class Meta:
        verbose_name = "职数"
        verbose_name_plural = "职数"
        constraints = [models.UniqueConstraint(fields=["quota", "position"], name="position_quota_unique")]

    def __str__(self):
        return f"{self.get_position_display()} {self.count} 名"


class Secondment(models.Model):
    """A cadre taken away from the post for a while (借调, 抽调, 挂职外出), with the county party
    committee's approval when the cadre is full-time (R8.3). Rows are never deleted: they are the
    history. ``recorded_without_approval`` marks a move that had already happened when it was
    recorded (an inspection finding): it stays an irregular case until an approval is added or
    it ends."""

    holding = models.ForeignKey(PostHolding, verbose_name="团内职务", on_delete=models.PROTECT,
                                related_name="secondments")
    move = models.CharField("方式", max_length=20, choices=Move.choices)
    cadre_kind = models.CharField("当时的干部类型", max_length=20, choices=Kind.choices)
    destination = models.CharField("去向单位", max_length=120)
    started_on = models.DateField("开始日期")
    planned_end_on = models.DateField("预计结束日期", null=True, blank=True)
    ended_on = models.DateField("实际结束日期", null=True, blank=True)
    approval_number = models.CharField("县委批准文号", max_length=120, blank=True)
    approval_date = models.DateField("县委批准日期", null=True, blank=True)
    recorded_without_approval = models.BooleanField("事后登记（未经批准）", default=False)
    note = models.CharField("备注", max_length=300, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    ACCESS_UNIT = "holding__unit"

    class Meta:
        verbose_name = "借调、抽调记录"
        verbose_name_plural = "借调、抽调记录"
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                                   name="secondment_ends_after_start"),
            models.CheckConstraint(condition=Q(planned_end_on__isnull=True) | Q(planned_end_on__gte=F("started_on")),
                                   name="secondment_planned_end_after_start"),
            # R8.3 in the database: a full-time cadre's move carries an approval unless it was
            # recorded after the fact as irregular.
            models.CheckConstraint(
                condition=~Q(cadre_kind=CadreKind.FULL_TIME) | Q(recorded_without_approval=True)
                | (~Q(approval_number="") & Q(approval_date__isnull=False)),
                name="secondment_full_time_needs_approval"),
        ]
        indexes = [models.Index(fields=["holding", "ended_on"], name="secondment_holding_open_idx")]

    def __str__(self):
        return f"{self.holding.person.name} {self.get_move_display()}至{self.destination}"

    def audit_unit_path(self) -> str:
        return self.holding.unit.path

    @property
    def has_approval(self) -> bool:
        return bool(self.approval_number) and self.approval_date is not None


class Appraisal(models.Model):
    """A cadre's yearly appraisal grade (年度考核), one per person and year; R9.7 reads 优秀."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="cadre_appraisals")
    unit = models.ForeignKey("organisations.Unit", verbose_name="考核组织", on_delete=models.PROTECT,
                             related_name="cadre_appraisals")
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(1950), MaxValueValidator(2100)])
    grade = models.CharField("考核等次", max_length=10, choices=[(g, g) for g in GRADES])
    document = models.CharField("依据文件", max_length=200, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    ACCESS_UNIT = "unit"

    class Meta:
        verbose_name = "团干部年度考核"
        verbose_name_plural = "团干部年度考核"
        ordering = ["person", "-year"]
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="appraisal_one_per_year")]

    def __str__(self):
        return f"{self.person.name} {self.year} 年度：{self.grade}"

    def audit_unit_path(self) -> str:
        return self.unit.path


class TrainingCourse(models.Model):
    """A training course for cadres organised by a unit (培训班), with its class hours."""

    unit = models.ForeignKey("organisations.Unit", verbose_name="举办组织", on_delete=models.PROTECT,
                             related_name="cadre_courses")
    title = models.CharField("培训名称", max_length=120)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1,
                                validators=[MinValueValidator(0.5), MaxValueValidator(999)])
    organiser = models.CharField("承办单位", max_length=120, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    ACCESS_UNIT = "unit"

    class Meta:
        verbose_name = "团干部培训"
        verbose_name_plural = "团干部培训"
        ordering = ["-started_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__gte=F("started_on")), name="course_ends_after_start"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive"),
        ]

    def __str__(self):
        return self.title

    def audit_unit_path(self) -> str:
        return self.unit.path


class TrainingAttendance(models.Model):
    """One cadre's attendance of a course and the hours credited (at most the course's hours)."""

    course = models.ForeignKey(TrainingCourse, verbose_name="培训", on_delete=models.PROTECT, related_name="attendances")
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="cadre_trainings")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    ACCESS_UNIT = "course__unit"

    class Meta:
        verbose_name = "培训参加记录"
        verbose_name_plural = "培训参加记录"
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="attendance_once_per_course"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="attendance_hours_positive"),
        ]

    def __str__(self):
        return f"{self.person.name} · {self.course.title}"

    def audit_unit_path(self) -> str:
        return self.course.unit.path
