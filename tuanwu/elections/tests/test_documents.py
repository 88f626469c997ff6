"""Ballot papers and result sheets: pdftotext of the ballots lists every candidate exactly once
in 姓氏笔画 order with the seat count and the void rule, for 3, 12 and 40 candidates."""

from __future__ import annotations

import datetime
import math
import re
import subprocess
from pathlib import Path

import pytest

from tuanwu.core.documents import docx_text
from tuanwu.elections import actions, documents, rules
from tuanwu.elections.testing import enter_twice
from tuanwu.people.testing import make_member

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤艾"
GIVEN = "明华伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀霞平刚桂英"
OUT = Path(__file__).resolve().parents[3] / "test-results" / "elections"


def _names(n):
    return [SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i * 3 + 1) % len(GIVEN)] for i in range(n)]


def _election(world, n):
    people = [make_member(world, world.branch_a1, name).person for name in _names(n)]
    meeting = actions.create_meeting(actor=world.superuser, unit=world.branch_a1, kind="members_meeting",
                                     title="甲村团支部团员大会", term_number=3, held_on=datetime.date(2025, 3, 1))
    actions.add_attendees(actor=world.superuser, meeting=meeting, people=people)
    seats = max(1, math.floor(n / 1.2))
    return actions.create_election(actor=world.superuser, meeting=meeting, office="committee_member", seats=seats,
                                   candidates=people), seats


def _pdftotext(data: bytes, name: str) -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("count", [3, 12, 40])
def test_R7_12_ballot_lists_each_candidate_once_in_stroke_order(world, count):
    election, seats = _election(world, count)
    text = _pdftotext(documents.ballot_pdf(election), f"ballot-{count}")
    names = [c.name for c in election.candidates.all()]
    expected = rules.stroke_order(names)
    positions = []
    for name in expected:
        assert len(re.findall(name, text)) == 1, name
        positions.append(text.index(name))
    assert positions == sorted(positions)
    assert f"应选名额：{seats} 名" in text
    assert rules.VOID_RULE_TEXT in text.replace("\n", "").replace(" ", "")
    assert "另选他人姓名" in text  # the write-in table (its header repeats on a new page)


def test_result_sheet_pdf_and_docx_show_counts_winners_signatures_and_hash(world):
    election, seats = _election(world, 3)
    assert seats == 2
    tellers = []
    for name in ("监票甲", "计票乙"):
        person = make_member(world, world.branch_a1, name).person
        actions.add_attendees(actor=world.superuser, meeting=election.meeting, people=[person])
        tellers.append(actions.add_teller(actor=world.superuser, election=election, person=person,
                                          role="scrutineer" if name == "监票甲" else "counter"))
    actions.record_roll_call(actor=world.superuser, meeting=election.meeting,
                             present_person_ids=set(election.meeting.attendees.values_list("person_id", flat=True)))
    rnd = actions.start_counting(actor=world.superuser, election=election)
    actions.record_reconciliation(actor=world.superuser, round=rnd, issued=5, returned=5)
    a, b, c = [str(x.pk) for x in election.candidates.order_by("pk")]
    for n in range(1, 6):
        enter_twice(tellers, rnd, n, {a: "yes", c: "yes"} if n < 5 else {b: "yes"})
    actions.count_round(actor=world.superuser, round=rnd)
    election = actions.close_election(actor=world.superuser, election=election)
    text = _pdftotext(documents.result_pdf(election), "result")
    flat = text.replace(" ", "")
    winners = rules.stroke_order([election.candidates.get(pk=a).name, election.candidates.get(pk=c).name])
    assert f"{winners[0]}（4票）、{winners[1]}（4票）" in flat
    assert "应到5人，实到5人；发出选票5张，收回5张；有效5张，无效0张" in flat
    assert "监票人监票甲签字" in flat and "计票人计票乙签字" in flat
    assert election.result_hash in text.replace("\n", "").replace(" ", "")
    docx = docx_text(documents.result_docx(election))
    assert "甲村团支部团员大会选举委员计票结果报告单" in docx
    assert f"当选人（按姓氏笔画排列）：{winners[0]}（4 票）、{winners[1]}（4 票）" in docx
    assert "监票人 监票甲　　签字" in docx
    assert election.result_hash in docx
