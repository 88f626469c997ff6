"""Forms of the cadre pages. They shape input; every rule is checked by the actions, whose
DomainError is put back on the named field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from tuanwu.organisations import access
from tuanwu.organisations.forms import DateInput, apply_domain_error  # noqa: F401  (re-exported for views)
from tuanwu.organisations.rules import Kind as UnitKind
from tuanwu.people.models import Person, Position

from . import rules
from .models import Kind, Move

LEAGUE_KINDS = [UnitKind.LEAGUE_COUNTY, UnitKind.COMMITTEE, UnitKind.WORKING_COMMITTEE, UnitKind.GENERAL_BRANCH,
                UnitKind.BRANCH]
PERSON_CHOICE_LIMIT = 300


class TermsForm(forms.Form):
    kind = forms.ChoiceField(label="干部类型", choices=Kind.choices, widget=forms.RadioSelect)
    in_establishment = forms.BooleanField(label="占用编制（仅专职）", required=False)
    rank = forms.CharField(label="职级", max_length=40, required=False, help_text="如：正科级。兼职团干部不定职级。")
    home_employer = forms.CharField(label="派出单位（挂职）", max_length=120, required=False,
                                    help_text="挂职团干部的工作单位，由其发放工资")
    planned_end_on = forms.DateField(label="挂职期满日期", required=False, widget=DateInput())
    appointing_document = forms.CharField(label="任职文件文号", max_length=120, required=False,
                                          widget=forms.TextInput(attrs={"placeholder": "例如：乌县团发〔2023〕5号"}))
    appointing_document_date = forms.DateField(label="任职文件日期", required=False, widget=DateInput())

    def terms(self) -> dict:
        return dict(self.cleaned_data)


class AppointForm(TermsForm):
    person = forms.ModelChoiceField(label="人员", queryset=Person.objects.none(), empty_label="请选择",
                                    help_text="在本组织及下级登记的人员；尚未登记的请先在团员名册中登记")
    unit = forms.ModelChoiceField(label="任职组织", queryset=None, empty_label="请选择")
    position = forms.ChoiceField(label="职务", choices=Position.choices)
    started_on = forms.DateField(label="任职日期", widget=DateInput())

    field_order = ["person", "unit", "position", "started_on", "kind", "in_establishment", "rank", "home_employer",
                   "planned_end_on", "appointing_document", "appointing_document_date"]

    def __init__(self, *args, user, root, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            access.visible_units(user, access.CHANGE).filter(path__startswith=root.path, kind__in=LEAGUE_KINDS,
                                                             closed_on__isnull=True).order_by("path")
        )
        people = access.visible_to(user, Person.objects.filter(unit__path__startswith=root.path)).order_by(
            "unit__depth", "name_pinyin", "pk").select_related("unit")
        self.fields["person"].queryset = people
        # Any visible person validates; the list shows the first ones (those registered nearest
        # the unit first), so that a county-wide registry does not render a huge select.
        self.fields["person"].widget.choices = [("", "请选择")] + [
            (p.pk, f"{p.name}（{p.unit.name}）") for p in people[:PERSON_CHOICE_LIMIT]
        ]

    def clean_started_on(self):
        day = self.cleaned_data["started_on"]
        if day > timezone.localdate():
            raise ValidationError("任职日期不能晚于今天")
        return day


class SecondmentForm(forms.Form):
    move = forms.ChoiceField(label="方式", choices=Move.choices)
    destination = forms.CharField(label="去向单位", max_length=120)
    started_on = forms.DateField(label="开始日期", widget=DateInput())
    planned_end_on = forms.DateField(label="预计结束日期", required=False, widget=DateInput())
    approval_number = forms.CharField(label="县委批准文号", max_length=120, required=False,
                                      widget=forms.TextInput(attrs={"placeholder": "例如：乌县党干〔2023〕21号"}),
                                      help_text="专职团干部借调、抽调须经县委批准")
    approval_date = forms.DateField(label="县委批准日期", required=False, widget=DateInput())
    note = forms.CharField(label="备注", max_length=300, required=False)
    found_unapproved = forms.BooleanField(
        label="事后登记：借调已经发生且未经县委批准（如巡察发现）", required=False,
        help_text="登记后列为异常情况，直至补录县委批准或借调结束；须在备注中说明情况")


class ApprovalForm(forms.Form):
    approval_number = forms.CharField(label="县委批准文号", max_length=120)
    approval_date = forms.DateField(label="县委批准日期", widget=DateInput())


class EndForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DateInput())


class QuotaForm(forms.Form):
    effective_from = forms.DateField(label="生效日期", widget=DateInput())
    full_time_posts = forms.IntegerField(label="专职编制数", min_value=0, max_value=200,
                                         help_text="只有专职且占用编制的岗位计入")
    secretary = forms.IntegerField(label="书记职数", min_value=0, max_value=50, initial=1)
    deputy_secretary = forms.IntegerField(label="副书记职数", min_value=0, max_value=50, initial=0)
    committee_member = forms.IntegerField(label="委员职数", min_value=0, max_value=50, initial=0, required=False)
    document = forms.CharField(label="依据文件", max_length=200, required=False,
                               widget=forms.TextInput(attrs={"placeholder": "例如：县委编办文件文号"}))
    note = forms.CharField(label="备注", max_length=300, required=False)

    POSITIONS = ("secretary", "deputy_secretary", "committee_member")

    def positions(self) -> dict[str, int]:
        return {p: self.cleaned_data.get(p) or 0 for p in self.POSITIONS}


class AppraisalForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=1950, max_value=2100)
    grade = forms.ChoiceField(label="考核等次", choices=[(g, g) for g in rules.GRADES])
    document = forms.CharField(label="依据文件", max_length=200, required=False)


class CourseForm(forms.Form):
    title = forms.CharField(label="培训名称", max_length=120)
    started_on = forms.DateField(label="开始日期", widget=DateInput())
    ended_on = forms.DateField(label="结束日期", widget=DateInput())
    hours = forms.DecimalField(label="学时", min_value=0.5, max_value=999, decimal_places=1)
    organiser = forms.CharField(label="承办单位", max_length=120, required=False)


class AttendanceForm(forms.Form):
    person = forms.ModelChoiceField(label="参训团干部", queryset=Person.objects.none(), empty_label="请选择")
    hours = forms.DecimalField(label="计入学时", min_value=0.5, max_value=999, decimal_places=1, required=False,
                               help_text="不填则按培训总学时计入")

    def __init__(self, *args, user, course, on, **kwargs):
        super().__init__(*args, **kwargs)
        # Cadres in post in the organising unit's subtree.
        from .queries import current_q

        self.fields["person"].queryset = access.visible_to(
            user, Person.objects.filter(post_holdings__unit__path__startswith=course.unit.path,
                                        post_holdings__cadre_terms__isnull=False)
            .filter(current_q(on, "post_holdings__"))
        ).distinct().order_by("name_pinyin", "pk")
