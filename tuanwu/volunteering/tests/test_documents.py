"""The 推荐意见 and the 服务鉴定表 as .docx and PDF: every 公文 element with the right values, read
back through the .docx XML and pdftotext; A4 with the GB/T 9704 margins; the 公文 fonts named."""

import datetime
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from tuanwu.core import documents as docs
from tuanwu.core.rule_settings import set_rule
from tuanwu.volunteering import actions, documents
from tuanwu.volunteering.testing import make_cohort, make_eligible_volunteer

ON = datetime.date(2026, 5, 12)


@pytest.fixture
def recommendation(world):
    set_rule(actor=world.superuser, key="volunteers.document_prefix", raw_value="乌县团发", county=world.county,
             effective_from=datetime.date(2020, 1, 1), allow_past=True)
    volunteer = make_eligible_volunteer(world, make_cohort(world, year=2022), "王推荐")
    return actions.issue_recommendation(actor=world.superuser, county=world.county, volunteer=volunteer,
                                        channel="考核纳编", addressee="中共测试县委组织部", on=ON)


ELEMENTS = {
    "发文机关标志": "共青团测试县委员会文件",
    "发文字号": "乌县团发〔2026〕1号",
    "标题": "共青团测试县委员会关于推荐王推荐同志参加考核纳编的意见",
    "主送": "中共测试县委组织部：",
    "正文": "经研究，同意推荐王推荐同志参加考核纳编，请予以支持。",
    "落款": "共青团测试县委员会",
    "成文日期": "2026年5月12日",
}


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    # Content-stream order, line breaks removed: wrapped titles and table cells read as written.
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True)
    return re.sub(r"\s+", "", out.stdout)


def test_R9_6_recommendation_docx_has_every_gongwen_element(recommendation):
    data = documents.recommendation_docx(recommendation)
    text = docs.docx_text(data)
    lines = text.splitlines()
    for name, value in ELEMENTS.items():
        assert value in text, name
    # Order of the elements: mark, number, title, addressee, body …, signature, date.
    assert lines[:4] == [ELEMENTS["发文机关标志"], ELEMENTS["发文字号"], ELEMENTS["标题"], ELEMENTS["主送"]]
    assert lines[-2:] == [ELEMENTS["落款"], ELEMENTS["成文日期"]]
    xml = docs.docx_xml(data)
    assert 'w:eastAsia="方正小标宋简体"' in xml and 'w:eastAsia="仿宋_GB2312"' in xml
    # A4 (11906 × 16838 twips) with margins 37 / 26 / 35 / 28 mm (top, right, bottom, left).
    size = re.search(r'<w:pgSz w:w="(\d+)" w:h="(\d+)"', xml).groups()
    margins = dict(re.findall(r'w:(top|right|bottom|left)="(\d+)"', re.search(r"<w:pgMar[^>]*>", xml).group(0)))
    assert tuple(int(v) for v in size) == (11906, 16838)
    assert {k: round(int(v) * 25.4 / 1440) for k, v in margins.items()} == {"top": 37, "right": 26, "bottom": 35,
                                                                            "left": 28}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils 未安装")
def test_R9_6_recommendation_pdf_has_every_gongwen_element(recommendation, tmp_path):
    data = documents.recommendation_pdf(recommendation)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    for name, value in ELEMENTS.items():
        assert value in text, name
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "595.276 x 841.89 pts (A4)" in info
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True).stdout.decode()
    assert "Noto-Serif-CJK-SC" in fonts


def test_R9_4_appraisal_form_docx_and_pdf(world, tmp_path):
    volunteer = make_eligible_volunteer(world, make_cohort(world, year=2022), "李鉴定")
    data = documents.appraisal_docx(volunteer, "共青团测试县委员会", ON)
    text = docs.docx_text(data)
    for value in ("大学生志愿服务西部计划志愿者服务鉴定表", "李鉴定", "新疆大学", "汉语言文学", "乡村教育", "2022年",
                  "第1年年度考核：优秀", "第2年服务期满考核：优秀", "共青团测试县委员会（盖章）", "2026年5月12日"):
        assert value in text, value
    assert 'w:eastAsia="方正小标宋简体"' in docs.docx_xml(data)
    if shutil.which("pdftotext"):
        pdf = pdf_text(documents.appraisal_pdf(volunteer, "共青团测试县委员会", ON), tmp_path)
        for value in ("大学生志愿服务西部计划志愿者服务鉴定表", "李鉴定", "期满考核等次", "共青团测试县委员会", "2026年5月12日"):
            assert value in pdf, value


def test_documents_download_through_the_pages(world, recommendation, as_user):
    client = as_user(world.inspector)
    response = client.get(reverse("volunteering:recommendation_docx", args=[recommendation.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "%E4%B9%8C%E5%8E%BF%E5%9B%A2%E5%8F%91" in response["Content-Disposition"]  # 乌县团发
    response = client.get(reverse("volunteering:recommendation_pdf", args=[recommendation.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
