"""python manage.py load_demo: the demo county 乌鲁木齐县, once (a second run changes nothing)."""

from django.core.management.base import BaseCommand

from tuanwu.demo import loader


class Command(BaseCommand):
    help = "装载示例县（乌鲁木齐县）：组织树、任期、示例账号。已装载时不做任何改动。"

    def add_arguments(self, parser):
        parser.add_argument("--print-accounts", action="store_true", help="只列出示例账号，不装载")
        parser.add_argument("--all", action="store_true", help="列出全部示例账号（与 --print-accounts 同用）")
        parser.add_argument("--quiet", action="store_true", help="不打印示例账号表")

    def handle(self, *args, print_accounts=False, all=False, quiet=False, **options):
        if print_accounts:
            self.stdout.write(loader.accounts_table(everything=all))
            return
        from django.utils import timezone

        from tuanwu.demo import registry

        if not loader.is_loaded():
            self.stdout.write("正在装载示例县：组织树、任期和示例账号……")
            self.stdout.flush()
        result = loader.load_demo()

        def progress(title):
            self.stdout.write(f"正在装载示例县：{title}……")
            self.stdout.flush()

        summaries = registry.load_parts(today=timezone.localdate(), actor=loader.system_actor(), progress=progress)
        for summary in summaries:
            self.stdout.write(self.style.SUCCESS(summary))
        if result is None and not summaries:
            self.stdout.write("示例县已装载，本次未做任何改动。")
        elif result is not None:
            self.stdout.write(self.style.SUCCESS(
                f"示例县已装载：{result.units} 个组织，{result.terms} 个任期，{result.grants} 项授权，"
                f"{result.users} 个账号（均标记为示例数据）。"
            ))
        if not quiet:
            self.stdout.write("")
            self.stdout.write(loader.accounts_table(everything=all))
