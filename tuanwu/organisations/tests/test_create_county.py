"""Bootstrapping a real county from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tuanwu.accounts.models import User
from tuanwu.core.models import AuditEvent
from tuanwu.organisations.models import RoleGrant, Unit


@pytest.mark.django_db
def test_create_county_builds_the_chain_and_a_county_admin_who_must_change_the_password():
    out = io.StringIO()
    call_command("create_county", name="团某某县委", division_code="650122", city="团某某市委", province="团某某区委",
                 admin_username="county1", admin_name="王某", stdout=out)
    county = Unit.objects.get(name="团某某县委")
    assert [u.name for u in county.ancestors_and_self()] == ["团某某区委", "团某某市委", "团某某县委"]
    grant = RoleGrant.objects.get(user__username="county1")
    assert (grant.unit, grant.role) == (county, "county_admin")
    password = out.getvalue().strip().splitlines()[-1].split("：")[-1]
    user = User.objects.get(username="county1")
    assert user.must_change_password and user.check_password(password)
    assert AuditEvent.objects.filter(action="新建组织").count() == 3
    response = Client().post("/accounts/login/", {"username": "county1", "password": password})
    assert response.status_code == 302


@pytest.mark.django_db
def test_create_county_reuses_existing_parents_and_refuses_a_taken_username():
    call_command("create_county", name="团甲县委", city="团某市委", admin_username="adm1", admin_name="甲",
                 stdout=io.StringIO())
    call_command("create_county", name="团乙县委", city="团某市委", admin_username="adm2", admin_name="乙",
                 stdout=io.StringIO())
    assert Unit.objects.filter(name="团某市委").count() == 1
    count = Unit.objects.count()
    with pytest.raises(CommandError, match="用户名“adm1”已被使用"):
        call_command("create_county", name="团丙县委", city="团某市委", admin_username="adm1", admin_name="丙",
                     stdout=io.StringIO())
    assert Unit.objects.count() == count
