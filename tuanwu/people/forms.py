"""Forms of the registry pages. They shape and check input (with the same validators as the
actions, so errors appear next to the field in Chinese); every write goes through actions."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from tuanwu.organisations import access
from tuanwu.organisations.forms import DateInput, apply_domain_error  # noqa: F401  (re-exported for views)
from tuanwu.organisations.rules import Kind

from .idcard import parse_id_number, validate_mobile
from .models import ETHNICITY_CHOICES, Education, Gender, HowObtained, Occupation, PoliticalStatus, Position
from .queries import NO_MEMBERSHIP, SORTS, PersonFilters, status_choices


def _blank(choices, label="（未填）"):
    return [("", label)] + list(choices)


class PersonForm(forms.Form):
    """A person's own fields. Personal identifiers are typed in clear and stored encrypted; on
    the edit form they are left empty, and an empty field keeps the stored value."""

    name = forms.CharField(label="姓名", max_length=60)
    id_number = forms.CharField(label="身份证号码", max_length=30, required=False,
                                help_text="18 位；出生日期与性别由号码自动取得。尚无身份证的少先队员填写学籍号。")
    student_number = forms.CharField(label="学籍号", max_length=30, required=False)
    gender = forms.ChoiceField(label="性别", choices=_blank(Gender.choices, "（按身份证号码）"), required=False)
    birth_date = forms.DateField(label="出生日期", required=False, widget=DateInput())
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITY_CHOICES, initial="汉族")
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    education = forms.ChoiceField(label="学历", choices=_blank(Education.choices), required=False)
    occupation = forms.ChoiceField(label="职业类别", choices=_blank(Occupation.choices), required=False)
    political_status = forms.ChoiceField(label="政治面貌", choices=PoliticalStatus.choices,
                                         initial=PoliticalStatus.MASSES)
    guardian_name = forms.CharField(label="监护人姓名", max_length=60, required=False, help_text="未成年人填写")
    guardian_phone = forms.CharField(label="监护人电话", max_length=20, required=False)

    PII = ("id_number", "phone", "guardian_phone")

    def __init__(self, *args, person=None, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)
        if person is not None:
            for name, masked in (("id_number", person.masked_id_number), ("phone", person.masked_phone),
                                 ("guardian_phone", person.masked_guardian_phone)):
                if masked:
                    self.fields[name].widget.attrs["placeholder"] = f"{masked}（不修改请留空）"

    def clean_id_number(self):
        raw = (self.cleaned_data.get("id_number") or "").strip()
        if raw:
            return parse_id_number(raw, today=timezone.localdate()).number
        return ""

    def clean_phone(self):
        raw = (self.cleaned_data.get("phone") or "").strip()
        return validate_mobile(raw) if raw else ""

    def clean_guardian_phone(self):
        raw = (self.cleaned_data.get("guardian_phone") or "").strip()
        return validate_mobile(raw) if raw else ""

    def clean(self):
        data = super().clean()
        number = data.get("id_number")
        if number:
            info = parse_id_number(number)
            if data.get("birth_date") and data["birth_date"] != info.birth_date:
                self.add_error("birth_date", "出生日期与身份证号码不一致")
            if data.get("gender") and data["gender"] != info.gender:
                self.add_error("gender", "性别与身份证号码不一致")
        has_stored_id = self.person is not None and self.person.has_id_number
        if not number and not has_stored_id and "id_number" not in self.errors:
            if not data.get("student_number"):
                self.add_error("id_number", "请填写身份证号码；尚无身份证的少先队员请填写学籍号")
            if not data.get("birth_date"):
                self.add_error("birth_date", "没有身份证号码时请填写出生日期")
            if not data.get("gender"):
                self.add_error("gender", "没有身份证号码时请选择性别")
        return data

    def person_fields(self) -> dict:
        """Fields for the actions; on edit, empty identifiers and derived values are left out."""
        data = dict(self.cleaned_data)
        if self.person is not None:
            for name in self.PII:
                if not data.get(name):
                    data.pop(name, None)
        if not data.get("gender"):
            data.pop("gender", None)
        if not data.get("birth_date"):
            data.pop("birth_date", None)
        return data


class PersonFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=60,
                        widget=forms.TextInput(attrs={"placeholder": "姓名、拼音或首字母、身份证或手机后 4 位、手机号",
                                                      "type": "search", "autocomplete": "off"}))
    status = forms.ChoiceField(label="团籍状态", required=False)
    unit = forms.TypedChoiceField(label="组织（含下级）", required=False, coerce=int, empty_value=None)
    age_min = forms.IntegerField(label="年龄从", required=False, min_value=0, max_value=120)
    age_max = forms.IntegerField(label="年龄到", required=False, min_value=0, max_value=120)
    gender = forms.ChoiceField(label="性别", required=False, choices=_blank(Gender.choices, "全部"))
    ethnicity = forms.ChoiceField(label="民族", required=False, choices=_blank(ETHNICITY_CHOICES, "全部"))
    sort = forms.ChoiceField(label="排序", required=False, choices=[
        ("name", "姓名（拼音）"), ("-name", "姓名（倒序）"), ("age", "年龄从小到大"), ("-age", "年龄从大到小"),
        ("unit", "所在组织"), ("created", "最近登记"),
    ])

    def __init__(self, data, *, user, units):
        super().__init__(data)
        self.user = user
        self.fields["status"].choices = [("", "全部"), (NO_MEMBERSHIP, "无团籍记录（少先队员、群众）")] + status_choices()
        base = units[0].depth if units else 0
        self.fields["unit"].choices = [("", "全部")] + [(u.pk, "　" * max(u.depth - base, 0) + u.name) for u in units]
        requested = (data or {}).get("unit")
        if requested and str(requested).isdigit() and int(requested) not in {u.pk for u in units}:
            extra = access.visible_units(user).filter(pk=int(requested)).first()
            if extra is not None:
                self.fields["unit"].choices.append((extra.pk, extra.name))

    def clean(self):
        data = super().clean()
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and high < low:
            self.add_error("age_max", "年龄上限不能小于下限")
        return data

    def filters(self) -> PersonFilters:
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        unit = None
        if data.get("unit"):
            unit = access.visible_units(self.user).filter(pk=data["unit"]).first()
        sort = data.get("sort") or "name"
        return PersonFilters(
            q=(data.get("q") or "").strip(), status=data.get("status") or "", unit=unit,
            age_min=data.get("age_min"), age_max=data.get("age_max"), gender=data.get("gender") or "",
            ethnicity=data.get("ethnicity") or "", sort=sort if sort in SORTS else "name",
        )


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", "身份证号码"), ("phone", "手机号码"), ("guardian_phone", "监护人电话")])


class PostHoldingForm(forms.Form):
    unit = forms.ModelChoiceField(label="任职组织", queryset=None, empty_label="请选择")
    position = forms.ChoiceField(label="职务", choices=Position.choices)
    started_on = forms.DateField(label="任职日期", widget=DateInput())
    how_obtained = forms.ChoiceField(label="产生方式", choices=HowObtained.choices)
    document = forms.CharField(label="依据文件", max_length=200, required=False,
                               widget=forms.TextInput(attrs={"placeholder": "例如：团支部大会选举结果报告"}))
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        league_kinds = [Kind.LEAGUE_COUNTY, Kind.COMMITTEE, Kind.WORKING_COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH]
        self.fields["unit"].queryset = (
            access.visible_units(user, access.CHANGE).filter(kind__in=league_kinds, closed_on__isnull=True).order_by("path")
        )


class PostEndForm(forms.Form):
    ended_on = forms.DateField(label="离任日期", widget=DateInput())
    note = forms.CharField(label="备注", max_length=200, required=False)

    def clean_ended_on(self):
        day = self.cleaned_data["ended_on"]
        if day > timezone.localdate():
            raise ValidationError("离任日期不能晚于今天")
        return day
