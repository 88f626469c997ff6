"""Builds party_letter.docx, the docxtpl template of the 推优入党推荐意见 (committed beside this
script; run it again after changing the layout):

    .venv/bin/python tuanwu/membership/documents/build_party_letter.py

A 公文-style letter: title, number, addressee (the party organisation), a body that states the
member's particulars, the members' meeting and its counts on the 应到 base, the public notice,
and the committee's name and date, with the validity window.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from docx import Document  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.shared import Pt  # noqa: E402

from tuanwu.core.documents import BODY_FONT, SIZE_ER, SIZE_SAN, TITLE_FONT, set_gongwen_page, set_run_font  # noqa: E402

BODY = [
    "{{ name }}，{{ gender }}，{{ ethnicity }}，{{ birth }}出生，{{ joined }}加入中国共产主义青年团，"
    "现为{{ branch }}团员。",
    "经{{ branch }}支部委员会提出，{{ meeting_on }}召开团员大会，以无记名投票方式进行推优表决："
    "应到会有表决权的团员{{ due }}人，实到{{ present }}人；赞成{{ yes }}票，反对{{ no }}票，弃权{{ abstain }}票。"
    "赞成票超过应到会有表决权团员的半数，表决通过。",
    "{% if notice %}推优结果已于{{ notice }}进行公示，公示期间未收到异议。{% endif %}"
    "经{{ committee }}审查，同意{{ kind }}，特此推荐。",
    "本推荐意见有效期至{{ valid_until }}。",
]


def paragraph(document, text, *, font=BODY_FONT, size=SIZE_SAN, align=None, indent=True, bold=False):
    p = document.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.line_spacing = Pt(28.9)
    set_run_font(p.add_run(text), font, size, bold=bold)
    return p


def build(path: Path) -> None:
    document = Document()
    set_gongwen_page(document)
    paragraph(document, "推优入党推荐意见", font=TITLE_FONT, size=SIZE_ER, align=WD_ALIGN_PARAGRAPH.CENTER,
              indent=False, bold=True)
    paragraph(document, "{{ letter_number }}", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    paragraph(document, "{{ party_organisation }}：", indent=False)
    for text in BODY:
        paragraph(document, text)
    paragraph(document, "", indent=False)
    paragraph(document, "{{ committee }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    paragraph(document, "{{ reviewed_on }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    document.save(str(path))


if __name__ == "__main__":
    build(HERE / "party_letter.docx")
    print(HERE / "party_letter.docx")
