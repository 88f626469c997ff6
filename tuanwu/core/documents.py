"""Generated documents: Word (.docx via docxtpl) and PDF (via WeasyPrint), in 公文 layout.

The API is deliberately small:

- :func:`render_docx` ``(template_path, context) -> bytes``: fill a docxtpl template (Jinja tags
  inside the .docx) and return the file;
- :func:`html_to_pdf` ``(html, base_url=None) -> bytes``: render HTML (with its own CSS) to PDF;
- :func:`docx_text` ``(data) -> str``: the document's visible text (tests and checks read it);
- 公文 helpers (GB/T 9704-2012): :data:`GONGWEN_MARGINS_MM`, :data:`TITLE_FONT`, :data:`BODY_FONT`,
  :func:`document_number` (发文字号), :func:`chinese_date` (成文日期), :func:`gongwen_css` (the
  page and type rules for HTML rendered to PDF), and :func:`set_gongwen_page` /
  :func:`set_run_font` for building .docx templates with python-docx.

Fonts: 公文 names 方正小标宋简体 for titles and 仿宋_GB2312 for the body. Word documents name
those fonts (the reader's machine substitutes if they are missing); the PDF lists them first and
falls back to the installed Noto Serif CJK SC (Debian ``fonts-noto-cjk``), so it renders here.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

# GB/T 9704-2012 §5.2.1: top 37 mm, bottom 35 mm, binding (left) 28 mm, right 26 mm on A4,
# which leaves the standard 156 × 225 mm text block.
GONGWEN_MARGINS_MM = {"top": 37, "right": 26, "bottom": 35, "left": 28}
A4_MM = (210, 297)

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
# What the PDF falls back to when the 公文 fonts are not installed.
FALLBACK_SERIF = "Noto Serif CJK SC"
FALLBACK_SANS = "Noto Sans CJK SC"

# Sizes in points: 二号 22 pt (title, 发文机关标志 is larger), 三号 16 pt (body).
SIZE_ER = 22
SIZE_SAN = 16
SIZE_ISSUER = 30

GONGWEN_RED = "C00000"


def render_docx(template_path: str | Path, context: dict) -> bytes:
    """Fill the docxtpl template at ``template_path`` with ``context``; return the .docx bytes."""
    from docxtpl import DocxTemplate

    template = DocxTemplate(str(template_path))
    template.render(context, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def docx_text(data: bytes) -> str:
    """The text of a .docx (paragraphs and table cells in document order), one paragraph a line."""
    import re

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    lines = ["".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in paragraphs]
    return "\n".join(line for line in lines if line)


def docx_xml(data: bytes, part: str = "word/document.xml") -> str:
    """One XML part of a .docx, for checks on layout (margins, fonts)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(part).decode("utf-8")


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render an HTML document (it carries its own CSS, see :func:`gongwen_css`) to PDF bytes."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url or str(Path.cwd())).write_pdf()


def gongwen_css() -> str:
    """CSS for 公文 pages: A4, GB/T 9704 margins, the 公文 fonts with the Noto fallback."""
    m = GONGWEN_MARGINS_MM
    return f"""
@page {{ size: A4; margin: {m['top']}mm {m['right']}mm {m['bottom']}mm {m['left']}mm;
  @bottom-center {{ content: "— " counter(page) " —"; font-family: "{BODY_FONT}", "{FALLBACK_SERIF}", serif;
    font-size: 14pt; }} }}
body {{ font-family: "{BODY_FONT}", "FangSong", "{FALLBACK_SERIF}", serif; font-size: {SIZE_SAN}pt;
  line-height: 28.9pt; color: #000; margin: 0; }}
.issuer {{ font-family: "{TITLE_FONT}", "{FALLBACK_SERIF}", serif; font-weight: 700; color: #{GONGWEN_RED};
  font-size: {SIZE_ISSUER}pt; text-align: center; letter-spacing: 2pt; margin: 10mm 0 8mm; line-height: 1.2; }}
.doc-number {{ text-align: center; margin: 0; }}
.red-rule {{ border: 0; border-top: 2px solid #{GONGWEN_RED}; margin: 4mm 0 10mm; }}
h1.title {{ font-family: "{TITLE_FONT}", "{FALLBACK_SERIF}", serif; font-weight: 700; font-size: {SIZE_ER}pt;
  text-align: center; line-height: 1.45; margin: 0 0 8mm; }}
.addressee {{ margin: 0; }}
.body p {{ text-indent: 2em; margin: 0; text-align: justify; }}
.signature {{ margin-top: 14mm; text-align: right; padding-right: 4em; }}
.signature p {{ margin: 0; }}
table.form {{ width: 100%; border-collapse: collapse; font-size: 12pt; line-height: 1.6; }}
table.form th, table.form td {{ border: 1px solid #000; padding: 2mm 2mm; vertical-align: top; }}
table.form th {{ font-family: "{HEADING_FONT}", "{FALLBACK_SANS}", sans-serif; font-weight: 400; width: 18%;
  text-align: center; vertical-align: middle; }}
table.form td.tall {{ height: 38mm; }}
"""


def document_number(prefix: str, year: int, number: int) -> str:
    """发文字号 per GB/T 9704: 机关代字 + 〔年份〕 + 序号 + 号, e.g. 乌县团发〔2026〕12号."""
    return f"{prefix}〔{year}〕{number}号"


def chinese_date(day: datetime.date) -> str:
    """成文日期 in Arabic numerals, as GB/T 9704-2012 §7.3.5.3 requires: 2026年5月12日."""
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------------------------------------
# Building .docx templates (python-docx); used by the scripts that generate committed templates.


def set_gongwen_page(document) -> None:
    """A4 with the GB/T 9704 margins on every section of a python-docx ``Document``."""
    from docx.shared import Mm

    for section in document.sections:
        section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
        section.top_margin = Mm(GONGWEN_MARGINS_MM["top"])
        section.bottom_margin = Mm(GONGWEN_MARGINS_MM["bottom"])
        section.left_margin = Mm(GONGWEN_MARGINS_MM["left"])
        section.right_margin = Mm(GONGWEN_MARGINS_MM["right"])


def set_run_font(run, name: str, size_pt: float | None = None, *, bold: bool = False, color: str | None = None):
    """Name ``name`` for both Latin and East Asian text of a python-docx run (Word reads
    w:eastAsia for Chinese characters, so setting ``run.font.name`` alone is not enough)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = name
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    if size_pt is not None:
        run.font.size = Pt(size_pt)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run
