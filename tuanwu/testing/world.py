"""The named test world: a small county tree and one user per role.

    团乌鲁木齐市委 (city)
    └─ 团测试县委 (county)                       ← county_admin: 县管理员
       ├─ 甲镇团委 (township, rural)              ← unit_admin: 甲镇书记
       │  ├─ 甲村团支部                           ← unit_admin: 甲村支书
       │  └─ 乙村团支部
       ├─ 乙镇团委 (sibling township)
       │  └─ 丙村团支部
       └─ 第一中学 (school)
          ├─ 第一中学团委
          │  └─ 高一(1)班团支部
          └─ 第一中学少先队大队                   ← counsellor: 辅导员
             └─ 一年级(1)中队
    中共测试县委 (party root)
    └─ 甲镇党委  (leads 甲镇团委)                 ← party_reviewer: 党委评审
    and an outsider with no grant, and an inspector (只读/巡察) on the county.

Each test says who may see what through these names.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest


@dataclass
class World:
    city: object
    county: object
    town_a: object
    branch_a1: object
    branch_a2: object
    town_b: object
    branch_b1: object
    school: object
    school_committee: object
    class_branch: object
    brigade: object
    squadron: object
    party_root: object
    party_town_a: object
    county_admin: object
    town_secretary: object
    branch_secretary: object
    counsellor: object
    party_reviewer: object
    inspector: object
    outsider: object
    superuser: object


PASSWORD = "test-pass-一二三-456"


def build_world() -> World:
    from tuanwu.accounts.models import User
    from tuanwu.organisations import actions
    from tuanwu.organisations.models import Role, Sector

    root = User.objects.create_superuser("root", password=PASSWORD, must_change_password=False)
    add = actions.create_unit
    city = add(actor=root, parent=None, name="团乌鲁木齐市委", kind="league_city")
    county = add(actor=root, parent=city, name="团测试县委", kind="league_county", division_code="650121")
    party_root = add(actor=root, parent=None, name="中共测试县委", kind="party_committee")
    party_town_a = add(actor=root, parent=party_root, name="甲镇党委", kind="party_committee")
    town_a = add(actor=root, parent=county, name="甲镇团委", kind="committee", sector=Sector.RURAL,
                 division_code="650121100", led_by=party_town_a)
    branch_a1 = add(actor=root, parent=town_a, name="甲村团支部", kind="branch", sector=Sector.RURAL)
    branch_a2 = add(actor=root, parent=town_a, name="乙村团支部", kind="branch", sector=Sector.RURAL)
    town_b = add(actor=root, parent=county, name="乙镇团委", kind="committee", sector=Sector.RURAL)
    branch_b1 = add(actor=root, parent=town_b, name="丙村团支部", kind="branch", sector=Sector.RURAL)
    school = add(actor=root, parent=county, name="第一中学", kind="school", sector=Sector.SCHOOL)
    school_committee = add(actor=root, parent=school, name="第一中学团委", kind="committee", sector=Sector.SCHOOL)
    class_branch = add(actor=root, parent=school_committee, name="高一(1)班团支部", kind="branch",
                       sector=Sector.SCHOOL, is_student=True)
    brigade = add(actor=root, parent=school, name="第一中学少先队大队", kind="pioneer_brigade", sector=Sector.SCHOOL)
    squadron = add(actor=root, parent=brigade, name="一年级(1)中队", kind="pioneer_squadron", sector=Sector.SCHOOL)

    def user(username, full_name):
        return User.objects.create_user(username, password=PASSWORD, full_name=full_name, must_change_password=False)

    start = datetime.date(2020, 1, 1)
    county_admin = user("county_admin", "县管理员")
    actions.grant_role(actor=root, user=county_admin, unit=county, role=Role.COUNTY_ADMIN, starts_on=start)
    town_secretary = user("town_secretary", "甲镇书记")
    actions.grant_role(actor=root, user=town_secretary, unit=town_a, role=Role.UNIT_ADMIN, starts_on=start)
    branch_secretary = user("branch_secretary", "甲村支书")
    actions.grant_role(actor=root, user=branch_secretary, unit=branch_a1, role=Role.UNIT_ADMIN, starts_on=start)
    counsellor = user("counsellor", "辅导员")
    actions.grant_role(actor=root, user=counsellor, unit=brigade, role=Role.COUNSELLOR, starts_on=start)
    party_reviewer = user("party_reviewer", "党委评审")
    actions.grant_role(actor=root, user=party_reviewer, unit=party_town_a, role=Role.PARTY_REVIEWER, starts_on=start)
    inspector = user("inspector", "巡察组")
    actions.grant_role(actor=root, user=inspector, unit=county, role=Role.INSPECTOR, starts_on=start)
    outsider = user("outsider", "无关人员")
    return World(
        city=city, county=county, town_a=town_a, branch_a1=branch_a1, branch_a2=branch_a2, town_b=town_b,
        branch_b1=branch_b1, school=school, school_committee=school_committee, class_branch=class_branch,
        brigade=brigade, squadron=squadron, party_root=party_root, party_town_a=party_town_a,
        county_admin=county_admin, town_secretary=town_secretary, branch_secretary=branch_secretary,
        counsellor=counsellor, party_reviewer=party_reviewer, inspector=inspector, outsider=outsider,
        superuser=root,
    )


@pytest.fixture
def world(db) -> World:
    w = build_world()
    # Reload units so tree bookkeeping (numchild) on the instances is current.
    for value in vars(w).values():
        if hasattr(value, "refresh_from_db"):
            value.refresh_from_db()
    return w


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def as_user(client):
    """``as_user(world.town_secretary)`` → a test client logged in as that user."""

    def make(user):
        from django.test import Client

        c = Client()
        c.force_login(user)
        return c

    return make
