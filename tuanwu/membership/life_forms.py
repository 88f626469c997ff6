"""Forms of the membership-life pages. They shape input; the actions apply the rules, and their
refusals land next to the named field (apply_domain_error)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from tuanwu.organisations import access
from tuanwu.organisations.forms import DateInput
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind
from tuanwu.people.forms import PersonForm

from . import life_rules as lr
from .life_common import approving_committee
from .models import (
    DevelopmentNotice,
    DuesCategory,
    ExitCase,
    Grade,
    Membership,
    PartyRecommendation,
    Status,
    Transfer,
)


def _today():
    return timezone.localdate()


class _Dated(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField) and field.required:
                self.initial.setdefault(name, _today())


class DateForm(_Dated):
    on = forms.DateField(label="日期", widget=DateInput())

    def __init__(self, *args, label="日期", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = label


class ApplicationForm(PersonForm):
    applied_on = forms.DateField(label="递交入团申请书日期", widget=DateInput())
    note = forms.CharField(label="申请书摘要", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("applied_on", _today())
        for name in ("guardian_name", "guardian_phone", "political_status"):
            del self.fields[name]


class TalkForm(_Dated):
    talk_on = forms.DateField(label="谈话日期", widget=DateInput(), help_text="递交申请书后 1 个月内")
    talk_by = forms.CharField(label="谈话人", max_length=60)


class ActivistForm(_Dated):
    on = forms.DateField(label="支委会研究日期", widget=DateInput())
    channel = forms.ChoiceField(label="产生方式", choices=list(lr.ACTIVIST_CHANNELS.items()))
    recommenders = forms.CharField(label="推荐人", max_length=200, required=False, help_text="团员推荐时填写推荐的团员")


class NoticeForm(_Dated):
    starts_on = forms.DateField(label="公示开始日期", widget=DateInput())
    place = forms.CharField(label="公示方式/地点", max_length=200, required=False)


class LessonForm(_Dated):
    on = forms.DateField(label="团课日期", widget=DateInput())
    topic = forms.CharField(label="主题", max_length=200)
    hours = forms.IntegerField(label="学时", min_value=1, max_value=20, initial=2)
    minutes = forms.IntegerField(label="时长（分钟）", min_value=1, max_value=1440, initial=90,
                                 help_text="每学时不少于 45 分钟才计入")
    in_person = forms.BooleanField(label="线下参加", required=False, initial=True)


def _member_choices(user, membership: Membership, statuses):
    committee = approving_committee(membership.branch) or membership.branch
    return (access.visible_to(user, Membership.objects.filter(status__in=sorted(statuses)))
            .filter(branch__path__startswith=committee.path).exclude(pk=membership.pk)
            .select_related("person", "branch").order_by("branch__path", "person__name_pinyin"))


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.person.name}（{obj.branch.name}，{obj.get_status_display()}）"


class ContactForm(_Dated):
    contact = MemberChoice(label="培养联系人", queryset=Membership.objects.none(), empty_label="请选择")
    on = forms.DateField(label="确定日期", widget=DateInput())

    def __init__(self, *args, user, membership, **kwargs):
        super().__init__(*args, **kwargs)
        # Any visible membership is accepted so that a non-member reaches the rule (R2.5) and
        # gets its reason; the list offers members only.
        self.fields["contact"].queryset = _member_choices(user, membership, set(Status))
        self.fields["contact"].widget.choices = [("", "请选择")] + [
            (m.pk, self.fields["contact"].label_from_instance(m))
            for m in _member_choices(user, membership, lr.CONTACT_STATUSES)]


class IntroducersForm(_Dated):
    introducer_1 = MemberChoice(label="入团介绍人（一）", queryset=Membership.objects.none(), empty_label="请选择")
    introducer_2 = MemberChoice(label="入团介绍人（二）", queryset=Membership.objects.none(), empty_label="请选择")
    on = forms.DateField(label="介绍人填写意见日期", widget=DateInput())

    def __init__(self, *args, user, membership, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("introducer_1", "introducer_2"):
            self.fields[name].queryset = _member_choices(user, membership, set(Status))
            self.fields[name].widget.choices = [("", "请选择")] + [
                (m.pk, self.fields[name].label_from_instance(m))
                for m in _member_choices(user, membership, lr.INTRODUCER_STATUSES)]


class VoteForm(_Dated):
    meeting_on = forms.DateField(label="支部大会日期", widget=DateInput())
    voting_members = forms.IntegerField(label="有表决权的团员（应到）", min_value=0, max_value=100000)
    present = forms.IntegerField(label="到会有表决权团员（实到）", min_value=0, max_value=100000)
    yes = forms.IntegerField(label="赞成", min_value=0, max_value=100000)
    no = forms.IntegerField(label="反对", min_value=0, max_value=100000, initial=0)
    abstain = forms.IntegerField(label="弃权", min_value=0, max_value=100000, initial=0)


class StopForm(_Dated):
    on = forms.DateField(label="终止日期", widget=DateInput())
    reason = forms.CharField(label="终止原因", max_length=300)


NOTICE_STEPS = {"notice_activist": DevelopmentNotice.Stage.ACTIVIST,
                "notice_candidate": DevelopmentNotice.Stage.CANDIDATE,
                "notice_admission": DevelopmentNotice.Stage.ADMISSION}


# ---------------------------------------------------------------------------------------------
# Review and registration


class ReviewForm(_Dated):
    year = forms.IntegerField(label="评议年度", min_value=2000, max_value=2100)
    held_on = forms.DateField(label="支部大会日期", widget=DateInput())
    present = forms.IntegerField(label="到会人数", min_value=0, max_value=100000)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", _today().year - 1 if _today().month <= 3 else _today().year)
        self.members = list(members)
        for m in self.members:
            self.fields[f"grade_{m.pk}"] = forms.ChoiceField(label=m.person.name, choices=Grade.choices,
                                                             initial=Grade.GOOD)

    def grades(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[f"grade_{m.pk}"] for m in self.members}


class ReassessForm(_Dated):
    on = forms.DateField(label="复评日期", widget=DateInput())
    new_grade = forms.ChoiceField(label="复评等次", choices=Grade.choices)


class RegisterForm(_Dated):
    year = forms.IntegerField(label="注册年度", min_value=2000, max_value=2100)
    on = forms.DateField(label="注册日期", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", _today().year)


class DeferForm(_Dated):
    year = forms.IntegerField(label="注册年度", min_value=2000, max_value=2100)
    on = forms.DateField(label="办理日期", widget=DateInput())
    until = forms.DateField(label="暂缓注册至", widget=DateInput(), help_text="3–6 个月")
    reason = forms.CharField(label="原因", max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from tuanwu.organisations.rules import add_months

        self.initial.setdefault("year", _today().year)
        self.initial.setdefault("until", add_months(_today(), 3))


# ---------------------------------------------------------------------------------------------
# 推优入党


class PartyProposeForm(_Dated):
    kind = forms.ChoiceField(label="推优类别", choices=PartyRecommendation.Kind.choices)
    proposed_on = forms.DateField(label="支委会提出日期", widget=DateInput())
    party_activist_on = forms.DateField(label="确定为入党积极分子日期", widget=DateInput(), required=False,
                                        help_text="推荐为党员发展对象人选时填写")
    party_organisation = forms.CharField(label="推荐至党组织", max_length=120, required=False,
                                         help_text="留空则用团组织的上级党组织")


class PartyMeetingForm(_Dated):
    meeting_on = forms.DateField(label="团员大会日期", widget=DateInput())
    due = forms.IntegerField(label="应到会有表决权团员", min_value=0, max_value=100000)
    present = forms.IntegerField(label="实到", min_value=0, max_value=100000)
    yes = forms.IntegerField(label="赞成", min_value=0, max_value=100000)
    no = forms.IntegerField(label="反对", min_value=0, max_value=100000, initial=0)
    abstain = forms.IntegerField(label="弃权", min_value=0, max_value=100000, initial=0)


class PartyReviewForm(_Dated):
    on = forms.DateField(label="团委审查日期", widget=DateInput())
    party_organisation = forms.CharField(label="推荐至党组织", max_length=120, required=False)
    letter_number = forms.CharField(label="推荐意见编号", max_length=40, required=False, help_text="留空自动编号")


# ---------------------------------------------------------------------------------------------
# Dues


class DuesAccountForm(forms.Form):
    category = forms.ChoiceField(label="交费类别", choices=DuesCategory.choices)
    monthly_wage = forms.DecimalField(label="税后月固定工资（元）", required=False, min_value=0, max_digits=10,
                                      decimal_places=2)
    starts_month = forms.DateField(label="起交月份", required=False, widget=DateInput(),
                                   help_text="默认入团当月")


class DuesPayForm(_Dated):
    first_month = forms.DateField(label="从（月份）", widget=DateInput())
    last_month = forms.DateField(label="到（月份）", widget=DateInput())
    paid_on = forms.DateField(label="交纳日期", widget=DateInput())

    def months(self):
        from tuanwu.membership.life_rules import months_between

        first, last = self.cleaned_data["first_month"], self.cleaned_data["last_month"]
        return months_between(first, last) if first <= last else []


# ---------------------------------------------------------------------------------------------
# Transfers


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def receiving_units():
    from .transfers import RECEIVING_KINDS

    return Unit.objects.filter(kind__in=sorted(RECEIVING_KINDS), closed_on__isnull=True).order_by("path")


class TransferRequestForm(_Dated):
    destination = forms.ChoiceField(label="转接原因", choices=Transfer.Destination.choices)
    to_unit = UnitChoice(label="转入团组织", queryset=Unit.objects.none(), required=False, empty_label="请选择",
                         help_text="出国（境）、参军入伍的毕业生不选：组织关系暂存")
    graduated_on = forms.DateField(label="毕业日期", widget=DateInput(), required=False, help_text="毕业生填写")
    requested_on = forms.DateField(label="申请日期", widget=DateInput())
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Organisation names are not secret: any open League unit may be named as receiver.
        self.fields["to_unit"].queryset = receiving_units()


class TransferInForm(TransferRequestForm):
    id_number = forms.CharField(label="转入团员的身份证号码", max_length=30)

    field_order = ["id_number", "destination", "graduated_on", "requested_on", "note"]

    def __init__(self, *args, to_unit, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["to_unit"]
        self.to_unit = to_unit


class TransferDecideForm(_Dated):
    decision = forms.ChoiceField(label="处理", choices=[("approve", "同意转入"), ("reject", "退回")],
                                 widget=forms.RadioSelect, initial="approve")
    to_branch = UnitChoice(label="分配到团支部", queryset=Unit.objects.none(), required=False, empty_label="请选择")
    on = forms.DateField(label="处理日期", widget=DateInput())
    note = forms.CharField(label="意见", max_length=300, required=False, help_text="退回须说明理由")

    def __init__(self, *args, transfer, **kwargs):
        super().__init__(*args, **kwargs)
        from .transfers import branch_choices

        self.fields["to_branch"].queryset = branch_choices(transfer.to_unit) if transfer.to_unit else Unit.objects.none()


# ---------------------------------------------------------------------------------------------
# Exits


class ExitOpenForm(_Dated):
    kind = forms.ChoiceField(label="类型", choices=ExitCase.Kind.choices)
    requested_on = forms.DateField(label="提出日期", widget=DateInput(), help_text="退团：本人书面申请的日期")
    request_text = forms.CharField(label="书面申请／情况说明", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class PioneerRecommendForm(_Dated):
    branch = UnitChoice(label="接收团支部", queryset=Unit.objects.none(), empty_label="请选择")
    recommended_on = forms.DateField(label="推荐日期", widget=DateInput())
    reason = forms.CharField(label="推荐理由", max_length=300, required=False)

    def __init__(self, *args, school: Unit | None, **kwargs):
        super().__init__(*args, **kwargs)
        branches = Unit.objects.filter(kind=Kind.BRANCH, closed_on__isnull=True)
        if school is not None:
            branches = branches.filter(path__startswith=school.path)
        self.fields["branch"].queryset = branches.order_by("path")
