"""The person registry and post holdings. A Person is not a User; one may be linked to a login.

Personal identifiers are never stored in clear: the ID number, the phone and the guardian's
phone are encrypted tokens (``*_encrypted``, AES-GCM) with keyed blind indexes for lookups
(``tuanwu.core.crypto``). The "last 4 digits" searches also use keyed indexes rather than the
digits themselves: the birth date is stored in clear (age rules need it in SQL), and region
code + birth date + last 4 digits would be the whole ID number.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tuanwu.core import crypto
from tuanwu.core.pinyin import normalise_name, search_text
from tuanwu.organisations.access import RecordClass
from tuanwu.organisations.rules import add_years

from .idcard import mask_id_number, mask_phone

# Under this age (周岁, from the birth date) a record is class ``minor``.
MINOR_AGE = 14

# GB 3304 order, then 其他 (other / foreign descent).
ETHNIC_GROUPS = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族",
    "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族",
    "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族",
    "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)
OTHER_ETHNICITY = "其他"
ETHNICITY_CHOICES = [(e, e) for e in ETHNIC_GROUPS] + [(OTHER_ETHNICITY, OTHER_ETHNICITY)]


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Education(models.TextChoices):
    PRIMARY = "primary", "小学"
    JUNIOR_HIGH = "junior_high", "初中"
    SENIOR_HIGH = "senior_high", "高中"
    VOCATIONAL = "vocational", "中专/中职"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    MASTER = "master", "硕士研究生"
    DOCTOR = "doctor", "博士研究生"


class Occupation(models.TextChoices):
    # R5 dues depend on this category (students, farmers, unemployed, pensioners pay 0.2 元).
    STUDENT = "student", "学生"
    FARMER = "farmer", "农民"
    ENTERPRISE = "enterprise_employee", "企业职工"
    PUBLIC_SECTOR = "public_sector", "机关事业单位人员"
    SELF_EMPLOYED = "self_employed", "个体"
    FREELANCE = "freelance", "自由职业"
    UNEMPLOYED = "unemployed", "无业"
    RETIRED = "retired", "离退休"
    OTHER = "other", "其他"


class PoliticalStatus(models.TextChoices):
    PIONEER = "pioneer", "少先队员"
    LEAGUE_MEMBER = "league_member", "共青团员"
    PARTY_PROBATIONARY = "party_probationary", "中共预备党员"
    PARTY_MEMBER = "party_member", "中共党员"
    MASSES = "masses", "群众"


def minor_cutoff(today: datetime.date | None = None) -> datetime.date:
    """People born after this date are under 14 today."""
    return add_years(today or timezone.localdate(), -MINOR_AGE)


def age_in_full_years(birth_date: datetime.date, on: datetime.date) -> int:
    """周岁: completed years from the birth date (a 29 February birthday counts on 28 February)."""
    years = on.year - birth_date.year
    return years - 1 if add_years(birth_date, years) > on else years


class Person(models.Model):
    name = models.CharField("姓名", max_length=60)
    name_pinyin = models.TextField("拼音检索", blank=True, default="", editable=False)
    gender = models.CharField("性别", max_length=10, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=10, choices=ETHNICITY_CHOICES, default="汉族")
    birth_date = models.DateField("出生日期")
    id_number_encrypted = models.TextField("身份证号码（密文）", blank=True, default="", editable=False)
    id_number_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    id_last4_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    student_number = models.CharField("学籍号", max_length=30, blank=True)
    phone_encrypted = models.TextField("手机号码（密文）", blank=True, default="", editable=False)
    phone_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    phone_last4_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    education = models.CharField("学历", max_length=20, choices=Education.choices, blank=True)
    occupation = models.CharField("职业类别", max_length=30, choices=Occupation.choices, blank=True)
    political_status = models.CharField("政治面貌", max_length=30, choices=PoliticalStatus.choices,
                                        default=PoliticalStatus.MASSES)
    guardian_name = models.CharField("监护人姓名", max_length=60, blank=True)
    guardian_phone_encrypted = models.TextField("监护人电话（密文）", blank=True, default="", editable=False)
    unit = models.ForeignKey("organisations.Unit", verbose_name="所在组织", on_delete=models.PROTECT,
                             related_name="people")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="person")
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    ACCESS_UNIT = "unit"
    ENCRYPTED_FIELDS = ("id_number_encrypted", "phone_encrypted", "guardian_phone_encrypted")
    # Snapshots in the audit trail hold masked values only (see audit_snapshot in actions).
    AUDIT_EXCLUDED_FIELDS = ENCRYPTED_FIELDS + (
        "id_number_index", "id_last4_index", "phone_index", "phone_last4_index", "name_pinyin",
    )

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], condition=~Q(id_number_index=""),
                                    name="person_id_number_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="person_name_not_empty"),
            # An ID number, or a 学籍号 for Young Pioneers who have none yet.
            models.CheckConstraint(condition=~Q(id_number_index="") | ~Q(student_number=""),
                                   name="person_has_id_or_student_number"),
            models.CheckConstraint(
                condition=(Q(id_number_index="") & Q(id_number_encrypted=""))
                | (~Q(id_number_index="") & ~Q(id_number_encrypted="")),
                name="person_id_index_matches_value",
            ),
        ]
        indexes = [
            GinIndex(fields=["name_pinyin"], name="person_pinyin_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["name"], name="person_name_trgm", opclasses=["gin_trgm_ops"]),
            models.Index(fields=["id_last4_index"], name="person_id_last4_idx"),
            models.Index(fields=["phone_index"], name="person_phone_idx"),
            models.Index(fields=["phone_last4_index"], name="person_phone_last4_idx"),
            models.Index(fields=["birth_date"], name="person_birth_date_idx"),
        ]

    def __str__(self):
        return self.name

    # --- access -------------------------------------------------------------------------------

    @classmethod
    def access_minor_q(cls, prefix: str = "") -> Q:
        return Q(**{f"{prefix}birth_date__gt": minor_cutoff()})

    def is_minor(self, on: datetime.date | None = None) -> bool:
        return self.birth_date > minor_cutoff(on)

    def access_record_class(self) -> RecordClass:
        if self.is_minor():
            return RecordClass.MINOR
        if self.user_id:
            return RecordClass.SELF
        return RecordClass.ORDINARY

    @property
    def access_owner_id(self) -> int | None:
        return self.user_id

    def audit_unit_path(self) -> str:
        return self.unit.path

    # --- personal data ------------------------------------------------------------------------

    def set_name(self, name: str) -> None:
        self.name = normalise_name(name)
        self.name_pinyin = search_text(self.name)

    def set_id_number(self, number: str) -> None:
        """Store a validated, normalised ID number (or clear it with '')."""
        self.id_number_encrypted = crypto.encrypt(number) if number else ""
        self.id_number_index = id_number_index(number) if number else ""
        self.id_last4_index = id_last4_index(number[-4:]) if number else ""

    def set_phone(self, phone: str) -> None:
        self.phone_encrypted = crypto.encrypt(phone) if phone else ""
        self.phone_index = phone_index(phone) if phone else ""
        self.phone_last4_index = phone_last4_index(phone[-4:]) if phone else ""

    def set_guardian_phone(self, phone: str) -> None:
        self.guardian_phone_encrypted = crypto.encrypt(phone) if phone else ""

    @property
    def has_id_number(self) -> bool:
        return bool(self.id_number_encrypted)

    def clear_id_number(self) -> str:
        """The ID number in clear: only for a reveal (audited) or an authorised export."""
        return crypto.decrypt(self.id_number_encrypted) if self.id_number_encrypted else ""

    def clear_phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted) if self.phone_encrypted else ""

    def clear_guardian_phone(self) -> str:
        return crypto.decrypt(self.guardian_phone_encrypted) if self.guardian_phone_encrypted else ""

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.clear_id_number())

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.clear_phone())

    @property
    def masked_guardian_phone(self) -> str:
        return mask_phone(self.clear_guardian_phone())

    def age_on(self, on: datetime.date | None = None) -> int:
        return age_in_full_years(self.birth_date, on or timezone.localdate())

    @property
    def age(self) -> int:
        return self.age_on()


# Each blind index's purpose (see crypto.blind_index); people.bulk computes the same in bulk.
ID_PURPOSE, ID_LAST4_PURPOSE, PHONE_PURPOSE, PHONE_LAST4_PURPOSE = "id", "id-last4", "phone", "phone-last4"


def id_number_index(number: str) -> str:
    return crypto.blind_index(number, purpose=ID_PURPOSE)


def id_last4_index(last4: str) -> str:
    return crypto.blind_index(last4.upper(), purpose=ID_LAST4_PURPOSE)


def phone_index(phone: str) -> str:
    return crypto.blind_index(phone, purpose=PHONE_PURPOSE)


def phone_last4_index(last4: str) -> str:
    return crypto.blind_index(last4, purpose=PHONE_LAST4_PURPOSE)


class Position(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANISATION = "organisation_member", "组织委员"
    PUBLICITY = "publicity_member", "宣传委员"
    COMMITTEE_MEMBER = "committee_member", "委员"
    GROUP_LEADER = "group_leader", "团小组长"
    OTHER = "other", "其他"


class HowObtained(models.TextChoices):
    ELECTED = "elected", "选举产生"
    APPOINTED = "appointed", "任命"
    SECONDED = "seconded", "挂职"


class PostHolding(models.Model):
    """Who holds which League post (团内职务) in which unit, and when: the only record of posts.

    R1.3 reads it; elections fill it and cadres extend it later, none keeps another list.
    """

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="post_holdings")
    unit = models.ForeignKey("organisations.Unit", verbose_name="任职组织", on_delete=models.PROTECT,
                             related_name="post_holdings")
    position = models.CharField("职务", max_length=30, choices=Position.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    how_obtained = models.CharField("产生方式", max_length=20, choices=HowObtained.choices)
    document = models.CharField("依据文件", max_length=200, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    ACCESS_UNIT = "unit"

    class Meta:
        verbose_name = "团内职务"
        verbose_name_plural = "团内职务"
        ordering = ["-started_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="post_holding_ends_after_start"),
        ]
        indexes = [models.Index(fields=["person", "started_on", "ended_on"], name="post_person_dates_idx")]

    def __str__(self):
        return f"{self.person.name} · {self.unit.name}{self.get_position_display()}"

    def audit_unit_path(self) -> str:
        return self.unit.path

    def is_current_on(self, day: datetime.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)
