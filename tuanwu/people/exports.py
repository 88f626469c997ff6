"""The person list as .xlsx: the same filters as the list page, personal data audited.

Every export is audited as containing personal data. ID and phone numbers are masked unless the
user asks for full numbers, which needs ``pii.reveal``: then only the people on whose units the
user holds it are exported, and each revealed record gets its own audit row (as a reveal on the
person's page does).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tuanwu.core import audit, exports
from tuanwu.organisations import access

from .idcard import mask_id_number, mask_phone
from .queries import PersonFilters, people_for

HEADERS = ["姓名", "性别", "出生日期", "年龄", "民族", "身份证号码", "手机号码", "学籍号", "所在组织", "团籍状态",
           "入团时间", "发展团员编号", "团员证号", "学历", "职业类别", "政治面貌"]
AUDIT_EXPORT = "导出人员名单（含个人信息）"
AUDIT_FULL = "导出完整身份证号码和手机号码"


def can_export_full(user) -> bool:
    """Whether the user holds pii.reveal anywhere (the full-number export is offered)."""
    return access.path_prefix_q(user, access.REVEAL_PII, "path") is not None


def person_list_response(*, actor, filters: PersonFilters, full: bool = False):
    """The .xlsx download of the people ``actor`` may export that match ``filters``."""
    if full and not can_export_full(actor):
        raise PermissionDenied("导出完整号码需要“查看完整个人信息”权限")
    people = people_for(actor, filters, access.EXPORT)
    if full:
        people = access.visible_to(actor, people, access.REVEAL_PII)
    today = timezone.localdate()
    revealed: list[tuple] = []

    def rows():
        for person in people.iterator(chunk_size=2000):
            id_number, phone = person.clear_id_number(), person.clear_phone()
            if full:
                revealed.append((person, mask_id_number(id_number), mask_phone(phone)))
            else:
                id_number, phone = mask_id_number(id_number), mask_phone(phone)
            membership = getattr(person, "membership", None)
            yield [
                person.name, person.get_gender_display(), person.birth_date, person.age_on(today), person.ethnicity,
                id_number, phone, person.student_number, person.unit.name,
                membership.get_status_display() if membership else person.get_political_status_display(),
                membership.joined_on if membership else None, membership.development_number if membership else "",
                membership.member_card_number if membership else "", person.get_education_display(),
                person.get_occupation_display(), person.get_political_status_display(),
            ]

    suffix = "（完整号码）" if full else ""
    filename = f"人员名单{suffix}_{today:%Y%m%d}.xlsx"
    response = exports.xlsx_response(filename, "人员名单", HEADERS, rows(), actor=actor, audit_action=AUDIT_EXPORT)
    if revealed:
        audit.record_many(actor=actor, action=AUDIT_FULL, items=[
            (person, None, {"fields": ["id_number", "phone"], "id_number": masked_id, "phone": masked_phone,
                            "file": filename})
            for person, masked_id, masked_phone in revealed
        ])
    return response
