"""League membership (团籍): one record per person with its status, and the full history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tuanwu.people.models import Person


class Status(models.TextChoices):
    """R1.2. The allowed moves between them are in ``rules.TRANSITIONS``."""

    APPLICANT = "applicant", "入团申请人"
    ACTIVIST = "activist", "入团积极分子"
    CANDIDATE = "candidate", "发展对象"
    MEMBER = "member", "团员"
    PARTY_MEMBER_KEEPING = "party_member_keeping", "保留团籍的党员"
    PROBATION = "probation", "留团察看"
    REGISTRATION_DEFERRED = "registration_deferred", "暂缓注册"
    AGED_OUT = "aged_out", "超龄离团"
    WITHDRAWN = "withdrawn", "退团"
    LAPSED = "lapsed", "自行脱团（除名）"
    EXPELLED = "expelled", "开除团籍"


# Statuses in which the person is no longer in the League: each records its date and reason.
EXIT_STATUSES = frozenset({Status.AGED_OUT, Status.WITHDRAWN, Status.LAPSED, Status.EXPELLED})
# Statuses of people who have joined (have a 入团时间) and are still in the League.
IN_LEAGUE_STATUSES = frozenset(
    {Status.MEMBER, Status.PARTY_MEMBER_KEEPING, Status.PROBATION, Status.REGISTRATION_DEFERRED}
)
PIPELINE_STATUSES = frozenset({Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE})


class Membership(models.Model):
    person = models.OneToOneField(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="membership")
    status = models.CharField("团籍状态", max_length=30, choices=Status.choices)
    status_since = models.DateField("状态起始日期")
    branch = models.ForeignKey("organisations.Unit", verbose_name="所在团支部", on_delete=models.PROTECT,
                               related_name="memberships")
    joined_on = models.DateField("入团时间", null=True, blank=True)
    member_card_number = models.CharField("团员证号", max_length=8, blank=True)
    development_number = models.CharField("发展团员编号", max_length=12, blank=True)
    exit_on = models.DateField("离团日期", null=True, blank=True)
    exit_reason = models.CharField("离团原因", max_length=300, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    ACCESS_UNIT = "branch"

    class Meta:
        verbose_name = "团籍"
        verbose_name_plural = "团籍"
        constraints = [
            models.CheckConstraint(condition=Q(member_card_number="") | Q(member_card_number__regex=r"^[0-9]{8}$"),
                                   name="membership_card_number_8_digits"),
            models.CheckConstraint(condition=Q(development_number="") | Q(development_number__regex=r"^[0-9]{12}$"),
                                   name="membership_development_number_12_digits"),
            # R1.2: every exit records its date and reason.
            models.CheckConstraint(
                condition=~Q(status__in=sorted(EXIT_STATUSES)) | (Q(exit_on__isnull=False) & ~Q(exit_reason="")),
                name="membership_exit_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=sorted(PIPELINE_STATUSES)) | Q(joined_on__isnull=False),
                name="membership_joined_has_join_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="membership_status_idx"),
            # Imports look every 发展团员编号 up against the registry (R2.14 duplicates).
            models.Index(fields=["development_number"], name="membership_devnum_idx",
                         condition=~Q(development_number="")),
        ]

    def __str__(self):
        return f"{self.person.name}（{self.get_status_display()}）"

    @classmethod
    def access_minor_q(cls) -> Q:
        return Person.access_minor_q(prefix="person__")

    def access_record_class(self):
        return self.person.access_record_class()

    @property
    def access_owner_id(self):
        return self.person.user_id

    def audit_unit_path(self) -> str:
        return self.branch.path

    @property
    def is_exit(self) -> bool:
        return self.status in EXIT_STATUSES


class MembershipEvent(models.Model):
    """One entry of a membership's history: a status change, a branch move, or the registration."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", "登记"
        STATUS = "status", "状态变更"
        MOVE = "move", "转移团支部"
        NUMBERS = "numbers", "编号更正"
        # Membership life (issue 4): steps that are not a status change or a branch move.
        DEVELOPMENT = "development", "发展团员"
        TRANSFER = "transfer", "组织关系转接"
        REVIEW = "review", "评议注册"
        PARTY = "party", "推优入党"
        EXIT = "exit", "离团办理"

    membership = models.ForeignKey(Membership, verbose_name="团籍", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    on = models.DateField("日期")
    from_status = models.CharField("原状态", max_length=30, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=30, choices=Status.choices, blank=True)
    from_branch = models.ForeignKey("organisations.Unit", verbose_name="原团支部", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    to_branch = models.ForeignKey("organisations.Unit", verbose_name="新团支部", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("原因", max_length=300, blank=True)
    document = models.CharField("依据文件", max_length=200, blank=True)
    # No database constraint, as for the audit trail's actor: an import writes one event per
    # person, all by the same user; the ORM's PROTECT still guards deletion.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", db_constraint=False)
    actor_label = models.CharField("经办人", max_length=150, blank=True)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "membership__branch"

    class Meta:
        verbose_name = "团籍记录"
        verbose_name_plural = "团籍记录"
        ordering = ["-on", "-pk"]

    def __str__(self):
        return f"{self.membership.person.name} {self.on:%Y-%m-%d} {self.get_kind_display()}"

    @classmethod
    def access_minor_q(cls) -> Q:
        return Person.access_minor_q(prefix="membership__person__")

    def audit_unit_path(self) -> str:
        return self.membership.branch.path


class StagedMember(models.Model):
    """One checked row of a members import, prepared exactly as it will be stored, so that the
    commit moves rows with INSERT … SELECT instead of reading and validating the file again
    (see ``membership/staging.py``).

    It holds what the registry itself holds — ciphertexts, blind indexes, pinyin — plus the
    masked numbers for the audit trail: never a clear ID or phone number. Rows live from the
    check to the commit (or a failed check, or the upload's 24-hour purge). The table is
    UNLOGGED: after a database crash it comes back empty, and the commit then simply reads the
    file again. Only the pipeline touches it; no view lists it, so it has no access path.
    """

    # No database constraint: each COPYed row would pay a key check; the ORM still cascades.
    job = models.ForeignKey("core.ImportJob", on_delete=models.CASCADE, related_name="+", db_index=False,
                            db_constraint=False)
    row_number = models.PositiveIntegerField()
    new_person_id = models.BigIntegerField()  # drawn from people_person's sequence at the check
    new_membership_id = models.BigIntegerField()
    branch_id_at_check = models.BigIntegerField()  # no foreign key: the commit re-checks the branch
    branch_text = models.CharField(max_length=300)
    is_minor = models.BooleanField()
    name = models.CharField(max_length=60)
    name_pinyin = models.TextField()
    gender = models.CharField(max_length=10)
    ethnicity = models.CharField(max_length=10)
    birth_date = models.DateField()
    id_number_encrypted = models.TextField()
    id_number_index = models.CharField(max_length=64)
    id_last4_index = models.CharField(max_length=64)
    id_masked = models.CharField(max_length=18)
    phone_encrypted = models.TextField(blank=True)
    phone_index = models.CharField(max_length=64, blank=True)
    phone_last4_index = models.CharField(max_length=64, blank=True)
    phone_masked = models.CharField(max_length=20, blank=True)
    education = models.CharField(max_length=20, blank=True)
    occupation = models.CharField(max_length=30, blank=True)
    political_status = models.CharField(max_length=30)
    status = models.CharField(max_length=30)
    status_since = models.DateField()
    joined_on = models.DateField(null=True)
    member_card_number = models.CharField(max_length=8, blank=True)
    development_number = models.CharField(max_length=12, blank=True)
    exit_on = models.DateField(null=True)
    exit_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "row_number"], name="staged_member_job_row")]

    def __str__(self):
        return f"{self.name}（第 {self.row_number} 行）"


# Membership life (issue 4): development, review, registration, 推优入党, dues, transfers, exits.
from .life_models import *  # noqa: E402,F401,F403
