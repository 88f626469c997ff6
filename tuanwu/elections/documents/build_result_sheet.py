"""Builds result_sheet.docx, the docxtpl template of an election's 计票结果报告单 (committed beside
this script; run it again after changing the layout):

    .venv/bin/python tuanwu/elections/documents/build_result_sheet.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from docx import Document  # noqa: E402
from docx.enum.table import WD_TABLE_ALIGNMENT  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.shared import Mm  # noqa: E402

from tuanwu.core.documents import BODY_FONT, HEADING_FONT, TITLE_FONT, set_gongwen_page, set_run_font  # noqa: E402

PT = 11


def para(document, text, font=BODY_FONT, size=PT, *, center=False, bold=False):
    p = document.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_run_font(p.add_run(text), font, size, bold=bold)
    return p


def build(path: Path) -> None:
    document = Document()
    set_gongwen_page(document)
    for section in document.sections:
        section.top_margin, section.bottom_margin = Mm(22), Mm(20)
        section.left_margin, section.right_margin = Mm(22), Mm(20)
    para(document, "{{ title }}", TITLE_FONT, 18, center=True, bold=True)
    para(document, "组织：{{ unit }}　　日期：{{ held_on }}　　应选名额：{{ seats }} 名　　当选基数：{{ threshold }}")
    para(document, "{%p for line in summary %}")
    para(document, "{{ line }}")
    para(document, "{%p endfor %}")
    table = document.add_table(rows=3, cols=6)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    headings = ["轮次", "姓名（按姓氏笔画）", "赞成", "反对", "弃权", "结果"]
    for i, text in enumerate(headings):
        set_run_font(table.cell(0, i).paragraphs[0].add_run(text), HEADING_FONT, PT)
    set_run_font(table.cell(1, 0).paragraphs[0].add_run("{%tr for r in rows %}"), BODY_FONT, PT)
    values = ["{{ r.round }}", "{{ r.name }}", "{{ r.yes }}", "{{ r.no }}", "{{ r.abstain }}", "{{ r.elected }}"]
    for i, text in enumerate(values):
        set_run_font(table.cell(2, i).paragraphs[0].add_run(text), BODY_FONT, PT)
    row = table.add_row()
    set_run_font(row.cells[0].paragraphs[0].add_run("{%tr endfor %}"), BODY_FONT, PT)
    para(document, "当选人（{{ winner_order }}）：{{ winners }}", HEADING_FONT, 12)
    para(document, "选举状态：{{ status }}")
    para(document, "监票人、计票人签字：", HEADING_FONT, 12)
    para(document, "{%p for t in tellers %}")
    para(document, "{{ t.role }} {{ t.name }}　　签字：____________________")
    para(document, "{%p endfor %}")
    para(document, "结果哈希（SHA-256）：{{ result_hash }}", BODY_FONT, 9)
    document.save(str(path))


if __name__ == "__main__":
    build(HERE / "result_sheet.docx")
    print(HERE / "result_sheet.docx")
