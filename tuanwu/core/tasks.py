"""Background tasks (django-tasks; run by `manage.py db_worker`, inline in tests).

Task arguments are stored in the database by the queue, so they carry ids only: never file
contents, personal data or secrets.
"""

from __future__ import annotations

import logging

from django_tasks import task

from .context import origin

logger = logging.getLogger(__name__)


@task()
def check_import(job_id: int) -> str:
    """Validate a large upload, updating the job's progress as it goes."""
    from . import imports
    from .models import ImportJob

    job = ImportJob.objects.select_related("unit", "created_by").filter(pk=job_id).first()
    if job is None:
        return "missing"
    with origin("task"):
        job = imports.check_job(job)
    return job.status


@task()
def commit_import(job_id: int, actor_id: int) -> str:
    """Write a large, already checked upload in one transaction (all or nothing)."""
    from django.contrib.auth import get_user_model

    from . import imports
    from .models import ImportJob

    job = ImportJob.objects.select_related("unit", "created_by").filter(pk=job_id).first()
    actor = get_user_model().objects.filter(pk=actor_id).first()
    if job is None or actor is None:
        if job is not None:
            imports.fail_job(job_id, "导入人账号不存在，未写入任何数据")
        return "missing"
    if job.status != ImportJob.Status.COMMITTING:
        return job.status
    with origin("task"):
        job = imports.run_commit(job, actor)
    return job.status
