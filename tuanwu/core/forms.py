"""Forms of the core pages: audit trail filters and one rule setting."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from tuanwu.organisations import access

from .queries import AuditFilters
from .rule_settings import RuleDef


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(label="起始日期", required=False, widget=DateInput())
    date_to = forms.DateField(label="截止日期", required=False, widget=DateInput())
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    action = forms.ChoiceField(label="操作", required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False)
    unit = forms.TypedChoiceField(label="所属组织（含下级）", required=False, coerce=int, empty_value=None)
    text = forms.CharField(label="对象包含", required=False, max_length=100)

    def __init__(self, data, *, user, actions, object_types, units):
        """``units`` are the options shown; any unit the user may audit is accepted (a link
        from a branch page may name a unit too small to be listed)."""
        super().__init__(data)
        self.user = user
        self.fields["action"].choices = [("", "全部")] + [(a, a) for a in actions]
        self.fields["object_type"].choices = [("", "全部")] + list(object_types)
        options = [(u.pk, ("　" * max(u.depth - units[0].depth, 0) if units else "") + u.name) for u in units]
        requested = (data or {}).get("unit")
        if requested and requested.isdigit() and int(requested) not in {u.pk for u in units}:
            extra = access.visible_units(user, access.VIEW_AUDIT).filter(pk=int(requested)).first()
            if extra is not None:
                options.append((extra.pk, extra.name))
        self.fields["unit"].choices = [("", "全部")] + options

    def clean_date_to(self):
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if start and end and end < start:
            raise ValidationError("截止日期不能早于起始日期")
        return end

    def filters(self) -> AuditFilters:
        """The valid filters; invalid fields are ignored (the page shows their errors)."""
        data = {}
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the fields that passed
            data = self.cleaned_data
        unit = None
        if data.get("unit"):
            unit = access.visible_units(self.user, access.VIEW_AUDIT).filter(pk=data["unit"]).first()
        return AuditFilters(
            date_from=data.get("date_from"), date_to=data.get("date_to"), actor=(data.get("actor") or "").strip(),
            action=data.get("action") or "", object_type=data.get("object_type") or "", unit=unit,
            text=(data.get("text") or "").strip(),
        )


def _value_field(rule: RuleDef) -> forms.Field:
    label = "取值" + (f"（{rule.unit}）" if rule.unit else "")
    if rule.kind == "bool":
        return forms.BooleanField(label=label, required=False)
    if rule.kind == "choice":
        return forms.ChoiceField(label=label, choices=list(rule.choices))
    if rule.kind in ("int", "decimal"):
        attrs = {"step": "1" if rule.kind == "int" else "any", "inputmode": "decimal"}
        if rule.minimum is not None:
            attrs["min"] = str(rule.minimum)
        if rule.maximum is not None:
            attrs["max"] = str(rule.maximum)
        return forms.CharField(label=label, widget=forms.NumberInput(attrs=attrs))
    return forms.CharField(label=label, max_length=300)


class RuleSettingForm(forms.Form):
    """One new value for one rule parameter of one county, effective from a date."""

    effective_from = forms.DateField(label="生效日期", widget=DateInput(),
                                     help_text="从这一天起使用新值；此前的日期仍按原值计算。不能早于今天。")
    note = forms.CharField(label="说明", required=False, max_length=300,
                           widget=forms.TextInput(attrs={"placeholder": "例如：依据县委组织部文件调整"}))

    field_order = ["value", "effective_from", "note"]

    def __init__(self, *args, rule: RuleDef, **kwargs):
        self.rule = rule
        super().__init__(*args, **kwargs)
        self.fields["value"] = _value_field(rule)
        if rule.help:
            self.fields["value"].help_text = rule.help
        self.order_fields(self.field_order)
        if not self.is_bound:
            self.initial.setdefault("effective_from", timezone.localdate())

    def clean_value(self):
        raw = self.cleaned_data["value"]
        if self.rule.kind == "bool":
            raw = "true" if raw else "false"
        # The typed check (integer, range, allowed choices) with the rule's own Chinese messages.
        self.rule.parse(raw)
        return raw
