"""Forms of the membership pages; the rules are applied by the actions, whose refusals land on
the named field."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from tuanwu.organisations import access
from tuanwu.organisations.forms import DateInput
from tuanwu.organisations.rules import Kind
from tuanwu.people.forms import PersonForm

from . import rules
from .models import EXIT_STATUSES, PIPELINE_STATUSES, Status


class MembershipFieldsForm(forms.Form):
    status = forms.ChoiceField(label="团籍状态", choices=[(s.value, s.label) for s in Status if s not in EXIT_STATUSES],
                               initial=Status.APPLICANT)
    on = forms.DateField(label="状态起始日期", widget=DateInput())
    joined_on = forms.DateField(label="入团时间", required=False, widget=DateInput(),
                                help_text="团员填写：支部大会通过之日")
    member_card_number = forms.CharField(label="团员证号", max_length=8, required=False, help_text="8 位数字，可不填")
    development_number = forms.CharField(label="发展团员编号", max_length=12, required=False,
                                         help_text="12 位数字，前 4 位为入团年份；2017 年（新疆 2016 年）起入团的必填")
    reason = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())

    def clean_member_card_number(self):
        value = (self.cleaned_data.get("member_card_number") or "").strip()
        refusal = rules.member_card_number_refusal(value)
        if refusal:
            raise forms.ValidationError(refusal)
        return value

    def membership_fields(self) -> dict:
        keys = ("on", "joined_on", "member_card_number", "development_number", "reason", "branch")
        data = {k: v for k, v in self.cleaned_data.items() if k in keys}
        status = self.cleaned_data["status"]
        if status in PIPELINE_STATUSES:
            data.pop("joined_on", None)
            data.pop("member_card_number", None)
            data.pop("development_number", None)
        return {"status": status, **data}


class RegisterMemberForm(PersonForm, MembershipFieldsForm):
    """A new person and their membership record in one form."""


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label="变更为")
    on = forms.DateField(label="日期", widget=DateInput())
    reason = forms.CharField(label="原因", max_length=300, required=False, help_text="离团（超龄、退团、除名、开除）须填写原因")
    document = forms.CharField(label="依据文件", max_length=200, required=False)
    joined_on = forms.DateField(label="入团时间", required=False, widget=DateInput(),
                                help_text="转为团员时填写：支部大会通过之日（默认为上面的日期）")
    development_number = forms.CharField(label="发展团员编号", max_length=12, required=False)
    member_card_number = forms.CharField(label="团员证号", max_length=8, required=False)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = rules.TRANSITIONS.get(membership.status, frozenset())
        # Any status is accepted so that an illegal move reaches the rule and gets its reason.
        self.fields["to_status"].choices = [(s.value, s.label) for s in Status]
        self.fields["to_status"].widget.choices = [("", "请选择")] + [(s.value, s.label) for s in Status if s in allowed]
        self.initial.setdefault("on", timezone.localdate())
        if not (membership.status in PIPELINE_STATUSES and Status.MEMBER in allowed):
            for name in ("joined_on", "development_number", "member_card_number"):
                del self.fields[name]

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("development_number", "member_card_number"):
            if name in data and not data[name]:
                data[name] = None
        return data


class MoveBranchForm(forms.Form):
    to_branch = forms.ModelChoiceField(label="转入团支部", queryset=None, empty_label="请选择")
    on = forms.DateField(label="转移日期", widget=DateInput())
    reason = forms.CharField(label="原因", max_length=300, required=False)
    document = forms.CharField(label="依据文件", max_length=200, required=False)

    def __init__(self, *args, user, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_branch"].queryset = (
            access.visible_units(user, access.CHANGE).filter(kind=Kind.BRANCH, closed_on__isnull=True)
            .exclude(pk=membership.branch_id).order_by("path")
        )
        self.initial.setdefault("on", timezone.localdate())
