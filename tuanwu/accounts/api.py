"""API authentication and the caller's own account: who am I, and my personal API tokens."""

import datetime

from django.conf import settings
from django.http import Http404
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from tuanwu.organisations import access
from tuanwu.organisations.models import Role
from tuanwu.organisations.schemas import ERRORS, Id, text

from . import actions
from .models import ApiToken


class TokenAuth(HttpBearer):
    """Personal API tokens: ``Authorization: Bearer tw_…``. Tokens are not cookies, so requests
    carrying one need no CSRF token."""

    def authenticate(self, request, token):
        found = ApiToken.objects.select_related("user").filter(
            digest=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True
        ).first()
        if found is None:
            return None
        _refuse_initial_password(found.user)
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


def _refuse_initial_password(user) -> None:
    # Pages let a user holding an initial (or administrator-reset) password do nothing but change
    # it; the API must not be the way around that.
    if user.must_change_password:
        raise HttpError(403, "请先登录网页修改初始密码，然后再使用接口")


def _csrf_refusal(request) -> str | None:
    """Django's own CSRF check, as its middleware would run it on a non-exempt view."""
    request.csrf_processing_done = False
    middleware = CsrfViewMiddleware(lambda r: None)
    middleware.process_request(request)
    refused = middleware.process_view(request, lambda r: None, (), {})
    return None if refused is None else "CSRF 校验失败，请刷新页面后重试"


class SessionAuth(APIKeyCookie):
    """The logged-in browser session (the interactive docs page, pages calling the API).

    Cookies are sent by the browser on its own, so unsafe methods must carry the CSRF token. The
    check runs only when a session user is present: a request with neither a session nor a
    valid token is answered 401, not a confusing CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False):
            refusal = _csrf_refusal(request)
            if refusal:
                raise HttpError(403, refusal)
        _refuse_initial_password(user)
        return user

    def authenticate(self, request, key):  # pragma: no cover - __call__ decides
        return None


router = Router(tags=["账号"])


class MyGrantOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(..., description="组织名称")
    role: Role = Field(..., description="角色代码")
    role_label: str = Field(..., description="角色名称")
    starts_on: datetime.date
    ends_on: datetime.date | None = None

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_role_label(obj) -> str:
        return obj.get_role_display()


class MeOut(Schema):
    id: int
    username: str = Field(..., description="用户名")
    full_name: str = Field(..., description="姓名")
    is_superuser: bool = Field(..., description="平台管理员")
    grants: list[MyGrantOut] = Field(..., description="今天有效的角色授权")

    @staticmethod
    def resolve_grants(obj):
        return access.active_grants(obj)


class TokenOut(Schema):
    id: int
    name: str = Field(..., description="用途")
    prefix: str = Field(..., description="令牌开头几位，便于辨认")
    created_at: datetime.datetime = Field(..., description="创建时间")
    last_used_at: datetime.datetime | None = Field(None, description="最近使用")
    revoked_at: datetime.datetime | None = Field(None, description="撤销时间")
    is_active: bool = Field(..., description="有效")

    @staticmethod
    def resolve_is_active(obj) -> bool:
        return obj.revoked_at is None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="完整令牌，只显示这一次，请立即妥善保存")


class TokenIn(Schema):
    name: text(60, min_length=1) = Field(..., description="用途，例如“数据同步脚本”")


def _ok(schema, status: int = 200) -> dict:
    return {status: schema, **ERRORS}


@router.get("/me", response=_ok(MeOut), operation_id="get_me", summary="当前用户")
@access.api_self_only
def me(request):
    return request.user


@router.get("/tokens", response=_ok(list[TokenOut]), operation_id="list_tokens", summary="我的 API 令牌")
@access.api_self_only
def list_tokens(request):
    return request.user.api_tokens.all()


@router.post("/tokens", response=_ok(TokenCreatedOut, 201), operation_id="create_token", summary="创建 API 令牌",
             description="返回的完整令牌只显示这一次；之后只能看到开头几位。")
@access.api_self_only
def create_token(request, payload: TokenIn):
    token, raw = actions.create_api_token(user=request.user, name=payload.name)
    token.token = raw
    return Status(201, token)


@router.post("/tokens/{token_id}/revoke", response=_ok(TokenOut), operation_id="revoke_token",
             summary="撤销 API 令牌", description="只能撤销自己的令牌；撤销后立即失效。")
@access.api_self_only
def revoke_token(request, token_id: Id):
    # Someone else's token is answered exactly like a missing one.
    token = request.user.api_tokens.filter(pk=token_id).first()
    if token is None:
        raise Http404("未找到该令牌")
    return actions.revoke_api_token(user=request.user, token=token)
