"""make restore BACKUP=<dir>: drop and recreate the database from a backup and restore its keys."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tuanwu.core import backup


class Command(BaseCommand):
    help = "从备份目录恢复数据库（先删除再重建）和密钥"

    def add_arguments(self, parser):
        parser.add_argument("source", help="备份目录，例如 var/backups/20250101-120000")
        parser.add_argument("--database", default=None, help="恢复到的数据库名（默认为当前数据库）")
        parser.add_argument("--secrets-dir", default=None, help="密钥恢复到的目录（默认为 var/secrets）")
        parser.add_argument("--noinput", action="store_true", help="不提示确认")

    def handle(self, *args, **options):
        source = Path(options["source"])
        if not (source / backup.DUMP_NAME).exists():
            raise CommandError(f"{source} 不是有效的备份目录（缺少 {backup.DUMP_NAME}）")
        if not options["noinput"]:
            answer = input("恢复会删除当前数据库中的全部数据并替换密钥文件。输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消")
        secrets_dir = Path(options["secrets_dir"]) if options["secrets_dir"] else None
        name = backup.restore(source=source, database_name=options["database"], secrets_dir=secrets_dir)
        self.stdout.write(self.style.SUCCESS(f"已恢复数据库 {name} 和密钥"))
        self.stdout.write("如果生产环境通过环境变量提供密钥，请按备份目录 secrets/ 中的值更新 TUANWU_FIELD_KEYS、"
                          "TUANWU_BLIND_INDEX_KEY 和 DJANGO_SECRET_KEY，然后重启服务。")
