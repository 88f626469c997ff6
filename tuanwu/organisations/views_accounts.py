"""Who administers a unit: role grants, opening accounts, handovers and password resets.

Initial passwords are rendered once into the response (never stored in clear, never put in the
messages framework or the logs) and the response is marked not cacheable.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from tuanwu.core.errors import DomainError

from . import access, actions
from .forms import AccountCreateForm, GrantEndForm, GrantForm, apply_domain_error
from .models import RoleGrant, Unit


def _breadcrumb(user, unit: Unit) -> list[Unit]:
    return [u for u in unit.ancestors_and_self() if access.can(user, access.VIEW, u)]


def _password_page(request, *, unit, target, password, title, intro):
    response = render(request, "organisations/password_once.html", {
        "nav": "tree", "unit": unit, "breadcrumb": _breadcrumb(request.user, unit), "title": title,
        "intro": intro, "target": target, "password": password,
    })
    add_never_cache_headers(response)
    return response


@access.scoped(Unit, "pk", access.MANAGE_GRANTS)
def grant_list(request, unit):
    user = request.user
    today = timezone.localdate()
    form = GrantForm(request.POST if request.method == "POST" else None, actor=user, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = actions.grant_role(actor=user, user=data["user"], unit=unit, role=data["role"],
                                       starts_on=data["starts_on"], ends_on=data["ends_on"], note=data["note"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已授予 {grant.user.display_name}（{grant.user.username}）“{grant.get_role_display()}”角色")
            return redirect("organisations:grants", unit.pk)
    grants = list(access.visible_to(user, unit.grants.all()).select_related("user", "granted_by")
                  .order_by("-starts_on", "pk"))
    for grant in grants:
        grant.manageable = access.grant_refusal(user, grant.role, unit) is None
    current = [g for g in grants if g.ends_on is None or g.ends_on >= today]
    ended = [g for g in grants if g.ends_on is not None and g.ends_on < today]
    return render(request, "organisations/grants.html", {
        "nav": "tree", "unit": unit, "breadcrumb": _breadcrumb(user, unit), "form": form,
        "current": current, "ended": ended, "today": today,
        "can_grant": bool(form.fields["role"].choices[1:]) and unit.is_open,
    })


@access.scoped(Unit, "pk", access.MANAGE_GRANTS)
def account_create(request, unit):
    form = AccountCreateForm(request.POST if request.method == "POST" else None, actor=request.user, unit=unit)
    blocked = None if unit.is_open else "已撤销的组织不能开通账号"
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.cleaned_data
        try:
            new_user, password = actions.create_account(
                actor=request.user, unit=unit, role=data["role"], username=data["username"],
                full_name=data["full_name"], phone=data["phone"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _password_page(
                request, unit=unit, target=new_user, password=password, title="账号已开通",
                intro=f"已为 {new_user.display_name} 开通账号，并授予在“{unit.name}”的角色。",
            )
    return render(request, "organisations/form_page.html", {
        "nav": "tree", "unit": unit, "breadcrumb": _breadcrumb(request.user, unit), "title": f"开通账号：{unit.name}",
        "form": form, "submit": "开通账号", "blocked": blocked,
        "intro": "开通后系统生成初始密码，只显示一次；请当面或电话告知本人，本人首次登录时须修改密码。",
        "cancel_url_name": "organisations:grants",
    })


@access.scoped(RoleGrant, "pk", access.MANAGE_GRANTS)
def grant_end(request, grant):
    unit = grant.unit
    today = timezone.localdate()
    form = GrantEndForm(request.POST if request.method == "POST" else None)
    blocked = None
    if grant.ends_on is not None and grant.ends_on < today:
        blocked = f"该授权已于 {grant.ends_on:%Y-%m-%d} 结束"
    if request.method == "POST" and not blocked and form.is_valid():
        on = form.cleaned_data["on"]
        successor = form.cleaned_data["successor_user"]
        try:
            if successor is not None:
                actions.hand_over(actor=request.user, grant=grant, new_user=successor, on=on)
            else:
                actions.end_grant(actor=request.user, grant=grant, ends_on=on)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if successor is not None:
                messages.success(request, f"已完成交接：{grant.user.display_name} → {successor.display_name}")
            else:
                messages.success(request, f"已结束 {grant.user.display_name} 的“{grant.get_role_display()}”授权")
            return redirect("organisations:grants", unit.pk)
    facts = [("用户", f"{grant.user.display_name}（{grant.user.username}）"), ("角色", grant.get_role_display()),
             ("开始日期", f"{grant.starts_on:%Y-%m-%d}")]
    return render(request, "organisations/form_page.html", {
        "nav": "tree", "unit": unit, "breadcrumb": _breadcrumb(request.user, unit),
        "title": f"结束授权 / 交接：{unit.name}", "form": form, "submit": "确认", "facts": facts,
        "blocked": blocked, "danger": True, "cancel_url_name": "organisations:grants",
        "intro": "书记或联络员变动时在这里交接。授权结束后记录保留，可在授权管理页查看。",
    })


@access.scoped(RoleGrant, "pk", access.MANAGE_GRANTS)
def password_reset(request, grant):
    unit = grant.unit
    target = grant.user
    error = None
    if request.method == "POST":
        try:
            password = actions.reset_password(actor=request.user, grant=grant)
        except DomainError as refusal:
            error = refusal.message
        else:
            return _password_page(
                request, unit=unit, target=target, password=password, title="密码已重置",
                intro=f"已为 {target.display_name} 重置密码，原密码即时失效、已登录的会话随之退出。",
            )
    facts = [("用户", f"{target.display_name}（{target.username}）"), ("角色", grant.get_role_display())]
    return render(request, "organisations/form_page.html", {
        "nav": "tree", "unit": unit, "breadcrumb": _breadcrumb(request.user, unit),
        "title": f"重置密码：{target.display_name}", "form": None, "submit": "重置密码", "facts": facts,
        "danger": True, "blocked": error, "cancel_url_name": "organisations:grants",
        "intro": "重置后系统生成新的初始密码，只显示一次；本人下次登录时须修改密码。",
    })
