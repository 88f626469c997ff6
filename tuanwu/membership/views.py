"""Membership pages: register a member in a branch, open a membership for a registered person,
change status, move branch. Each is one form around one action."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.forms import apply_domain_error
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind
from tuanwu.people.models import Person

from . import actions
from .forms import MembershipFieldsForm, MoveBranchForm, RegisterMemberForm, StatusChangeForm
from .models import Membership


def _page(request, *, title, form, submit, unit, intro="", blocked=None, cancel=None, facts=None):
    return render(request, "membership/form.html", {
        "nav": "people", "title": title, "form": form, "submit": submit, "intro": intro, "blocked": blocked,
        "breadcrumb": [u for u in unit.ancestors_and_self() if access.can(request.user, access.VIEW, u)],
        "cancel": cancel, "facts": facts or [],
    })


@access.scoped(Unit, "pk", access.CHANGE)
def member_register(request, branch):
    form = RegisterMemberForm(request.POST if request.method == "POST" else None)
    blocked = None if branch.kind == Kind.BRANCH else "团员只能登记在团支部，请进入具体的团支部再登记"
    if request.method == "POST" and not blocked and form.is_valid():
        person_fields = {k: v for k, v in form.person_fields().items() if k in PERSON_FORM_FIELDS}
        membership = form.membership_fields()
        try:
            created = actions.register_member(actor=request.user, branch=branch, person_fields=person_fields,
                                              **membership)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已登记“{created.person.name}”（{created.get_status_display()}）")
            return redirect("people:detail", created.person_id)
    return _page(request, title=f"登记团员：{branch.name}", form=form, submit="登记", unit=branch, blocked=blocked,
                 intro="入团申请人只需填写基本信息；入团积极分子起须登记身份证号码；团员须填写入团时间，"
                       "2017 年（新疆 2016 年）起入团的须填写发展团员编号。",
                 cancel=("organisations:unit_detail", branch.pk))


PERSON_FORM_FIELDS = frozenset(
    ["name", "id_number", "student_number", "gender", "birth_date", "ethnicity", "phone", "education", "occupation",
     "political_status", "guardian_name", "guardian_phone"]
)


@access.scoped(Person, "pk", access.CHANGE)
def membership_open(request, person):
    form = MembershipFieldsForm(request.POST if request.method == "POST" else None)
    blocked = "该同志已有团籍记录" if hasattr(person, "membership") else None
    if person.unit.kind != Kind.BRANCH and not blocked:
        form.fields["branch"] = _branch_field(request.user)
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.membership_fields()
        branch = data.pop("branch", None) or person.unit
        try:
            actions.open_membership(actor=request.user, person=person, branch=branch, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已为“{person.name}”登记团籍记录")
            return redirect("people:detail", person.pk)
    return _page(request, title=f"登记团籍：{person.name}", form=form, submit="登记", unit=person.unit,
                 blocked=blocked, cancel=("people:detail", person.pk))


def _branch_field(user):
    from django import forms

    return forms.ModelChoiceField(
        label="所在团支部", empty_label="请选择",
        queryset=access.visible_units(user, access.CHANGE).filter(kind=Kind.BRANCH, closed_on__isnull=True).order_by("path"),
    )


@access.scoped(Membership, "pk", access.CHANGE)
def membership_status(request, membership):
    form = StatusChangeForm(request.POST if request.method == "POST" else None, membership=membership)
    blocked = "已离团，不能再变更团籍状态" if membership.is_exit else None
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            membership = actions.change_status(actor=request.user, membership=membership, **form.action_fields())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已将“{membership.person.name}”变更为“{membership.get_status_display()}”")
            return redirect("people:detail", membership.person_id)
    facts = [("当前状态", f"{membership.get_status_display()}（{membership.status_since:%Y-%m-%d} 起）"),
             ("所在团支部", membership.branch.name)]
    return _page(request, title=f"变更团籍状态：{membership.person.name}", form=form, submit="变更",
                 unit=membership.branch, blocked=blocked, facts=facts, cancel=("people:detail", membership.person_id))


@access.scoped(Membership, "pk", access.CHANGE)
def membership_move(request, membership):
    form = MoveBranchForm(request.POST if request.method == "POST" else None, user=request.user, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            membership = actions.move_branch(actor=request.user, membership=membership, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"已将“{membership.person.name}”转到“{membership.branch.name}”")
            return redirect("people:detail", membership.person_id)
    return _page(request, title=f"转移团支部：{membership.person.name}", form=form, submit="转移",
                 unit=membership.branch, facts=[("当前团支部", membership.branch.name)],
                 intro="只列出您有管理权限的团支部。跨县转接由组织关系转接办理。",
                 cancel=("people:detail", membership.person_id))
