"""Request and response shapes of the JSON API (units, terms, grants) and the pieces every API
router shares: the error body, bounded dates, text without NUL characters, pagination."""

import datetime
from typing import Annotated, Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.utils import timezone
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import StringConstraints

from .models import Role, Sector, Term, Unit, UnitKind

# ---------------------------------------------------------------------------------------------
# Shared pieces

# PostgreSQL refuses NUL in text, so the schema says so (and the fuzzer never sends one).
NO_NUL = r"^[^\x00]*$"


def text(max_length: int, *, min_length: int = 0, pattern: str = NO_NUL):
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length, pattern=pattern)]


# Dates outside this window are typing mistakes; bounding them also keeps date arithmetic
# (planned term ends, years added) inside what Python and PostgreSQL can represent.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)
Day = Annotated[datetime.date, Field(ge=EARLIEST, le=LATEST)]

# Primary keys are PostgreSQL bigints; larger numbers cannot name anything.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class ErrorOut(Schema):
    detail: str = Field(..., description="错误说明（中文）")
    field: str | None = Field(None, description="出错的字段（如有）")
    errors: list[dict[str, Any]] | None = Field(None, description="逐项校验错误（仅 422 校验失败时）")


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
"""Every operation may answer with these: unreadable body, not signed in, forbidden, hidden or
absent, invalid or refused."""


class Pagination(PageNumberPagination):
    """Page-number pagination with bounded inputs (an unbounded page number overflows OFFSET)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000, description="页码，从 1 开始")
        page_size: int | None = Field(None, ge=1, le=200, description="每页条数（默认 50，最多 200）")

    def __init__(self, **kwargs):
        super().__init__(page_size=50, max_page_size=200, **kwargs)


def _labels(choices) -> str:
    return "；".join(f"{value}={label}" for value, label in choices.choices)


# ---------------------------------------------------------------------------------------------
# Units


def with_parent_id(queryset: QuerySet[Unit]) -> QuerySet[Unit]:
    """Annotate ``parent_pk``: the parent's path is the unit's path minus one step, so this is
    one indexed lookup per row inside the same query (no query per unit)."""
    parent = Unit.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Unit.steplen)
    ).values("pk")[:1]
    return queryset.annotate(parent_pk=Subquery(parent))


class UnitOut(Schema):
    id: int
    name: str = Field(..., description="名称")
    kind: UnitKind = Field(..., description="类型代码：" + _labels(UnitKind))
    kind_label: str = Field(..., description="类型名称")
    sector: Sector | None = Field(None, description="领域代码：" + _labels(Sector))
    sector_label: str | None = Field(None, description="领域名称")
    parent_id: int | None = Field(None, description="上级组织 ID（顶层组织为空）")
    depth: int = Field(..., description="层级，顶层为 1")
    children_count: int = Field(..., description="直接下级组织数（含已撤销）")
    division_code: str = Field(..., description="行政区划代码")
    division_code_confirmed: bool = Field(..., description="区划代码已核实")
    founded_on: datetime.date | None = Field(None, description="成立日期")
    is_student: bool = Field(..., description="学生团支部")
    is_mobile: bool = Field(..., description="流动团员团支部")
    is_temporary: bool = Field(..., description="临时团支部")
    led_by_id: int | None = Field(None, description="上级党组织 ID")
    is_open: bool = Field(..., description="未撤销")
    closed_on: datetime.date | None = Field(None, description="撤销日期")
    closed_reason: str = Field(..., description="撤销原因")
    is_sample: bool = Field(..., description="示例数据")

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_sector(obj: Unit) -> str | None:
        return obj.sector or None

    @staticmethod
    def resolve_sector_label(obj: Unit) -> str | None:
        return obj.get_sector_display() if obj.sector else None

    @staticmethod
    def resolve_parent_id(obj: Unit) -> int | None:
        if hasattr(obj, "parent_pk"):
            return obj.parent_pk
        parent = Unit.objects.get_parent(obj)
        return parent.pk if parent else None

    @staticmethod
    def resolve_children_count(obj: Unit) -> int:
        return obj.numchild


class UnitCreateIn(Schema):
    parent_id: Id = Field(..., description="上级组织 ID")
    name: text(120, min_length=1) = Field(..., description="名称")
    kind: UnitKind = Field(..., description="类型代码：" + _labels(UnitKind))
    sector: Sector | None = Field(None, description="领域代码")
    division_code: text(12, pattern=r"^(?:[0-9]{6,12})?$") = Field("", description="行政区划代码（6–12 位数字）")
    division_code_confirmed: bool = Field(True, description="区划代码已核实")
    founded_on: Day | None = Field(None, description="成立日期")
    is_student: bool = Field(False, description="学生团支部")
    is_mobile: bool = Field(False, description="流动团员团支部")
    is_temporary: bool = Field(False, description="临时团支部")
    led_by_id: Id | None = Field(None, description="上级党组织 ID")


class UnitUpdateIn(Schema):
    """Only the fields sent are changed."""

    name: text(120, min_length=1) | None = Field(None, description="名称")
    kind: UnitKind | None = Field(None, description="类型代码")
    sector: Sector | None = Field(None, description="领域代码（null 表示清空）")
    division_code: text(12, pattern=r"^(?:[0-9]{6,12})?$") | None = Field(None, description="行政区划代码")
    division_code_confirmed: bool | None = Field(None, description="区划代码已核实")
    founded_on: Day | None = Field(None, description="成立日期（null 表示清空）")
    is_student: bool | None = Field(None, description="学生团支部")
    is_mobile: bool | None = Field(None, description="流动团员团支部")
    is_temporary: bool | None = Field(None, description="临时团支部")
    led_by_id: Id | None = Field(None, description="上级党组织 ID（null 表示清空）")


class UnitMoveIn(Schema):
    new_parent_id: Id = Field(..., description="新的上级组织 ID；整个下级组织树随之移动")


class UnitCloseIn(Schema):
    closed_on: Day = Field(..., description="撤销日期")
    reason: text(200, min_length=1) = Field(..., description="撤销原因")


# ---------------------------------------------------------------------------------------------
# Terms


class TermOut(Schema):
    id: int
    unit_id: int
    number: int = Field(..., description="届次")
    started_on: datetime.date = Field(..., description="任期开始")
    planned_end_on: datetime.date = Field(..., description="应届满日期")
    ended_on: datetime.date | None = Field(None, description="实际结束")
    is_current: bool = Field(..., description="当前届")
    how_elected: Term.HowElected = Field(..., description="产生方式代码：" + _labels(Term.HowElected))
    how_elected_label: str = Field(..., description="产生方式")
    note: str = Field(..., description="备注")

    @staticmethod
    def resolve_is_current(obj: Term) -> bool:
        return obj.ended_on is None

    @staticmethod
    def resolve_how_elected_label(obj: Term) -> str:
        return obj.get_how_elected_display()


class TermIn(Schema):
    number: int | None = Field(None, ge=1, le=999, description="届次（留空则在上一届基础上加 1）")
    started_on: Day = Field(..., description="任期开始")
    planned_end_on: Day | None = Field(None, description="应届满日期（留空则按本县任期年限规则计算）")
    how_elected: Term.HowElected = Field(..., description="产生方式代码")
    note: text(300) = Field("", description="备注")


# ---------------------------------------------------------------------------------------------
# Grants


class GrantOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(..., description="组织名称")
    user_id: int
    username: str = Field(..., description="用户名")
    user_full_name: str = Field(..., description="姓名")
    role: Role = Field(..., description="角色代码：" + _labels(Role))
    role_label: str = Field(..., description="角色名称")
    starts_on: datetime.date = Field(..., description="开始日期")
    ends_on: datetime.date | None = Field(None, description="结束日期（含当日）")
    is_active: bool = Field(..., description="今天有效")
    granted_by: str | None = Field(None, description="授权人用户名")
    note: str = Field(..., description="备注")

    @staticmethod
    def resolve_unit_name(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username

    @staticmethod
    def resolve_user_full_name(obj) -> str:
        return obj.user.full_name

    @staticmethod
    def resolve_role_label(obj) -> str:
        return obj.get_role_display()

    @staticmethod
    def resolve_is_active(obj) -> bool:
        return obj.is_active_on(timezone.localdate())

    @staticmethod
    def resolve_granted_by(obj) -> str | None:
        return obj.granted_by.username if obj.granted_by_id else None


class GrantIn(Schema):
    username: text(150, min_length=1) = Field(..., description="被授权用户的用户名")
    role: Role = Field(..., description="角色代码：" + _labels(Role))
    starts_on: Day | None = Field(None, description="开始日期（默认今天）")
    ends_on: Day | None = Field(None, description="结束日期（留空表示长期）")
    note: text(200) = Field("", description="备注")


class GrantEndIn(Schema):
    ends_on: Day | None = Field(None, description="结束日期（默认今天）")
