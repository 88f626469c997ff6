"""Field encryption and blind indexes for personal data (ID numbers, phone numbers).

Values are encrypted in the application (the embedded PostgreSQL has no pgcrypto, and keeping
the keys out of the database means a stolen dump alone reveals nothing) with Fernet under
``settings.TUANWU_FIELD_KEYS``: the first key encrypts, every key decrypts, so a new key can be
put in front and :func:`rotate_all` re-encrypts the stored values before old keys are dropped.

Equality lookups and uniqueness use a keyed HMAC-SHA256 "blind index" under
``settings.TUANWU_BLIND_INDEX_KEY``: without the key an attacker cannot test guesses against it,
which matters because an ID number has little entropy once the birth date is known.

Models that store encrypted values list their columns in ``ENCRYPTED_FIELDS``; rotation finds
them there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import transaction

__all__ = ["InvalidToken", "encrypt", "decrypt", "blind_index", "digest_text", "rotate", "rotate_all", "encrypted_fields"]


@lru_cache(maxsize=4)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("TUANWU_FIELD_KEYS is empty: field encryption needs at least one Fernet key")
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def _fernet() -> MultiFernet:
    # Keyed on the settings value so tests (and a reload after rotation) see new keys at once.
    return _multi(tuple(settings.TUANWU_FIELD_KEYS))


def encrypt(text: str) -> str:
    """Encrypt with the current (first) key; returns a URL-safe ASCII token."""
    return _fernet().encrypt(str(text).encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt with whichever configured key encrypted it; raises InvalidToken otherwise."""
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the current key (the plaintext never leaves this function)."""
    return _fernet().rotate(token.encode()).decode()


def blind_index(text: str, *, purpose: str = "") -> str:
    """A keyed HMAC-SHA256 of ``text`` (43 characters of URL-safe base64), for equality
    lookups and uniqueness.

    ``purpose`` separates indexes of different meaning (the last 4 digits of an ID and of a
    phone), so equal digits in two fields cannot be linked across them.

    Base64, not hex: in a hex digest runs of 18 decimal digits are common enough (about one in
    seven dumps of a few hundred people) that a scan of a database dump for ID numbers could
    not tell a digest from a leaked number; in base64 such a run practically never occurs.
    """
    mac = _keyed_hmac(settings.TUANWU_BLIND_INDEX_KEY).copy()
    mac.update((f"{purpose}\x1f{text}" if purpose else str(text)).encode())
    return digest_text(mac.digest())


@lru_cache(maxsize=4)
def _keyed_hmac(key: str):
    """An HMAC already keyed (copied per value: an import computes 400,000 of them). Keyed on
    the settings value, so a test that changes the key gets a new one."""
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def digest_text(digest: bytes) -> str:
    """URL-safe base64 without padding: how digests of personal data are stored."""
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def encrypted_fields() -> list[tuple[type, tuple[str, ...]]]:
    """Every (model, encrypted column names) pair declared through ``ENCRYPTED_FIELDS``."""
    found = []
    for model in apps.get_models():
        names = tuple(getattr(model, "ENCRYPTED_FIELDS", ()) or ())
        if names:
            found.append((model, names))
    return found


@dataclass(frozen=True)
class KeyRotation:
    """What the audit row of a rotation is filed under (it covers many tables at once)."""

    rows: int

    pk = ""

    def __str__(self):
        return "字段加密密钥轮换"


@transaction.atomic
def rotate_all(*, actor=None, batch_size: int = 2000) -> dict[str, int]:
    """Re-encrypt every stored encrypted value under the current key; one audit row in total.

    Returns the number of rows rewritten per model label. Values already under the current key
    are rewritten too (Fernet tokens carry no key id), which is harmless and keeps this simple.
    """
    from . import audit

    counts: dict[str, int] = {}
    for model, names in encrypted_fields():
        rewritten = 0
        pending = []
        queryset = model._default_manager.order_by("pk").only("pk", *names)
        for obj in queryset.iterator(chunk_size=batch_size):
            changed = False
            for name in names:
                token = getattr(obj, name)
                if token:
                    setattr(obj, name, rotate(token))
                    changed = True
            if changed:
                pending.append(obj)
            if len(pending) >= batch_size:
                model._default_manager.bulk_update(pending, names)
                rewritten += len(pending)
                pending = []
        if pending:
            model._default_manager.bulk_update(pending, names)
            rewritten += len(pending)
        counts[model._meta.label] = rewritten
    audit.record(
        actor=actor, action="轮换字段加密密钥", obj=KeyRotation(rows=sum(counts.values())),
        after={"rows_by_model": counts, "keys_configured": len(settings.TUANWU_FIELD_KEYS)},
    )
    return counts
