"""Checks of personal identifiers: the national ID number (GB 11643-1999) and mobile numbers.

Pure functions; errors are ``ValidationError`` with the Chinese message shown next to the field.
"""

from __future__ import annotations

import datetime
import operator
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # ISO 7064 MOD 11-2: index = weighted sum mod 11
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
_MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: datetime.date
    gender: str  # "male" / "female", from the 17th digit (odd = male)


def normalise_id_number(value: str) -> str:
    """Trim, drop spaces, upper-case the check character (a lower-case x is common)."""
    if type(value) is str and value.isdigit():  # the usual cell: nothing to clean (imports: 100,000 of them)
        return value
    return re.sub(r"\s+", "", str(value or "")).upper()


def check_digit(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("check_digit needs the first 17 characters")
    return _CHECK_CHARS[sum(map(operator.mul, map(int, first17), _WEIGHTS)) % 11]


def parse_id_number(value: str, *, today: datetime.date | None = None) -> IdInfo:
    """Validate an 18-character ID number and return what it encodes."""
    number = normalise_id_number(value)
    if len(number) != 18:
        raise ValidationError("身份证号码应为 18 位", code="id_length")
    if not _ID_RE.match(number):
        raise ValidationError("身份证号码前 17 位应为数字，最后一位为数字或 X", code="id_format")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError("身份证号码中的出生日期无效", code="id_birth") from None
    if birth.year < 1900 or (today and birth > today):
        raise ValidationError("身份证号码中的出生日期无效", code="id_birth")
    if check_digit(number[:17]) != number[17]:
        raise ValidationError("身份证号码校验位不正确", code="id_check")
    gender = "male" if int(number[16]) % 2 == 1 else "female"
    return IdInfo(number=number, birth_date=birth, gender=gender)


def normalise_phone(value: str) -> str:
    text = re.sub(r"[\s-]+", "", str(value or ""))
    if text.startswith("+86"):
        text = text[3:]
    return text


def validate_mobile(value: str) -> str:
    """An 11-digit mainland mobile number (1[3-9]xxxxxxxxx), normalised."""
    phone = normalise_phone(value)
    if not _MOBILE_RE.match(phone):
        raise ValidationError("手机号码应为 11 位数字，以 13 至 19 开头", code="phone")
    return phone


def mask_id_number(number: str) -> str:
    """650121********1234: region code and last 4 digits only."""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else "*" * len(number)


def mask_phone(phone: str) -> str:
    """138****1234."""
    if not phone:
        return ""
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) > 7 else "*" * len(phone)


def already_registered(masked: str = "") -> str:
    """The refusal for an ID number the registry already holds. It names no one (the record may be
    outside the user's scope) and points to the transfer, which is what a person who moved in
    needs instead of a second record."""
    number = f"（{masked}）" if masked else ""
    return f"该身份证号码{number}已在系统中登记，不能重复登记；如本人是从其他团组织转来，请通过“组织关系转接”办理转入"
