"""Forms of the election pages (Chinese labels; the rules are checked by the actions)."""

from __future__ import annotations

from django import forms

from .models import MeetingKind, OfficeChoice, TellerRole
from .rules import MARK_LABELS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label="会议类型", choices=[c for c in MeetingKind.choices if c[0] != "plenary"])
    title = forms.CharField(label="会议名称", max_length=120, help_text="例如：甲村团支部团员大会")
    term_number = forms.IntegerField(label="选举产生第几届", min_value=1, max_value=99)
    held_on = forms.DateField(label="召开日期", widget=DATE)


class PlenaryForm(forms.Form):
    title = forms.CharField(label="会议名称", max_length=120, initial="新一届委员会第一次全体会议")
    held_on = forms.DateField(label="召开日期", widget=DATE)


class PeopleChoiceForm(forms.Form):
    people = forms.MultipleChoiceField(label="人员", widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = list(choices)


class ElectionForm(forms.Form):
    office = forms.ChoiceField(label="选举职务", choices=OfficeChoice.choices)
    seats = forms.IntegerField(label="应选名额", min_value=1, max_value=200)
    candidates = forms.MultipleChoiceField(label="候选人", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, choices=(), offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].choices = list(choices)
        if offices is not None:
            self.fields["office"].choices = [c for c in OfficeChoice.choices if c[0] in offices]


class TellerForm(forms.Form):
    person = forms.ChoiceField(label="人员")
    role = forms.ChoiceField(label="分工", choices=TellerRole.choices)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = list(choices)


class ReconcileForm(forms.Form):
    issued = forms.IntegerField(label="发出选票（张）", min_value=0)
    returned = forms.IntegerField(label="收回选票（张）", min_value=0)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300)


class PaperForm(forms.Form):
    paper_number = forms.IntegerField(label="选票编号", min_value=1)


class ApprovalForm(forms.Form):
    by = forms.ChoiceField(label="批准单位", choices=[("party", "党组织"), ("above", "上级团委")])
    approved_on = forms.DateField(label="批准日期", widget=DATE)
    document = forms.CharField(label="批复文号", max_length=120)


class TellerCodeForm(forms.Form):
    code = forms.CharField(label="计票编码", max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "inputmode": "latin", "spellcheck": "false"}))


class BallotEntryForm(forms.Form):
    """One paper: a 赞成/反对/弃权 choice per candidate (in ballot order) and written-in names."""

    paper_number = forms.IntegerField(label="选票编号", min_value=1)
    write_ins = forms.CharField(label="另选他人（每行一个姓名）", required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for c in self.candidates:
            self.fields[f"mark_{c.pk}"] = forms.ChoiceField(
                label=c.name, choices=list(MARK_LABELS.items()), initial="abstain", widget=forms.RadioSelect)

    def mark_fields(self):
        return [self[f"mark_{c.pk}"] for c in self.candidates]

    def marks(self) -> dict:
        return {str(c.pk): self.cleaned_data[f"mark_{c.pk}"] for c in self.candidates}

    def names(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("write_ins") or "").splitlines() if line.strip()]
