"""Pages of the spreadsheet import pipeline (shared by every import kind)."""

from __future__ import annotations

import base64
import io

import xlsxwriter
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tuanwu.core import exports, imports, panels
from tuanwu.core.errors import DomainError
from tuanwu.core.models import ImportJob
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit

MAX_ERRORS_SHOWN = 500


def _spec_or_404(kind: str) -> imports.ImportSpec:
    spec = imports.get_spec(kind)
    if spec is None:
        raise Http404("没有这种导入类型")
    return spec


def _breadcrumb(user, unit: Unit) -> list[Unit]:
    # Ancestors above the user's own scope would link to pages they cannot open.
    return [u for u in unit.ancestors_and_self() if access.can(user, access.VIEW, u)]


@access.self_only
def import_template(request, kind):
    spec = _spec_or_404(kind)
    return exports.file_response(imports.template_path(spec), f"{spec.title}模板.xlsx")


@access.scoped(Unit, "pk", access.IMPORT)
def import_upload(request, unit, kind):
    spec = _spec_or_404(kind)
    error = None
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            error = "请选择要上传的表格文件"
        else:
            try:
                job = imports.save_upload(actor=request.user, unit=unit, kind=kind, uploaded_file=uploaded)
            except imports.ImportFileError as exc:
                error = exc.message
            else:
                imports.start_check(job)
                return redirect("core:import_detail", pk=job.pk)
    return render(request, "core/import_upload.html", {
        "unit": unit, "spec": spec, "error": error, "jobs": imports.jobs_for(request.user, unit, kind),
        "nav": "tree", "breadcrumb": _breadcrumb(request.user, unit),
    }, status=400 if error else 200)


def _errors_by_column(errors: list[dict]) -> list[tuple[str, int]]:
    """How many rows each column fails in, most first: in a large file one cause (a column of
    numbers Excel has cut, a branch spelt another way) usually accounts for most errors, and the
    list of single errors shows only its first rows. Empty when one column or fewer is involved."""
    rows: dict[str, set] = {}
    for e in errors:
        rows.setdefault(e.get("column") or "表头", set()).add(e.get("row"))
    counts = sorted(((column, len(found)) for column, found in rows.items()), key=lambda item: (-item[1], item[0]))
    return counts if len(counts) > 1 else []


def _detail_context(request, job: ImportJob, **extra) -> dict:
    spec = _spec_or_404(job.kind)
    errors = job.errors or []
    return {
        "job": job, "spec": spec, "unit": job.unit, "errors": errors[:MAX_ERRORS_SHOWN],
        "errors_total": len(errors), "errors_truncated": len(errors) > MAX_ERRORS_SHOWN,
        "bad_rows": len({e["row"] for e in errors if e.get("row")}),
        "errors_by_column": _errors_by_column(errors),
        "running": job.status in imports.RUNNING,
        "result_text": imports.result_text(job) if job.status == ImportJob.Status.DONE else "",
        "preview_counts": _counts_in_order(job.preview or {}),
        "can_issue_secrets": (
            job.status == ImportJob.Status.DONE and spec.issue_secrets is not None
            and not (job.result or {}).get("secrets_issued", True)
            and (job.result or {}).get("committed_by") == request.user.pk
        ),
        "nav": "tree", "breadcrumb": _breadcrumb(request.user, job.unit), **extra,
    }


def _counts_in_order(preview: dict) -> list[tuple[str, int]]:
    counts = preview.get("counts") or {}
    order = [key for key in preview.get("order", []) if key in counts]
    return [(key, counts[key]) for key in order + [k for k in counts if k not in order]]


@access.scoped(ImportJob, "pk", access.IMPORT)
def import_detail(request, job):
    return render(request, "core/import_detail.html", _detail_context(request, job))


@access.scoped(ImportJob, "pk", access.IMPORT)
def import_progress(request, job):
    response = render(request, "core/import_progress.html", {"job": job, "running": job.status in imports.RUNNING})
    if job.status not in imports.RUNNING and request.headers.get("HX-Request"):
        # The work is done: reload the whole page to show errors, the preview or the result.
        response["HX-Refresh"] = "true"
    return response


def _secrets_download(spec: imports.ImportSpec, secrets: list[dict]) -> str:
    """The one-time 账号/初始密码 workbook as a data: URI embedded in the page, so it is never
    written to disk or the database and cannot be fetched again."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {**exports.WORKBOOK_OPTIONS, "in_memory": True})
    formats = exports.make_formats(workbook)
    sheet = workbook.add_worksheet("初始密码")
    rows = [[s.get("unit", ""), s.get("full_name", ""), s["username"], s["password"]] for s in secrets]
    exports.write_sheet(workbook, sheet, list(spec.secret_headers), rows, formats)
    workbook.close()
    return f"data:{exports.XLSX_CONTENT_TYPE};base64,{base64.b64encode(buffer.getvalue()).decode()}"


def _render_secrets(request, job: ImportJob, secrets: list[dict]) -> HttpResponse:
    spec = _spec_or_404(job.kind)
    job.refresh_from_db()
    response = render(request, "core/import_detail.html", _detail_context(
        request, job, secrets=secrets, secrets_download=_secrets_download(spec, secrets) if secrets else "",
        secrets_filename=f"初始密码_{job.unit.name}_{timezone.localdate():%Y%m%d}.xlsx",
    ))
    response["Cache-Control"] = "no-store"
    return response


@access.scoped(ImportJob, "pk", access.IMPORT)
@require_POST
def import_commit(request, job):
    spec = _spec_or_404(job.kind)
    if request.POST.get("action") == "secrets":
        if spec.issue_secrets is None:
            raise Http404("该导入类型没有初始密码")
        try:
            secrets = spec.issue_secrets(job, request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("core:import_detail", pk=job.pk)
        return _render_secrets(request, job, secrets)
    try:
        job = imports.start_commit(job, request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("core:import_detail", pk=job.pk)
    if job.status == ImportJob.Status.DONE and spec.issue_secrets is not None and not job.result.get("secrets_issued"):
        # A commit done in this request shows the initial passwords at once, in its own response.
        return _render_secrets(request, job, spec.issue_secrets(job, request.user))
    if job.status == ImportJob.Status.DONE:
        messages.success(request, "导入完成")
    return redirect("core:import_detail", pk=job.pk)


@access.scoped(ImportJob, "pk", access.IMPORT)
def import_errors_workbook(request, job):
    if not job.errors:
        messages.info(request, "该导入没有错误行")
        return redirect("core:import_detail", pk=job.pk)
    try:
        path = imports.errors_workbook_path(job)
    except imports.ImportFileError as exc:
        messages.error(request, exc.message)
        return redirect("core:import_detail", pk=job.pk)
    stem = job.original_name.rsplit(".", 1)[0]
    return exports.file_response(path, f"{stem}_错误行.xlsx")


@panels.register("data_exchange", "数据导入与导出", order=900)
def data_exchange_panel(request, unit) -> str | None:
    """Links to the import kinds and the unit list export, for those who may use them."""
    perms = access.permissions_on(request.user, unit)
    can_import = access.IMPORT in perms and unit.is_open
    can_export = access.EXPORT in perms
    if not (can_import or can_export):
        return None
    return render_to_string("core/import_panel.html", {
        "unit": unit, "specs": imports.all_specs() if can_import else [], "can_export": can_export,
        "export_url": reverse("organisations:unit_export") + f"?subtree_of={unit.pk}",
    }, request=request)
