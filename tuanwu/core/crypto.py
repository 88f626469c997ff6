"""Field encryption and blind indexes for personal data (ID numbers, phone numbers).

Values are encrypted in the application (the embedded PostgreSQL has no pgcrypto, and keeping
the keys out of the database means a stolen dump alone reveals nothing) under
``settings.TUANWU_FIELD_KEYS``: the first key encrypts, every key decrypts, so a new key can be
put in front and :func:`rotate_all` re-encrypts the stored values before old keys are dropped.

Token format. New values are AES-256-GCM tokens, ``v2:`` + URL-safe base64 of a random 96-bit
nonce and the ciphertext with its tag; the AES key is derived from the configured key (an
HMAC-SHA256 of a fixed label), so the setting keeps its format (a Fernet key, 32 random bytes in
URL-safe base64). Values written before are Fernet tokens (``gAAAA…``) and still decrypt;
``rotate`` rewrites them as ``v2:``. Why the change: an import encrypts two values a row, and
Fernet (AES-CBC + HMAC in Python-level steps) took ≈ 8 µs a value against ≈ 1.3 µs for GCM: a
second and a half of a 100,000-row import. Both are authenticated encryption; GCM's random
nonces are safe far beyond a registry's size (2^32 values per key).

Equality lookups and uniqueness use a keyed HMAC-SHA256 "blind index" under
``settings.TUANWU_BLIND_INDEX_KEY``: without the key an attacker cannot test guesses against it,
which matters because an ID number has little entropy once the birth date is known.

Bulk callers (imports, the demo county) take :func:`field_cipher` once and call its methods per
value: the settings are read and the keys prepared once instead of per value.

Models that store encrypted values list their columns in ``ENCRYPTED_FIELDS``; rotation finds
them there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.db import transaction

__all__ = ["InvalidToken", "encrypt", "decrypt", "blind_index", "digest_text", "field_cipher", "rotate", "rotate_all",
           "encrypted_fields"]


GCM_PREFIX = "v2:"
_GCM_LABEL = b"tuanwu field encryption v2: AES-256-GCM"


class FieldCipher:
    """The configured keys, prepared: encrypt with the first, decrypt with any; blind indexes."""

    def __init__(self, keys: tuple[str, ...], index_key: str):
        if not keys:
            raise RuntimeError("TUANWU_FIELD_KEYS is empty: field encryption needs at least one key")
        raw = [k.encode() if isinstance(k, str) else k for k in keys]
        self._fernet = MultiFernet([Fernet(k) for k in raw])  # validates each key's format too
        # One AES key per configured key, derived rather than reused as is: the same bytes are
        # Fernet's signing and encryption keys for older tokens.
        self._gcms = [AESGCM(hmac.digest(base64.urlsafe_b64decode(k), _GCM_LABEL, "sha256")) for k in raw]
        self._index_mac = hmac.new(index_key.encode(), digestmod=hashlib.sha256)
        # Indexes of last-4 digits (of ID and phone numbers): at most 11,000 values per purpose,
        # each met many times over in a bulk write, so they are computed once per cipher.
        self._short_indexes: dict[tuple[str, str], str] = {}

    def encrypt(self, text: str) -> str:
        nonce = os.urandom(12)
        sealed = self._gcms[0].encrypt(nonce, str(text).encode(), None)
        return GCM_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        if not token.startswith(GCM_PREFIX):
            return self._fernet.decrypt(token.encode()).decode()
        try:
            data = base64.urlsafe_b64decode(token[len(GCM_PREFIX):])
        except ValueError as exc:
            raise InvalidToken from exc
        for gcm in self._gcms:
            try:
                return gcm.decrypt(data[:12], data[12:], None).decode()
            except InvalidTag:
                continue
        raise InvalidToken

    def blind_index(self, text: str, purpose: str = "") -> str:
        if purpose and type(text) is str and len(text) <= 4:
            key = (purpose, text)
            found = self._short_indexes.get(key)
            if found is None:
                if len(self._short_indexes) >= 30_000:  # two purposes × 11,000 values fit
                    self._short_indexes.clear()
                found = self._short_indexes[key] = self._blind_index(text, purpose)
            return found
        return self._blind_index(text, purpose)

    def _blind_index(self, text: str, purpose: str) -> str:
        mac = self._index_mac.copy()
        mac.update((f"{purpose}\x1f{text}" if purpose else str(text)).encode())
        return digest_text(mac.digest())


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...], index_key: str) -> FieldCipher:
    return FieldCipher(keys, index_key)


def field_cipher() -> FieldCipher:
    """The cipher for the current settings. Keyed on the settings values, so tests (and a
    reload after rotation) see new keys at once; bulk callers keep it for a batch."""
    return _cipher(tuple(settings.TUANWU_FIELD_KEYS), settings.TUANWU_BLIND_INDEX_KEY)


def encrypt(text: str) -> str:
    """Encrypt with the current (first) key; returns an ASCII token (``v2:`` …)."""
    return field_cipher().encrypt(text)


def decrypt(token: str) -> str:
    """Decrypt with whichever configured key encrypted it; raises InvalidToken otherwise."""
    return field_cipher().decrypt(token)


def rotate(token: str) -> str:
    """Re-encrypt a token under the current key in the current format (the plaintext never
    leaves this function)."""
    cipher = field_cipher()
    return cipher.encrypt(cipher.decrypt(token))


def blind_index(text: str, *, purpose: str = "") -> str:
    """A keyed HMAC-SHA256 of ``text`` (43 characters of URL-safe base64), for equality
    lookups and uniqueness.

    ``purpose`` separates indexes of different meaning (the last 4 digits of an ID and of a
    phone), so equal digits in two fields cannot be linked across them.

    Base64, not hex: in a hex digest runs of 18 decimal digits are common enough (about one in
    seven dumps of a few hundred people) that a scan of a database dump for ID numbers could
    not tell a digest from a leaked number; in base64 such a run practically never occurs.
    """
    return field_cipher().blind_index(text, purpose)


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
    are rewritten too (tokens carry no key id), which is harmless and keeps this simple; older
    Fernet tokens come out in the current format.
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
