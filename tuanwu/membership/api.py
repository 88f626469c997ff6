"""The JSON API of League membership: a membership with its history, status changes (R1.2 with
R1.1, R1.3, R1.4, R2.14 checked by the actions) and moves between branches.

Records load through the access layer (a minor's record is hidden without ``minor.view``); every
write is an action in ``actions.py``, which checks access again and audits it.
"""

from __future__ import annotations

import datetime

from ninja import Field, Router, Schema

from tuanwu.organisations import access
from tuanwu.organisations.schemas import ERRORS, Day, Id, text

from . import actions
from .models import Membership, MembershipEvent, Status

API_PREFIX = "/membership"
router = Router()

TAGS = ["团籍"]


def _ok(schema, status: int = 200) -> dict:
    return {status: schema, **ERRORS}


class MembershipEventOut(Schema):
    id: int
    kind: str = Field(..., description="registered=登记；status=状态变更；move=转移团支部；numbers=编号更正")
    kind_label: str
    on: datetime.date = Field(..., description="日期")
    from_status: str
    to_status: str
    from_branch_id: int | None = None
    to_branch_id: int | None = None
    reason: str
    document: str
    actor_label: str = Field(..., description="经办人")

    @staticmethod
    def resolve_kind_label(obj: MembershipEvent) -> str:
        return obj.get_kind_display()


class MembershipOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(..., description="姓名")
    status: str = Field(..., description="团籍状态代码：" + "；".join(f"{v}={label}" for v, label in Status.choices))
    status_label: str
    status_since: datetime.date
    branch_id: int = Field(..., description="所在团支部 ID")
    branch_name: str
    joined_on: datetime.date | None = None
    development_number: str
    member_card_number: str
    exit_on: datetime.date | None = None
    exit_reason: str
    events: list[MembershipEventOut] = Field(..., description="团籍记录（最近的在前）")

    @staticmethod
    def resolve_person_name(obj: Membership) -> str:
        return obj.person.name

    @staticmethod
    def resolve_status_label(obj: Membership) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_branch_name(obj: Membership) -> str:
        return obj.branch.name

    @staticmethod
    def resolve_events(obj: Membership) -> list:
        return list(obj.events.all())


class MembershipStatusIn(Schema):
    to_status: Status = Field(..., description="新状态代码")
    on: Day = Field(..., description="变更日期（不晚于今天）")
    reason: text(300) = Field("", description="原因（离团必填）")
    document: text(200) = Field("", description="依据文件")
    joined_on: Day | None = Field(None, description="入团时间（发展对象转为团员时；默认为变更日期）")
    development_number: text(12) | None = Field(None, description="发展团员编号（转为团员时）")
    member_card_number: text(8) | None = Field(None, description="团员证号（转为团员时）")


class MembershipMoveIn(Schema):
    to_branch_id: Id = Field(..., description="转入的团支部 ID（须在您的管理范围内）")
    on: Day = Field(..., description="转移日期")
    reason: text(300) = Field("", description="原因")
    document: text(200) = Field("", description="依据文件")


def _load(membership: Membership) -> Membership:
    return Membership.objects.select_related("person", "branch").get(pk=membership.pk)


@router.get("/memberships/{membership_id}", response=_ok(MembershipOut), tags=TAGS, operation_id="get_membership",
            summary="团籍及其记录")
@access.api_scoped(Membership, "membership_id", access.VIEW)
def get_membership(request, membership_id: Id):
    return _load(request.scoped_object)


@router.post("/memberships/{membership_id}/status", response=_ok(MembershipOut), tags=TAGS,
             operation_id="change_membership_status", summary="变更团籍状态",
             description="按规定的状态流转办理；转为团员时检查入团年龄和发展团员编号，超龄离团检查 28 周岁与团内职务，"
                         "离团须填写原因。")
@access.api_scoped(Membership, "membership_id", access.CHANGE)
def change_membership_status(request, membership_id: Id, payload: MembershipStatusIn):
    membership = actions.change_status(
        actor=request.user, membership=request.scoped_object, to_status=payload.to_status, on=payload.on,
        reason=payload.reason, document=payload.document, joined_on=payload.joined_on,
        development_number=payload.development_number, member_card_number=payload.member_card_number,
    )
    return _load(membership)


@router.post("/memberships/{membership_id}/move", response=_ok(MembershipOut), tags=TAGS,
             operation_id="move_membership", summary="转移团支部",
             description="在您的管理范围内转到另一个团支部；跨县转接另行办理。")
@access.api_scoped(Membership, "membership_id", access.CHANGE)
def move_membership(request, membership_id: Id, payload: MembershipMoveIn):
    to_branch = access.get_unit_or_404(request.user, payload.to_branch_id, access.VIEW)
    membership = actions.move_branch(actor=request.user, membership=request.scoped_object, to_branch=to_branch,
                                     on=payload.on, reason=payload.reason, document=payload.document)
    return _load(membership)


# Membership life (issue 4): development, review, registration, 推优入党, dues, transfers, exits.
from .api_life import router as _life_router  # noqa: E402

router.add_router("", _life_router)
