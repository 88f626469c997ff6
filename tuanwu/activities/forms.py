"""Forms of the activity pages; each feeds one action."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from tuanwu.organisations.forms import DateInput

from .models import STUDY_KINDS, ActivityKind, AudienceLayer, MonthlyTheme

RECORDABLE_KINDS = [(k, label) for k, label in ActivityKind.choices if k not in STUDY_KINDS]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label="活动类型", choices=RECORDABLE_KINDS)
    title = forms.CharField(label="主题", max_length=200)
    starts_at = forms.DateTimeField(label="开始时间", widget=DateTimeInput(),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label="结束时间", required=False, widget=DateTimeInput(),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label="地点", max_length=200, required=False)
    audience_layer = forms.ChoiceField(label="宣讲对象层级", required=False,
                                       choices=[("", "（非宣讲不填）")] + AudienceLayer.choices)
    content = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    theme = forms.ModelChoiceField(label="对应月度主题（主题团日、主题队日）", required=False,
                                   queryset=MonthlyTheme.objects.none(), empty_label="（不对应）")

    def __init__(self, *args, themes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if themes is not None:
            self.fields["theme"].queryset = themes


class PushForm(ActivityForm):
    pioneers = forms.BooleanField(label="下发到少先队中队（否则下发到团支部）", required=False)


class StatsForm(forms.Form):
    start = forms.DateField(label="开始日期", widget=DateInput())
    end = forms.DateField(label="结束日期", widget=DateInput())
    kind = forms.ChoiceField(label="活动类型", required=False, choices=[("", "全部类型")] + ActivityKind.choices)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "结束日期不能早于开始日期")
        return data

    @classmethod
    def initial_range(cls) -> dict:
        """This year so far: the figures a secretary asks for first (never a fixed year)."""
        start, end = this_year_so_far()
        return {"start": start, "end": end, "kind": ""}


def this_year_so_far() -> tuple:
    today = timezone.localdate()
    return today.replace(month=1, day=1), today


class SeasonForm(forms.Form):
    programme = forms.ChoiceField(label="类别", choices=[(ActivityKind.YOUTH_STUDY.value, "青年大学习"),
                                                        (ActivityKind.PIONEER_STUDY.value, "红领巾爱学习")])
    title = forms.CharField(label="名称", max_length=100, help_text="如“2024年第1季”")
    first_day = forms.DateField(label="第一期发布日期", widget=DateInput())
    count = forms.IntegerField(label="期数", min_value=1, max_value=60, initial=12,
                               help_text="每周一期；遇学校假期自动顺延")


class HolidayForm(forms.Form):
    name = forms.CharField(label="名称", max_length=40, initial="寒假")
    starts_on = forms.DateField(label="开始日期", widget=DateInput())
    ends_on = forms.DateField(label="结束日期", widget=DateInput())


class ThemeForm(forms.Form):
    month = forms.DateField(label="月份（填当月任一天）", widget=DateInput())
    for_pioneers = forms.BooleanField(label="主题队日（否则为主题团日）", required=False)
    theme = forms.CharField(label="统一主题", max_length=200)
    window_start = forms.DateField(label="统一开展时间：自", widget=DateInput())
    window_end = forms.DateField(label="至", widget=DateInput())
    content = forms.CharField(label="统一内容要求", widget=forms.Textarea(attrs={"rows": 3}))


class GuestsForm(forms.Form):
    names = forms.CharField(label="来宾姓名（每行一位）", widget=forms.Textarea(attrs={"rows": 3}))


class SummaryForm(forms.Form):
    summary = forms.CharField(label="活动总结", required=False, widget=forms.Textarea(attrs={"rows": 5}))


class PhotoForm(forms.Form):
    photo = forms.FileField(label="照片（JPEG、PNG 或 WebP，不超过 8 MB；位置信息会被去除）")
    caption = forms.CharField(label="说明", max_length=200, required=False)


class CheckinForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=60)
    last4 = forms.CharField(label="手机号后四位", min_length=4, max_length=4,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                          "pattern": "[0-9]{4}"}))


def default_start() -> datetime.datetime:
    now = timezone.localtime()
    return now.replace(minute=0, second=0, microsecond=0)
