"""西部计划: cohorts, volunteers (linked to Person), agreements, service units and posts, wishes,
placements, mentors and their log, assessments, safety reports and recommendations.

Every record hangs off a cohort run by a 团县委 (``Cohort.unit``), which is the unit the access
layer decides on: the 西部计划项目办 role there manages, other roles covering it view.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from .rules import CHANNELS, CURRENT_PROGRAMMES, POST_FIELDS


class Cohort(models.Model):
    """One year's intake (届) with its recruitment calendar (R9.2)."""

    unit = models.ForeignKey("organisations.Unit", verbose_name="团县委", on_delete=models.PROTECT,
                             related_name="volunteer_cohorts")
    year = models.PositiveSmallIntegerField("服务年度")
    registration_opens = models.DateField("报名开始")
    registration_closes = models.DateField("报名截止")
    screening_on = models.DateField("选拔")
    medical_on = models.DateField("体检")
    notice_starts = models.DateField("公示开始")
    notice_ends = models.DateField("公示结束")
    training_on = models.DateField("培训")
    arrival_on = models.DateField("到岗")
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "unit"

    class Meta:
        verbose_name = "志愿者届次"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="cohort_unit_year_unique")]

    def __str__(self):
        return f"{self.year}年西部计划志愿者"

    def audit_unit_path(self) -> str:
        return self.unit.path


class Programme(models.TextChoices):
    RURAL_EDUCATION = "乡村教育", "乡村教育"
    RURAL_CONSTRUCTION = "服务乡村建设", "服务乡村建设"
    RURAL_HEALTH = "健康乡村", "健康乡村"
    YOUTH_WORK = "基层青年工作", "基层青年工作"
    SOCIAL_GOVERNANCE = "乡村社会治理", "乡村社会治理"
    XINJIANG = "服务新疆", "服务新疆"
    TIBET = "服务西藏", "服务西藏"


assert tuple(Programme.values) == CURRENT_PROGRAMMES


class Degree(models.TextChoices):
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    MASTER = "master", "硕士研究生"
    DOCTOR = "doctor", "博士研究生"


class VolunteerStatus(models.TextChoices):
    ON_DUTY = "on_duty", "在岗"
    RENEWED = "renewed", "续签"
    COMPLETED = "completed", "期满"
    LEFT_EARLY = "left_early", "提前离岗"


class Outcome(models.TextChoices):
    STAYED_EMPLOYER = "stayed_employer", "留疆（服务单位录用）"
    STAYED_OTHER = "stayed_other", "留疆（其他单位）"
    LEFT = "left", "离疆"


class MentorKind(models.TextChoices):
    CADRE = "cadre", "干部"
    SENIOR = "senior", "往届志愿者"


class Volunteer(models.Model):
    person = models.OneToOneField("people.Person", verbose_name="人员", on_delete=models.PROTECT,
                                  related_name="volunteer")
    cohort = models.ForeignKey(Cohort, verbose_name="届次", on_delete=models.PROTECT, related_name="volunteers")
    university = models.CharField("毕业院校", max_length=80)
    major = models.CharField("所学专业", max_length=60)
    specialty_tags = ArrayField(models.CharField(max_length=30), verbose_name="特长标签", default=list, blank=True)
    degree = models.CharField("学历", max_length=20, choices=Degree.choices, default=Degree.BACHELOR)
    hometown = models.CharField("生源地", max_length=40)
    programme = models.CharField("专项", max_length=20, choices=Programme.choices)
    programme_as_registered = models.CharField("报名时的专项名称", max_length=30, blank=True)
    screening_score = models.DecimalField("选拔成绩", max_digits=4, decimal_places=1, default=0)
    status = models.CharField("状态", max_length=20, choices=VolunteerStatus.choices, default=VolunteerStatus.ON_DUTY)
    left_on = models.DateField("离岗日期", null=True, blank=True)
    mentor = models.ForeignKey("people.Person", verbose_name="导师", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="mentees")
    mentor_kind = models.CharField("导师类别", max_length=10, choices=MentorKind.choices, blank=True)
    outcome = models.CharField("服务期满去向", max_length=20, choices=Outcome.choices, blank=True)
    outcome_employer = models.CharField("就业单位", max_length=80, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "cohort__unit"

    class Meta:
        verbose_name = "西部计划志愿者"
        verbose_name_plural = "西部计划志愿者"
        ordering = ["cohort", "person__name_pinyin", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(mentor__isnull=True) | ~Q(mentor_kind=""), name="volunteer_mentor_has_kind"),
            models.CheckConstraint(condition=Q(outcome="") | Q(status="completed") | Q(status="left_early"),
                                   name="volunteer_outcome_after_service"),
        ]

    def __str__(self):
        return f"{self.person.name}（{self.cohort.year}届）"

    def audit_unit_path(self) -> str:
        return self.cohort.unit.path

    @property
    def specialties(self) -> frozenset[str]:
        return frozenset([self.major, *self.specialty_tags])

    # A volunteer linked to a login sees their own record (self-service), nothing more.
    def access_record_class(self):
        return self.person.access_record_class()

    @property
    def access_owner_id(self):
        return self.person.user_id


class Agreement(models.Model):
    """One yearly service agreement (R9.1)."""

    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="agreements")
    year_number = models.PositiveSmallIntegerField("服务年次")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    signed_on = models.DateField("签订日期")

    ACCESS_UNIT = "volunteer__cohort__unit"

    class Meta:
        verbose_name = "服务协议"
        ordering = ["volunteer", "year_number"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "year_number"], name="agreement_year_unique"),
            models.CheckConstraint(condition=Q(year_number__gte=1) & Q(year_number__lte=3), name="agreement_1_to_3"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="agreement_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.volunteer.person.name} 第{self.year_number}年协议"

    def audit_unit_path(self) -> str:
        return self.volunteer.cohort.unit.path


class ServiceUnitKind(models.TextChoices):
    TOWNSHIP = "township", "乡镇政府"
    COUNTY_ORGAN = "county_organ", "县直机关"
    VILLAGE = "village", "村（社区）"
    COUNTY_COMMITTEE = "county_committee", "团县委"


class ServiceUnit(models.Model):
    county = models.ForeignKey("organisations.Unit", verbose_name="团县委", on_delete=models.PROTECT,
                               related_name="volunteer_service_units")
    name = models.CharField("服务单位", max_length=80)
    kind = models.CharField("类别", max_length=20, choices=ServiceUnitKind.choices)
    place = models.CharField("所在地", max_length=80, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "county"

    class Meta:
        verbose_name = "服务单位"
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="service_unit_name_unique")]

    def __str__(self):
        return self.name

    def audit_unit_path(self) -> str:
        return self.county.path


class PostField(models.TextChoices):
    PARTY_BUILDING = "党建", "党建"
    RURAL_REVITALISATION = "乡村振兴", "乡村振兴"
    SOCIAL_GOVERNANCE = "基层社会治理", "基层社会治理"
    YOUTH_WORK = "基层青年工作", "基层青年工作"
    RURAL_EDUCATION = "乡村教育", "乡村教育"
    RURAL_HEALTH = "健康乡村", "健康乡村"
    OTHER = "其他", "其他"


assert tuple(PostField.values) == POST_FIELDS


class PriorityBasis(models.TextChoices):
    SPECIALTY = "specialty", "专业匹配优先，其次选拔成绩"
    SCORE = "score", "选拔成绩优先，其次专业匹配"


class Post(models.Model):
    cohort = models.ForeignKey(Cohort, verbose_name="届次", on_delete=models.PROTECT, related_name="posts")
    service_unit = models.ForeignKey(ServiceUnit, verbose_name="服务单位", on_delete=models.PROTECT, related_name="posts")
    title = models.CharField("岗位名称", max_length=60)
    field = models.CharField("岗位领域", max_length=20, choices=PostField.choices)
    required_specialties = ArrayField(models.CharField(max_length=30), verbose_name="必备专业", default=list, blank=True)
    preferred_specialties = ArrayField(models.CharField(max_length=30), verbose_name="优先专业", default=list, blank=True)
    min_degree = models.CharField("最低学历", max_length=20, choices=Degree.choices, blank=True)
    capacity = models.PositiveSmallIntegerField("名额")
    place = models.CharField("工作地点", max_length=80, blank=True)
    priority_basis = models.CharField("录取顺序", max_length=20, choices=PriorityBasis.choices,
                                      default=PriorityBasis.SPECIALTY)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "cohort__unit"

    class Meta:
        verbose_name = "服务岗位"
        ordering = ["cohort", "service_unit__name", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="post_capacity_positive"),
            models.UniqueConstraint(fields=["cohort", "service_unit", "title"], name="post_title_unique"),
        ]

    def __str__(self):
        return f"{self.service_unit.name}·{self.title}"

    def audit_unit_path(self) -> str:
        return self.cohort.unit.path


class Wish(models.Model):
    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", on_delete=models.CASCADE, related_name="wishes")
    post = models.ForeignKey(Post, verbose_name="岗位", on_delete=models.PROTECT, related_name="wishes")
    rank = models.PositiveSmallIntegerField("志愿顺序")

    ACCESS_UNIT = "volunteer__cohort__unit"

    class Meta:
        verbose_name = "岗位志愿"
        ordering = ["volunteer", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "rank"], name="wish_rank_unique"),
            models.UniqueConstraint(fields=["volunteer", "post"], name="wish_post_unique"),
            models.CheckConstraint(condition=Q(rank__gte=1) & Q(rank__lte=10), name="wish_rank_1_to_10"),
        ]

    def __str__(self):
        return f"{self.volunteer_id} 第{self.rank}志愿 {self.post_id}"

    def audit_unit_path(self) -> str:
        return self.volunteer.cohort.unit.path


class PlacementMode(models.TextChoices):
    STABLE = "stable", "稳定匹配（延迟接受）"
    OPTIMAL = "optimal", "总体匹配度最高"
    MANUAL = "manual", "人工调整"


class Placement(models.Model):
    """A volunteer's current post. A rerun replaces these rows; every change is in the audit trail."""

    volunteer = models.OneToOneField(Volunteer, verbose_name="志愿者", on_delete=models.CASCADE,
                                     related_name="placement")
    post = models.ForeignKey(Post, verbose_name="岗位", on_delete=models.PROTECT, related_name="placements")
    mode = models.CharField("产生方式", max_length=10, choices=PlacementMode.choices)
    wish_rank = models.PositiveSmallIntegerField("志愿顺序", null=True, blank=True)
    fit = models.PositiveSmallIntegerField("匹配分", default=0)
    explanation = models.CharField("说明", max_length=300)
    override_reason = models.CharField("调整原因", max_length=300, blank=True)
    decided_at = models.DateTimeField("确定时间", auto_now=True)

    ACCESS_UNIT = "volunteer__cohort__unit"

    class Meta:
        verbose_name = "岗位安排"
        constraints = [
            models.CheckConstraint(condition=~Q(mode="manual") | ~Q(override_reason=""), name="placement_override_reason"),
        ]

    def __str__(self):
        # Bulk saves set _label and _audit_path so auditing thousands of rows costs no queries.
        return getattr(self, "_label", None) or f"{self.volunteer.person.name} → {self.post}"

    def audit_unit_path(self) -> str:
        return getattr(self, "_audit_path", None) or self.volunteer.cohort.unit.path


class MentoringLog(models.Model):
    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="mentoring_logs")
    mentor = models.ForeignKey("people.Person", verbose_name="导师", on_delete=models.PROTECT, related_name="+")
    on = models.DateField("日期")
    content = models.CharField("传帮带内容", max_length=500)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "volunteer__cohort__unit"

    class Meta:
        verbose_name = "传帮带记录"
        ordering = ["-on", "-pk"]

    def __str__(self):
        return f"{self.on} {self.volunteer.person.name}"

    def audit_unit_path(self) -> str:
        return self.volunteer.cohort.unit.path


class AssessmentKind(models.TextChoices):
    YEARLY = "yearly", "年度考核"
    END = "end", "服务期满考核"


class Assessment(models.Model):
    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField("类别", max_length=10, choices=AssessmentKind.choices)
    year_number = models.PositiveSmallIntegerField("服务年次")
    grade = models.CharField("等次", max_length=20)
    assessed_on = models.DateField("考核日期")
    comment = models.CharField("评语", max_length=500, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "volunteer__cohort__unit"

    class Meta:
        verbose_name = "考核"
        ordering = ["volunteer", "year_number", "kind"]
        constraints = [models.UniqueConstraint(fields=["volunteer", "kind", "year_number"], name="assessment_once")]

    def __str__(self):
        return f"{self.volunteer.person.name} 第{self.year_number}年{self.get_kind_display()}：{self.grade}"

    def audit_unit_path(self) -> str:
        return self.volunteer.cohort.unit.path


class SafetyReport(models.Model):
    """R9.9: one report per cohort and month."""

    cohort = models.ForeignKey(Cohort, verbose_name="届次", on_delete=models.PROTECT, related_name="safety_reports")
    month = models.DateField("月份")  # first day of the month
    incidents = models.PositiveSmallIntegerField("安全事件数", default=0)
    note = models.CharField("情况说明", max_length=500, blank=True)
    reported_on = models.DateField("报告日期")
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "cohort__unit"

    class Meta:
        verbose_name = "月度安全报告"
        ordering = ["cohort", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "month"], name="safety_report_once_a_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="safety_report_month_first_day"),
        ]

    def __str__(self):
        return f"{self.cohort} {self.month:%Y年%m月}安全报告"

    def audit_unit_path(self) -> str:
        return self.cohort.unit.path

    @property
    def zero_accident(self) -> bool:
        return self.incidents == 0


class Channel(models.TextChoices):
    ESTABLISHMENT = CHANNELS[0], CHANNELS[0]
    TARGETED = CHANNELS[1], CHANNELS[1]
    BONUS = CHANNELS[2], CHANNELS[2]


class RecommendationOutcome(models.TextChoices):
    PENDING = "pending", "待反馈"
    ACCEPTED = "accepted", "已录用/已采纳"
    DECLINED = "declined", "未采纳"


class Recommendation(models.Model):
    """推荐意见 of the county committee (R9.6), numbered like an official document."""

    county = models.ForeignKey("organisations.Unit", verbose_name="团县委", on_delete=models.PROTECT,
                               related_name="volunteer_recommendations")
    person = models.ForeignKey("people.Person", verbose_name="被推荐人", on_delete=models.PROTECT,
                               related_name="volunteer_recommendations")
    # Set for a volunteer (R9.6); empty for a non-establishment League cadre (R9.7).
    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="recommendations")
    basis = models.CharField("依据", max_length=10, choices=[("R9.6", "西部计划志愿者（R9.6）"),
                                                          ("R9.7", "编外团干部（R9.7）")])
    basis_text = models.CharField("推荐依据说明", max_length=300, blank=True)
    channel = models.CharField("推荐渠道", max_length=10, choices=Channel.choices)
    doc_year = models.PositiveSmallIntegerField("文号年份")
    doc_serial = models.PositiveIntegerField("文号序号")
    document_number = models.CharField("发文字号", max_length=60)
    issuer = models.CharField("发文机关", max_length=60)
    addressee = models.CharField("主送机关", max_length=120)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    issued_on = models.DateField("成文日期")
    outcome = models.CharField("结果", max_length=10, choices=RecommendationOutcome.choices,
                               default=RecommendationOutcome.PENDING)
    outcome_note = models.CharField("结果说明", max_length=300, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    ACCESS_UNIT = "county"

    class Meta:
        verbose_name = "推荐意见"
        ordering = ["-doc_year", "-doc_serial"]
        constraints = [
            models.UniqueConstraint(fields=["county", "doc_year", "doc_serial"], name="recommendation_number_unique"),
            models.UniqueConstraint(fields=["person", "channel"], name="recommendation_once_per_channel"),
        ]

    def __str__(self):
        return f"{self.document_number} {self.title}"

    def audit_unit_path(self) -> str:
        return self.county.path
