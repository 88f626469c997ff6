"""State changes on people and post holdings, and the audited reveal of personal data.

Every action checks access on the record's unit (with its record class, so a minor's record is
hidden from anyone without ``minor.view``), runs in one transaction and writes the audit trail
with masked snapshots only.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError
from tuanwu.core.pinyin import normalise_name
from tuanwu.organisations import access
from tuanwu.organisations.access import RecordClass
from tuanwu.organisations.models import Unit

from .idcard import already_registered, mask_id_number, mask_phone, parse_id_number, validate_mobile
from .models import (
    ETHNICITY_CHOICES,
    Education,
    Gender,
    HowObtained,
    Occupation,
    Person,
    PoliticalStatus,
    Position,
    PostHolding,
    id_number_index,
    minor_cutoff,
)

# Plain fields an action may set directly; personal identifiers go through their setters.
PLAIN_FIELDS = ("gender", "ethnicity", "birth_date", "student_number", "education", "occupation",
                "political_status", "guardian_name", "is_sample")
PII_FIELDS = ("id_number", "phone", "guardian_phone")

REVEAL_LABELS = {"id_number": "查看完整身份证号", "phone": "查看完整手机号", "guardian_phone": "查看监护人完整电话"}


def person_snapshot(person: Person | None) -> dict | None:
    """The audit snapshot of a person: concrete fields without the encrypted columns, plus the
    masked identifiers so that the trail shows which number changed without holding it."""
    data = audit.snapshot(person)
    if data is None:
        return None
    data["id_number"] = person.masked_id_number
    data["phone"] = person.masked_phone
    data["guardian_phone"] = person.masked_guardian_phone
    return data


def _record_class_for(birth_date: datetime.date, user_id=None) -> RecordClass:
    if birth_date > minor_cutoff():
        return RecordClass.MINOR
    return RecordClass.SELF if user_id else RecordClass.ORDINARY


def require(actor, permission: str, unit: Unit, person: Person | None = None, *,
            birth_date: datetime.date | None = None) -> None:
    """Access on a person's record (or on a record about to exist, from its birth date)."""
    if person is not None:
        record_class, owner = person.access_record_class(), person.user_id
    else:
        record_class, owner = _record_class_for(birth_date or datetime.date(1900, 1, 1)), None
    access.enforce(access.decide(actor, permission, unit, record_class, owner_id=owner))


def _choice(value, choices, label: str, field: str, *, blank_ok: bool):
    value = value or ""
    if not value and blank_ok:
        return ""
    if value not in {c for c, _ in choices}:
        raise DomainError(f"“{label}”的取值无效", field=field)
    return value


def _clean(data: dict, *, person: Person | None, today: datetime.date) -> dict:
    """Check and normalise person fields; DomainError names the field at fault (in Chinese)."""
    clean = dict(data)
    if "name" in clean:
        clean["name"] = normalise_name(clean["name"])
        if not clean["name"]:
            raise DomainError("请填写姓名", field="name")
    if "id_number" in clean:
        raw = (clean["id_number"] or "").strip()
        if raw:
            try:
                info = parse_id_number(raw, today=today)
            except ValidationError as error:
                raise DomainError(error.messages[0], field="id_number") from None
            clean["id_number"] = info.number
            # Birth date and gender are derived from the ID; when also typed in, they must agree.
            if clean.get("birth_date") and clean["birth_date"] != info.birth_date:
                raise DomainError("出生日期与身份证号码不一致", field="birth_date")
            clean["birth_date"] = info.birth_date
            gender = clean.get("gender")
            if gender and gender != info.gender:
                raise DomainError("性别与身份证号码不一致", field="gender")
            clean["gender"] = info.gender
            duplicate = Person.objects.filter(id_number_index=id_number_index(info.number))
            if person is not None:
                duplicate = duplicate.exclude(pk=person.pk)
            if duplicate.exists():
                # Name no one: the other record may be outside the actor's scope.
                raise DomainError(already_registered(), field="id_number")
        else:
            clean["id_number"] = ""
    for key in ("phone", "guardian_phone"):
        if key in clean:
            raw = (clean[key] or "").strip()
            if raw:
                try:
                    clean[key] = validate_mobile(raw)
                except ValidationError as error:
                    raise DomainError(error.messages[0], field=key) from None
            else:
                clean[key] = ""
    if "birth_date" in clean:
        if not clean["birth_date"]:
            raise DomainError("请填写出生日期（填写身份证号码时自动取得）", field="birth_date")
        if clean["birth_date"] > today:
            raise DomainError("出生日期不能晚于今天", field="birth_date")
    if "gender" in clean:
        clean["gender"] = _choice(clean["gender"], Gender.choices, "性别", "gender", blank_ok=False)
    if "ethnicity" in clean:
        clean["ethnicity"] = _choice(clean["ethnicity"], ETHNICITY_CHOICES, "民族", "ethnicity", blank_ok=False)
    if "education" in clean:
        clean["education"] = _choice(clean["education"], Education.choices, "学历", "education", blank_ok=True)
    if "occupation" in clean:
        clean["occupation"] = _choice(clean["occupation"], Occupation.choices, "职业类别", "occupation", blank_ok=True)
    if "political_status" in clean:
        clean["political_status"] = _choice(clean["political_status"], PoliticalStatus.choices, "政治面貌",
                                             "political_status", blank_ok=False)
    if "student_number" in clean:
        clean["student_number"] = (clean["student_number"] or "").strip()
    if "guardian_name" in clean:
        clean["guardian_name"] = normalise_name(clean["guardian_name"] or "")
    return clean


def _apply(person: Person, clean: dict) -> None:
    if "name" in clean:
        person.set_name(clean["name"])
    for key in PLAIN_FIELDS:
        if key in clean:
            setattr(person, key, clean[key])
    if "id_number" in clean:
        person.set_id_number(clean["id_number"])
    if "phone" in clean:
        person.set_phone(clean["phone"])
    if "guardian_phone" in clean:
        person.set_guardian_phone(clean["guardian_phone"])
    if not person.id_number_encrypted and not person.student_number:
        raise DomainError("请填写身份证号码；尚无身份证的少先队员请填写学籍号", field="id_number")


@transaction.atomic
def create_person(*, actor, unit: Unit, name: str, **fields) -> Person:
    """Register a person in ``unit`` (a 团支部 for members, a 少先队中队 for Pioneers).

    ``fields`` are the plain fields plus ``id_number``, ``phone`` and ``guardian_phone`` in
    clear; they are validated (ID check digit, birth date and gender against the ID) and stored
    encrypted.
    """
    unknown = set(fields) - set(PLAIN_FIELDS) - set(PII_FIELDS)
    if unknown:
        raise DomainError(f"不能设置字段 {', '.join(sorted(unknown))}")
    today = timezone.localdate()
    clean = _clean({"name": name, **fields}, person=None, today=today)
    require(actor, access.CHANGE, unit, birth_date=clean.get("birth_date"))
    if not unit.is_open:
        raise DomainError(f"“{unit.name}”已撤销，不能登记人员", field="unit")
    if unit.is_party:
        raise DomainError("人员不能登记在党组织下", field="unit")
    person = Person(unit=unit)
    _apply(person, clean)
    person.save()
    audit.record(actor=actor, action="登记人员", obj=person, after=person_snapshot(person))
    return person


@transaction.atomic
def update_person(*, actor, person: Person, **changes) -> Person:
    """Edit a person's own fields. A member's branch changes only through membership.move_branch."""
    require(actor, access.CHANGE, person.unit, person)
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    unknown = set(changes) - set(PLAIN_FIELDS) - set(PII_FIELDS) - {"name", "unit"}
    if unknown:
        raise DomainError(f"不能修改字段 {', '.join(sorted(unknown))}")
    before = person_snapshot(person)
    today = timezone.localdate()
    new_unit = changes.pop("unit", None)
    if new_unit is not None and new_unit.pk != person.unit_id:
        if hasattr(person, "membership"):
            raise DomainError("团员、入团申请人的所在团支部请通过“转移团支部”办理", field="unit")
        require(actor, access.CHANGE, new_unit, person)
        if not new_unit.is_open or new_unit.is_party:
            raise DomainError(f"不能把人员转到“{new_unit.name}”", field="unit")
        person.unit = new_unit
    clean = _clean(changes, person=person, today=today)
    # A birth date moving a person under 14 must still be within the actor's reach.
    if "birth_date" in clean:
        require(actor, access.CHANGE, person.unit, birth_date=clean["birth_date"])
    _apply(person, clean)
    person.save()
    audit.record(actor=actor, action="修改人员信息", obj=person, before=before, after=person_snapshot(person))
    return person


@transaction.atomic
def reveal_personal_data(*, actor, person: Person, field: str) -> str:
    """Return one identifier in clear to a user allowed to reveal it; every reveal is audited."""
    if field not in REVEAL_LABELS:
        raise DomainError("无此字段")
    require(actor, access.REVEAL_PII, person.unit, person)
    value = {"id_number": person.clear_id_number, "phone": person.clear_phone,
             "guardian_phone": person.clear_guardian_phone}[field]()
    masked = mask_id_number(value) if field == "id_number" else mask_phone(value)
    audit.record(actor=actor, action=REVEAL_LABELS[field], obj=person, after={"field": field, "masked": masked})
    return value


# ---------------------------------------------------------------------------------------------
# Post holdings


@transaction.atomic
def add_post_holding(*, actor, person: Person, unit: Unit, position: str, started_on: datetime.date,
                     how_obtained: str, ended_on: datetime.date | None = None, document: str = "",
                     note: str = "", is_sample: bool = False) -> PostHolding:
    """Record that ``person`` holds ``position`` in ``unit`` from ``started_on``."""
    require(actor, access.VIEW, person.unit, person)
    access.enforce(access.decide(actor, access.CHANGE, unit))
    if unit.is_party:
        raise DomainError("团内职务只能登记在团组织", field="unit")
    if position not in Position.values:
        raise DomainError("职务取值无效", field="position")
    if how_obtained not in HowObtained.values:
        raise DomainError("产生方式取值无效", field="how_obtained")
    if ended_on is not None and ended_on < started_on:
        raise DomainError("离任日期不能早于任职日期", field="ended_on")
    overlapping = person.post_holdings.filter(unit=unit, position=position, started_on__lte=ended_on or datetime.date.max)
    overlapping = overlapping.exclude(ended_on__lt=started_on)
    if overlapping.exists():
        raise DomainError("该同志在此期间已登记同一组织的同一职务", field="position")
    holding = PostHolding.objects.create(
        person=person, unit=unit, position=position, started_on=started_on, ended_on=ended_on,
        how_obtained=how_obtained, document=(document or "").strip(), note=(note or "").strip(), is_sample=is_sample,
    )
    audit.record(actor=actor, action="登记团内职务", obj=holding, after=audit.snapshot(holding))
    return holding


@transaction.atomic
def end_post_holding(*, actor, holding: PostHolding, ended_on: datetime.date, note: str = "") -> PostHolding:
    """Record the end of a post (离任); the holding stays as history."""
    access.enforce(access.decide(actor, access.CHANGE, holding.unit))
    holding = PostHolding.objects.select_for_update().get(pk=holding.pk)
    if holding.ended_on is not None:
        raise DomainError(f"该职务已于 {holding.ended_on:%Y-%m-%d} 离任")
    if ended_on < holding.started_on:
        raise DomainError("离任日期不能早于任职日期", field="ended_on")
    before = audit.snapshot(holding)
    holding.ended_on = ended_on
    if note:
        holding.note = (holding.note + "；" if holding.note else "") + note.strip()
    holding.save(update_fields=["ended_on", "note"])
    audit.record(actor=actor, action="团内职务离任", obj=holding, before=before, after=audit.snapshot(holding))
    return holding
