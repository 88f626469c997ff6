"""Printed papers of an election: ballot papers (PDF) and the result sheet (PDF and Word).

Candidates and winners appear in 姓氏笔画 order (R7.12); 候补委员 in their rank (R7.15). The
result sheet carries the counts of every round, signature lines for the tellers and the result
hash that closes the chain of entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string

from tuanwu.core.documents import chinese_date, html_to_pdf, render_docx

from . import rules
from .models import Election, Round
from .rules import Office

RESULT_TEMPLATE = Path(__file__).resolve().parent / "documents" / "result_sheet.docx"


def ballot_candidates(election: Election, rnd: Round | None = None) -> list:
    """The candidates of a round (default: the first or the open one) in 姓氏笔画 order."""
    if rnd is None:
        rnd = election.rounds.filter(outcome__isnull=True).order_by("number").first()
    candidates = list(rnd.candidates.all()) if rnd is not None else list(election.candidates.all())
    return rules.stroke_order(candidates, name=lambda c: c.name)


def ballot_context(election: Election, rnd: Round | None = None) -> dict:
    candidates = ballot_candidates(election, rnd)
    seats = rnd.seats if rnd is not None else election.seats
    round_label = ""
    if rnd is not None and rnd.kind != "first":
        round_label = f"（第{rnd.number}轮·{rnd.get_kind_display()}）"
    return {
        "election": election, "meeting": election.meeting, "unit": election.unit, "candidates": candidates,
        "seats": seats, "round_label": round_label, "void_rule": rules.VOID_RULE_TEXT,
        "write_in_lines": range(min(seats, 10)), "office_label": rules.OFFICE_LABELS[election.office],
        "held_on": chinese_date(election.meeting.held_on),
    }


def ballot_pdf(election: Election, rnd: Round | None = None) -> bytes:
    return html_to_pdf(render_to_string("elections/ballot_pdf.html", ballot_context(election, rnd)))


@dataclass
class RoundRow:
    name: str
    yes: int
    no: int
    abstain: int
    elected: str


def result_context(election: Election) -> dict:
    """Everything the result sheet shows, read from the stored rounds and winners."""
    rounds = []
    for rnd in election.rounds.order_by("number"):
        outcome = rnd.outcome or {}
        rows = []
        if "yes" in outcome:
            names = {str(c.pk): c.name for c in rnd.candidates.all()}
            elected, tied = set(outcome.get("elected", [])), set(outcome.get("tied", []))
            for key in list(names) + [k for k in outcome["yes"] if k not in names]:
                label = names.get(key) or f"{key.split(':', 1)[1]}（另选）"
                rows.append(RoundRow(
                    name=label, yes=outcome["yes"].get(key, 0), no=outcome.get("no", {}).get(key, 0),
                    abstain=outcome.get("abstain", {}).get(key, 0),
                    elected="当选" if key in elected else ("得票相等，再次投票" if key in tied else ""),
                ))
            rows = rules.stroke_order(rows, name=lambda r: r.name)
        rounds.append({
            "number": rnd.number, "kind": rnd.get_kind_display(), "seats": rnd.seats, "due": rnd.due,
            "present": rnd.present, "issued": rnd.issued, "returned": rnd.returned,
            "valid": outcome.get("valid"), "void": outcome.get("void"), "base": outcome.get("base"),
            "void_election": outcome.get("void", "") if isinstance(outcome.get("void"), str) else "",
            "rows": rows, "shortfall": outcome.get("shortfall", 0),
        })
    winners = list(election.winners.all())
    if election.office == Office.ALTERNATE:
        winners.sort(key=lambda w: w.rank or 0)
    else:
        winners = rules.stroke_order(winners, name=lambda w: w.name)
    tellers = list(election.tellers.select_related("person").order_by("role", "pk"))
    return {
        "election": election, "meeting": election.meeting, "unit": election.unit,
        "office_label": rules.OFFICE_LABELS[election.office], "rounds": rounds, "winners": winners,
        "tellers": tellers, "held_on": chinese_date(election.meeting.held_on),
        "threshold_label": election.get_threshold_base_display(), "status": election.get_status_display(),
        "is_alternate": election.office == Office.ALTERNATE, "result_hash": election.result_hash,
        "reopenings": list(election.reopenings.all()),
    }


def result_pdf(election: Election) -> bytes:
    return html_to_pdf(render_to_string("elections/result_pdf.html", result_context(election)))


def result_docx(election: Election) -> bytes:
    ctx = result_context(election)
    rows = []
    for rnd in ctx["rounds"]:
        for row in rnd["rows"]:
            rows.append({"round": f"第{rnd['number']}轮", "name": row.name, "yes": row.yes, "no": row.no,
                         "abstain": row.abstain, "elected": row.elected})
    summary = [
        f"第{r['number']}轮（{r['kind']}）：应选 {r['seats']} 名；应到 {r['due']} 人，实到 {r['present']} 人；"
        f"发出选票 {r['issued'] if r['issued'] is not None else '—'} 张，收回 {r['returned'] if r['returned'] is not None else '—'} 张；"
        f"有效 {r['valid'] if r['valid'] is not None else '—'} 张，无效 {r['void'] if isinstance(r['void'], int) else '—'} 张"
        for r in ctx["rounds"]
    ]
    winners = [f"{w.name}（{w.votes} 票）" + (f"，候补第 {w.rank} 名" if w.rank else "") for w in ctx["winners"]]
    return render_docx(RESULT_TEMPLATE, {
        "title": f"{ctx['meeting'].title}选举{ctx['office_label']}计票结果报告单",
        "unit": ctx["unit"].name, "held_on": ctx["held_on"], "seats": ctx["election"].seats,
        "threshold": ctx["threshold_label"], "summary": summary, "rows": rows,
        "winners": "、".join(winners) if winners else "无",
        "winner_order": "按得票多少排列" if ctx["is_alternate"] else "按姓氏笔画排列",
        "tellers": [{"role": t.get_role_display(), "name": t.person.name} for t in ctx["tellers"]],
        "result_hash": ctx["result_hash"] or "（尚未结束）", "status": ctx["status"],
    })
