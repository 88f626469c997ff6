"""The user's own account: login, logout, password change, personal API tokens."""

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tuanwu.core.errors import DomainError
from tuanwu.organisations import access

from . import actions
from .forms import LoginForm, PasswordChangeForm, TokenCreateForm
from .models import ApiToken

BAD_CREDENTIALS = "用户名或密码不正确"


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@access.public
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    next_url = _safe_next(request)
    if request.user.is_authenticated and request.method != "POST":
        return redirect(next_url or "core:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if user is None and getattr(request, "axes_locked_out", False):
            # django-axes marks the request when the name is locked out (also on the failure that
            # reaches the limit); AxesMiddleware would turn any response into this page, we say
            # it ourselves so the view reads straight.
            return render(request, "accounts/locked.html", {"username": form.cleaned_data["username"]}, status=429)
        if user is None:
            # One message whether the name or the password was wrong: don't reveal which names exist.
            form.add_error(None, BAD_CREDENTIALS)
        else:
            login(request, user)
            return redirect(next_url or "core:home")
    return render(request, "accounts/login.html", {"form": form, "next": next_url or ""})


@access.self_only
def logout_view(request):
    # Logging out changes state, so it takes a POST (a link or an image tag cannot log you out).
    if request.method == "POST":
        logout(request)
        messages.info(request, "您已退出登录")
        return redirect("accounts:login")
    return render(request, "accounts/logout.html", {})


@access.self_only
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def password_change(request):
    user = request.user
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_own_password(
                user=user, old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except ValidationError as error:
            form.add_error("new_password1", error)
        else:
            # Keep this session signed in; other sessions of the user end with the old hash.
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改")
            return redirect("core:home")
    return render(
        request, "accounts/password_change.html",
        {"form": form, "nav": "password", "first_login": user.must_change_password},
    )


@access.self_only
def token_list(request):
    form = TokenCreateForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = actions.create_api_token(user=request.user, name=form.cleaned_data["name"])
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            # The raw token appears in this one response only; it is stored nowhere.
            created = {"token": token, "raw": raw}
            form = TokenCreateForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request, "accounts/tokens.html",
        {"form": form, "tokens": tokens, "created": created, "nav": "tokens",
         "api_docs": "/api/v1/docs"},
    )


@access.self_only
@require_POST
def token_revoke(request, pk):
    # Only the user's own tokens exist for them: anyone else's is a 404.
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404("未找到该令牌")
    if token.revoked_at is not None:
        messages.info(request, f"令牌“{token.name}”已撤销过")
    else:
        actions.revoke_api_token(user=request.user, token=token)
        messages.success(request, f"令牌“{token.name}”已撤销，使用它的程序将无法再访问")
    return redirect("accounts:tokens")
