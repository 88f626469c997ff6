"""The JSON API of the registry: persons (masked; an audited reveal), post holdings, the members
import (upload, status with preview or errors, commit) and the person list export.

Every operation declares its access; scoped records load through the access layer (a minor's
record is hidden from anyone without ``minor.view``) and every write goes through an action that
checks access again and audits it. ID and phone numbers leave only masked, except through the
reveal operation and the full-number export (both need ``pii.reveal`` and are audited).
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import Http404
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from tuanwu.core import exports as core_exports
from tuanwu.core import imports
from tuanwu.core.errors import DomainError
from tuanwu.core.models import ImportJob
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.schemas import ERRORS, Day, Id, Pagination, text

from . import actions, queries
from .exports import person_list_response
from .models import ETHNICITY_CHOICES, HowObtained, Person, Position, PostHolding

API_PREFIX = "/people"
router = Router()

PERSONS, POSTS, IMPORTS = ["人员"], ["团内职务"], ["团员导入"]
MEMBERS_IMPORT = "members"


def _ok(schema, status: int = 200) -> dict:
    return {status: schema, **ERRORS}


# ---------------------------------------------------------------------------------------------
# Schemas


class MembershipBrief(Schema):
    id: int
    status: str = Field(..., description="团籍状态代码")
    status_label: str = Field(..., description="团籍状态")
    status_since: datetime.date = Field(..., description="状态起始日期")
    branch_id: int = Field(..., description="所在团支部 ID")
    joined_on: datetime.date | None = Field(None, description="入团时间")
    development_number: str = Field(..., description="发展团员编号")
    member_card_number: str = Field(..., description="团员证号")
    exit_on: datetime.date | None = Field(None, description="离团日期")
    exit_reason: str = Field(..., description="离团原因")


class PersonOut(Schema):
    id: int
    name: str = Field(..., description="姓名")
    gender: str = Field(..., description="性别代码：male=男；female=女")
    gender_label: str = Field(..., description="性别")
    ethnicity: str = Field(..., description="民族")
    birth_date: datetime.date = Field(..., description="出生日期")
    age: int = Field(..., description="年龄（周岁）")
    id_number_masked: str = Field(..., description="身份证号码（脱敏）")
    phone_masked: str = Field(..., description="手机号码（脱敏）")
    student_number: str = Field(..., description="学籍号")
    unit_id: int = Field(..., description="所在组织 ID")
    unit_name: str = Field(..., description="所在组织")
    political_status: str = Field(..., description="政治面貌代码")
    political_status_label: str = Field(..., description="政治面貌")
    education: str = Field(..., description="学历代码")
    occupation: str = Field(..., description="职业类别代码")
    is_minor: bool = Field(..., description="未满 14 周岁（未成年人记录）")
    is_sample: bool = Field(..., description="示例数据")
    membership: MembershipBrief | None = Field(None, description="团籍（无团籍记录时为空）")


    @staticmethod
    def resolve_gender_label(obj: Person) -> str:
        return obj.get_gender_display()

    @staticmethod
    def resolve_age(obj: Person) -> int:
        return obj.age

    @staticmethod
    def resolve_id_number_masked(obj: Person) -> str:
        return obj.masked_id_number

    @staticmethod
    def resolve_phone_masked(obj: Person) -> str:
        return obj.masked_phone

    @staticmethod
    def resolve_unit_name(obj: Person) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_political_status_label(obj: Person) -> str:
        return obj.get_political_status_display()

    @staticmethod
    def resolve_is_minor(obj: Person) -> bool:
        return obj.is_minor()

    @staticmethod
    def resolve_membership(obj: Person):
        membership = getattr(obj, "membership", None) if hasattr(obj, "membership") else None
        if membership is None:
            return None
        return {
            "id": membership.pk, "status": membership.status, "status_label": membership.get_status_display(),
            "status_since": membership.status_since, "branch_id": membership.branch_id,
            "joined_on": membership.joined_on, "development_number": membership.development_number,
            "member_card_number": membership.member_card_number, "exit_on": membership.exit_on,
            "exit_reason": membership.exit_reason,
        }


class RevealIn(Schema):
    field: Literal["id_number", "phone", "guardian_phone"] = Field(
        ..., description="要查看的字段：id_number=身份证号码；phone=手机号码；guardian_phone=监护人电话")


class RevealOut(Schema):
    field: str
    value: str = Field(..., description="完整号码（未登记时为空）；本次查看已记入操作日志")


class PostHoldingOut(Schema):
    id: int
    person_id: int
    unit_id: int = Field(..., description="任职组织 ID")
    unit_name: str = Field(..., description="任职组织")
    position: str = Field(..., description="职务代码")
    position_label: str = Field(..., description="职务")
    started_on: datetime.date = Field(..., description="任职日期")
    ended_on: datetime.date | None = Field(None, description="离任日期")
    how_obtained: str = Field(..., description="产生方式代码")
    document: str = Field(..., description="依据文件")
    note: str = Field(..., description="备注")

    @staticmethod
    def resolve_unit_name(obj: PostHolding) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_position_label(obj: PostHolding) -> str:
        return obj.get_position_display()


def _labels(choices) -> str:
    return "；".join(f"{value}={label}" for value, label in choices.choices)


class PostHoldingIn(Schema):
    unit_id: Id = Field(..., description="任职组织 ID（团组织）")
    position: Position = Field(..., description="职务：" + _labels(Position))
    started_on: Day = Field(..., description="任职日期")
    how_obtained: HowObtained = Field(..., description="产生方式：" + _labels(HowObtained))
    ended_on: Day | None = Field(None, description="离任日期")
    document: text(200) = Field("", description="依据文件")
    note: text(300) = Field("", description="备注")


class PostHoldingEndIn(Schema):
    ended_on: Day = Field(..., description="离任日期")
    note: text(300) = Field("", description="备注")


class ImportErrorOut(Schema):
    row: int = Field(..., description="Excel 行号（0 表示整个文件）")
    column: str = Field(..., description="出错的列（文件中的列名）")
    letter: str = Field(..., description="列号字母")
    message: str = Field(..., description="问题说明（身份证号码已脱敏）")


class ImportJobOut(Schema):
    id: int
    kind: str
    unit_id: int = Field(..., description="导入到的组织 ID")
    status: str = Field(..., description="uploaded/checking/invalid/ready/committing/done/failed")
    status_label: str
    original_name: str = Field(..., description="上传的文件名")
    total_rows: int
    processed_rows: int
    ignored_columns: list[str] = Field(..., description="未识别而被忽略的列")
    errors: list[ImportErrorOut] = Field(..., description="全部错误（有错误时不会写入任何数据）")
    preview: dict = Field(..., description="预览：headers、rows（前 20 行，号码脱敏）、counts")
    result: dict = Field(..., description="导入结果（计数）")


def job_out(job: ImportJob) -> dict:
    return {
        "id": job.pk, "kind": job.kind, "unit_id": job.unit_id, "status": job.status,
        "status_label": job.get_status_display(), "original_name": job.original_name, "total_rows": job.total_rows,
        "processed_rows": job.processed_rows, "ignored_columns": list(job.ignored_columns or []),
        "errors": list(job.errors or []), "preview": dict(job.preview or {}) if isinstance(job.preview, dict) else {},
        "result": dict(job.result or {}),
    }


SortKey = Literal["name", "-name", "age", "-age", "unit", "-unit", "created"]
GenderCode = Literal["male", "female"]


def _filters(user, *, q, status, unit_id, age_min, age_max, gender, ethnicity, sort) -> queries.PersonFilters:
    unit = access.get_unit_or_404(user, unit_id, access.VIEW) if unit_id is not None else None
    if ethnicity and ethnicity not in {e for e, _ in ETHNICITY_CHOICES}:
        raise DomainError("民族取值无效", field="ethnicity")
    if age_min is not None and age_max is not None and age_max < age_min:
        raise DomainError("年龄上限不能小于下限", field="age_max")
    return queries.PersonFilters(q=(q or "").strip(), status=status or "", unit=unit, age_min=age_min,
                                 age_max=age_max, gender=gender or "", ethnicity=ethnicity or "", sort=sort)


# ---------------------------------------------------------------------------------------------
# Persons

FILTER_DOCS = {
    "q": "姓名、拼音或首字母（zs 查张三）、身份证或手机号后 4 位、完整手机号或身份证号",
    "status": "团籍状态代码；none 表示无团籍记录",
}


@router.get("/persons/export", tags=PERSONS, operation_id="export_persons", summary="导出人员名单（Excel）",
            response=ERRORS,
            description="筛选条件同人员列表。身份证号码和手机号码默认脱敏；full=true 导出完整号码，须有“查看完整个人信息”"
                        "权限，只含有该权限范围内的人员，每条记录记入操作日志。",
            openapi_extra={"responses": {200: {"description": "Excel 文件", "content": {
                core_exports.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}})
@access.api_scoped(Person, None, access.EXPORT)
def export_persons(
    request,
    q: text(60) | None = Query(None, description=FILTER_DOCS["q"]),
    status: text(30) | None = Query(None, description=FILTER_DOCS["status"]),
    unit_id: Id | None = Query(None, description="只含该组织及其下级"),
    age_min: int | None = Query(None, ge=0, le=120, description="年龄下限（周岁）"),
    age_max: int | None = Query(None, ge=0, le=120, description="年龄上限（周岁）"),
    gender: GenderCode | None = Query(None, description="性别"),
    ethnicity: text(10) | None = Query(None, description="民族"),
    sort: SortKey = Query("name", description="排序"),
    full: bool = Query(False, description="导出完整号码（须有权限，逐条审计）"),
):
    filters = _filters(request.user, q=q, status=status, unit_id=unit_id, age_min=age_min, age_max=age_max,
                       gender=gender, ethnicity=ethnicity, sort=sort)
    return person_list_response(actor=request.user, filters=filters, full=full)


@router.get("/persons", response=_ok(list[PersonOut]), tags=PERSONS, operation_id="list_persons", summary="人员列表",
            description="只列出您有权查看的人员（未满 14 周岁的少先队员仅对少先队辅导员和县级管理员可见）；号码脱敏。")
@paginate(Pagination)
@access.api_scoped(Person, None, access.VIEW)
def list_persons(
    request,
    q: text(60) | None = Query(None, description=FILTER_DOCS["q"]),
    status: text(30) | None = Query(None, description=FILTER_DOCS["status"]),
    unit_id: Id | None = Query(None, description="只列出该组织及其下级的人员"),
    age_min: int | None = Query(None, ge=0, le=120, description="年龄下限（周岁）"),
    age_max: int | None = Query(None, ge=0, le=120, description="年龄上限（周岁）"),
    gender: GenderCode | None = Query(None, description="性别"),
    ethnicity: text(10) | None = Query(None, description="民族"),
    sort: SortKey = Query("name", description="排序"),
):
    filters = _filters(request.user, q=q, status=status, unit_id=unit_id, age_min=age_min, age_max=age_max,
                       gender=gender, ethnicity=ethnicity, sort=sort)
    return queries.people_for(request.user, filters)


@router.get("/persons/{person_id}", response=_ok(PersonOut), tags=PERSONS, operation_id="get_person",
            summary="人员详情（号码脱敏）")
@access.api_scoped(Person, "person_id", access.VIEW)
def get_person(request, person_id: Id):
    return request.scoped_object


@router.post("/persons/{person_id}/reveal", response=_ok(RevealOut), tags=PERSONS, operation_id="reveal_person_field",
             summary="查看完整号码（记入操作日志）", description="须有该人员所在组织的“查看完整个人信息”权限。")
@access.api_scoped(Person, "person_id", access.REVEAL_PII)
def reveal_person_field(request, person_id: Id, payload: RevealIn):
    value = actions.reveal_personal_data(actor=request.user, person=request.scoped_object, field=payload.field)
    return {"field": payload.field, "value": value}


# ---------------------------------------------------------------------------------------------
# Post holdings


@router.get("/persons/{person_id}/posts", response=_ok(list[PostHoldingOut]), tags=POSTS, operation_id="list_person_posts",
            summary="人员的团内职务（含已离任）")
@access.api_scoped(Person, "person_id", access.VIEW)
def list_person_posts(request, person_id: Id):
    holdings = access.visible_to(request.user, request.scoped_object.post_holdings.select_related("unit"))
    return list(holdings)


@router.post("/persons/{person_id}/posts", response=_ok(PostHoldingOut, 201), tags=POSTS, operation_id="add_post_holding",
             summary="登记团内职务", description="须能查看该人员，并有任职组织的编辑权限。")
@access.api_scoped(Person, "person_id", access.VIEW)
def add_post_holding(request, person_id: Id, payload: PostHoldingIn):
    unit = access.get_unit_or_404(request.user, payload.unit_id, access.VIEW)
    holding = actions.add_post_holding(
        actor=request.user, person=request.scoped_object, unit=unit, position=payload.position,
        started_on=payload.started_on, how_obtained=payload.how_obtained, ended_on=payload.ended_on,
        document=payload.document, note=payload.note,
    )
    return Status(201, holding)


@router.post("/posts/{holding_id}/end", response=_ok(PostHoldingOut), tags=POSTS, operation_id="end_post_holding",
             summary="登记离任", description="职务记录保留；须有任职组织的编辑权限。")
@access.api_scoped(PostHolding, "holding_id", access.CHANGE)
def end_post_holding(request, holding_id: Id, payload: PostHoldingEndIn):
    holding = actions.end_post_holding(actor=request.user, holding=request.scoped_object, ended_on=payload.ended_on,
                                       note=payload.note)
    return holding


# ---------------------------------------------------------------------------------------------
# The members import


def _members_job(request) -> ImportJob:
    job = request.scoped_object
    if job.kind != MEMBERS_IMPORT:
        raise Http404("未找到，或您无权查看")
    return job


@router.post("/imports", response=_ok(ImportJobOut, 201), tags=IMPORTS, operation_id="upload_members_import",
             summary="上传团员名册（校验）",
             description="上传 .xlsx/.xls/.ods/.csv 文件（可直接使用智慧团建导出的名册）到 unit_id 组织之下。"
                         "逐行校验：有任何错误时状态为 invalid 并列出全部错误，不写入数据；无误时状态为 ready 并给出预览。"
                         "超过 500 行的文件在后台校验，请轮询任务状态。")
@access.api_scoped(Unit, None, access.IMPORT)
def upload_members_import(request, unit_id: Form[Id], file: File[UploadedFile]):
    unit = access.get_unit_or_404(request.user, unit_id, access.IMPORT)
    if not unit.is_open:
        raise DomainError(f"“{unit.name}”已撤销，不能导入", field="unit_id")
    try:
        job = imports.save_upload(actor=request.user, unit=unit, kind=MEMBERS_IMPORT, uploaded_file=file)
    except imports.ImportFileError as exc:
        raise DomainError(exc.message, field="file") from None
    job = imports.start_check(job)
    return Status(201, job_out(job))


@router.get("/imports/{job_id}", response=_ok(ImportJobOut), tags=IMPORTS, operation_id="get_members_import",
            summary="导入任务状态、错误与预览")
@access.api_scoped(ImportJob, "job_id", access.IMPORT)
def get_members_import(request, job_id: Id):
    return job_out(_members_job(request))


@router.post("/imports/{job_id}/commit", response=_ok(ImportJobOut), tags=IMPORTS, operation_id="commit_members_import",
             summary="确认导入（全部写入或全部不写）",
             description="只能确认状态为 ready 的任务；写入前再次逐行校验，全部在一个事务中完成。大文件在后台写入。")
@access.api_scoped(ImportJob, "job_id", access.IMPORT)
def commit_members_import(request, job_id: Id):
    job = imports.start_commit(_members_job(request), request.user)
    return job_out(job)

