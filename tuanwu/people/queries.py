"""Reads of the registry: search and filtered lists (always through the access layer), and the
post-holding query R1.3 uses."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from tuanwu.core.pinyin import normalise_name, normalise_query
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import add_years

from .idcard import normalise_id_number, normalise_phone
from .models import Person, PostHolding, id_last4_index, id_number_index, phone_index, phone_last4_index

PAGE_SIZE = 50

# Sort keys offered by the list: name sorts by the pinyin of the common readings (the embedded
# PostgreSQL has no ICU collation for Chinese), age by birth date.
SORTS = {
    "name": ("name_pinyin", "pk"),
    "-name": ("-name_pinyin", "-pk"),
    "age": ("-birth_date", "pk"),
    "-age": ("birth_date", "pk"),
    "unit": ("unit__path", "name_pinyin", "pk"),
    "-unit": ("-unit__path", "name_pinyin", "pk"),
    "created": ("-created_at", "-pk"),
}
NO_MEMBERSHIP = "none"


def holds_post_on(person: Person | int, day: datetime.date) -> bool:
    """Whether the person holds any League post on ``day`` (R1.3, R1.4)."""
    person_id = person.pk if isinstance(person, Person) else person
    return (
        PostHolding.objects.filter(person_id=person_id, started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .exists()
    )


def status_choices() -> list[tuple[str, str]]:
    """Membership statuses for the filter (read from the model: people does not import membership)."""
    field = apps.get_model("membership", "Membership")._meta.get_field("status")
    return list(field.choices)


@dataclass
class PersonFilters:
    q: str = ""
    status: str = ""
    unit: Unit | None = None
    age_min: int | None = None
    age_max: int | None = None
    gender: str = ""
    ethnicity: str = ""
    sort: str = "name"


_ID_LIKE = re.compile(r"^[0-9]{17}[0-9X]$")
_LAST4 = re.compile(r"^[0-9]{3}[0-9X]$")
_PHONE = re.compile(r"^1[3-9][0-9]{9}$")


def search_q(text: str) -> Q | None:
    """The condition for one search box entry, chosen by its shape:

    - 18 characters of an ID number → the ID blind index (exact);
    - 11-digit mobile → the phone blind index (exact);
    - 4 digits (or 3 digits and X) → the last 4 digits of the ID or of the phone;
    - letters → pinyin tokens (every reading) as prefixes, and Latin names;
    - anything else → the name (substring), or a 学籍号.
    """
    raw = (text or "").strip()
    if not raw:
        return None
    compact = normalise_id_number(raw)
    if _ID_LIKE.match(compact):
        return Q(id_number_index=id_number_index(compact))
    phone = normalise_phone(raw)
    if _PHONE.match(phone):
        return Q(phone_index=phone_index(phone))
    if _LAST4.match(compact):
        return Q(id_last4_index=id_last4_index(compact)) | Q(phone_last4_index=phone_last4_index(compact))
    query = normalise_query(raw)
    if query:
        # Token prefix: "zs" matches the initials token "zs" of 张三 and "zsf" of 张三丰, not "lzs".
        return Q(name_pinyin__regex=r"(^| )" + query) | Q(name__icontains=raw)
    if compact.isdigit():
        return Q(student_number=compact)
    return Q(name__contains=normalise_name(raw))


def people_for(user, filters: PersonFilters, permission: str = access.VIEW) -> QuerySet[Person]:
    """The people ``user`` may see that match ``filters``, sorted, with unit and membership."""
    queryset = access.visible_to(user, Person.objects.all(), permission)
    condition = search_q(filters.q)
    if condition is not None:
        queryset = queryset.filter(condition)
    if filters.status == NO_MEMBERSHIP:
        queryset = queryset.filter(membership__isnull=True)
    elif filters.status:
        queryset = queryset.filter(membership__status=filters.status)
    if filters.unit is not None:
        queryset = queryset.filter(unit__path__startswith=filters.unit.path)
    today = timezone.localdate()
    if filters.age_min is not None:
        queryset = queryset.filter(birth_date__lte=add_years(today, -filters.age_min))
    if filters.age_max is not None:
        queryset = queryset.filter(birth_date__gt=add_years(today, -(filters.age_max + 1)))
    if filters.gender:
        queryset = queryset.filter(gender=filters.gender)
    if filters.ethnicity:
        queryset = queryset.filter(ethnicity=filters.ethnicity)
    order = SORTS.get(filters.sort, SORTS["name"])
    return queryset.select_related("unit", "membership").order_by(*order)
