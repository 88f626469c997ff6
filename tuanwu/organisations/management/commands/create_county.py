"""Bootstrap a real deployment: the 团县委 (under its city and province committees) and its first
county administrator, whose initial password is printed once and must be changed at first login.
Everything else (townships, branches, secretaries' accounts) is then done in the UI or by import."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tuanwu.accounts.models import User
from tuanwu.core.context import origin
from tuanwu.core.errors import DomainError
from tuanwu.organisations import actions
from tuanwu.organisations.models import Role, Unit
from tuanwu.organisations.rules import Kind


def system_actor() -> User:
    # Unsaved: passes access checks, is audited as 系统, leaves no dormant superuser behind.
    return User(username="系统", full_name="初始化", is_superuser=True, is_active=True)


class Command(BaseCommand):
    help = "初始化：建立团县委（及其上级团市委、团省委）并开通第一个县级管理员账号。"

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="团县委名称，如 团乌鲁木齐县委")
        parser.add_argument("--division-code", default="", help="行政区划代码，如 650121")
        parser.add_argument("--city", default="", help="上级团市委名称（可选）")
        parser.add_argument("--province", default="", help="上级团省委名称（可选，需同时给出 --city）")
        parser.add_argument("--admin-username", required=True, help="县级管理员的登录名")
        parser.add_argument("--admin-name", required=True, help="县级管理员姓名")

    @transaction.atomic
    def handle(self, *args, name, division_code, city, province, admin_username, admin_name, **options):
        actor = system_actor()
        if province and not city:
            raise CommandError("给出 --province 时须同时给出 --city")
        if User.objects.filter(username=admin_username).exists():
            raise CommandError(f"用户名“{admin_username}”已被使用")
        try:
            with origin("command"):
                parent = None
                if province:
                    parent = self._find_or_create(actor, None, province, Kind.LEAGUE_PROVINCE)
                if city:
                    parent = self._find_or_create(actor, parent, city, Kind.LEAGUE_CITY)
                county = self._find_or_create(actor, parent, name, Kind.LEAGUE_COUNTY, division_code=division_code)
                user, password = actions.create_account(
                    actor=actor, unit=county, role=Role.COUNTY_ADMIN, username=admin_username, full_name=admin_name,
                )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"已建立“{county.name}”，县级管理员账号：{user.username}"))
        self.stdout.write(f"初始密码（只显示这一次，首次登录须修改）：{password}")

    def _find_or_create(self, actor, parent, name, kind, **fields):
        siblings = Unit.objects.get_children(parent) if parent else Unit.objects.filter(depth=1)
        existing = siblings.filter(name=name, kind=kind).first()
        if existing:
            return existing
        return actions.create_unit(actor=actor, parent=parent, name=name, kind=kind, **fields)
