"""python manage.py rebuild_activity_stats: recompute every activity aggregate from the raw rows
(after moving a unit with its subtree, or to verify them)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from tuanwu.activities import aggregates


class Command(BaseCommand):
    help = "由原始出勤记录重建活动汇总表（移动组织后执行）。"

    def handle(self, *args, **options):
        def progress(label: str, seconds: float) -> None:
            # A province takes minutes: say what is being done.
            if options["verbosity"] >= 1:
                self.stdout.write(f"  {label}：{seconds:.1f} 秒")

        with transaction.atomic():
            aggregates.rebuild(progress=progress)
        self.stdout.write(self.style.SUCCESS("活动汇总表已重建"))
