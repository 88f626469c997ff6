"""Congresses and members' meetings, elections, rounds, double-entered ballots and results.

A :class:`Meeting` (团员大会, 团代会 or the new committee's 全委会) has a roll call
(:class:`Attendee`) giving 应到 and 实到. Each :class:`Election` at a meeting elects one kind of
office; its counting happens in :class:`Round` s: the first round, then a re-vote among those
tied at the cut (R7.10) or a further round for seats left empty (R7.11). Tellers enter every
paper ballot twice (:class:`BallotEntry`, one per teller); a :class:`PaperBallot` exists only
once two tellers' entries agree. Every entry and the final result are chained by SHA-256
(``entry_hash``/``result_hash``), and a closed election changes only after a recorded
:class:`Reopening`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tuanwu.people.models import Person

from .rules import MARK_LABELS, OFFICE_LABELS, Office


class MeetingKind(models.TextChoices):
    MEMBERS_MEETING = "members_meeting", "团员大会"
    CONGRESS = "congress", "团员代表大会"
    PLENARY = "plenary", "委员会全体会议"


class Meeting(models.Model):
    unit = models.ForeignKey("organisations.Unit", verbose_name="组织", on_delete=models.PROTECT,
                             related_name="election_meetings")
    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices)
    title = models.CharField("会议名称", max_length=120)
    term_number = models.PositiveSmallIntegerField("选举产生第几届")
    held_on = models.DateField("召开日期")
    # The plenary of a congress's new committee points at that congress (R7.14).
    congress = models.ForeignKey("self", verbose_name="所属代表大会", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="plenaries")
    # R7.16: the new committee's composition, approved by the party committee and the League
    # committee above.
    party_approved_on = models.DateField("党组织批准日期", null=True, blank=True)
    party_document = models.CharField("党组织批复文号", max_length=120, blank=True)
    above_approved_on = models.DateField("上级团委批准日期", null=True, blank=True)
    above_document = models.CharField("上级团委批复文号", max_length=120, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    ACCESS_UNIT = "unit"

    class Meta:
        verbose_name = "选举会议"
        verbose_name_plural = "选举会议"
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return self.title

    def audit_unit_path(self) -> str:
        return self.unit.path


class Attendee(models.Model):
    """One line of the roll call: a voter due at the meeting (delegates for a congress)."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField("到会", default=False)
    # Delegates (R7.17): who elected them, and whether they work on the front line.
    elected_by = models.ForeignKey("organisations.Unit", verbose_name="选举单位", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    is_frontline = models.BooleanField("一线代表", default=False)
    is_sample = models.BooleanField("示例数据", default=False)

    ACCESS_UNIT = "meeting__unit"

    class Meta:
        verbose_name = "到会名单"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendee_once_per_meeting")]

    def __str__(self):
        return f"{self.person.name}（{'到会' if self.present else '未到'}）"

    def audit_unit_path(self) -> str:
        return self.meeting.unit.path


class Status(models.TextChoices):
    SETUP = "setup", "筹备"
    COUNTING = "counting", "计票中"
    CLOSED = "closed", "已结束"
    VOID = "void", "选举无效"


class OfficeChoice(models.TextChoices):
    DELEGATE = Office.DELEGATE, OFFICE_LABELS[Office.DELEGATE]
    COMMITTEE = Office.COMMITTEE, OFFICE_LABELS[Office.COMMITTEE]
    ALTERNATE = Office.ALTERNATE, OFFICE_LABELS[Office.ALTERNATE]
    STANDING = Office.STANDING, OFFICE_LABELS[Office.STANDING]
    SECRETARY = Office.SECRETARY, OFFICE_LABELS[Office.SECRETARY]
    DEPUTY = Office.DEPUTY, OFFICE_LABELS[Office.DEPUTY]


class ThresholdBase(models.TextChoices):
    PRESENT = "present", "实到人数"
    DUE = "due", "应到人数"


class Election(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.PROTECT, related_name="elections")
    unit = models.ForeignKey("organisations.Unit", verbose_name="组织", on_delete=models.PROTECT,
                             related_name="elections")
    office = models.CharField("选举职务", max_length=30, choices=OfficeChoice.choices)
    seats = models.PositiveSmallIntegerField("应选名额")
    # The rule values in force when the election was set up, kept with it (R7.5, R7.6, R7.9).
    threshold_base = models.CharField("当选票数基数", max_length=10, choices=ThresholdBase.choices)
    quorum = models.DecimalField("到会比例（须超过）", max_digits=4, decimal_places=3)
    competitive_ratio = models.DecimalField("差额比例下限", max_digits=4, decimal_places=2)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SETUP)
    void_reason = models.CharField("无效原因", max_length=200, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    result_hash = models.CharField("结果哈希", max_length=64, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    ACCESS_UNIT = "unit"

    class Meta:
        verbose_name = "选举"
        verbose_name_plural = "选举"
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="election_seats_positive"),
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(result_hash=""), name="election_closed_has_hash"),
        ]

    def __str__(self):
        return f"{self.meeting.title} · {self.get_office_display()}"

    def audit_unit_path(self) -> str:
        return self.unit.path

    @property
    def title(self) -> str:
        return f"选举{self.get_office_display()}"

    @property
    def is_closed(self) -> bool:
        return self.status in (Status.CLOSED, Status.VOID)


class Candidate(models.Model):
    election = models.ForeignKey(Election, verbose_name="选举", on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, verbose_name="候选人", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=60)  # as printed on the ballot

    ACCESS_UNIT = "election__unit"

    class Meta:
        verbose_name = "候选人"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="candidate_once_per_election")]

    def __str__(self):
        return self.name

    def audit_unit_path(self) -> str:
        return self.election.unit.path


class TellerRole(models.TextChoices):
    SCRUTINEER = "scrutineer", "监票人"
    COUNTER = "counter", "计票人"


class Teller(models.Model):
    """A 监票人 or 计票人 (R7.4). The one-time code is shown once and stored as a hash; it is
    valid for this election only, until the election closes."""

    election = models.ForeignKey(Election, verbose_name="选举", on_delete=models.CASCADE, related_name="tellers")
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("分工", max_length=20, choices=TellerRole.choices)
    code_hash = models.CharField(max_length=64, editable=False)
    code_hint = models.CharField("编码末两位", max_length=2, editable=False)

    ACCESS_UNIT = "election__unit"
    AUDIT_EXCLUDED_FIELDS = ("code_hash",)

    class Meta:
        verbose_name = "监票人、计票人"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="teller_once_per_election"),
            models.UniqueConstraint(fields=["code_hash"], name="teller_code_unique"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.person.name}"

    def audit_unit_path(self) -> str:
        return self.election.unit.path


class RoundKind(models.TextChoices):
    FIRST = "first", "正式选举"
    REVOTE = "revote", "得票相等者再次投票"
    FURTHER = "further", "另行选举"


class RoundMethod(models.TextChoices):
    BALLOTS = "ballots", "逐张录入选票"
    TALLIES = "tallies", "录入计票结果"


class Round(models.Model):
    election = models.ForeignKey(Election, verbose_name="选举", on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField("轮次")
    kind = models.CharField("类型", max_length=20, choices=RoundKind.choices)
    method = models.CharField("计票方式", max_length=20, choices=RoundMethod.choices, default=RoundMethod.BALLOTS)
    seats = models.PositiveSmallIntegerField("本轮名额")
    candidates = models.ManyToManyField(Candidate, verbose_name="本轮候选人", related_name="rounds")
    due = models.PositiveIntegerField("应到人数")
    present = models.PositiveIntegerField("实到人数")
    issued = models.PositiveIntegerField("发出选票", null=True, blank=True)
    returned = models.PositiveIntegerField("收回选票", null=True, blank=True)
    # The outcome of this round once counted: {"elected": [...], "tied": [...], "tie_seats": n,
    # "shortfall": n, "yes": {...}, "no": {...}, "abstain": {...}, "valid": n, "void": n}.
    outcome = models.JSONField("计票结果", null=True, blank=True)
    counted_at = models.DateTimeField("计票完成时间", null=True, blank=True)

    ACCESS_UNIT = "election__unit"

    class Meta:
        verbose_name = "选举轮次"
        ordering = ["election", "number"]
        constraints = [models.UniqueConstraint(fields=["election", "number"], name="round_number_unique")]

    def __str__(self):
        return f"第{self.number}轮（{self.get_kind_display()}）"

    def audit_unit_path(self) -> str:
        return self.election.unit.path


class BallotEntry(models.Model):
    """One teller's entry of one paper ballot (or, for a tally round, of the whole tally).

    Entries are never edited: a correction is a new entry by the same teller for the same paper,
    and the latest counts. ``entry_hash`` = SHA-256 of the previous entry's hash in the election
    and this entry's content, so any later change to a stored entry breaks the chain.
    """

    round = models.ForeignKey(Round, verbose_name="轮次", on_delete=models.CASCADE, related_name="entries")
    teller = models.ForeignKey(Teller, verbose_name="录入人", on_delete=models.PROTECT, related_name="entries")
    paper_number = models.PositiveIntegerField("选票编号")  # 0 for a tally
    marks = models.JSONField("标记", default=dict)  # {candidate_id: yes/no/abstain} or tallies
    write_ins = models.JSONField("另选他人", default=list)
    # Set by the action before hashing (auto_now_add would overwrite it after the hash is made).
    entered_at = models.DateTimeField("录入时间", default=timezone.now)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    ACCESS_UNIT = "round__election__unit"

    class Meta:
        verbose_name = "选票录入"
        ordering = ["pk"]
        indexes = [models.Index(fields=["round", "paper_number"], name="entry_round_paper_idx")]

    def __str__(self):
        return f"第{self.paper_number}号选票录入（{self.teller.person.name}）"

    def audit_unit_path(self) -> str:
        return self.round.election.unit.path


class PaperBallot(models.Model):
    """A paper ballot accepted after two tellers' entries agreed; counted from here."""

    round = models.ForeignKey(Round, verbose_name="轮次", on_delete=models.CASCADE, related_name="ballots")
    number = models.PositiveIntegerField("选票编号")
    marks = models.JSONField("标记", default=dict)
    write_ins = models.JSONField("另选他人", default=list)
    void_reason = models.CharField("作废原因", max_length=120, blank=True)

    ACCESS_UNIT = "round__election__unit"

    class Meta:
        verbose_name = "有效录入的选票"
        ordering = ["round", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="paper_ballot_unique")]

    def __str__(self):
        return f"第{self.number}号选票"


class Winner(models.Model):
    election = models.ForeignKey(Election, verbose_name="选举", on_delete=models.CASCADE, related_name="winners")
    candidate = models.ForeignKey(Candidate, verbose_name="候选人", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    person = models.ForeignKey(Person, verbose_name="当选人", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=60)
    votes = models.PositiveIntegerField("得票")
    round_number = models.PositiveSmallIntegerField("当选轮次")
    rank = models.PositiveSmallIntegerField("候补排序", null=True, blank=True)  # R7.15
    post_holding = models.ForeignKey("people.PostHolding", verbose_name="任职记录", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    ACCESS_UNIT = "election__unit"

    class Meta:
        verbose_name = "当选人"
        ordering = ["election", "pk"]
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="winner_once_per_election")]

    def __str__(self):
        return f"{self.name}（{self.votes}票）"

    def audit_unit_path(self) -> str:
        return self.election.unit.path


class Reopening(models.Model):
    """A closed election re-opened for a correction, with its recorded reason."""

    election = models.ForeignKey(Election, verbose_name="选举", on_delete=models.CASCADE, related_name="reopenings")
    reason = models.CharField("原因", max_length=300)
    previous_hash = models.CharField("原结果哈希", max_length=64)
    actor_label = models.CharField("经办人", max_length=150)
    at = models.DateTimeField("时间", auto_now_add=True)

    ACCESS_UNIT = "election__unit"

    class Meta:
        verbose_name = "重新开启记录"
        ordering = ["at"]

    def __str__(self):
        return f"重新开启：{self.reason}"


class CodeAttempt(models.Model):
    """A teller-code sign-in attempt, for rate limiting the public code form."""

    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "计票编码尝试"

    def __str__(self):
        return f"{self.ip} {'成功' if self.succeeded else '失败'}"


class TermReschedule(models.Model):
    """R7.2: an election moved earlier or later than the term's planned end, with its two approvals."""

    term = models.ForeignKey("organisations.Term", verbose_name="任期", on_delete=models.PROTECT,
                             related_name="reschedules")
    original_end_on = models.DateField("原应届满日期")
    new_date = models.DateField("拟换届日期")
    reason = models.CharField("理由", max_length=300)
    party_approved_on = models.DateField("同级党组织批准日期", null=True, blank=True)
    party_document = models.CharField("党组织批复文号", max_length=120, blank=True)
    above_approved_on = models.DateField("上级团组织批准日期", null=True, blank=True)
    above_document = models.CharField("上级团组织批复文号", max_length=120, blank=True)
    applied = models.BooleanField("已生效", default=False)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    ACCESS_UNIT = "term__unit"

    class Meta:
        verbose_name = "提前或延期换届"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.term} 换届日期调整为 {self.new_date:%Y-%m-%d}"

    def audit_unit_path(self) -> str:
        return self.term.unit.path


MARK_CHOICES = list(MARK_LABELS.items())
