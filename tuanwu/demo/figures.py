"""The demo county's figures, read through the same access layer and registries the pages use.

``make demo-check`` loads the demo into a fresh database and prints one line per figure. Later
issues append their figures (members, activities, volunteers …) to :func:`figures`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef

from tuanwu.accounts.models import User
from tuanwu.core import todos
from tuanwu.core.models import AuditEvent
from tuanwu.organisations import access
from tuanwu.organisations.models import Sector, Term, Unit
from tuanwu.organisations.rules import KIND_LABELS, Kind

from . import data


@dataclass(frozen=True)
class Figure:
    label: str
    expected: str
    actual: str
    ok: bool

    def line(self) -> str:
        mark = "✓" if self.ok else "✗"
        return f"{mark} {self.label}：期望 {self.expected}，实际 {self.actual}"


def _text(value) -> str:
    if isinstance(value, list | tuple):
        return "、".join(map(str, value)) or "（无）"
    return str(value)


def _exactly(label: str, expected, actual) -> Figure:
    return Figure(label, _text(expected), _text(actual), expected == actual)


def _at_least(label: str, minimum: int, actual: int) -> Figure:
    return Figure(label, f"≥ {minimum}", str(actual), actual >= minimum)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_sample=True).first()


def figures() -> list[Figure]:
    """Every figure the demo must reproduce. Missing data yields ✗ lines, never an exception."""
    admin = _user("admin")
    results: list[Figure] = []
    if admin is None:
        return [Figure("示例县级管理员账号 admin", "存在", "不存在", False)]
    units = access.visible_units(admin).filter(closed_on__isnull=True)
    county = units.filter(kind=Kind.LEAGUE_COUNTY).first()
    results.append(_exactly("县级管理员可见的团县委", data.COUNTY_NAME, county.name if county else "无"))
    if county is None:
        return results

    townships = units.filter(kind=Kind.COMMITTEE, sector=Sector.RURAL, depth=county.depth + 1)
    results.append(_exactly("乡镇团委（农村领域，直属团县委）", 6, townships.count()))
    results.append(_exactly("乡镇区划代码已核实的（水西沟镇、萨尔达坂乡）", 2,
                            townships.filter(division_code_confirmed=True).count()))
    schools = units.filter(kind=Kind.SCHOOL)
    brigade = Unit.objects.filter(kind=Kind.PIONEER_BRIGADE, path__startswith=OuterRef("path"))
    results.append(_exactly("学校", 12, schools.count()))
    results.append(_exactly("设有少先队大队的学校", 12, schools.filter(Exists(brigade)).count()))
    results.append(_at_least("团支部", 100, units.filter(kind=Kind.BRANCH).count()))
    results.append(_at_least("学生团支部", 20, units.filter(kind=Kind.BRANCH, is_student=True).count()))
    results.append(_exactly("县级管理员可见范围内未标记示例数据的组织", 0, units.filter(is_sample=False).count()))

    term = Term.objects.filter(unit=county, number=data.COUNTY_TERM_NUMBER).first()
    results.append(_exactly(
        "团县委第十四届任期", f"{data.COUNTY_TERM_START} 至 {data.COUNTY_TERM_END}（代表大会选举）",
        f"{term.started_on} 至 {term.planned_end_on}（{term.get_how_elected_display()}）" if term else "无",
    ))
    results.append(_exactly("团县委在任届次", data.COUNTY_TERM_NUMBER,
                            county.terms.filter(ended_on__isnull=True).values_list("number", flat=True).first()))

    items = todos.alerts_for(admin)
    due = [i for i in items if i.kind == "换届提醒" and i.severity == "warning"]
    overdue = [i for i in items if i.kind == "换届提醒" and i.severity == "danger"]
    missing = sorted(i.unit_name for i in items if i.kind == "缺少管理员")
    results.append(_at_least("县级管理员待办：半年内到期的换届提醒", 1, len(due)))
    results.append(_exactly("县级管理员待办：已届满未换届的乡镇团委", ["永丰镇团委"],
                            sorted(i.unit_name for i in overdue if i.unit_name.endswith("镇团委") or
                                   i.unit_name.endswith("乡团委"))))
    results.append(_exactly("县级管理员待办：缺少管理员的组织", sorted(n for _, n in data.UNADMINISTERED_BRANCHES),
                            missing))

    results.extend(_scope_figures(county))

    sample_units = Unit.objects.filter(is_sample=True).count()
    audited = AuditEvent.objects.filter(action="新建组织", object_type="organisations.Unit").count()
    results.append(_exactly("每个示例组织都有“新建组织”审计记录", sample_units, audited))

    from . import registry

    for part in registry.parts():
        results.extend(part.figures())
    return results


def _scope_figures(county: Unit) -> list[Figure]:
    """Who sees what: the demo accounts' scopes through the access layer."""
    results: list[Figure] = []
    county_units = county.subtree().count()
    checks: list[tuple[str, str, Callable[[User], Figure]]] = [
        ("admin", "县级管理员", lambda u: _exactly("县级管理员可见组织数 = 全县组织数", county_units,
                                                 access.visible_units(u).count())),
        ("inspector", "只读/巡察", lambda u: _exactly("巡察可见但不可修改：可修改的组织数", 0,
                                                   access.visible_units(u, access.CHANGE).count())),
    ]
    for username, _, check in checks:
        user = _user(username)
        results.append(check(user) if user else Figure(f"示例账号 {username}", "存在", "不存在", False))

    shuixigou = _user("shuixigou")
    town = Unit.objects.filter(name="水西沟镇团委", is_sample=True).first()
    if shuixigou and town:
        visible = access.visible_units(shuixigou)
        results.append(_exactly("shuixigou 可见组织 = 水西沟镇团委的下级树", town.subtree().count(), visible.count()))
        results.append(_exactly("shuixigou 看不到板房沟镇团委", 0, visible.filter(name="板房沟镇团委").count()))
    party = _user("party")
    if party and town:
        results.append(_exactly("党组织评审 party 可见水西沟镇团委", True,
                                access.visible_units(party).filter(pk=town.pk).exists()))
    counsellor = _user("counsellor")
    brigade = Unit.objects.filter(name="水西沟镇中心学校少先队大队", is_sample=True).first()
    if counsellor and brigade:
        results.append(_exactly("辅导员 counsellor 有未成年人查看权限的组织（大队+中队）", brigade.subtree().count(),
                                access.visible_units(counsellor, access.VIEW_MINOR).count()))
    accounts_ok = sum(1 for u in User.objects.filter(username__in=[a[0] for a in data.FEATURED_ACCOUNTS])
                      if u.check_password(data.DEMO_PASSWORD) and u.is_active and not u.must_change_password)
    results.append(_exactly("可用示例密码登录的角色示例账号", len(data.FEATURED_ACCOUNTS), accounts_ok))
    return results


def counts_by_kind(user) -> list[tuple[str, int]]:
    """Informational: the user's visible units by kind, as the tree page counts them."""
    rows = dict(access.visible_units(user).order_by().values_list("kind").annotate(n=Count("id")))
    return [(label, rows[kind]) for kind, label in KIND_LABELS.items() if kind in rows]
