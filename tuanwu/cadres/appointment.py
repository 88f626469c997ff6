"""The 干部任免审批表 of one cadre post, as a Word document filled from the registry (docxtpl,
through tuanwu.core.documents). The template is built by documents/build_appointment_form.py."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone
from docxtpl import Listing

from tuanwu.core import audit
from tuanwu.core.documents import chinese_date, render_docx

from .models import PostTerms
from .queries import kind_label, terms_of

TEMPLATE = Path(__file__).resolve().parent / "documents" / "appointment_form.docx"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _post(holding) -> str:
    return f"{holding.unit.name}{holding.get_position_display()}（{kind_label(holding)}）"


def context_for(terms: PostTerms, today=None) -> dict:
    today = today or timezone.localdate()
    holding = terms.holding
    person = holding.person
    history = list(person.post_holdings.select_related("unit", "cadre_terms").order_by("started_on", "pk"))
    current = [h for h in history if h.is_current_on(today) and h.pk != holding.pk]
    resume = [
        f"{h.started_on:%Y.%m}—{h.ended_on:%Y.%m}" if h.ended_on else f"{h.started_on:%Y.%m}—　　　　"
        for h in history
    ]
    resume = [f"{span}　{_post(h)}" for span, h in zip(resume, history, strict=True)]
    appraisals = [f"{a.year} 年度：{a.grade}" for a in person.cadre_appraisals.order_by("-year")[:3]]
    trainings = [f"{t.course.started_on:%Y.%m} {t.course.title}（{t.hours} 学时）"
                 for t in person.cadre_trainings.select_related("course").order_by("-course__started_on")[:5]]
    ended = holding.ended_on is not None and holding.ended_on <= today
    return {
        "reporting_unit": f"呈报单位：{holding.unit.name}",
        "filled_on": chinese_date(today),
        "name": person.name,
        "gender": person.get_gender_display(),
        "birth": f"{person.birth_date:%Y.%m}\n（{person.age_on(today)}岁）",
        "ethnicity": person.ethnicity,
        "political_status": person.get_political_status_display(),
        "education": person.get_education_display(),
        "kind": terms.get_kind_display(),
        "establishment": "编制内" if terms.counts_against_establishment else "编制外",
        "current_posts": "；".join(_post(h) for h in current) or "无",
        "to_appoint": "" if ended else _post(holding) + f"，{holding.started_on:%Y年%m月%d日}起",
        "to_remove": _post(holding) + f"，{holding.ended_on:%Y年%m月%d日}" if ended else "",
        "home_employer": terms.home_employer + (f"（挂职至 {terms.planned_end_on:%Y年%m月%d日}）"
                                                if terms.planned_end_on else ""),
        "appointing_document": terms.appointing_document or holding.document,
        "resume": Listing("\n".join(resume)),
        "appraisals": Listing("\n".join(appraisals)) if appraisals else "无记录",
        "training": Listing("\n".join(trainings)) if trainings else "无记录",
        "sample_mark": "（示例数据）" if holding.is_sample or person.is_sample else "",
    }


def appointment_form(*, actor, terms: PostTerms) -> bytes:
    """Render the form and audit its export (it carries personal data)."""
    content = render_docx(TEMPLATE, context_for(terms))
    holding = terms.holding
    audit.record(actor=actor, action="导出干部任免审批表", obj=terms,
                 after={"file": f"干部任免审批表_{holding.person.name}.docx"})
    return content


__all__ = ["DOCX_CONTENT_TYPE", "appointment_form", "context_for", "terms_of"]
