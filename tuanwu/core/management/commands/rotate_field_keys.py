"""Re-encrypt every encrypted personal-data value with the current (first) field key.

Procedure: put a new key first in TUANWU_FIELD_KEYS (var/secrets/field_keys in development),
keep the old ones after it, run this command, then drop the old keys.
"""

from django.core.management.base import BaseCommand

from tuanwu.core import crypto
from tuanwu.core.context import origin


class Command(BaseCommand):
    help = "用当前（第一个）字段密钥重新加密所有加密存储的个人信息"

    def handle(self, *args, **options):
        with origin("command"):
            counts = crypto.rotate_all(actor=None)
        total = sum(counts.values())
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n}")
        self.stdout.write(self.style.SUCCESS(f"已重新加密 {total} 行"))
