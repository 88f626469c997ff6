from django.core.management.base import BaseCommand

from tuanwu.core.companion import settle_orphans


class Command(BaseCommand):
    help = "处理进程中断后遗留的两阶段提交事务（大批量导入时并行写入的操作日志）：主事务已提交的提交，未提交的回滚"

    def handle(self, *args, **options):
        done = settle_orphans()
        committed = sum(1 for outcome in done.values() if outcome == "committed")
        self.stdout.write(f"已提交 {committed} 个，已回滚 {len(done) - committed} 个遗留的并行事务")
