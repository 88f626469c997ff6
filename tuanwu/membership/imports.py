"""Import kind “members” (团员导入): people and their League membership into a subtree.

Each row is one person with their membership record, as the national 智慧团建 system exports
them (its column wordings are recognised: 身份证号码 / 证件号码, 入团年月 / 入团时间, 团员编号 /
发展团员编号, 所在团支部 …; its other columns are listed and ignored).

Every row is checked: the ID number (GB 11643 check digit; birth date and gender in other columns
must agree with it), R1.1 (age at joining), R1.2 (an exit has its date and reason; 超龄离团 only
from 28), R2.14 (发展团员编号), the branch (exists in the importer's subtree, is a 团支部, is open,
the importer may change it; a minor needs ``minor.view``), duplicates of the ID number in the file
and in the registry (by the blind index, one query per batch) and of the 发展团员编号.

Personal data: error messages never carry a full ID number (any long digit run is masked), the
stored preview masks ID and phone numbers, and the job's result holds counts only. The commit
writes people, memberships, history events and the audit trail with bulk inserts, inside the
pipeline's single transaction.
"""

from __future__ import annotations

import bisect
import datetime
import re
import unicodedata
import uuid
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tuanwu.core import audit, crypto
from tuanwu.core import imports as pipeline
from tuanwu.core.bulk import copy_insert
from tuanwu.core.imports import CHOICE, DATE, TEXT, Column, ImportContext, ImportSpec, Row
from tuanwu.core.models import RuleSetting
from tuanwu.core.pinyin import normalise_name
from tuanwu.core.rule_settings import get_rule
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind
from tuanwu.people.bulk import build_person, person_audit_snapshot
from tuanwu.people.idcard import (
    already_registered,
    mask_id_number,
    mask_phone,
    parse_id_number,
    validate_mobile,
)
from tuanwu.people.models import (
    ETHNIC_GROUPS,
    ETHNICITY_CHOICES,
    ID_PURPOSE,
    Education,
    Gender,
    Occupation,
    Person,
    PoliticalStatus,
    minor_cutoff,
)

from . import rules
from .actions import division_code_in, nearest_county_in
from .models import EXIT_STATUSES, PIPELINE_STATUSES, Membership, MembershipEvent, Status
from .staging import STAGING

KIND = "members"
MIN_AGE_KEY = "membership.min_join_age"
PATH_SPLIT_RE = re.compile(r"\s*[/\\>＞]\s*")
# Any run of 15+ digits in a message could be an ID number: masked before it is stored.
_LONG_DIGITS_RE = re.compile(r"[0-9]{14,17}[0-9Xx]")

STATUS_ALIASES = (
    ("正常", Status.MEMBER), ("共青团员", Status.MEMBER), ("在册团员", Status.MEMBER),
    ("申请人", Status.APPLICANT), ("入团申请", Status.APPLICANT), ("积极分子", Status.ACTIVIST),
    ("保留团籍党员", Status.PARTY_MEMBER_KEEPING), ("保留团籍", Status.PARTY_MEMBER_KEEPING),
    ("党员保留团籍", Status.PARTY_MEMBER_KEEPING), ("超龄", Status.AGED_OUT), ("自行脱团", Status.LAPSED),
    ("除名", Status.LAPSED), ("开除", Status.EXPELLED), ("留团查看", Status.PROBATION),
)
EDUCATION_ALIASES = (
    ("初中及以下", Education.JUNIOR_HIGH), ("中专", Education.VOCATIONAL), ("中职", Education.VOCATIONAL),
    ("职高", Education.VOCATIONAL), ("技校", Education.VOCATIONAL), ("普通高中", Education.SENIOR_HIGH),
    ("大学专科", Education.COLLEGE), ("专科", Education.COLLEGE), ("高职", Education.COLLEGE),
    ("大学本科", Education.BACHELOR), ("本科及以上", Education.BACHELOR), ("研究生", Education.MASTER),
    ("硕士", Education.MASTER), ("博士", Education.DOCTOR),
)
OCCUPATION_ALIASES = (
    ("在校学生", Occupation.STUDENT), ("学生（含在校生）", Occupation.STUDENT), ("农牧民", Occupation.FARMER),
    ("农牧渔民", Occupation.FARMER), ("农民工", Occupation.ENTERPRISE), ("进城务工人员", Occupation.ENTERPRISE),
    ("企业员工", Occupation.ENTERPRISE), ("国有企业职工", Occupation.ENTERPRISE), ("非公企业职工", Occupation.ENTERPRISE),
    ("公务员", Occupation.PUBLIC_SECTOR), ("机关工作人员", Occupation.PUBLIC_SECTOR),
    ("事业单位人员", Occupation.PUBLIC_SECTOR), ("个体工商户", Occupation.SELF_EMPLOYED),
    ("自由职业者", Occupation.FREELANCE), ("待业", Occupation.UNEMPLOYED), ("无业人员", Occupation.UNEMPLOYED),
    ("离退休人员", Occupation.RETIRED),
)
POLITICAL_ALIASES = (
    ("团员", PoliticalStatus.LEAGUE_MEMBER), ("中国共产主义青年团团员", PoliticalStatus.LEAGUE_MEMBER),
    ("党员", PoliticalStatus.PARTY_MEMBER), ("中国共产党党员", PoliticalStatus.PARTY_MEMBER),
    ("预备党员", PoliticalStatus.PARTY_PROBATIONARY), ("少先队", PoliticalStatus.PIONEER),
)
# “汉” for “汉族” and so on: exports and hand-typed sheets drop the 族.
ETHNICITY_ALIASES = tuple((e[:-1], e) for e in ETHNIC_GROUPS if e.endswith("族"))

COLUMNS = [
    Column("name", "姓名", TEXT, required=True, max_length=60, aliases=("团员姓名", "人员姓名", "名字"),
           help="少数民族和外国人姓名中的间隔号（• ・ . 等）统一为“·”", example=["王小明", "阿依古丽·吐尔逊"]),
    Column("id_number", "身份证号码", TEXT, required=True, masked=True,
           aliases=("身份证号", "证件号码", "证件号", "公民身份号码", "身份证", "身份证件号码"),
           help="18 位，末位可以是 X；出生日期和性别由号码取得", example=["650121200501011234", "65012120040315234X"]),
    Column("gender", "性别", CHOICE, choices=tuple(Gender.choices), choice_aliases=(("男性", "male"), ("女性", "female")),
           help="可不填；填写时须与身份证号码一致", example=["男", "女"]),
    Column("birth_date", "出生日期", TEXT, aliases=("出生年月", "生日"),
           help="可不填；可以只写年月（如 2005-01、2005.01、2005年1月）；填写时须与身份证号码一致", example=["", ""]),
    Column("ethnicity", "民族", CHOICE, choices=tuple(ETHNICITY_CHOICES), choice_aliases=ETHNICITY_ALIASES,
           help="56 个民族或“其他”，可写“汉”“维吾尔”等简称；不填视为汉族", example=["汉族", "维吾尔族"]),
    Column("branch", "所在团支部", TEXT, required=True,
           aliases=("所在支部", "团支部", "所属团支部", "所在团组织", "所在组织", "所属组织", "团组织名称"),
           help="本组织下级的团支部名称；有重名时写路径，如“甲镇团委/东湾村团支部”",
           example=["甲村团支部", "甲镇团委/乙村团支部"]),
    Column("status", "团籍状态", CHOICE, choices=tuple(Status.choices), choice_aliases=STATUS_ALIASES,
           aliases=("人员类别", "团员状态", "状态", "人员状态", "团员类别", "团籍"),
           help="不填视为“团员”", example=["团员", "团员"]),
    Column("joined_on", "入团时间", TEXT, aliases=("入团年月", "入团日期", "入团时间（年月）"),
           help="团员必填；可以只写年月（如 2016-05、2016年5月），按该月中符合入团年龄的最早一天登记",
           example=["2020-05-04", "2019-05"]),
    Column("development_number", "发展团员编号", TEXT, aliases=("团员编号", "发展编号", "发展团员号"),
           help="12 位数字，前 4 位为入团年份；2017 年（新疆 2016 年）起入团的必填", example=["202012345678", "201987654321"]),
    Column("member_card_number", "团员证号", TEXT, aliases=("团员证编号", "团员证号码"),
           help="8 位数字，可不填", example=["", ""]),
    Column("phone", "手机号码", TEXT, masked=True, aliases=("手机号", "联系电话", "手机", "联系方式", "电话号码"),
           help="11 位手机号，可不填", example=["13800138000", ""]),
    Column("education", "学历", CHOICE, choices=tuple(Education.choices), choice_aliases=EDUCATION_ALIASES,
           aliases=("文化程度", "最高学历", "全日制学历"), example=["高中", "本科"]),
    Column("occupation", "职业", CHOICE, choices=tuple(Occupation.choices), choice_aliases=OCCUPATION_ALIASES,
           aliases=("职业类别", "人员职业", "从业类别"), example=["农民", "学生"]),
    Column("political_status", "政治面貌", CHOICE, choices=tuple(PoliticalStatus.choices),
           choice_aliases=POLITICAL_ALIASES, help="不填时按团籍状态取（团员为共青团员）", example=["共青团员", ""]),
    Column("exit_on", "离团日期", DATE, aliases=("离团时间", "退团日期"), help="离团状态必填", example=["", ""]),
    Column("exit_reason", "离团原因", TEXT, max_length=300, aliases=("退团原因", "离团说明"),
           help="离团状态必填", example=["", ""]),
]

_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}$")
_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]


def parse_join_date(value: str) -> tuple[datetime.date, bool]:
    """A join date, or a join month (the national system exports 入团年月): (date, month_only).
    For a month, the date is its first day. Raises ValueError in Chinese."""
    return parse_date_or_month(value, "入团年月")


def parse_date_or_month(value: str, label: str) -> tuple[datetime.date, bool]:
    """A date, or a month (2016-05, 2016.5, 2016年5月, 201605): (date, month_only); a month is
    its first day. ``label`` names the column in the message for a month that does not exist."""
    if isinstance(value, str) and len(value) == 10 and _ISO_DATE_RE.match(value):  # how a date cell arrives (the column is text)
        try:
            return datetime.date.fromisoformat(value), False
        except ValueError:
            pass  # 2023-02-30: parse_date below says why
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(text)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if not 1 <= month <= 12:
                raise ValueError(f"{label}“{text}”不存在")
            return datetime.date(year, month, 1), True
    if re.fullmatch(r"\d{5}", text):  # an Excel serial read as text
        return pipeline.parse_date(int(text)), False
    return pipeline.parse_date(text.split("T")[0].split(" ")[0]), False


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def mask_digits(message: str) -> str:
    """Mask anything in a message that could be an ID number."""
    return _LONG_DIGITS_RE.sub(lambda m: mask_id_number(m.group(0)), message)


# ---------------------------------------------------------------------------------------------
# Preparing and checking


def prepare(ctx: ImportContext) -> None:
    """Load the subtree's branches (by name and path) and what is decided once per branch."""
    root: Unit = ctx.unit
    units = list(Unit.objects.filter(path__startswith=root.path).order_by("path"))
    # Every unit a branch of the subtree descends from: the root's ancestors and the subtree.
    by_path = {u.path: u for u in root.ancestors_and_self()}
    by_path.update((unit.path, unit) for unit in units)
    by_name: dict[str, list[tuple[tuple[str, ...], Unit]]] = {}
    for unit in units:
        chain = tuple(_norm(u.name) for u in _lineage(by_path, unit))
        by_name.setdefault(_norm(unit.name), []).append((chain, unit))
    change_dates = sorted(set(RuleSetting.objects.filter(key=MIN_AGE_KEY).values_list("effective_from", flat=True)))
    ctx.state.update(
        by_name=by_name, by_path=by_path, branch_cache={}, seen_ids={}, seen_numbers={}, min_age_cache={}, change_dates=change_dates,
        today=timezone.localdate(), minor_cutoff=minor_cutoff(), root_depth=root.depth,
        # The keys prepared once for the file, not read from the settings per row.
        cipher=crypto.field_cipher(),
    )


def _lineage(by_path: dict[str, Unit], unit: Unit) -> list[Unit]:
    """The unit's ancestors and itself, root first, from the units ``prepare`` loaded."""
    step = Unit.steplen
    return [by_path[unit.path[:i]] for i in range(step, len(unit.path) + 1, step)]


def _resolve_branch(ctx: ImportContext, text: str) -> tuple[dict | None, str | None]:
    cache = ctx.state["branch_cache"]
    if text in cache:
        return cache[text]
    parts = [p for p in PATH_SPLIT_RE.split(_norm(text)) if p]
    candidates = [
        unit for chain, unit in ctx.state["by_name"].get(parts[-1] if parts else "", [])
        if chain[-len(parts):] == tuple(parts)
    ]
    found: tuple[dict | None, str | None]
    if not candidates:
        found = None, f"“{text}”不在您的管理范围内或不存在"
    elif len(candidates) > 1:
        example = "/".join(_parent_and_name(candidates[0]))
        found = None, f"“{text}”有 {len(candidates)} 个同名组织，请写出路径，如“{example}”"
    else:
        unit = candidates[0]
        perms, problem = branch_refusal(ctx.actor, unit, text)
        if problem:
            found = None, problem
        else:
            # From the units loaded by ``prepare``: no query per branch.
            lineage = _lineage(ctx.state["by_path"], unit)
            county = nearest_county_in(lineage)
            found = {"unit": unit, "perms": perms, "county_id": county.pk if county else None,
                     "division": division_code_in(lineage)}, None
    cache[text] = found
    return found


def branch_refusal(actor, unit: Unit, text: str) -> tuple[frozenset, str | None]:
    """Whether ``actor`` may register members in ``unit`` (found by the file's ``text``):
    (their permissions there, the refusal or None). The check and the staged commit share it."""
    perms = access.permissions_on(actor, unit)
    if access.VIEW not in perms:
        return perms, f"“{text}”不在您的管理范围内或不存在"
    if unit.kind != Kind.BRANCH:
        return perms, f"“{unit.name}”不是团支部，团员只能登记在团支部"
    if not unit.is_open:
        return perms, f"“{unit.name}”已撤销"
    if access.CHANGE not in perms:
        return perms, f"您无权在“{unit.name}”登记团员"
    return perms, None


MINOR_REFUSAL = "未满 14 周岁人员的信息只能由少先队辅导员或县级管理员登记"


def _parent_and_name(unit: Unit) -> tuple[str, ...]:
    parent = Unit.objects.filter(path=unit.path[:-Unit.steplen]).values_list("name", flat=True).first()
    return (parent, unit.name) if parent else (unit.name,)


def _min_age(ctx: ImportContext, branch: dict, on: datetime.date) -> int:
    """R1.1's configurable minimum, read through get_rule once per county and per span between
    two rule changes (the value cannot differ inside one span)."""
    span = bisect.bisect_right(ctx.state["change_dates"], on)
    key = (branch["county_id"], span)
    cache = ctx.state["min_age_cache"]
    if key not in cache:
        cache[key] = get_rule(MIN_AGE_KEY, branch["unit"], on)
    return cache[key]


def _join_date(ctx: ImportContext, row: Row, birth: datetime.date | None, branch: dict | None):
    """The join date to store, checking R1.1. A month-only date takes the earliest day of that
    month on which joining was allowed."""
    raw = row.values.get("joined_on")
    try:
        joined, month_only = parse_join_date(raw)
    except ValueError as exc:
        row.error("joined_on", str(exc))
        return None
    today = ctx.state["today"]
    if joined > today:
        row.error("joined_on", "入团时间不能晚于今天")
        return None
    if birth is None or branch is None:
        return joined
    min_age = _min_age(ctx, branch, joined)
    refusal = rules.join_age_refusal(birth, joined, min_age=min_age, legacy=True)
    if refusal and month_only:
        # The month is right if any day in it was allowed: the birthday in that month, if any.
        try:
            birthday = birth.replace(year=joined.year)
        except ValueError:  # 29 February
            birthday = datetime.date(joined.year, 3, 1)
        if birthday.month == joined.month and birthday <= min(_month_end(joined), today):
            retry = rules.join_age_refusal(birth, birthday, min_age=min_age, legacy=True)
            if retry is None:
                return birthday
    if refusal:
        row.error("joined_on", refusal)
        return None
    return joined


def _number_key(number: str):
    """A compact exact key for the in-file duplicate checks: 100,000 ID numbers kept as ints
    instead of strings. The leading 1 or 2 keeps leading zeros and the X check character apart."""
    if number.isdigit():
        return int("1" + number)
    if number[:-1].isdigit() and number[-1] == "X":
        return int("2" + number[:-1])
    return number


def validate_row(ctx: ImportContext, row: Row) -> None:
    v = row.values
    state = ctx.state
    today = state["today"]
    extra = row.extra

    name = normalise_name(v.get("name") or "")
    if v.get("name") and not name:
        row.error("name", "请填写姓名")
    extra["name"] = name

    info = None
    if v.get("id_number"):
        try:
            info = parse_id_number(v["id_number"], today=today)
        except ValidationError as error:
            row.error("id_number", error.messages[0])
    # Rosters often give 出生年月 as a month (2005.01): it is checked against the ID's month.
    given_birth, birth_month_only = None, False
    if v.get("birth_date"):
        try:
            given_birth, birth_month_only = parse_date_or_month(v["birth_date"], "出生年月")
        except ValueError as exc:
            row.error("birth_date", str(exc))
    birth = info.birth_date if info else (None if birth_month_only else given_birth)
    if info is not None:
        if given_birth is not None and (
                given_birth.replace(day=1) != info.birth_date.replace(day=1) if birth_month_only
                else given_birth != info.birth_date):
            row.error("birth_date", "出生日期与身份证号码不一致")
        if v.get("gender") and v["gender"] != info.gender:
            row.error("gender", "性别与身份证号码不一致")
        first = state["seen_ids"].setdefault(_number_key(info.number), row.number)
        if first != row.number:
            row.error("id_number", f"身份证号码与第 {first} 行重复")
        # The blind index is computed where it is needed: for the registry lookup of a batch
        # (validate_batch), or by the staging for a batch it stores (and looks up) itself.
        extra.update(id=info.number, id_index="", birth=info.birth_date, gender=info.gender)

    branch = None
    if v.get("branch"):
        branch, problem = _resolve_branch(ctx, v["branch"])
        if problem:
            row.error("branch", problem)
    if branch is not None and birth is not None and birth > state["minor_cutoff"] \
            and access.VIEW_MINOR not in branch["perms"]:
        row.error("branch", MINOR_REFUSAL)
    extra["branch"] = branch

    status = v.get("status") or Status.MEMBER
    extra["status"] = status
    numbers = {k: (v.get(k) or "").strip() for k in ("development_number", "member_card_number")}
    joined = None
    if status in PIPELINE_STATUSES:
        for key in ("joined_on", "development_number", "member_card_number"):
            if v.get(key):
                row.error(key, f"“{rules.label(status)}”尚未入团，不能填写{pipeline_header(key)}")
        if birth is not None and rules.age_on(birth, today) >= rules.MAX_AGE:
            row.error("status", f"已满 {rules.MAX_AGE} 周岁，不能登记为{rules.label(status)}")
    elif not v.get("joined_on"):
        row.error("joined_on", f"“{rules.label(status)}”须填写入团时间")
    else:
        joined = _join_date(ctx, row, birth, branch)
        if joined is not None and birth is not None and joined < birth:
            row.error("joined_on", "入团时间早于出生日期")
            joined = None
        if joined is not None and branch is not None:
            refusal = rules.development_number_refusal(numbers["development_number"], joined, branch["division"])
            if refusal:
                row.error("development_number", refusal)
    refusal = rules.member_card_number_refusal(numbers["member_card_number"])
    if refusal:
        row.error("member_card_number", refusal)
    number = numbers["development_number"]
    if number and not row.has_error("development_number"):
        first = state["seen_numbers"].setdefault(_number_key(number), row.number)
        if first != row.number:
            row.error("development_number", f"发展团员编号与第 {first} 行重复")
    extra["joined_on"] = joined

    exit_on, reason = v.get("exit_on"), (v.get("exit_reason") or "").strip()
    if status in EXIT_STATUSES:
        refusal = rules.exit_record_refusal(status, exit_on, reason)
        if refusal:
            row.error("exit_on" if exit_on is None else "exit_reason", refusal)
        if exit_on is not None:
            if exit_on > today:
                row.error("exit_on", "离团日期不能晚于今天")
            elif joined is not None and exit_on < joined:
                row.error("exit_on", "离团日期不能早于入团时间")
            elif status == Status.AGED_OUT and birth is not None:
                refusal = rules.aged_out_refusal(birth, exit_on, holds_post=False)
                if refusal:
                    row.error("exit_on", refusal)
    elif exit_on or reason:
        row.error("exit_on" if exit_on else "exit_reason", "未离团的人员不能填写离团日期和原因")

    phone = v.get("phone") or ""
    if phone:
        try:
            phone = validate_mobile(phone)
        except ValidationError as error:
            row.error("phone", error.messages[0])
            phone = ""
    extra["phone"] = phone


def pipeline_header(key: str) -> str:
    return next(c.header for c in COLUMNS if c.key == key)


def _existing(model, column: str, values) -> list[str]:
    """Which of ``values`` the column of ``model``'s table already holds."""
    if not values:
        return []
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT DISTINCT "{column}" FROM "{model._meta.db_table}" WHERE "{column}" = ANY(%s)',
                       [list(values)])
        return [value for (value,) in cursor.fetchall()]


def validate_batch(ctx: ImportContext, rows: list[Row]) -> None:
    """Duplicates against the registry, one query per batch: ID numbers by their blind index and
    发展团员编号. Then every message is made safe to store (no full ID number).

    A check leaves the lookup of a batch it is going to stage (clean, after clean batches only)
    to the staging, which looks up all its rows at once when the check ends
    (staging.registry_duplicates): one join instead of two queries per batch, and off the
    checking process, which sets the pace of a large check."""
    state = ctx.state
    if state.get("stages_clean_batches") and state.get("clean_so_far") and not any(r.errors for r in rows):
        return
    cipher = state["cipher"]
    for row in rows:
        if row.extra.get("id") and not row.extra.get("id_index"):
            row.extra["id_index"] = cipher.blind_index(row.extra["id"], ID_PURPOSE)
    # Rows already flagged (a duplicate inside the file) are not looked up: in a streaming
    # commit the first occurrence may already be written in this transaction.
    indexes = {r.extra["id_index"]: r for r in rows if r.extra.get("id_index") and not r.has_error("id_number")}
    # One array parameter (= ANY) rather than an IN list of 1,000 placeholders for Django and
    # psycopg to build and parse, once per batch.
    for index in _existing(Person, "id_number_index", indexes):
        row = indexes[index]
        row.error("id_number", already_registered(mask_id_number(row.extra["id"])))
    numbers = {r.values["development_number"].strip(): r for r in rows
               if r.values.get("development_number") and not r.has_error("development_number")}
    for number in _existing(Membership, "development_number", numbers):
        numbers[number].error("development_number", f"发展团员编号 {number} 已被系统中的其他团员使用")
    for row in rows:
        if row.errors:
            row.errors = [(key, mask_digits(message)) for key, message in row.errors]


# ---------------------------------------------------------------------------------------------
# Committing


def _political_status(status: str, given: str | None) -> str:
    if given:
        return given
    if status == Status.PARTY_MEMBER_KEEPING:
        return PoliticalStatus.PARTY_MEMBER
    if status in (Status.MEMBER, Status.PROBATION, Status.REGISTRATION_DEFERRED):
        return PoliticalStatus.LEAGUE_MEMBER
    return PoliticalStatus.MASSES


def status_since(status: str, joined_on, exit_on, today: datetime.date) -> datetime.date:
    """When the imported status began: the exit date for exits, the join date for those in the
    League, the import date for applicants, activists and candidates (the export has no date)."""
    if status in EXIT_STATUSES:
        return exit_on
    if status in PIPELINE_STATUSES:
        return today
    return joined_on


def commit(ctx: ImportContext, rows: list[Row]) -> dict:
    """Create the batch's people, memberships and registration events with COPY, then audit
    them. The pipeline streams the file through here batch by batch inside one transaction
    (all or nothing), so memory does not grow with the file; counts are summed by the pipeline."""
    # One audit batch per action for the whole file.
    people_batch, memberships_batch = ctx.state.setdefault("audit_batches", (uuid.uuid4(), uuid.uuid4()))
    actor = ctx.actor
    today = timezone.localdate()
    actor_obj = actor if getattr(actor, "pk", None) else None
    actor_label = actor.get_username() if actor_obj else "系统"
    people: list[Person] = []
    clear: list[tuple[str, str]] = []
    for row in rows:
        v, extra = row.values, row.extra
        status = extra["status"]
        person = build_person(
            unit=extra["branch"]["unit"], name=extra["name"], id_number=extra["id"], phone=extra["phone"],
            id_index=extra["id_index"],
            gender=extra["gender"], ethnicity=v.get("ethnicity") or "汉族", birth_date=extra["birth"],
            education=v.get("education") or "", occupation=v.get("occupation") or "",
            political_status=_political_status(status, v.get("political_status")),
        )
        people.append(person)
        clear.append((extra["id"], extra["phone"]))
    copy_insert(Person, people)
    memberships = []
    for row, person in zip(rows, people, strict=True):
        v, extra = row.values, row.extra
        status = extra["status"]
        is_exit = status in EXIT_STATUSES
        memberships.append(Membership(
            person=person, branch=person.unit, status=status,
            status_since=status_since(status, extra["joined_on"], v.get("exit_on"), today),
            joined_on=extra["joined_on"], member_card_number=(v.get("member_card_number") or "").strip(),
            development_number=(v.get("development_number") or "").strip(),
            exit_on=v.get("exit_on") if is_exit else None,
            exit_reason=(v.get("exit_reason") or "").strip() if is_exit else "",
        ))
    copy_insert(Membership, memberships)
    reason = f"批量导入：{ctx.job.original_name}"[:300]
    copy_insert(MembershipEvent, [
        MembershipEvent(membership=m, kind=MembershipEvent.Kind.REGISTERED, on=m.status_since, to_status=m.status,
                        to_branch=m.branch, reason=reason, actor=actor_obj, actor_label=actor_label)
        for m in memberships
    ])
    audit.record_many(actor=actor, action="登记人员（导入）", batch=people_batch, items=[
        (p, None, person_audit_snapshot(p, id_number, phone)) for p, (id_number, phone) in zip(people, clear, strict=True)
    ])
    audit.record_many(actor=actor, action="登记团籍（导入）", batch=memberships_batch,
                      items=[(m, None, audit.snapshot(m)) for m in memberships])
    by_status = Counter(m.status for m in memberships)
    return {"people": len(people), "memberships": len(memberships),
            **{f"status_{status}": n for status, n in sorted(by_status.items())}}


# ---------------------------------------------------------------------------------------------
# Preview


def preview_row(ctx: ImportContext, row: Row) -> list:
    v, extra = row.values, row.extra
    branch = extra["branch"]["unit"]
    return [
        row.number, extra["name"], Gender(extra["gender"]).label, extra["birth"], mask_id_number(extra["id"]),
        v.get("ethnicity") or "汉族", branch.name, Status(extra["status"]).label, extra["joined_on"],
        (v.get("development_number") or "").strip(), mask_phone(extra["phone"]),
    ]


def summarise(ctx: ImportContext, rows: list[Row]) -> dict[str, int]:
    counts = Counter(r.extra["status"] for r in rows)
    return {"新登记人员": len(rows), **{Status(s).label: counts[s] for s in Status if counts[s]}}


def describe_result(result: dict) -> str:
    """新登记人员 50 人（团员 48 人、入团申请人 2 人）."""
    # In the order of the statuses (the stored JSON keeps no order of its own).
    parts = [f"{status.label} {result[f'status_{status.value}']} 人" for status in Status
             if result.get(f"status_{status.value}")]
    return f"新登记人员 {result.get('people', 0)} 人" + (f"（{'、'.join(parts)}）" if parts else "")


SPEC = pipeline.register(ImportSpec(
    describe_result=describe_result,
    kind=KIND,
    title="团员导入",
    description="把团员（及入团申请人、积极分子、发展对象）连同团籍信息一次导入到本组织下级的团支部。"
                "可直接上传智慧团建导出的团员名册。",
    columns=COLUMNS,
    prepare=prepare,
    validate_row=validate_row,
    validate_batch=validate_batch,
    batch_rows=1000,
    streaming=True,
    commit=commit,
    staging=STAGING,
    preview_headers=["行号", "姓名", "性别", "出生日期", "身份证号码", "民族", "所在团支部", "团籍状态", "入团时间",
                     "发展团员编号", "手机号码"],
    preview_row=preview_row,
    summarise=summarise,
    instructions=(
        "5. 可以直接上传智慧团建导出的名册：“身份证号/证件号码”“入团年月”“团员编号”等写法都能识别，"
        "其余列（如籍贯、工作单位）会被列出并忽略。",
        "6. 所在团支部须是本组织下级、您有管理权限的团支部；重名时写路径，如“甲镇团委/东湾村团支部”。",
        "7. 身份证号码已在系统中登记的人员不能重复导入；出错信息中的身份证号码只显示前 6 位和后 4 位。",
    ),
))
