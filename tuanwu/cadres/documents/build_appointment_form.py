"""Builds appointment_form.docx, the docxtpl template of the 干部任免审批表 (committed beside
this script; run it again after changing the layout):

    .venv/bin/python tuanwu/cadres/documents/build_appointment_form.py

The layout follows the familiar 干部任免审批表: a title, a bordered table of the cadre's
particulars, the post to be held or left, a résumé of League posts, appraisal results, and the
boxes for the reporting unit's and the approving body's opinions, which are signed by hand.
Cells for facts the platform does not hold (籍贯, 健康状况 …) stay empty to be filled in by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from docx import Document  # noqa: E402
from docx.enum.table import WD_TABLE_ALIGNMENT  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.shared import Mm, Pt  # noqa: E402

from tuanwu.core.documents import BODY_FONT, HEADING_FONT, TITLE_FONT, set_gongwen_page, set_run_font  # noqa: E402

CELL_PT = 11


def cell(table, row, col, text, *, heading=False, span_to=None, align_center=True, height_mm=None):
    target = table.cell(row, col)
    if span_to is not None:
        target = target.merge(table.cell(row, span_to))
    paragraph = target.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if align_center else WD_ALIGN_PARAGRAPH.LEFT
    set_run_font(paragraph.add_run(text), HEADING_FONT if heading else BODY_FONT, CELL_PT)
    if height_mm:
        table.rows[row].height = Mm(height_mm)
    return target


def build(path: Path) -> None:
    document = Document()
    set_gongwen_page(document)
    # The form is denser than a 公文 body: narrower margins keep it on one page.
    for section in document.sections:
        section.top_margin, section.bottom_margin = Mm(20), Mm(18)
        section.left_margin, section.right_margin = Mm(22), Mm(20)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_run_font(title.add_run("干部任免审批表"), TITLE_FONT, 22, bold=True)
    sub = document.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_run_font(sub.add_run("{{ reporting_unit }}　　填表日期：{{ filled_on }}"), BODY_FONT, 10.5)

    table = document.add_table(rows=15, cols=6)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = [
        [("姓名", True), ("{{ name }}", False), ("性别", True), ("{{ gender }}", False), ("出生年月\n（岁）", True),
         ("{{ birth }}", False)],
        [("民族", True), ("{{ ethnicity }}", False), ("籍贯", True), ("", False), ("出生地", True), ("", False)],
        [("政治面貌", True), ("{{ political_status }}", False), ("参加工作\n时间", True), ("", False), ("健康状况", True),
         ("", False)],
        [("学历", True), ("{{ education }}", False), ("干部类型", True), ("{{ kind }}", False), ("编制", True),
         ("{{ establishment }}", False)],
    ]
    for r, values in enumerate(rows):
        for c, (text, heading) in enumerate(values):
            cell(table, r, c, text, heading=heading, height_mm=10)
    spans = [
        ("现任职务", "{{ current_posts }}", 12),
        ("拟任职务", "{{ to_appoint }}", 12),
        ("拟免职务", "{{ to_remove }}", 12),
        ("派出单位", "{{ home_employer }}", 10),
        ("任职文件", "{{ appointing_document }}", 10),
        ("简历", "{{ resume }}", 45),
        ("年度考核\n结果", "{{ appraisals }}", 14),
        ("培训情况", "{{ training }}", 12),
        ("任免理由", "", 16),
        ("呈报单位\n意见", "\n\n\n（盖章）　　　　年　　月　　日", 24),
        ("审批机关\n意见", "\n\n\n（盖章）　　　　年　　月　　日", 24),
    ]
    for offset, (label, value, height) in enumerate(spans, start=len(rows)):
        cell(table, offset, 0, label, heading=True, height_mm=height)
        cell(table, offset, 1, value, span_to=5, align_center=False)
    widths = [Mm(22), Mm(32), Mm(22), Mm(32), Mm(22), Mm(38)]
    for row in table.rows:
        for i, w in enumerate(widths):
            row.cells[i].width = w
    note = document.add_paragraph()
    set_run_font(note.add_run("注：本表由团务平台依据团内职务记录生成；空白栏目请手工填写。{{ sample_mark }}"), BODY_FONT, 9)
    note.paragraph_format.space_before = Pt(4)
    document.save(str(path))


if __name__ == "__main__":
    build(HERE / "appointment_form.docx")
    print(HERE / "appointment_form.docx")
