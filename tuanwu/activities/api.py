"""The JSON API for activities, attendance, QR check-in, study imports and statistics.

Scoped records load through the access layer (outside → 404, visible without permission → 403);
every write goes through an action, which checks access again and audits it.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from tuanwu.core.errors import DomainError
from tuanwu.core.middleware import client_ip
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.schemas import ERRORS, Day, Id, Pagination, text

from . import actions, checkin, queries
from .matching import Matcher
from .models import Activity, ActivityKind, Attendance, AttendanceStatus, AudienceLayer

API_PREFIX = "/activities"
router = Router()
ACTIVITIES, STUDY, STATS = ["活动"], ["青年大学习"], ["活动统计"]


def _ok(schema, status: int = 200) -> dict:
    return {status: schema, **ERRORS}


class ActivityOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    kind: ActivityKind
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    place: str
    audience_layer: str
    roster_on: datetime.date
    roster_count: int = Field(..., description="应到（活动当天名单）")
    present_roster: int = Field(..., description="名单内出席")
    present_other: int = Field(..., description="名单外出席")
    present_guests: int = Field(..., description="来宾")
    absent_count: int
    excused_count: int
    episode_id: int | None
    theme_id: int | None


class ActivityIn(Schema):
    unit_id: Id
    kind: Literal[tuple(k for k in ActivityKind.values if k not in ("youth_study", "pioneer_study"))]  # type: ignore
    title: text(200, min_length=1)
    starts_at: datetime.datetime = Field(..., description="开始时间（带时区，或按北京时间理解）")
    ends_at: datetime.datetime | None = None
    place: text(200) = ""
    content: text(5000) = ""
    audience_layer: AudienceLayer | Literal[""] = Field("", description="宣讲对象层级（仅宣讲必填）")


class AttendanceOut(Schema):
    id: int
    person_id: int | None
    name: str
    on_roster: bool
    status: AttendanceStatus


class MarkIn(Schema):
    attendance_id: Id
    status: AttendanceStatus


class MarksIn(Schema):
    marks: list[MarkIn] = Field(..., max_length=5000)


class ChangedOut(Schema):
    changed: int


class CheckinIn(Schema):
    name: text(60, min_length=1)
    last4: str = Field(..., pattern=r"^[0-9]{4}$", description="手机号后四位")


class CheckinOut(Schema):
    result: Literal["done", "already", "no_match", "expired", "limited"]
    message: str


class StudyRowIn(Schema):
    name: text(60, min_length=1)
    unit_path: text(300) = Field("", description="全国平台导出的组织层级，最后一级为团支部或中队")
    studied_on: Day
    last4: str = Field("", pattern=r"^([0-9]{4})?$")


class StudyImportIn(Schema):
    unit_id: Id
    rows: list[StudyRowIn] = Field(..., max_length=5000)
    confirm: bool = Field(False, description="false：只核对不写入；true：全部行都匹配时写入")


class StudyRowOut(Schema):
    row: int
    status: Literal["matched", "already", "ambiguous", "unmatched", "no_episode"]
    message: str


class StudyImportOut(Schema):
    rows: list[StudyRowOut]
    written: int
    confirmed: bool


class StatsOut(Schema):
    unit_id: int
    start: datetime.date
    end: datetime.date
    kind: str
    sessions: int
    person_times: int = Field(..., description="人次：出席记录数（含来宾）")
    persons: int = Field(..., description="人数：出席的不同人员")
    covered: int
    roster_persons: int
    coverage: str = Field(..., description="覆盖率：名单内至少出席一次的人数 ÷ 期间名单人数")
    attendance: str = Field(..., description="出勤率：出席 ÷（出席 + 缺席 + 请假）")
    completeness: str = Field(..., description="记录完整率：已记录 ÷ 名单")
    source: Literal["aggregate", "raw"]


@router.get("/activities", response=_ok(list[ActivityOut]), tags=ACTIVITIES, operation_id="list_activities",
            summary="活动列表", description="只列出您有权查看的活动，最近的在前。")
@paginate(Pagination)
@access.api_scoped(Activity, None, access.VIEW)
def list_activities(request, unit_id: Id | None = Query(None, description="只列出该组织及其下级的活动"),
                    kind: ActivityKind | None = Query(None, description="活动类型")):
    activities = queries.visible_activities(request.user)
    if unit_id is not None:
        unit = access.get_unit_or_404(request.user, unit_id)
        activities = activities.filter(unit__path__startswith=unit.path)
    if kind is not None:
        activities = activities.filter(kind=kind)
    return activities.order_by("-starts_at", "-pk")


@router.get("/activities/{activity_id}", response=_ok(ActivityOut), tags=ACTIVITIES, operation_id="get_activity",
            summary="活动详情")
@access.api_scoped(Activity, "activity_id", access.VIEW)
def get_activity(request, activity_id: Id):
    return request.scoped_object


@router.post("/activities", response=_ok(ActivityOut, 201), tags=ACTIVITIES, operation_id="create_activity",
             summary="登记活动", description="按活动当天的团籍生成应到名单。需要该组织的编辑权限。")
@access.api_scoped(Unit, None, access.CHANGE)
def create_activity(request, payload: ActivityIn):
    unit = access.get_unit_or_404(request.user, payload.unit_id, access.VIEW)
    if payload.ends_at is not None and payload.ends_at < payload.starts_at:
        raise DomainError("结束时间不能早于开始时间", field="ends_at")
    activity = actions.create_activity(
        actor=request.user, unit=unit, kind=payload.kind, title=payload.title, starts_at=payload.starts_at,
        ends_at=payload.ends_at, place=payload.place, content=payload.content,
        audience_layer=payload.audience_layer)
    return Status(201, Activity.objects.select_related("unit").get(pk=activity.pk))


@router.get("/activities/{activity_id}/attendance", response=_ok(list[AttendanceOut]), tags=ACTIVITIES,
            operation_id="list_attendance", summary="出勤名单", description="未满 14 周岁人员的记录只对有权限者列出。")
@access.api_scoped(Activity, "activity_id", access.VIEW)
def list_attendance(request, activity_id: Id):
    rows = access.visible_to(request.user, Attendance.objects.filter(activity=request.scoped_object))
    return [AttendanceOut(id=r.pk, person_id=r.person_id, name=r.person.name if r.person_id else r.guest_name,
                          on_roster=r.on_roster, status=r.status)
            for r in rows.select_related("person").order_by("-on_roster", "pk")]


@router.post("/activities/{activity_id}/attendance", response=_ok(ChangedOut), tags=ACTIVITIES,
             operation_id="mark_attendance", summary="批量记录出勤")
@access.api_scoped(Activity, "activity_id", access.CHANGE)
def mark_attendance(request, activity_id: Id, payload: MarksIn):
    activity = request.scoped_object
    visible = set(access.visible_to(request.user, Attendance.objects.filter(activity=activity))
                  .values_list("pk", flat=True))
    marks = {m.attendance_id: m.status for m in payload.marks}
    if not set(marks) <= visible:
        raise DomainError("名单中没有这些人员", field="marks")
    return {"changed": actions.mark_attendance(actor=request.user, activity=activity, marks=marks)}


@router.post("/checkin/{token}", response=_ok(CheckinOut), tags=ACTIVITIES, operation_id="check_in",
             summary="扫码签到（无需登录）", auth=None,
             description="姓名和手机号后四位与名单一致时签到；姓名不存在与号码不符的回答完全相同。限频。")
@access.api_public
def check_in(request: HttpRequest, token: text(300, min_length=1), payload: CheckinIn):
    found = checkin.read_token(token)
    if found is None:
        return {"result": "expired", "message": checkin.EXPIRED}
    if checkin.rate_limited(client_ip(request), found[0]):
        return {"result": "limited", "message": checkin.LIMITED}
    result = actions.check_in(activity_id=found[0], nonce=found[1], name=payload.name, last4=payload.last4)
    messages = {"done": checkin.DONE, "already": checkin.ALREADY, "no_match": checkin.NO_MATCH,
                "expired": checkin.EXPIRED}
    return {"result": result, "message": messages[result]}


@router.post("/study/import", response=_ok(StudyImportOut), tags=STUDY, operation_id="import_study",
             summary="导入青年大学习学习名单",
             description="先以 confirm=false 核对：逐行返回匹配结果，不写入。全部行都匹配（或已记录过）时，"
                         "confirm=true 才写入；有无法确定或未匹配的行时拒绝写入（422）。")
@access.api_scoped(Unit, None, access.IMPORT)
def import_study(request, payload: StudyImportIn):
    unit = access.get_unit_or_404(request.user, payload.unit_id, access.IMPORT)
    matcher = Matcher(request.user, unit)
    outcomes = [matcher.match(name=r.name, unit_path=r.unit_path, studied=r.studied_on, last4=r.last4)
                for r in payload.rows]
    rows = [StudyRowOut(row=i, status=o.status, message=o.message) for i, o in enumerate(outcomes, 1)]
    if not payload.confirm:
        return {"rows": rows, "written": 0, "confirmed": False}
    bad = [r for r in rows if r.status not in ("matched", "already")]
    if bad:
        raise DomainError(f"第 {bad[0].row} 行：{bad[0].message}（共 {len(bad)} 行需要处理，未写入）", field="rows")
    by_activity: dict[int, dict[int, str]] = {}
    for o in outcomes:
        if o.status == "matched":
            by_activity.setdefault(o.activity_id, {})[o.attendance_id] = AttendanceStatus.PRESENT
    written = 0
    for activity in Activity.objects.filter(pk__in=list(by_activity)).select_related("unit").order_by("pk"):
        written += actions.mark_attendance(actor=request.user, activity=activity, marks=by_activity[activity.pk],
                                           source="import")
    return {"rows": rows, "written": written, "confirmed": True}


@router.get("/stats", response=_ok(StatsOut), tags=STATS, operation_id="activity_stats", summary="活动统计",
            description="任一组织及其下级、任一时段、任一活动类型的场次、人次、人数和覆盖率。整月、整季、整年读汇总表，"
                        "其他时段由原始记录实时计算（source=raw）。")
@access.api_scoped(Unit, None, access.VIEW)
def activity_stats(request, unit_id: Id, start: Day = Query(..., description="开始日期"),
                   end: Day = Query(..., description="结束日期（含）"),
                   kind: ActivityKind | None = Query(None, description="活动类型，不填为全部")):
    unit = access.get_unit_or_404(request.user, unit_id)
    if end < start:
        raise DomainError("结束日期不能早于开始日期", field="end")
    result = queries.stats(unit, start, end, kind or "")
    return {"unit_id": unit.pk, "start": start, "end": end, "kind": kind or "", **result.as_dict()}
