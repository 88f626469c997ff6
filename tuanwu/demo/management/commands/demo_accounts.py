"""python manage.py demo_accounts: print the demo accounts again, without loading anything."""

from django.core.management.base import BaseCommand

from tuanwu.demo import loader


class Command(BaseCommand):
    help = "列出示例账号（不装载数据）"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="列出全部示例账号，而不只是每个角色一个")

    def handle(self, *args, all=False, **options):
        if not loader.is_loaded():
            self.stdout.write("示例县尚未装载：先运行 python manage.py load_demo")
            return
        self.stdout.write(loader.accounts_table(everything=all))
