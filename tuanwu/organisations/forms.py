"""Forms for the tree pages. They only shape and check input; every write goes through actions,
whose DomainError is put back on the named field with :func:`apply_domain_error`."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone

from tuanwu.core.errors import DomainError

from . import access
from .models import Role, Term, Unit, UnitKind
from .rules import ALLOWED_CHILDREN, KIND_LABELS, PARTY_KINDS, child_allowed


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def apply_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show an action's refusal next to the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def kind_choices(kinds) -> list[tuple[str, str]]:
    order = list(KIND_LABELS)
    return [(k, KIND_LABELS[k]) for k in sorted(kinds, key=order.index)]


UNIT_FORM_FIELDS = [
    "name", "kind", "sector", "division_code", "division_code_confirmed", "founded_on",
    "is_student", "is_mobile", "is_temporary", "led_by",
]


class UnitForm(forms.Form):
    """Fields of a unit, built from the model so labels and choices stay in one place.

    The kind list offered is what the rules allow under the parent; a posted kind outside it is
    refused by the action with the rule's own Chinese reason.
    """

    def __init__(self, *args, user, offered_kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Unit, fields=UNIT_FORM_FIELDS))
        kind = self.fields["kind"]
        kind.choices = [("", "请选择")] + list(UnitKind.choices)
        # Offer only the allowed kinds; any known kind still validates, so that a disallowed
        # one reaches the action and gets the rule's explanation instead of a generic error.
        kind.widget.choices = [("", "请选择")] + kind_choices(offered_kinds)
        self.fields["sector"].choices = [("", "（不适用）")] + list(self.fields["sector"].choices)[1:]
        self.fields["founded_on"].widget = DateInput()
        self.fields["division_code"].help_text = "6 至 12 位数字，例如 650121100"
        self.fields["division_code_confirmed"].help_text = "未核实的代码在组织页标注“未核实”"
        # The leading party organisation can only be chosen among party units the user sees.
        party_units = access.visible_units(user).filter(kind__in=sorted(PARTY_KINDS)).order_by("path")
        if party_units.exists():
            self.fields["led_by"].queryset = party_units
            self.fields["led_by"].empty_label = "（无）"
        else:
            del self.fields["led_by"]

    def clean_division_code(self):
        code = (self.cleaned_data.get("division_code") or "").strip()
        if code and not re.fullmatch(r"[0-9]{6,12}", code):
            raise forms.ValidationError("行政区划代码应为 6 至 12 位数字")
        return code

    def unit_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in UNIT_FORM_FIELDS and k in self.fields}


class UnitCreateForm(UnitForm):
    def __init__(self, *args, parent: Unit, user, **kwargs):
        super().__init__(*args, user=user, offered_kinds=ALLOWED_CHILDREN.get(parent.kind, ()), **kwargs)
        # A new unit inherits its parent's sector, which is right far more often than not.
        if not self.is_bound and parent.sector:
            self.initial.setdefault("sector", parent.sector)


class UnitEditForm(UnitForm):
    def __init__(self, *args, unit: Unit, parent: Unit | None, user, **kwargs):
        offered = {k for k in KIND_LABELS if child_allowed(parent.kind if parent else None, k)} | {unit.kind}
        initial = {name: getattr(unit, name) for name in UNIT_FORM_FIELDS if name != "led_by"}
        initial["led_by"] = unit.led_by_id
        super().__init__(*args, user=user, offered_kinds=offered, initial=initial, **kwargs)


class MoveTargetField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Indent by depth so the select reads like the tree.
        return "　" * max(obj.depth - 1, 0) + f"{obj.name}（{obj.get_kind_display()}）"


class UnitMoveForm(forms.Form):
    new_parent = MoveTargetField(label="新的上级组织", queryset=Unit.objects.none(), empty_label="请选择")

    def __init__(self, *args, unit: Unit, current_parent: Unit, user, **kwargs):
        super().__init__(*args, **kwargs)
        allowed_parent_kinds = [k for k, children in ALLOWED_CHILDREN.items() if unit.kind in children]
        self.fields["new_parent"].queryset = (
            access.visible_units(user, access.MANAGE_UNITS)
            .filter(closed_on__isnull=True, kind__in=allowed_parent_kinds)
            .exclude(path__startswith=unit.path)
            .exclude(pk=current_parent.pk)
            .order_by("path")
        )


class UnitCloseForm(forms.Form):
    closed_on = forms.DateField(label="撤销日期", widget=DateInput())
    reason = forms.CharField(label="撤销原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(
        label="我确认撤销该组织（组织及其历史记录保留，不会删除；在任授权和任期随之结束）",
        error_messages={"required": "请勾选确认"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("closed_on", timezone.localdate())


class TermCreateForm(forms.Form):
    number = forms.IntegerField(label="届次", min_value=1, max_value=999)
    started_on = forms.DateField(label="任期开始日期", widget=DateInput())
    planned_end_on = forms.DateField(
        label="应届满日期", required=False, widget=DateInput(),
        help_text="留空则按规则参数自动计算（团支部3年/学生团支部1年/基层团委5年…）",
    )
    how_elected = forms.ChoiceField(label="产生方式", choices=[("", "请选择")] + list(Term.HowElected.choices))
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, next_number: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("number", next_number)
        self.initial.setdefault("started_on", timezone.localdate())


def grantable_roles(actor, unit: Unit) -> list[tuple[str, str]]:
    """The roles ``actor`` may grant on ``unit`` (none higher than their own, fitting the kind)."""
    return [(value, label) for value, label in Role.choices if access.grant_refusal(actor, value, unit) is None]


class GrantForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, help_text="已有账号的用户名；没有账号请用“开通账号”")
    role = forms.ChoiceField(label="角色")
    starts_on = forms.DateField(label="开始日期", widget=DateInput())
    ends_on = forms.DateField(label="结束日期", required=False, widget=DateInput(), help_text="留空表示长期有效")
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, actor, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "请选择")] + grantable_roles(actor, unit)
        self.initial.setdefault("starts_on", timezone.localdate())

    def clean_username(self):
        from tuanwu.accounts.models import User

        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"没有用户名为“{username}”的有效账号")
        self.cleaned_data["user"] = user
        return username

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "结束日期不能早于开始日期")
        return data


class AccountCreateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=30, help_text="3–30 位字母、数字或 _ . @ -，例如手机号")
    full_name = forms.CharField(label="姓名", max_length=60)
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    role = forms.ChoiceField(label="角色")

    def __init__(self, *args, actor, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "请选择")] + grantable_roles(actor, unit)
        if Role.UNIT_ADMIN in dict(self.fields["role"].choices):
            self.initial.setdefault("role", Role.UNIT_ADMIN)


class GrantEndForm(forms.Form):
    on = forms.DateField(label="交接日期", widget=DateInput(),
                         help_text="原授权在此日期前一天结束（无接任人时在此日期结束）")
    successor = forms.CharField(
        label="接任人用户名", max_length=150, required=False,
        help_text="填写则把同一角色授予接任人（从交接日期起）；留空只结束授权",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())

    def clean_successor(self):
        from tuanwu.accounts.models import User

        username = (self.cleaned_data.get("successor") or "").strip()
        if not username:
            self.cleaned_data["successor_user"] = None
            return ""
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"没有用户名为“{username}”的有效账号")
        self.cleaned_data["successor_user"] = user
        return username
