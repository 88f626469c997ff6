"""Records of membership life: development (R2), Young Pioneer recommendations, review and
registration (R3), 推优入党 (R4), dues (R5), transfers (R6) and exits (R1.5, R1.6).

Imported at the end of ``models.py`` so Django registers them with the membership app. Every
model names the path to its unit in ``ACCESS_UNIT`` and hides minors' rows like Membership.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tuanwu.people.models import Person

from .models import Membership


class _MinorByMembership:
    @classmethod
    def access_minor_q(cls) -> Q:
        return Person.access_minor_q(prefix=f"{cls.PERSON_PATH}__")

    def access_record_class(self):
        return self.membership.person.access_record_class()

    @property
    def access_owner_id(self):
        return self.membership.person.user_id


# ---------------------------------------------------------------------------------------------
# R2 development


class Development(_MinorByMembership, models.Model):
    """One applicant's way from the written application to admission (发展档案)."""

    class Stage(models.TextChoices):
        APPLICANT = "applicant", "入团申请人"
        ACTIVIST = "activist", "入团积极分子"
        CANDIDATE = "candidate", "发展对象"
        PROPOSED = "proposed", "拟接收（支部大会已通过）"
        ADMITTED = "admitted", "已入团"
        STOPPED = "stopped", "已终止"

    class Channel(models.TextChoices):
        MEMBER = "member_recommendation", "团员推荐"
        PIONEER = "pioneer_recommendation", "少先队推优"

    membership = models.OneToOneField(Membership, verbose_name="团籍", on_delete=models.PROTECT,
                                      related_name="development")
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, default=Stage.APPLICANT)
    applied_on = models.DateField("递交入团申请书日期")
    application_note = models.CharField("申请书摘要", max_length=500, blank=True)
    talk_on = models.DateField("谈话日期", null=True, blank=True)
    talk_by = models.CharField("谈话人", max_length=60, blank=True)
    channel = models.CharField("积极分子产生方式", max_length=30, choices=Channel.choices, blank=True)
    recommenders = models.CharField("推荐人", max_length=200, blank=True)
    activist_on = models.DateField("确定为入团积极分子日期（支委会）", null=True, blank=True)
    activist_filed_on = models.DateField("积极分子报上级备案日期", null=True, blank=True)
    candidate_on = models.DateField("确定为发展对象日期（支委会）", null=True, blank=True)
    prereviewed_on = models.DateField("上级团委预审日期", null=True, blank=True)
    form_issued_on = models.DateField("发放入团志愿书日期", null=True, blank=True)
    introducer_1 = models.ForeignKey(Membership, verbose_name="入团介绍人（一）", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    introducer_2 = models.ForeignKey(Membership, verbose_name="入团介绍人（二）", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    introducers_on = models.DateField("介绍人填写意见日期", null=True, blank=True)
    meeting_on = models.DateField("支部大会通过日期", null=True, blank=True)
    approved_on = models.DateField("上级团委审批日期", null=True, blank=True)
    approved_by_unit = models.ForeignKey("organisations.Unit", verbose_name="审批团委", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    ceremony_on = models.DateField("入团仪式日期", null=True, blank=True)
    stopped_on = models.DateField("终止日期", null=True, blank=True)
    stop_reason = models.CharField("终止原因", max_length=300, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    ACCESS_UNIT = "membership__branch"
    PERSON_PATH = "membership__person"

    class Meta:
        verbose_name = "发展档案"
        verbose_name_plural = "发展档案"
        constraints = [
            models.CheckConstraint(condition=Q(talk_on__isnull=True) | Q(talk_on__gte=models.F("applied_on")),
                                   name="development_talk_after_application"),
            # R2.10: the join date is the vote date, so an admission needs both.
            models.CheckConstraint(
                condition=~Q(stage="admitted") | (Q(meeting_on__isnull=False) & Q(approved_on__isnull=False)),
                name="development_admitted_has_vote_and_approval"),
            models.CheckConstraint(
                condition=Q(introducer_1__isnull=True) | ~Q(introducer_1=models.F("introducer_2")),
                name="development_two_distinct_introducers"),
        ]
        indexes = [models.Index(fields=["stage"], name="development_stage_idx")]

    def __str__(self):
        return f"{self.membership.person.name} 发展档案（{self.get_stage_display()}）"

    def audit_unit_path(self) -> str:
        return self.membership.branch.path


class DevelopmentLesson(models.Model):
    """R2.4: one 团课 attended."""

    development = models.ForeignKey(Development, verbose_name="发展档案", on_delete=models.PROTECT,
                                    related_name="lessons")
    on = models.DateField("日期")
    topic = models.CharField("主题", max_length=200)
    hours = models.PositiveSmallIntegerField("学时")
    minutes = models.PositiveSmallIntegerField("时长（分钟）")
    in_person = models.BooleanField("线下参加", default=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "development__membership__branch"

    class Meta:
        verbose_name = "团课记录"
        ordering = ["on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(hours__gte=1), name="lesson_at_least_one_hour")]

    def __str__(self):
        return f"{self.on:%Y-%m-%d} {self.topic}（{self.hours} 学时）"

    def audit_unit_path(self) -> str:
        return self.development.membership.branch.path


class DevelopmentContact(models.Model):
    """R2.5: a 培养联系人 (a member) for an 积极分子."""

    development = models.ForeignKey(Development, verbose_name="发展档案", on_delete=models.PROTECT,
                                    related_name="contacts")
    contact = models.ForeignKey(Membership, verbose_name="培养联系人", on_delete=models.PROTECT, related_name="+")
    assigned_on = models.DateField("确定日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "development__membership__branch"

    class Meta:
        verbose_name = "培养联系人"
        constraints = [models.UniqueConstraint(fields=["development", "contact"], condition=Q(ended_on__isnull=True),
                                               name="contact_once_per_development")]

    def __str__(self):
        return f"{self.contact.person.name}（培养联系人）"

    def audit_unit_path(self) -> str:
        return self.development.membership.branch.path


class DevelopmentNotice(models.Model):
    """R2.12: a 公示 at 积极分子 (optional), 发展对象 and 拟接收."""

    class Stage(models.TextChoices):
        ACTIVIST = "activist", "入团积极分子"
        CANDIDATE = "candidate", "发展对象"
        ADMISSION = "admission", "拟接收"

    development = models.ForeignKey(Development, verbose_name="发展档案", on_delete=models.PROTECT,
                                    related_name="notices")
    stage = models.CharField("公示阶段", max_length=20, choices=Stage.choices)
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示截止")
    working_days = models.PositiveSmallIntegerField("工作日数")
    place = models.CharField("公示方式/地点", max_length=200, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "development__membership__branch"

    class Meta:
        verbose_name = "公示"
        constraints = [models.UniqueConstraint(fields=["development", "stage"], name="notice_once_per_stage")]

    def __str__(self):
        return f"{self.get_stage_display()}公示 {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"

    def audit_unit_path(self) -> str:
        return self.development.membership.branch.path


class DevelopmentVote(models.Model):
    """R2.8: the 支部大会 vote on one applicant (one vote per applicant; a failed vote is kept)."""

    development = models.ForeignKey(Development, verbose_name="发展档案", on_delete=models.PROTECT,
                                    related_name="votes")
    meeting_on = models.DateField("支部大会日期")
    voting_members = models.PositiveIntegerField("有表决权团员数")
    present = models.PositiveIntegerField("到会有表决权团员数")
    yes = models.PositiveIntegerField("赞成")
    no = models.PositiveIntegerField("反对")
    abstain = models.PositiveIntegerField("弃权")
    passed = models.BooleanField("通过")
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "development__membership__branch"

    class Meta:
        verbose_name = "支部大会表决"
        ordering = ["meeting_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(present__lte=models.F("voting_members")), name="vote_present_le_due"),
            models.UniqueConstraint(fields=["development"], condition=Q(passed=True), name="vote_passes_once"),
        ]

    def __str__(self):
        return f"{self.meeting_on:%Y-%m-%d} 支部大会（{'通过' if self.passed else '未通过'}）"

    def audit_unit_path(self) -> str:
        return self.development.membership.branch.path


class DevelopmentNumberCounter(models.Model):
    """R2.13: the last 发展团员编号 sequence allocated per county and year (row-locked)."""

    county = models.ForeignKey("organisations.Unit", verbose_name="团县委", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    last_sequence = models.PositiveIntegerField("已分配序号", default=0)

    class Meta:
        verbose_name = "发展团员编号序号"
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="number_counter_once")]

    def __str__(self):
        return f"{self.county_id} {self.year}: {self.last_sequence}"


class PioneerRecommendation(models.Model):
    """少先队推优入团: a 大队 recommends a Young Pioneer to a League branch. The 积极分子 candidacy
    (a Development) is created once the child is 14."""

    person = models.ForeignKey(Person, verbose_name="少先队员", on_delete=models.PROTECT,
                               related_name="pioneer_recommendations")
    brigade = models.ForeignKey("organisations.Unit", verbose_name="推荐的少先队大队", on_delete=models.PROTECT,
                                related_name="+")
    branch = models.ForeignKey("organisations.Unit", verbose_name="接收团支部", on_delete=models.PROTECT,
                               related_name="+")
    recommended_on = models.DateField("推荐日期")
    reason = models.CharField("推荐理由", max_length=300, blank=True)
    development = models.OneToOneField(Development, verbose_name="发展档案", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="pioneer_recommendation")
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    # The receiving branch acts on it (opens the candidacy); the 大队 lists its own through
    # ``brigade`` in pioneers.py.
    ACCESS_UNIT = "branch"

    class Meta:
        verbose_name = "少先队推优"
        constraints = [models.UniqueConstraint(fields=["person"], condition=Q(development__isnull=True),
                                               name="pioneer_one_open_recommendation")]

    def __str__(self):
        return f"{self.person.name} 少先队推优"

    @classmethod
    def access_minor_q(cls) -> Q:
        return Person.access_minor_q(prefix="person__")

    def access_record_class(self):
        return self.person.access_record_class()

    def audit_unit_path(self) -> str:
        return self.branch.path


# ---------------------------------------------------------------------------------------------
# R3 review and registration


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "合格"
    BASIC = "basic", "基本合格"
    FAILED = "failed", "不合格"


class ReviewSession(models.Model):
    """R3.1: a branch's yearly review 支部大会 (团员教育评议)."""

    branch = models.ForeignKey("organisations.Unit", verbose_name="团支部", on_delete=models.PROTECT,
                               related_name="review_sessions")
    year = models.PositiveSmallIntegerField("评议年度")
    held_on = models.DateField("会议日期")
    members_due = models.PositiveIntegerField("应参加评议人数")
    present = models.PositiveIntegerField("到会人数")
    approved_on = models.DateField("上级审定日期", null=True, blank=True)
    approved_by_unit = models.ForeignKey("organisations.Unit", verbose_name="审定团委", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    ACCESS_UNIT = "branch"

    class Meta:
        verbose_name = "评议会议"
        ordering = ["-year", "branch__path"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="review_once_per_branch_year"),
            models.CheckConstraint(condition=Q(present__lte=models.F("members_due")), name="review_present_le_due"),
        ]

    def __str__(self):
        return f"{self.branch.name} {self.year} 年度评议"

    def audit_unit_path(self) -> str:
        return self.branch.path


class ReviewGrade(_MinorByMembership, models.Model):
    """R3.2/R3.3: one member's grade in a review, and the re-assessment after 不合格."""

    session = models.ForeignKey(ReviewSession, verbose_name="评议会议", on_delete=models.PROTECT,
                                related_name="grades")
    membership = models.ForeignKey(Membership, verbose_name="团员", on_delete=models.PROTECT,
                                   related_name="review_grades")
    grade = models.CharField("等次", max_length=20, choices=Grade.choices)
    reassessed_on = models.DateField("复评日期", null=True, blank=True)
    reassessed_grade = models.CharField("复评等次", max_length=20, choices=Grade.choices, blank=True)
    persuaded_on = models.DateField("劝退日期", null=True, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "session__branch"
    PERSON_PATH = "membership__person"

    class Meta:
        verbose_name = "评议等次"
        constraints = [models.UniqueConstraint(fields=["session", "membership"], name="grade_once_per_session")]

    def __str__(self):
        return f"{self.membership.person.name} {self.get_grade_display()}"

    @property
    def effective_grade(self) -> str:
        return self.reassessed_grade or self.grade

    def audit_unit_path(self) -> str:
        return self.session.branch.path


class Registration(_MinorByMembership, models.Model):
    """R3.5/R3.6: the yearly 团籍注册 of one member: registered, or deferred (暂缓注册)."""

    class Outcome(models.TextChoices):
        REGISTERED = "registered", "已注册"
        DEFERRED = "deferred", "暂缓注册"

    membership = models.ForeignKey(Membership, verbose_name="团员", on_delete=models.PROTECT,
                                   related_name="registrations")
    year = models.PositiveSmallIntegerField("注册年度")
    on = models.DateField("办理日期")
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices)
    deferred_until = models.DateField("暂缓注册至", null=True, blank=True)
    reason = models.CharField("原因", max_length=300, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "membership__branch"
    PERSON_PATH = "membership__person"

    class Meta:
        verbose_name = "团籍注册"
        ordering = ["-year", "-on"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "year"], condition=Q(outcome="registered"),
                                    name="registration_once_per_year"),
            models.CheckConstraint(condition=~Q(outcome="deferred") | Q(deferred_until__isnull=False),
                                   name="registration_deferral_has_end"),
        ]

    def __str__(self):
        return f"{self.membership.person.name} {self.year} {self.get_outcome_display()}"

    def audit_unit_path(self) -> str:
        return self.membership.branch.path


# ---------------------------------------------------------------------------------------------
# R4 推优入党


class PartyRecommendation(_MinorByMembership, models.Model):
    """R4: recommending a member to the Party, from the committee's proposal to the letter."""

    class Kind(models.TextChoices):
        TO_ACTIVIST = "to_activist", "推荐优秀团员作为入党积极分子人选"
        TO_CANDIDATE = "to_candidate", "推荐入党积极分子作为党员发展对象人选"

    class State(models.TextChoices):
        PROPOSED = "proposed", "支委会已提出"
        FAILED = "failed", "团员大会未通过"
        PASSED = "passed", "团员大会已通过"
        REVIEWED = "reviewed", "团委已审查，出具推荐意见"

    membership = models.ForeignKey(Membership, verbose_name="团员", on_delete=models.PROTECT,
                                   related_name="party_recommendations")
    kind = models.CharField("推优类别", max_length=20, choices=Kind.choices)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PROPOSED)
    proposed_on = models.DateField("支委会提出日期")
    party_activist_on = models.DateField("确定为入党积极分子日期", null=True, blank=True)
    meeting_on = models.DateField("团员大会日期", null=True, blank=True)
    due = models.PositiveIntegerField("应到会有表决权团员数", null=True, blank=True)
    present = models.PositiveIntegerField("实到人数", null=True, blank=True)
    yes = models.PositiveIntegerField("赞成", null=True, blank=True)
    no = models.PositiveIntegerField("反对", null=True, blank=True)
    abstain = models.PositiveIntegerField("弃权", null=True, blank=True)
    notice_starts_on = models.DateField("公示开始", null=True, blank=True)
    notice_ends_on = models.DateField("公示截止", null=True, blank=True)
    reviewed_on = models.DateField("团委审查日期", null=True, blank=True)
    committee = models.ForeignKey("organisations.Unit", verbose_name="审查团委", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    party_organisation = models.CharField("推荐至党组织", max_length=120, blank=True)
    letter_number = models.CharField("推荐意见编号", max_length=40, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    ACCESS_UNIT = "membership__branch"
    PERSON_PATH = "membership__person"

    class Meta:
        verbose_name = "推优入党"
        verbose_name_plural = "推优入党"
        ordering = ["-proposed_on", "-pk"]

    def __str__(self):
        return f"{self.membership.person.name} 推优入党（{self.get_state_display()}）"

    def audit_unit_path(self) -> str:
        return self.membership.branch.path


# ---------------------------------------------------------------------------------------------
# R5 dues


class DuesCategory(models.TextChoices):
    SALARIED = "salaried", "有工资收入"
    STUDENT = "student", "学生"
    FARMER = "farmer", "农民"
    UNEMPLOYED = "unemployed", "无业"
    WELFARE = "welfare", "领取救济"
    PENSIONER = "pensioner", "离退休"


class DuesAccount(_MinorByMembership, models.Model):
    """R5: the basis of one member's dues: category, wage, and the month dues start."""

    membership = models.OneToOneField(Membership, verbose_name="团员", on_delete=models.PROTECT,
                                      related_name="dues_account")
    category = models.CharField("交费类别", max_length=20, choices=DuesCategory.choices)
    monthly_wage = models.DecimalField("税后月固定工资（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    starts_month = models.DateField("起交月份")
    is_sample = models.BooleanField("示例数据", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    ACCESS_UNIT = "membership__branch"
    PERSON_PATH = "membership__person"

    class Meta:
        verbose_name = "团费标准"
        constraints = [
            models.CheckConstraint(condition=~Q(category="salaried") | Q(monthly_wage__isnull=False),
                                   name="dues_salaried_has_wage"),
            models.CheckConstraint(condition=Q(starts_month__day=1), name="dues_starts_on_month_start"),
        ]

    def __str__(self):
        return f"{self.membership.person.name} 团费标准"

    def audit_unit_path(self) -> str:
        return self.membership.branch.path


class DuesPayment(_MinorByMembership, models.Model):
    """One month's dues paid."""

    membership = models.ForeignKey(Membership, verbose_name="团员", on_delete=models.PROTECT,
                                   related_name="dues_payments")
    month = models.DateField("所属月份")
    amount = models.DecimalField("金额（元）", max_digits=8, decimal_places=2)
    paid_on = models.DateField("交纳日期")
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "membership__branch"
    PERSON_PATH = "membership__person"

    class Meta:
        verbose_name = "团费交纳"
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "month"], name="dues_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="dues_month_is_month_start"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.membership.person.name} {self.month:%Y-%m} 团费 {self.amount} 元"

    def audit_unit_path(self) -> str:
        return self.membership.branch.path


# ---------------------------------------------------------------------------------------------
# R6 transfers


class Transfer(_MinorByMembership, models.Model):
    """R6: moving a membership to another organisation; the receiver approves and assigns a branch."""

    class State(models.TextChoices):
        PENDING = "pending", "待转入方审批"
        APPROVED = "approved", "已转入"
        REJECTED = "rejected", "转入方退回"
        HELD = "held", "暂存待转"
        CANCELLED = "cancelled", "已撤回"

    class Initiator(models.TextChoices):
        SENDER = "sender", "转出团组织"
        RECEIVER = "receiver", "转入团组织"
        MEMBER = "member", "团员本人"

    class Destination(models.TextChoices):
        WORK = "work", "工作调动"
        RESIDENCE = "residence", "居住地变动"
        GRADUATE_EMPLOYER = "graduate_employer", "毕业生：到就业单位"
        GRADUATE_RESIDENCE = "graduate_residence", "毕业生：到居住地"
        FURTHER_STUDY = "further_study", "毕业生：升学"
        ABROAD = "abroad", "毕业生：出国（境）"
        ENLISTING = "enlisting", "毕业生：参军入伍"
        OTHER = "other", "其他"

    membership = models.ForeignKey(Membership, verbose_name="团员", on_delete=models.PROTECT, related_name="transfers")
    from_branch = models.ForeignKey("organisations.Unit", verbose_name="转出团支部", on_delete=models.PROTECT,
                                    related_name="+")
    to_unit = models.ForeignKey("organisations.Unit", verbose_name="转入团组织", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    to_branch = models.ForeignKey("organisations.Unit", verbose_name="分配到团支部", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    initiated_by = models.CharField("发起方", max_length=20, choices=Initiator.choices)
    destination = models.CharField("转接原因", max_length=30, choices=Destination.choices)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    requested_on = models.DateField("申请日期")
    deadline = models.DateField("应转入期限", null=True, blank=True)
    hold_until = models.DateField("保留至", null=True, blank=True)
    decided_on = models.DateField("处理日期", null=True, blank=True)
    decision_note = models.CharField("处理意见", max_length=300, blank=True)
    checked_in_on = models.DateField("线下报到日期", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人账号", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    # The receiver decides (R6.2): single-record access goes through the receiving organisation.
    # The sending side reads its outgoing transfers through ``from_branch`` in queries_life.
    ACCESS_UNIT = "to_unit"
    PERSON_PATH = "membership__person"

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-requested_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["membership"], condition=Q(state="pending"),
                                    name="transfer_one_pending_per_member"),
            models.CheckConstraint(condition=~Q(state="approved") | Q(to_branch__isnull=False),
                                   name="transfer_approved_has_branch"),
            models.CheckConstraint(condition=~Q(state="pending") | Q(to_unit__isnull=False),
                                   name="transfer_pending_has_receiver"),
        ]

    def __str__(self):
        return f"{self.membership.person.name} 组织关系转接（{self.get_state_display()}）"

    def audit_unit_path(self) -> str:
        return (self.to_unit or self.from_branch).path


# ---------------------------------------------------------------------------------------------
# R1.5 / R1.6 exits


class ExitCase(_MinorByMembership, models.Model):
    """R1.6 退团 (written request → 支部大会 → filed above) and R1.5 removal of a lapsed member
    (支部大会 decision → approval above)."""

    class Kind(models.TextChoices):
        WITHDRAWAL = "withdrawal", "退团"
        LAPSE = "lapse", "自行脱团除名"

    class State(models.TextChoices):
        REQUESTED = "requested", "已提出"
        DECIDED = "decided", "支部大会已通过"
        DONE = "done", "已报上级（办结）"

    membership = models.ForeignKey(Membership, verbose_name="团员", on_delete=models.PROTECT, related_name="exit_cases")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.REQUESTED)
    requested_on = models.DateField("提出日期")
    request_text = models.CharField("书面申请／情况说明", max_length=500)
    meeting_on = models.DateField("支部大会日期", null=True, blank=True)
    completed_on = models.DateField("上级批准／备案日期", null=True, blank=True)
    completed_by_unit = models.ForeignKey("organisations.Unit", verbose_name="上级团委", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    basis = models.CharField("判断依据", max_length=100, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "membership__branch"
    PERSON_PATH = "membership__person"

    class Meta:
        verbose_name = "离团办理"
        constraints = [models.UniqueConstraint(fields=["membership"], condition=~Q(state="done"),
                                               name="exit_one_open_case")]

    def __str__(self):
        return f"{self.membership.person.name} {self.get_kind_display()}（{self.get_state_display()}）"

    def audit_unit_path(self) -> str:
        return self.membership.branch.path
