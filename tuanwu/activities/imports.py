"""Import kind ``study_participation``: the participation list of 青年大学习 / 红领巾爱学习 as
exported by the national platform (name, organisation chain, study time), through the core
pipeline. Every row must match exactly one member on the roster of the episode of that week
(matching.py); ambiguous and unmatched rows are listed with the reason, row by row, in the
preview and in the bad-rows workbook, and nothing changes until the corrected file is confirmed.
"""

from __future__ import annotations

from collections import Counter

from tuanwu.core import imports
from tuanwu.core.imports import TEXT, Column, ImportContext, ImportSpec, Row

from . import actions
from .matching import Matcher, parse_time
from .models import Activity, AttendanceStatus


def prepare(ctx: ImportContext) -> None:
    ctx.state["matcher"] = Matcher(ctx.actor, ctx.unit)
    ctx.state["seen"] = {}


def validate_row(ctx: ImportContext, row: Row) -> None:
    v = row.values
    outcome = ctx.state["matcher"].match(name=v.get("name") or "", unit_path=v.get("unit_path") or "",
                                         studied=parse_time(v.get("studied_at")), last4=v.get("last4") or "")
    if outcome.status == "no_episode":
        row.error("studied_at", outcome.message)
        return
    if outcome.status in ("unmatched", "ambiguous"):
        row.error("name", ("无法确定：" if outcome.status == "ambiguous" else "未匹配：") + outcome.message)
        return
    first = ctx.state["seen"].setdefault(outcome.attendance_id, row.number)
    if first != row.number:
        row.error("name", f"与第 {first} 行是同一人同一期，请删除重复行")
        return
    row.extra["attendance_id"] = outcome.attendance_id
    row.extra["activity_id"] = outcome.activity_id
    row.extra["already"] = outcome.status == "already"


def commit(ctx: ImportContext, rows: list[Row]) -> dict:
    by_activity: dict[int, dict[int, str]] = {}
    for row in rows:
        if not row.extra["already"]:
            by_activity.setdefault(row.extra["activity_id"], {})[row.extra["attendance_id"]] = AttendanceStatus.PRESENT
    changed = 0
    done = 0
    for activity in Activity.objects.filter(pk__in=list(by_activity)).select_related("unit").order_by("pk"):
        changed += actions.mark_attendance(actor=ctx.actor, activity=activity, marks=by_activity[activity.pk],
                                           source="import")
        done += len(by_activity[activity.pk])
        ctx.progress(done)
    return {"recorded": changed, "already": sum(1 for r in rows if r.extra["already"])}


def summarise(ctx: ImportContext, rows: list[Row]) -> dict[str, int]:
    counts = Counter("已记录过（不重复计算）" if r.extra.get("already") else "新记录学习" for r in rows if r.ok)
    return dict(counts)


def preview_row(ctx: ImportContext, row: Row) -> list:
    v = row.values
    return [v.get("name") or "", v.get("unit_path") or "", str(v.get("studied_at") or ""),
            "已记录过" if row.extra.get("already") else "将记为已学习"]


def describe_result(result: dict) -> str:
    text = f"新记录学习 {result.get('recorded', 0)} 人次"
    return text + (f"，{result['already']} 人次此前已记录（不重复计算）" if result.get("already") else "")


imports.register(ImportSpec(
    describe_result=describe_result,
    kind="study_participation",
    title="青年大学习（红领巾爱学习）学习名单导入",
    description="从全国平台导出的学习名单：按学习时间对应当周的期次，按组织和姓名对应当期名单中的团员（队员）。",
    columns=[
        Column("name", "姓名", TEXT, required=True, aliases=("学员姓名", "学习者", "用户姓名"), max_length=60,
               example="王小明"),
        Column("unit_path", "所在组织", TEXT, required=True,
               aliases=("组织", "所属组织", "团组织", "单位", "组织名称", "所在团支部", "所在中队", "组织全称"),
               max_length=300, example="团测试县委-甲镇团委-甲村团支部",
               help="全国平台导出的组织层级，最后一级应为团支部（或少先队中队）名称"),
        Column("studied_at", "学习时间", TEXT, required=True, aliases=("时间", "学习日期", "完成时间", "参学时间"),
               max_length=40, example="2023-03-06 20:15", help="按学习时间所在周对应期次"),
        Column("last4", "手机号后四位", TEXT, aliases=("手机尾号", "手机后四位"), max_length=4, masked=True,
               help="有同名团员时用于区分"),
    ],
    prepare=prepare, validate_row=validate_row, commit=commit, summarise=summarise,
    preview_headers=["姓名", "所在组织", "学习时间", "处理"], preview_row=preview_row,
    instructions=("5. 同一人同一期只记一次；已记录过的行不会重复计算。",
                  "6. 找不到或有同名的行会逐行列出原因：核对后修改文件（同名时填写手机号后四位）再上传。"),
))
