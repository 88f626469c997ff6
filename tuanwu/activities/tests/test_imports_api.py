"""The study-list import (kind “study_participation”) through the core pipeline, and the API:
ambiguous and unmatched rows listed, nothing written until a clean file (or confirm) arrives."""

import datetime
import io

import pytest
import xlsxwriter
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from tuanwu.accounts.actions import create_api_token
from tuanwu.activities import actions, checkin, queries
from tuanwu.activities.models import Attendance
from tuanwu.activities.rules import Rate
from tuanwu.activities.testing import activity, member
from tuanwu.core import imports
from tuanwu.core.models import AuditEvent, ImportJob

D = datetime.date


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    cache.clear()


@pytest.fixture
def episode(world):
    member(world, world.branch_a1, "王学习", phone="13900000001")
    member(world, world.branch_a1, "同名", phone="13900000002")
    member(world, world.branch_a1, "同名", phone="13900000003")
    member(world, world.branch_a2, "李学习", phone="13900000004")
    season = actions.create_season(actor=world.superuser, county=world.county, programme="youth_study",
                                   title="2023年春季", first_day=D(2023, 3, 6), count=1)
    found = season.episodes.get()
    actions.publish_episode(actor=world.superuser, episode=found)
    return found


def workbook(rows) -> SimpleUploadedFile:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    for r, row in enumerate([("姓名", "单位", "学习时间", "手机尾号"), *rows]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return SimpleUploadedFile("大学习名单.xlsx", out.getvalue())


def upload(world, rows):
    job = imports.save_upload(actor=world.town_secretary, unit=world.town_a, kind="study_participation",
                              uploaded_file=workbook(rows))
    return imports.check_job(job)


def test_unmatched_and_ambiguous_rows_are_listed_and_nothing_changes(world, episode):
    audits = AuditEvent.objects.count()
    job = upload(world, [
        ("王学习", "团测试县委-甲镇团委-甲村团支部", "2023-03-07 20:15:00", ""),
        ("同名", "甲镇团委/甲村团支部", "2023-03-08", ""),
        ("查无此人", "甲镇团委-甲村团支部", "2023-03-08", ""),
        ("王学习", "甲镇团委-甲村团支部", "2023-05-08", ""),
    ])
    assert job.status == ImportJob.Status.INVALID
    messages = {e["row"]: e["message"] for e in job.errors}
    assert messages[3] == "无法确定：名单中有 2 位“同名”，请补充“手机号后四位”以区分"
    assert messages[4].startswith("未匹配：“甲村团支部”在该期名单中没有“查无此人”")
    assert messages[5] == "2023-05-08 没有已下发的学习期次"
    assert 2 not in messages
    assert AuditEvent.objects.count() == audits
    assert not Attendance.objects.filter(status="present").exists()


def test_the_resolved_file_records_study_once(world, episode):
    rows = [("王学习", "团测试县委-甲镇团委-甲村团支部", "2023-03-07 20:15:00", ""),
            ("同名", "甲镇团委-甲村团支部", "2023-03-08", "0003"),
            ("李学习", "乙村团支部", "2023-03-12", "")]
    job = upload(world, rows)
    assert job.status == ImportJob.Status.READY, job.errors
    job = imports.commit_job(job, world.town_secretary)
    assert job.status == ImportJob.Status.DONE
    assert (job.result["recorded"], job.result["already"]) == (3, 0)
    assert queries.episode_rate(world.branch_a1, episode) == Rate(2, 3)
    assert queries.episode_rate(world.town_a, episode) == Rate(3, 4)
    again = imports.commit_job(upload(world, rows), world.town_secretary)
    assert (again.result["recorded"], again.result["already"]) == (0, 3)
    assert queries.episode_rate(world.town_a, episode) == Rate(3, 4)


def _api(client, world, user=None):
    token = create_api_token(user=user or world.county_admin, name="t")[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_api_study_import_checks_first_and_refuses_to_write_with_unresolved_rows(world, episode, client):
    headers = _api(client, world)
    body = {"unit_id": world.town_a.pk, "rows": [
        {"name": "王学习", "unit_path": "甲村团支部", "studied_on": "2023-03-07"},
        {"name": "同名", "unit_path": "甲村团支部", "studied_on": "2023-03-07"}]}
    dry = client.post("/api/v1/activities/study/import", body, content_type="application/json", **headers)
    assert dry.status_code == 200
    assert [r["status"] for r in dry.json()["rows"]] == ["matched", "ambiguous"]
    refused = client.post("/api/v1/activities/study/import", {**body, "confirm": True},
                          content_type="application/json", **headers)
    assert refused.status_code == 422
    assert not Attendance.objects.filter(status="present").exists()
    body["rows"][1]["last4"] = "0002"
    done = client.post("/api/v1/activities/study/import", {**body, "confirm": True}, content_type="application/json",
                       **headers)
    assert done.json()["written"] == 2


def test_api_stats_and_public_check_in(world, client):
    member(world, world.branch_a1, "张签到", phone="13912345678")
    act = activity(world, world.branch_a1)
    token = checkin.make_token(act)
    wrong = client.post(f"/api/v1/activities/checkin/{token}", {"name": "无此人", "last4": "5678"},
                        content_type="application/json")
    wrong_phone = client.post(f"/api/v1/activities/checkin/{token}", {"name": "张签到", "last4": "1111"},
                              content_type="application/json")
    assert wrong.json() == wrong_phone.json() == {"result": "no_match", "message": checkin.NO_MATCH}
    done = client.post(f"/api/v1/activities/checkin/{token}", {"name": "张签到", "last4": "5678"},
                       content_type="application/json")
    assert done.json()["result"] == "done"
    stats = client.get("/api/v1/activities/stats", {"unit_id": world.county.pk, "start": "2023-01-01",
                                                      "end": "2023-04-27"}, **_api(client, world))
    assert stats.status_code == 200
    data = stats.json()
    assert (data["sessions"], data["person_times"], data["persons"], data["coverage"], data["source"]) == (
        1, 1, 1, "100.0%", "raw")
    hidden = client.get("/api/v1/activities/stats", {"unit_id": world.branch_b1.pk, "start": "2023-01-01",
                                                       "end": "2023-04-27"},
                        **_api(client, world, world.branch_secretary))
    assert hidden.status_code == 404


def test_export_needs_the_export_permission(world, as_user):
    from django.urls import reverse

    audits = AuditEvent.objects.count()
    response = as_user(world.party_reviewer).get(reverse("activities:stats_export", args=[world.town_a.pk]))
    assert response.status_code == 403
    assert AuditEvent.objects.count() == audits
