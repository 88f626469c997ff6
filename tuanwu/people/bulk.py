"""Bulk creation of people (imports, the demo county): unsaved Person objects with every derived
column set, and their masked audit snapshots, without a decrypt per record."""

from __future__ import annotations

from tuanwu.core import audit, crypto
from tuanwu.core.pinyin import search_text

from .idcard import mask_id_number, mask_phone
from .models import ID_LAST4_PURPOSE, ID_PURPOSE, PHONE_LAST4_PURPOSE, PHONE_PURPOSE, Person


def build_person(*, unit, name: str, id_number: str = "", phone: str = "", guardian_phone: str = "",
                 id_index: str = "", **fields) -> Person:
    """An unsaved Person with the pinyin column, ciphertexts and blind indexes set, for
    ``bulk_create``. ``name``, ``id_number`` and the phones must already be validated and
    normalised; ``id_index``, when the caller has it already, is the ID number's blind index."""
    person = Person(unit=unit, name=name, name_pinyin=search_text(name), **fields)
    (person.id_number_encrypted, person.id_number_index, person.id_last4_index, person.phone_encrypted,
     person.phone_index, person.phone_last4_index) = protected_columns(id_number, phone, id_index)
    if guardian_phone:
        person.guardian_phone_encrypted = crypto.encrypt(guardian_phone)
    return person


def protected_columns(id_number: str, phone: str, id_index: str = "", cipher: crypto.FieldCipher | None = None,
                      ) -> tuple[str, str, str, str, str, str]:
    """(id_number_encrypted, id_number_index, id_last4_index, phone_encrypted, phone_index,
    phone_last4_index) for validated values; blanks stay blank. A bulk caller passes the
    ``cipher`` it took once (``crypto.field_cipher()``); the indexes are those of
    ``people.models`` (same purposes), computed without reading the settings per value."""
    cipher = cipher or crypto.field_cipher()
    index = cipher.blind_index
    ids = (cipher.encrypt(id_number), id_index or index(id_number, ID_PURPOSE),
           index(id_number[-4:].upper(), ID_LAST4_PURPOSE)) if id_number else ("", "", "")
    phones = (cipher.encrypt(phone), index(phone, PHONE_PURPOSE), index(phone[-4:], PHONE_LAST4_PURPOSE)) \
        if phone else ("", "", "")
    return ids + phones


def person_audit_snapshot(person: Person, id_number: str, phone: str, guardian_phone: str = "") -> dict:
    """The masked audit snapshot of a person just built from these clear values."""
    data = audit.snapshot(person)
    data["id_number"] = mask_id_number(id_number)
    data["phone"] = mask_phone(phone)
    data["guardian_phone"] = mask_phone(guardian_phone)
    return data
