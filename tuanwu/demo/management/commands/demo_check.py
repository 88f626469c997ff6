"""python manage.py demo_check: load the demo into a fresh database and check its figures.

The database is ``<name>_demo_check`` beside the configured one (make demo-check sets
TUANWU_DATABASE_NAME=tuanwu_demo_check); it is dropped and created anew each run, so the
check never touches the development or production data.
"""

from __future__ import annotations

import sys

import psycopg
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from tuanwu.accounts.models import User
from tuanwu.demo import figures

SUFFIX = "_demo_check"


def recreate_database(settings_dict: dict, name: str) -> None:
    """Drop and create ``name`` through the server's maintenance database."""
    params = {
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    # URLs with a socket directory put host and port in OPTIONS; libpq options live there too.
    django_only = {"isolation_level", "server_side_binding", "assume_role", "pool"}
    params.update({k: v for k, v in settings_dict.get("OPTIONS", {}).items() if k not in django_only})
    params["dbname"] = "postgres"
    params = {k: v for k, v in params.items() if v is not None}
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")


class Command(BaseCommand):
    help = "把示例县装入一个全新的数据库（<库名>_demo_check），逐项核对数字；有一项不符即以非零状态退出。"
    requires_system_checks = []

    def handle(self, *args, **options):
        connection = connections["default"]
        name = connection.settings_dict["NAME"]
        # Never drop the working database: the check always runs in its own one.
        if not name.endswith(SUFFIX):
            name += SUFFIX
        connection.close()
        recreate_database(connection.settings_dict, name)
        connection.settings_dict["NAME"] = name
        self.stdout.write(f"== 全新数据库 {name}：迁移并装载示例县")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", quiet=True, stdout=self.stdout)

        self.stdout.write("== 核对（与页面相同的查询：access.visible_units、待办登记表）")
        results = figures.figures()
        for figure in results:
            self.stdout.write(figure.line())
        admin = User.objects.filter(username="admin", is_sample=True).first()
        if admin:
            summary = "，".join(f"{label} {n}" for label, n in figures.counts_by_kind(admin))
            self.stdout.write(f"  县级管理员可见组织按类型：{summary}")
        failed = [f for f in results if not f.ok]
        connection.close()
        if failed:
            self.stdout.write(self.style.ERROR(f"{len(failed)} 项不符（共 {len(results)} 项）"))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(f"全部 {len(results)} 项相符"))
