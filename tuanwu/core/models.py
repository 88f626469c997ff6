"""Shared records: the audit trail, rule settings and spreadsheet import jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One write, as it happened. Rows are never updated or deleted (a database trigger refuses it).

    ``before`` and ``after`` hold field snapshots with personal data already masked.
    ``unit_path`` is the materialised path of the unit the record belongs to, so that the trail
    can be filtered by subtree with one prefix query.
    """

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    # No database constraint: bulk writes (a 100,000-row import writes 200,000 rows here) would
    # pay a key check per row for a reference that is the same user throughout. The ORM's
    # PROTECT still refuses to delete a user who appears here, and actor_label keeps the name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_constraint=False,
    )
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    source_ip = models.GenericIPAddressField("来源 IP", null=True, blank=True)
    source = models.CharField("途径", max_length=20, default="web")  # web, api, import, command, task
    action = models.CharField("操作", max_length=80)
    object_type = models.CharField("对象类型", max_length=80)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=300, blank=True)
    unit_path = models.CharField("所属组织路径", max_length=255, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    batch = models.UUIDField("批次", null=True, blank=True)

    class Meta:
        verbose_name = "操作日志"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["unit_path"], name="audit_unit_path_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class RuleSetting(models.Model):
    """A configured value for one rule parameter, effective from a date.

    ``county`` is the 团县委 the value applies under; NULL means the platform-wide value.
    Values are never overwritten: a change is a new row with a later ``effective_from``.
    """

    key = models.CharField("参数", max_length=80)
    county = models.ForeignKey(
        "organisations.Unit", verbose_name="团县委", null=True, blank=True, on_delete=models.PROTECT,
        related_name="rule_settings",
    )
    value = models.JSONField("取值")
    effective_from = models.DateField("生效日期")
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "规则参数"
        ordering = ["key", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "county", "effective_from"], name="rule_setting_once_per_day",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.key}={self.value} 自 {self.effective_from}"

    def audit_unit_path(self) -> str:
        return self.county.path if self.county_id else ""


class ImportJob(models.Model):
    """A spreadsheet upload going through check → preview → commit.

    Rows and errors are kept here (personal data masked by the spec) so that the preview and the
    bad-rows workbook survive a page reload; the uploaded file is deleted after commit or 24 h.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "已上传"
        CHECKING = "checking", "校验中"
        INVALID = "invalid", "有错误"
        READY = "ready", "待确认"
        COMMITTING = "committing", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("导入类型", max_length=60)
    unit = models.ForeignKey("organisations.Unit", verbose_name="导入到", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    original_name = models.CharField("文件名", max_length=255)
    file_path = models.CharField(max_length=500, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理", default=0)
    headers = models.JSONField("表头对应", default=dict, blank=True)
    ignored_columns = models.JSONField("忽略的列", default=list, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)
    preview = models.JSONField("预览", default=list, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    # Set by a check whose rows were staged for the commit (ImportSpec.staging): row count, the
    # fingerprint of what validation depended on, and where each column sits in the file.
    staging = models.JSONField("暂存", default=dict, blank=True)

    ACCESS_UNIT = "unit"

    class Meta:
        verbose_name = "导入任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name}（{self.get_status_display()}）"

    def audit_unit_path(self) -> str:
        return self.unit.path

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(self.processed_rows * 100 / self.total_rows))


class CompanionCommit(models.Model):
    """Written by a transaction in the same commit as its work, when a companion transaction on
    a second connection did part of that work (tuanwu/core/companion.py): the companion's
    prepared transaction is committed if this row exists, rolled back if not."""

    gid = models.CharField("两阶段事务标识", max_length=64, primary_key=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "并行事务提交标记"

    def __str__(self):
        return self.gid
