"""The organisation tree (League, Young Pioneer and party units), terms and role grants."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from treebeard.mp_tree import MP_Node

from .rules import KIND_LABELS, PARTY_KINDS, Kind


class UnitKind(models.TextChoices):
    LEAGUE_PROVINCE = Kind.LEAGUE_PROVINCE, KIND_LABELS[Kind.LEAGUE_PROVINCE]
    LEAGUE_CITY = Kind.LEAGUE_CITY, KIND_LABELS[Kind.LEAGUE_CITY]
    LEAGUE_COUNTY = Kind.LEAGUE_COUNTY, KIND_LABELS[Kind.LEAGUE_COUNTY]
    COMMITTEE = Kind.COMMITTEE, KIND_LABELS[Kind.COMMITTEE]
    WORKING_COMMITTEE = Kind.WORKING_COMMITTEE, KIND_LABELS[Kind.WORKING_COMMITTEE]
    GENERAL_BRANCH = Kind.GENERAL_BRANCH, KIND_LABELS[Kind.GENERAL_BRANCH]
    BRANCH = Kind.BRANCH, KIND_LABELS[Kind.BRANCH]
    SCHOOL = Kind.SCHOOL, KIND_LABELS[Kind.SCHOOL]
    PIONEER_BRIGADE = Kind.PIONEER_BRIGADE, KIND_LABELS[Kind.PIONEER_BRIGADE]
    PIONEER_SQUADRON = Kind.PIONEER_SQUADRON, KIND_LABELS[Kind.PIONEER_SQUADRON]
    PARTY_COMMITTEE = Kind.PARTY_COMMITTEE, KIND_LABELS[Kind.PARTY_COMMITTEE]
    PARTY_GENERAL_BRANCH = Kind.PARTY_GENERAL_BRANCH, KIND_LABELS[Kind.PARTY_GENERAL_BRANCH]
    PARTY_BRANCH = Kind.PARTY_BRANCH, KIND_LABELS[Kind.PARTY_BRANCH]


class Sector(models.TextChoices):
    RURAL = "rural", "农村"
    COMMUNITY = "community", "城市社区"
    SCHOOL = "school", "学校"
    GOVERNMENT = "government", "机关"
    PUBLIC_INSTITUTION = "public_institution", "事业单位"
    STATE_ENTERPRISE = "state_enterprise", "国有企业"
    PRIVATE_ENTERPRISE = "private_enterprise", "非公企业"
    SOCIAL_ORGANISATION = "social_organisation", "社会组织"


class Unit(MP_Node):
    """One organisation. The materialised ``path`` makes a subtree one indexed prefix query."""

    name = models.CharField("名称", max_length=120)
    kind = models.CharField("类型", max_length=30, choices=UnitKind.choices)
    sector = models.CharField("领域", max_length=30, choices=Sector.choices, blank=True)
    division_code = models.CharField("行政区划代码", max_length=12, blank=True)
    division_code_confirmed = models.BooleanField("区划代码已核实", default=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    is_student = models.BooleanField("学生团支部", default=False)
    is_mobile = models.BooleanField("流动团员团支部", default=False)
    is_temporary = models.BooleanField("临时团支部", default=False)
    led_by = models.ForeignKey(
        "self", verbose_name="上级党组织", null=True, blank=True, on_delete=models.PROTECT,
        related_name="led_units", limit_choices_to={"kind__in": sorted(PARTY_KINDS)},
    )
    closed_on = models.DateField("撤销日期", null=True, blank=True)
    closed_reason = models.CharField("撤销原因", max_length=200, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    node_order_by: list[str] = []

    class Meta:
        verbose_name = "组织"
        verbose_name_plural = "组织"
        indexes = [
            # Subtree queries are `path LIKE 'prefix%'`; pattern ops keep them on the index under
            # any database collation.
            models.Index(fields=["path"], name="unit_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind"], name="unit_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(division_code="") | Q(division_code__regex=r"^[0-9]{6,12}$"),
                name="unit_division_code_digits",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(closed_reason=""), name="unit_closed_has_reason"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    @property
    def is_party(self) -> bool:
        return self.kind in PARTY_KINDS

    def audit_unit_path(self) -> str:
        return self.path

    def ancestors_and_self(self):
        """Root first, self last: one query on the path prefixes."""
        prefixes = [self.path[: i] for i in range(self.steplen, len(self.path) + 1, self.steplen)]
        return Unit.objects.filter(path__in=prefixes).order_by("depth")

    def nearest_county(self) -> Unit | None:
        """The nearest 团县委 at or above this unit: where rule settings come from."""
        prefixes = [self.path[: i] for i in range(self.steplen, len(self.path) + 1, self.steplen)]
        return Unit.objects.filter(path__in=prefixes, kind=Kind.LEAGUE_COUNTY).order_by("-depth").first()

    def subtree(self):
        """This unit and everything below it (one indexed query)."""
        return Unit.objects.filter(path__startswith=self.path)


class Term(models.Model):
    """One term (届) of a unit's committee; history is kept, never overwritten."""

    class HowElected(models.TextChoices):
        MEMBERS_MEETING = "members_meeting", "团员大会选举"
        CONGRESS = "congress", "代表大会选举"
        APPOINTED = "appointed", "上级团组织指定"
        OTHER = "other", "其他"

    unit = models.ForeignKey(Unit, verbose_name="组织", on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveSmallIntegerField("届次")
    started_on = models.DateField("任期开始")
    planned_end_on = models.DateField("应届满日期")
    ended_on = models.DateField("实际结束", null=True, blank=True)
    how_elected = models.CharField("产生方式", max_length=30, choices=HowElected.choices)
    note = models.CharField("备注", max_length=300, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "unit"

    class Meta:
        verbose_name = "任期"
        ordering = ["unit", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="term_number_unique"),
            models.UniqueConstraint(fields=["unit"], condition=Q(ended_on__isnull=True), name="term_one_open_per_unit"),
            models.CheckConstraint(condition=Q(planned_end_on__gt=models.F("started_on")), name="term_end_after_start"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="term_ended_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.unit.name} 第{self.number}届"

    def audit_unit_path(self) -> str:
        return self.unit.path


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", "县级管理员"
    UNIT_ADMIN = "unit_admin", "组织管理员"
    COUNSELLOR = "counsellor", "少先队辅导员"
    VOLUNTEER_OFFICE = "volunteer_office", "西部计划项目办"
    PARTY_REVIEWER = "party_reviewer", "党组织评审"
    INSPECTOR = "inspector", "只读/巡察"


class RoleGrant(models.Model):
    """A role held on a unit, covering its subtree, from ``starts_on`` to ``ends_on`` (inclusive)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT, related_name="grants")
    unit = models.ForeignKey(Unit, verbose_name="组织", on_delete=models.PROTECT, related_name="grants")
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="授权人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("授权时间", auto_now_add=True)
    note = models.CharField("备注", max_length=200, blank=True)

    ACCESS_UNIT = "unit"

    class Meta:
        verbose_name = "角色授权"
        ordering = ["unit__path", "role", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="grant_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["user", "starts_on", "ends_on"], name="grant_user_dates_idx")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit.name}"

    def audit_unit_path(self) -> str:
        return self.unit.path

    def is_active_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)
