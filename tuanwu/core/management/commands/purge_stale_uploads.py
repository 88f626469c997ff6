from django.core.management.base import BaseCommand

from tuanwu.core.imports import purge_stale_uploads


class Command(BaseCommand):
    help = "删除超过 24 小时的导入上传文件（其中可能含有个人信息）"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24, help="保留时长（小时），默认 24")

    def handle(self, *args, hours, **options):
        import datetime

        count = purge_stale_uploads(older_than=datetime.timedelta(hours=hours))
        self.stdout.write(f"已删除 {count} 个过期上传文件")
