"""Import kind “units”: organisations and their administrators' accounts into a subtree.

Each row is one unit. Its parent (上级组织) is a unit already in the importer's subtree or a unit
created by an earlier row of the same file, named by its name or by a path such as
“甲镇团委/甲村团支部”. A row may name an administrator: an account is created (initial password
shown once to the importer, changed at first login) and granted 组织管理员 on the new unit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tuanwu.accounts.actions import generate_initial_password
from tuanwu.accounts.models import User
from tuanwu.core import audit
from tuanwu.core import imports as pipeline
from tuanwu.core.errors import DomainError
from tuanwu.core.imports import BOOL, CHOICE, DATE, TEXT, Column, ImportContext, ImportSpec, Row
from tuanwu.core.models import ImportJob

from . import access, actions
from .models import Role, RoleGrant, Sector, Unit, UnitKind
from .rules import child_refusal

KIND = "units"
PHONE_RE = re.compile(r"^1\d{10}$")
DIVISION_RE = re.compile(r"^\d{6,12}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,30}$")
PATH_SPLIT_RE = re.compile(r"\s*[/\\>]\s*")

COLUMNS = [
    Column("name", "组织名称", TEXT, required=True, max_length=120,
           aliases=("单位名称", "团组织名称", "组织全称", "名称", "组织"),
           help="组织的全称，同一上级组织下不能重名", example=["甲村团支部", "乙村团支部", "丙村团支部"]),
    Column("kind", "组织类型", CHOICE, required=True, choices=tuple(UnitKind.choices),
           aliases=("类别", "组织类别", "类型", "组织类型名称"),
           choice_aliases=(("乡镇团委", "committee"), ("村团支部", "branch"), ("社区团支部", "branch"),
                           ("少先队", "pioneer_brigade"), ("大队", "pioneer_brigade"), ("中队", "pioneer_squadron")),
           help="须符合上级组织允许设立的下级类型（见 docs/tree.md）", example=["团支部", "团支部", "团支部"]),
    Column("parent", "上级组织", TEXT, required=True,
           aliases=("所属上级", "上级团组织", "上级组织名称", "所属组织", "隶属组织", "上级单位", "上级"),
           help="填本组织的上级组织名称；有重名时写路径，如“甲镇团委/甲村团支部”。可以是本表前面行新建的组织",
           example=["甲镇团委", "甲镇团委", "甲镇团委"]),
    Column("sector", "领域", CHOICE, choices=tuple(Sector.choices), aliases=("所属领域", "行业领域", "组织领域"),
           help="不填则沿用上级组织的领域", example=["农村", "农村", ""]),
    Column("division_code", "行政区划代码", TEXT, aliases=("区划代码", "行政区划", "区划编码"),
           help="6–12 位数字", example=["650121100201", "", ""]),
    Column("founded_on", "成立日期", DATE, aliases=("建立时间", "成立时间", "建立日期", "组建时间"),
           example=["2015-05-04", "2016/3/1", ""]),
    Column("is_student", "学生团支部", BOOL, aliases=("是否学生团支部",), example=["否", "否", ""]),
    Column("is_mobile", "流动团员团支部", BOOL, aliases=("是否流动团员团支部", "流动团支部"), example=["否", "否", ""]),
    Column("is_temporary", "临时团支部", BOOL, aliases=("是否临时团支部",), example=["否", "否", ""]),
    Column("admin_name", "管理员姓名", TEXT, max_length=60,
           aliases=("书记姓名", "联系人", "团组织书记", "书记", "管理员", "联系人姓名"),
           help="填写后为其创建账号并授予本组织的“组织管理员”角色", example=["张三", "李四", ""]),
    Column("admin_phone", "管理员手机号", TEXT, masked=True,
           aliases=("联系电话", "手机", "手机号", "手机号码", "书记手机号", "联系方式"),
           help="11 位手机号", example=["13800138000", "", ""]),
    Column("admin_username", "管理员用户名", TEXT,
           aliases=("用户名", "登录账号", "账号", "登录名"),
           help="英文字母、数字和 _ . - @，3–30 位；不填则自动生成（如 unit123）", example=["jiacun_zs", "", ""]),
]


@dataclass(eq=False)
class Node:
    """A possible parent: a unit in the importer's subtree, or a row earlier in the file."""

    name: str
    kind: str
    sector: str
    chain: tuple[str, ...]  # names from the tree's root down to this node
    unit: Unit | None = None
    row: Row | None = None
    closed: bool = False
    allowed: bool = True
    children: dict[str, int] = field(default_factory=dict)  # open child name → file row (0: in database)
    created: Unit | None = None


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def prepare(ctx: ImportContext) -> None:
    root: Unit = ctx.unit
    names = {u.path: u.name for u in root.ancestors_and_self().only("path", "name")}
    units = list(Unit.objects.filter(path__startswith=root.path).order_by("path"))
    for unit in units:
        names[unit.path] = unit.name
    step = Unit.steplen
    by_path: dict[str, Node] = {}
    by_name: dict[str, list[Node]] = {}
    for unit in units:
        chain = tuple(names[unit.path[:i]] for i in range(step, len(unit.path) + 1, step))
        node = Node(name=unit.name, kind=unit.kind, sector=unit.sector, chain=chain, unit=unit,
                    closed=not unit.is_open, allowed=access.can(ctx.actor, access.MANAGE_UNITS, unit))
        by_path[unit.path] = node
        by_name.setdefault(_norm(unit.name), []).append(node)
        parent = by_path.get(unit.path[:-step])
        if parent is not None and unit.is_open:
            parent.children[_norm(unit.name)] = 0
    ctx.state.update(by_name=by_name, usernames={}, root_depth=root.depth)


def _resolve_parent(ctx: ImportContext, text: str) -> tuple[Node | None, str | None]:
    parts = [p for p in PATH_SPLIT_RE.split(_norm(text)) if p]
    if not parts:
        return None, "请填写上级组织"
    candidates = [
        n for n in ctx.state["by_name"].get(parts[-1], [])
        if tuple(_norm(c) for c in n.chain[-len(parts):]) == tuple(parts)
    ]
    if not candidates:
        return None, f"上级组织“{text}”不在您的管理范围内或不存在"
    if len(candidates) > 1:
        example = "/".join(candidates[0].chain[-2:])
        return None, f"上级组织“{text}”有 {len(candidates)} 个同名组织，请写出路径，如“{example}”"
    node = candidates[0]
    if node.closed:
        return None, f"上级组织“{text}”已撤销"
    if not node.allowed:
        return None, f"上级组织“{text}”不在您的管理范围内或不存在"
    if node.row is not None and not node.row.ok:
        return None, f"上级组织“{text}”所在的第 {node.row.number} 行有错误，请先改正该行"
    return node, None


def validate_row(ctx: ImportContext, row: Row) -> None:
    v = row.values
    name = v.get("name")
    kind = v.get("kind")
    parent: Node | None = None
    if v.get("parent"):
        parent, problem = _resolve_parent(ctx, v["parent"])
        if problem:
            row.error("parent", problem)
    if parent is not None and kind:
        refusal = child_refusal(parent.kind, kind)
        if refusal:
            row.error("kind", refusal)
    if parent is not None and name:
        seen = parent.children.get(_norm(name))
        if seen == 0:
            row.error("name", f"“{parent.name}”下已有名为“{name}”的组织")
        elif seen:
            row.error("name", f"与第 {seen} 行重复：同一上级组织下不能有两个“{name}”")
    code = v.get("division_code")
    if code and not DIVISION_RE.match(code):
        row.error("division_code", "行政区划代码应为 6–12 位数字")

    admin_name, phone, username = v.get("admin_name"), v.get("admin_phone"), v.get("admin_username")
    if phone and not PHONE_RE.match(phone):
        row.error("admin_phone", "手机号应为以 1 开头的 11 位数字")
    if (phone or username) and not admin_name:
        row.error("admin_name", "填写了管理员手机号或用户名时，请填写管理员姓名")
    if admin_name and kind:
        refusal = access.role_refusal_for_unit(Role.UNIT_ADMIN, Unit(kind=kind))
        if refusal:
            row.error("admin_name", f"不能为{UnitKind(kind).label}设组织管理员：{refusal}")
    if username:
        key = username.lower()
        if not USERNAME_RE.match(username):
            row.error("admin_username", "用户名只能由英文字母、数字和 _ . - @ + 组成，长度 3–30 位")
        elif key in ctx.state["usernames"]:
            row.error("admin_username", f"用户名“{username}”与第 {ctx.state['usernames'][key]} 行重复")
        elif User.objects.filter(username__iexact=username).exists():
            row.error("admin_username", f"用户名“{username}”已被使用")
        ctx.state["usernames"].setdefault(key, row.number)

    sector = v.get("sector") or (parent.sector if parent is not None else "")
    row.extra.update(parent=parent, sector=sector)
    if name:
        # Later rows may hang under this one, even when it has errors (they then point at it).
        # With its parent unresolved, the row still answers to the path the user wrote for it.
        above = parent.chain if parent else tuple(p for p in PATH_SPLIT_RE.split(_norm(v.get("parent") or "")) if p)
        chain = (*above, name)
        node = Node(name=name, kind=kind or "", sector=sector, chain=chain, row=row)
        ctx.state["by_name"].setdefault(_norm(name), []).append(node)
        row.extra["node"] = node
        if parent is not None and _norm(name) not in parent.children:
            parent.children[_norm(name)] = row.number


def _unique_username(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate.lower() in taken or User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate.lower())
    return candidate


def commit(ctx: ImportContext, rows: list[Row]) -> dict:
    """Create the units in file order (parents first), then their administrators' accounts and
    grants. Runs inside the pipeline's transaction: any refusal undoes the whole file."""
    actor = ctx.actor
    today = timezone.localdate()
    taken = {r.values["admin_username"].lower() for r in rows if r.values.get("admin_username")}
    created_users: list[User] = []
    usernames: list[str] = []
    unit_ids: list[int] = []
    for i, row in enumerate(rows, start=1):
        v = row.values
        parent_node: Node = row.extra["parent"]
        parent = parent_node.unit if parent_node.unit is not None else parent_node.created
        unit = actions.create_unit(
            actor=actor, parent=parent, name=v["name"], kind=v["kind"], sector=row.extra["sector"] or "",
            division_code=v.get("division_code") or "", founded_on=v.get("founded_on"),
            is_student=bool(v.get("is_student")), is_mobile=bool(v.get("is_mobile")),
            is_temporary=bool(v.get("is_temporary")),
        )
        row.extra["node"].created = unit
        unit_ids.append(unit.pk)
        if v.get("admin_name"):
            username = v.get("admin_username") or _unique_username(f"unit{unit.pk}", taken)
            user = User(username=username, full_name=v["admin_name"], phone=v.get("admin_phone") or "",
                        must_change_password=True)
            # No password until the importer asks to see it: an initial password must never be
            # stored, and a background commit has nobody to show it to.
            user.set_unusable_password()
            user.save()
            created_users.append(user)
            usernames.append(username)
            actions.grant_role(actor=actor, user=user, unit=unit, role=Role.UNIT_ADMIN, starts_on=today,
                               note="导入创建")
        ctx.progress(i)
    if created_users:
        audit.record_many(actor=actor, action="新建账号（导入）",
                          items=[(u, None, audit.snapshot(u)) for u in created_users])
    return {
        "units": len(unit_ids), "accounts": len(usernames), "usernames": usernames,
        "first_unit_id": unit_ids[0] if unit_ids else None, "committed_by": getattr(actor, "pk", None),
        "secrets_issued": not usernames,
    }


@transaction.atomic
def issue_initial_passwords(job: ImportJob, actor) -> list[dict]:
    """Set and return the initial passwords of the accounts an import created — once.

    Only the person who committed the import may do this; the passwords are returned to be shown
    (and offered as a download) in that one response and are never stored.
    """
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    result = dict(job.result or {})
    if job.kind != KIND or job.status != ImportJob.Status.DONE:
        raise DomainError("该导入任务尚未完成")
    if result.get("committed_by") != getattr(actor, "pk", None):
        raise DomainError("只有执行导入的人可以查看初始密码")
    if result.get("secrets_issued"):
        raise DomainError("初始密码已经显示过一次，不能再次查看；如有遗失，请在账号管理中重置密码")
    users = list(User.objects.filter(username__in=result.get("usernames", []), must_change_password=True))
    users = [u for u in users if not u.has_usable_password()]
    units = dict(
        RoleGrant.objects.filter(user__in=users, role=Role.UNIT_ADMIN).values_list("user_id", "unit__name")
    )
    order = {name: i for i, name in enumerate(result.get("usernames", []))}
    issued = []
    for user in sorted(users, key=lambda u: order.get(u.username, 0)):
        password = generate_initial_password()
        user.set_password(password)
        user.save(update_fields=["password"])
        issued.append({"username": user.username, "full_name": user.full_name, "unit": units.get(user.pk, ""),
                       "password": password})
    if users:
        audit.record_many(actor=actor, action="生成初始密码",
                          items=[(u, None, {"must_change_password": True}) for u in users])
    result["secrets_issued"] = True
    job.result = result
    job.save(update_fields=["result"])
    return issued


def preview_row(ctx: ImportContext, row: Row) -> list:
    v = row.values
    parent: Node = row.extra["parent"]
    flags = [label for key, label in (("is_student", "学生"), ("is_mobile", "流动"), ("is_temporary", "临时"))
             if v.get(key)]
    username = v.get("admin_username") or ("自动生成" if v.get("admin_name") else "")
    # The parent's path from the importing unit down: the levels above are the same for every row.
    parent_path = " / ".join(parent.chain[ctx.state["root_depth"] - 1:]) if parent else ""
    return [
        row.number, v["name"], UnitKind(v["kind"]).label, parent_path,
        Sector(row.extra["sector"]).label if row.extra["sector"] else "", v.get("division_code") or "",
        v.get("founded_on"), "、".join(flags), v.get("admin_name") or "",
        audit.mask_value(v["admin_phone"]) if v.get("admin_phone") else "", username,
    ]


def summarise(ctx: ImportContext, rows: list[Row]) -> dict[str, int]:
    return {"新建组织": len(rows), "新建管理员账号": sum(1 for r in rows if r.values.get("admin_name"))}


def describe_result(result: dict) -> str:
    text = f"新建组织 {result.get('units', 0)} 个"
    return text + (f"，管理员账号 {result['accounts']} 个" if result.get("accounts") else "")


SPEC = pipeline.register(ImportSpec(
    describe_result=describe_result,
    kind=KIND,
    title="组织及管理员导入",
    description="把下级组织和各组织管理员（书记）的账号一次导入到本组织之下。",
    columns=COLUMNS,
    prepare=prepare,
    validate_row=validate_row,
    commit=commit,
    preview_headers=["行号", "组织名称", "组织类型", "上级组织", "领域", "行政区划代码", "成立日期", "标记",
                     "管理员", "手机号", "用户名"],
    preview_row=preview_row,
    summarise=summarise,
    issue_secrets=issue_initial_passwords,
    secret_headers=("组织", "姓名", "用户名", "初始密码"),
    instructions=(
        "5. 上级组织必须是您管理范围内已有的组织，或本表中排在前面的行新建的组织（先写上级，再写下级）。",
        "6. 填写管理员姓名的行会创建账号并授予该组织的“组织管理员”角色；导入完成后初始密码只显示一次，"
        "请当场下载或抄录并告知本人，首次登录须修改密码。",
    ),
))
