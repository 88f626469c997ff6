"""Account actions: passwords and API tokens. Every change is audited."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError

from .models import ApiToken, User

# Letters and digits that cannot be confused when read aloud or copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def generate_initial_password() -> str:
    """A 12-character initial password, shown once and changed at first login."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


@transaction.atomic
def change_own_password(*, user: User, old_password: str, new_password: str) -> None:
    """The user changes their own password; clears the first-login flag."""
    if not user.check_password(old_password):
        raise DomainError("原密码不正确", field="old_password")
    if old_password == new_password:
        raise DomainError("新密码不能与原密码相同", field="new_password1")
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=user, action="修改密码", obj=user, before=None, after={"must_change_password": False})


@transaction.atomic
def create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal token; returns (record, raw token). The raw token is never stored."""
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写令牌用途", field="name")
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= 20:
        raise DomainError("有效令牌已达 20 个，请先撤销不用的令牌")
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name[:60], prefix=raw[:10], digest=ApiToken.hash(raw))
    audit.record(actor=user, action="创建 API 令牌", obj=token, after=audit.snapshot(token))
    return token, raw


@transaction.atomic
def revoke_api_token(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens."""
    if token.user_id != user.pk:
        raise DomainError("只能撤销自己的令牌")
    if token.revoked_at is not None:
        return token
    before = audit.snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=user, action="撤销 API 令牌", obj=token, before=before, after=audit.snapshot(token))
    return token
