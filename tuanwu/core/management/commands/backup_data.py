"""make backup: the database (pg_dump, custom format) and the keys, into var/backups/<timestamp>/."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from tuanwu.core import backup


class Command(BaseCommand):
    help = "备份数据库和密钥到 var/backups/<时间>/"

    def add_arguments(self, parser):
        parser.add_argument("--to", default=str(Path(settings.VAR_DIR) / "backups"), help="备份根目录")

    def handle(self, *args, **options):
        target = backup.backup(target_root=Path(options["to"]))
        self.stdout.write(self.style.SUCCESS(f"已备份到 {target}"))
        self.stdout.write("备份包含密钥，请妥善保管（目录权限 0700，文件 0600）。")
