"""Test and benchmark helpers for the members import: rows shaped like a 智慧团建 export (valid
ID numbers, join dates that satisfy R1.1, 发展团员编号 per R2.14) and workbooks written with
xlsxwriter."""

from __future__ import annotations

import datetime
import os

import xlsxwriter

from tuanwu.organisations.rules import add_years
from tuanwu.people.idcard import check_digit

# The columns of a national 智慧团建 member export (29), in its order and wording. The import
# recognises 16 of them; the others are listed as ignored.
NATIONAL_HEADERS = [
    "序号", "姓名", "性别", "证件类型", "身份证号码", "民族", "出生日期", "籍贯", "政治面貌", "入团年月",
    "团员编号", "团员证号", "所在团支部", "团籍状态", "学历", "职业", "手机号码", "电子邮箱", "户籍所在地",
    "现居住地", "工作单位", "团内职务", "是否为团干部", "报到状态", "注册状态", "离团日期", "离团原因",
    "最近一次交纳团费", "备注",
]
RECOGNISED = {"姓名", "性别", "身份证号码", "民族", "出生日期", "政治面貌", "入团年月", "团员编号", "团员证号",
              "所在团支部", "团籍状态", "学历", "职业", "手机号码", "离团日期", "离团原因"}

ETHNIC_MIX = ("汉族", "汉族", "汉族", "回族", "回族", "哈萨克族", "哈萨克族", "维吾尔族", "汉族", "蒙古族")
NAMES = ("王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴婷", "马建军", "马晓梅",
         "单雪", "曾强", "解放", "阿依古丽·吐尔逊", "叶尔兰·哈力木", "努尔兰•叶尔肯", "古丽娜尔・阿曼", "张三")
EDUCATION = ("高中", "本科", "大专", "初中", "中专")
OCCUPATION = ("农民", "学生", "企业职工", "个体", "机关事业单位人员")


def id_number(birth: datetime.date, seq: int, *, male: bool, region: str = "650121") -> str:
    """A valid ID number: ``seq`` (0–499) picks the sequence digits for that birth date."""
    third = (seq % 5) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{seq // 5:02d}{third}"
    return body + check_digit(body)


def member_row(i: int, *, branch: str, today: datetime.date, region: str = "650121") -> dict:
    """Row ``i`` of a synthetic export: a 团员 aged 17–25 who joined at 16 (unique ID, phone and
    development number per ``i`` for up to 1,500,000 rows)."""
    birth = datetime.date(today.year - 25, 1, 1) + datetime.timedelta(days=i % 3000)
    male = i % 2 == 0
    joined = min(add_years(birth, 16) + datetime.timedelta(days=i % 200), today)
    number = id_number(birth, (i // 3000) % 500, male=male, region=region)
    return {
        "序号": i + 1, "姓名": NAMES[i % len(NAMES)], "性别": "男" if male else "女", "证件类型": "居民身份证",
        "身份证号码": number, "民族": ETHNIC_MIX[i % len(ETHNIC_MIX)], "出生日期": birth, "籍贯": "新疆乌鲁木齐",
        "政治面貌": "共青团员", "入团年月": joined.strftime("%Y-%m-%d"), "团员编号": f"{joined.year}{i:08d}",
        "团员证号": f"{i % 100000000:08d}" if i % 3 == 0 else "", "所在团支部": branch, "团籍状态": "团员",
        "学历": EDUCATION[i % len(EDUCATION)], "职业": OCCUPATION[i % len(OCCUPATION)],
        "手机号码": f"139{i:08d}" if i % 10 else "", "电子邮箱": "", "户籍所在地": "新疆乌鲁木齐县",
        "现居住地": "乌鲁木齐县", "工作单位": "", "团内职务": "", "是否为团干部": "否", "报到状态": "已报到",
        "注册状态": "已注册", "离团日期": "", "离团原因": "", "最近一次交纳团费": "2024-06", "备注": "",
    }


def write_workbook(path: str | os.PathLike, rows: list[dict], headers: list[str] | None = None) -> str:
    """Write ``rows`` (dicts keyed by header) under ``headers`` (default: every key, first seen first)."""
    headers = headers or list(dict.fromkeys(key for row in rows for key in row))
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                               "default_date_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet("团员名册")
    for c, header in enumerate(headers):
        sheet.write_string(0, c, header)
    for r, row in enumerate(rows, start=1):
        for c, header in enumerate(headers):
            value = row.get(header, "")
            if value in ("", None):
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()))
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    workbook.close()
    return str(path)


# Membership life (issue 4): the route matrix's objects for its models (see life_testing.py).
def route_cases(world, model, permission):
    from .life_testing import route_cases as life_route_cases

    return life_route_cases(world, model, permission)


ROUTE_KWARGS = {"step": "talk", "fmt": "pdf"}
