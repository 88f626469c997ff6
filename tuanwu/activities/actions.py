"""State changes of activities, attendance, weekly study and theme days.

Every action checks access on the unit, runs in one transaction, writes the audit trail (bulk
writes through ``record_many``) and moves the aggregates by exactly the effect of the write
(``aggregates.apply``), so dashboards never need the raw rows.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from tuanwu.core import audit
from tuanwu.core.errors import DomainError
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import LEAGUE_LEADING_KINDS, PARTY_KINDS, PIONEER_KINDS, Kind
from tuanwu.people.models import Person, phone_last4_index

from . import aggregates, photos, rules
from . import roster as rosters
from .aggregates import Change
from .models import (
    STUDY_KINDS,
    THEME_DAY_KINDS,
    Activity,
    ActivityKind,
    ActivityPhoto,
    Attendance,
    AttendanceStatus,
    Audience,
    AudienceLayer,
    Deployment,
    MonthlyTheme,
    SchoolHoliday,
    StudyEpisode,
    StudySeason,
)

PIONEER_ONLY_KINDS = frozenset({ActivityKind.PIONEER_STUDY, ActivityKind.PIONEER_DAY, ActivityKind.PIONEER_CLASS})


def _require(actor, permission: str, unit: Unit) -> None:
    access.enforce(access.decide(actor, permission, unit))


def default_audience(unit: Unit, kind: str) -> list[str]:
    if kind in PIONEER_ONLY_KINDS or unit.kind in PIONEER_KINDS:
        return [Audience.PIONEERS]
    if unit.kind == Kind.SCHOOL:
        return [Audience.LEAGUE_MEMBERS, Audience.PIONEERS]
    return [Audience.LEAGUE_MEMBERS]


def _check_fields(unit: Unit, kind: str, title: str, starts_at, ends_at, audience_layer: str,
                  audience: list[str]) -> None:
    if kind not in ActivityKind.values:
        raise DomainError("活动类型取值无效", field="kind")
    if unit.kind in PARTY_KINDS:
        raise DomainError("党组织不登记团（队）活动", field="unit")
    if not unit.is_open:
        raise DomainError(f"“{unit.name}”已撤销", field="unit")
    if not (title or "").strip():
        raise DomainError("请填写活动主题", field="title")
    if starts_at is None:
        raise DomainError("请填写开始时间", field="starts_at")
    if ends_at is not None and ends_at < starts_at:
        raise DomainError("结束时间不能早于开始时间", field="ends_at")
    if audience_layer and audience_layer not in AudienceLayer.values:
        raise DomainError("宣讲对象层级取值无效", field="audience_layer")
    if audience_layer and kind != ActivityKind.LECTURE:
        raise DomainError("只有“宣讲”需要选择对象层级", field="audience_layer")
    if kind == ActivityKind.LECTURE and not audience_layer:
        raise DomainError("宣讲须选择对象层级", field="audience_layer")
    if any(a not in Audience.values for a in audience):
        raise DomainError("参加对象取值无效", field="audience")
    if kind in PIONEER_ONLY_KINDS and Audience.LEAGUE_MEMBERS in audience:
        raise DomainError("少先队活动的参加对象是少先队员", field="audience")


def _roster_day(starts_at) -> datetime.date:
    """The roster is the membership on the activity's day; for a future activity the best known
    is today's, and it is taken now."""
    return min(timezone.localtime(starts_at).date(), timezone.localdate())


def _new_activity(*, actor, unit: Unit, kind: str, title: str, starts_at, ends_at=None, place: str = "",
                  content: str = "", audience_layer: str = "", audience: list[str], episode=None, theme=None,
                  deployment=None, is_sample: bool = False) -> Activity:
    return Activity(
        unit=unit, kind=kind, title=title.strip(), starts_at=starts_at, ends_at=ends_at, place=(place or "").strip(),
        content=(content or "").strip(), audience_layer=audience_layer or "", audience=list(audience),
        episode=episode, theme=theme, deployment=deployment, roster_on=_roster_day(starts_at),
        checkin_nonce=secrets.token_hex(8), created_by=actor if getattr(actor, "pk", None) else None,
        is_sample=is_sample,
    )


def _attach_rosters(actor, activities: list[Activity], roster_of: dict[int, list[int]], *,
                    is_sample: bool) -> list[Attendance]:
    """Create the roster rows of freshly saved activities, count them, audit them."""
    # Names for the audit trail's object labels, loaded once rather than per row.
    people = Person.objects.only("name").in_bulk({pid for pids in roster_of.values() for pid in pids})
    rows = [Attendance(activity=a, person=people[pid], on_roster=True, status=AttendanceStatus.NOT_RECORDED,
                       source="roster", is_sample=is_sample)
            for a in activities for pid in sorted(roster_of.get(a.pk, ()))]
    Attendance.objects.bulk_create(rows, batch_size=2000)
    aggregates.activities_created(activities)
    aggregates.apply([Change(r.activity, r.person_id, None, (True, AttendanceStatus.NOT_RECORDED)) for r in rows])
    if rows:
        audit.record_many(actor=actor, action="生成活动名单", items=[(r, None, audit.snapshot(r)) for r in rows])
    return rows


@transaction.atomic
def create_activity(*, actor, unit: Unit, kind: str, title: str, starts_at, ends_at=None, place: str = "",
                    content: str = "", audience_layer: str = "", audience: list[str] | None = None,
                    theme: MonthlyTheme | None = None, is_sample: bool = False) -> Activity:
    """Record one session held by ``unit``. Its roster (the target members on the activity's day
    in the unit's subtree) is taken now; every roster member starts as 未记录."""
    _require(actor, access.CHANGE, unit)
    audience = list(audience) if audience else default_audience(unit, kind)
    _check_fields(unit, kind, title, starts_at, ends_at, audience_layer, audience)
    if kind in STUDY_KINDS:
        raise DomainError("青年大学习、红领巾爱学习的活动由下发学习期次生成", field="kind")
    if theme is not None:
        _check_theme(theme, unit, kind)
    activity = _new_activity(actor=actor, unit=unit, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at,
                             place=place, content=content, audience_layer=audience_layer, audience=audience,
                             theme=theme, is_sample=is_sample)
    activity.save()
    audit.record(actor=actor, action="登记活动", obj=activity, after=audit.snapshot(activity))
    people = rosters.roster([unit.path], audience, activity.roster_on)
    _attach_rosters(actor, [activity], {activity.pk: list(people)}, is_sample=is_sample)
    activity.refresh_from_db()
    return activity


def _check_theme(theme: MonthlyTheme, unit: Unit, kind: str) -> None:
    if kind not in THEME_DAY_KINDS:
        raise DomainError("只有主题团日、主题队日可以对应月度主题", field="theme")
    if (kind == ActivityKind.PIONEER_DAY) != theme.for_pioneers:
        raise DomainError("主题团日对应团的月度主题，主题队日对应队的月度主题", field="theme")
    if not unit.path.startswith(theme.county.path):
        raise DomainError("该月度主题不是本组织所在团县委发布的", field="theme")


def target_units(root: Unit, *, pioneers: bool) -> list[Unit]:
    """The units an activity is pushed to: open 团支部 (or 少先队中队) in ``root``'s subtree."""
    kind = Kind.PIONEER_SQUADRON if pioneers else Kind.BRANCH
    return list(root.subtree().filter(kind=kind, closed_on__isnull=True).order_by("path"))


@transaction.atomic
def push_activity(*, actor, unit: Unit, kind: str, title: str, starts_at, ends_at=None, place: str = "",
                  content: str = "", audience_layer: str = "", pioneers: bool = False,
                  theme: MonthlyTheme | None = None, is_sample: bool = False) -> Deployment:
    """A county-wide (or township-wide) activity: one Activity per open branch (or squadron) in
    ``unit``'s subtree, each with its own roster, grouped under one Deployment."""
    _require(actor, access.CHANGE, unit)
    if kind in STUDY_KINDS:
        raise DomainError("青年大学习、红领巾爱学习的活动由下发学习期次生成", field="kind")
    audience = [Audience.PIONEERS] if pioneers or kind in PIONEER_ONLY_KINDS else [Audience.LEAGUE_MEMBERS]
    _check_fields(unit, kind, title, starts_at, ends_at, audience_layer, audience)
    targets = target_units(unit, pioneers=Audience.PIONEERS in audience)
    if not targets:
        raise DomainError("该组织下没有可下发的团支部（或少先队中队）", field="unit")
    if theme is not None:
        _check_theme(theme, unit, kind)
    deployment = Deployment.objects.create(unit=unit, kind=kind, title=title.strip(), content=(content or "").strip(),
                                           created_by=actor if getattr(actor, "pk", None) else None,
                                           is_sample=is_sample)
    audit.record(actor=actor, action="统一部署活动", obj=deployment, after=audit.snapshot(deployment))
    made = [_new_activity(actor=actor, unit=t, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at,
                          place=place, content=content, audience_layer=audience_layer, audience=audience, theme=theme,
                          deployment=deployment, is_sample=is_sample) for t in targets]
    made = Activity.objects.bulk_create(made)
    for a, t in zip(made, targets, strict=True):
        a.unit = t
    audit.record_many(actor=actor, action="登记活动", items=[(a, None, audit.snapshot(a)) for a in made])
    roster_of = rosters.rosters_by_unit(targets, audience, made[0].roster_on)
    by_unit = {a.unit_id: a.pk for a in made}
    _attach_rosters(actor, made, {by_unit[u]: p for u, p in roster_of.items()}, is_sample=is_sample)
    return deployment


def _attendance_state(row: Attendance) -> tuple[bool, str]:
    return (row.on_roster, row.status)


def _locked(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().select_related("unit").get(pk=activity.pk)


@transaction.atomic
def mark_attendance(*, actor, activity: Activity, marks: dict[int, str], source: str = "mark") -> int:
    """Bulk marking: ``marks`` maps Attendance ids of this activity to a status. Returns how many
    rows changed. 未记录 may be set back (a mark made in error)."""
    activity = _locked(activity)
    _require(actor, access.CHANGE, activity.unit)
    rows = list(Attendance.objects.select_for_update(of=("self",)).filter(activity=activity, pk__in=list(marks))
                .select_related("person"))
    if len(rows) != len(set(marks)):
        raise DomainError("名单中没有这些人员", field="status")
    for row in rows:
        row.activity = activity
    return _apply_marks(actor, rows, marks, source)


@transaction.atomic
def mark_many(*, actor, marks: dict[int, str], source: str = "import") -> int:
    """Bulk marking across many activities at once (a study list of a whole county): one update,
    one aggregate pass, one audit batch. Access is checked on every activity's unit."""
    rows = list(Attendance.objects.select_for_update(of=("self",)).filter(pk__in=list(marks))
                .select_related("activity__unit", "person").order_by("pk"))
    if len(rows) != len(set(marks)):
        raise DomainError("名单中没有这些人员", field="status")
    for unit in {r.activity.unit_id: r.activity.unit for r in rows}.values():
        _require(actor, access.CHANGE, unit)
    return _apply_marks(actor, rows, marks, source)


def _write_marks(rows: list[Attendance]) -> None:
    """One UPDATE for any number of rows (Django's bulk_update builds a CASE per row, which is
    slow for a whole county's study list)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_attendance t SET status = d.status, source = d.source, marked_at = d.marked_at "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[]) AS d(id, status, source, marked_at) "
            "WHERE t.id = d.id",
            [[r.pk for r in rows], [r.status for r in rows], [r.source for r in rows], [r.marked_at for r in rows]],
        )


def _apply_marks(actor, rows: list[Attendance], marks: dict[int, str], source: str) -> int:
    if any(status not in AttendanceStatus.values for status in marks.values()):
        raise DomainError("出勤状态取值无效", field="status")
    now = timezone.now()
    changes, audits, changed = [], [], []
    for row in rows:
        new = marks[row.pk]
        if row.status == new:
            continue
        if row.person_id is None and new != AttendanceStatus.PRESENT:
            raise DomainError("来宾只记为出席；登记错了请删除", field="status")
        if not row.on_roster and new in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED):
            raise DomainError("名单外人员不记缺席或请假", field="status")
        before_state, before = _attendance_state(row), audit.snapshot(row)
        row.status = new
        row.source = source
        row.marked_at = now if new != AttendanceStatus.NOT_RECORDED else None
        changes.append(Change(row.activity, row.person_id, before_state, _attendance_state(row)))
        audits.append((row, before, audit.snapshot(row)))
        changed.append(row)
    _write_marks(changed)
    aggregates.apply(changes)
    if audits:
        audit.record_many(actor=actor, action="登记出勤", items=audits)
    return len(changed)


@transaction.atomic
def add_attendee(*, actor, activity: Activity, person: Person, source: str = "mark") -> Attendance:
    """A member who came without being on the roster (from another branch, or joined later):
    present, counted in 人次 and 人数 but not in the roster's coverage."""
    activity = _locked(activity)
    _require(actor, access.CHANGE, activity.unit)
    access.enforce(access.decide(actor, access.VIEW, person.unit, person.access_record_class(),
                                 owner_id=person.user_id))
    existing = Attendance.objects.select_for_update().filter(activity=activity, person=person).first()
    if existing is not None:
        if existing.status == AttendanceStatus.PRESENT:
            raise DomainError(f"“{person.name}”已记为出席", field="person")
        mark_attendance(actor=actor, activity=activity, marks={existing.pk: AttendanceStatus.PRESENT}, source=source)
        existing.refresh_from_db()
        return existing
    row = Attendance.objects.create(activity=activity, person=person, on_roster=False,
                                    status=AttendanceStatus.PRESENT, source=source, marked_at=timezone.now(),
                                    is_sample=activity.is_sample)
    aggregates.apply([Change(activity, person.pk, None, (False, AttendanceStatus.PRESENT))])
    audit.record(actor=actor, action="登记出勤", obj=row, after=audit.snapshot(row))
    return row


@transaction.atomic
def add_guests(*, actor, activity: Activity, names: Iterable[str]) -> list[Attendance]:
    """Guests (not League members or Pioneers of the registry): present, counted in 人次 only."""
    activity = _locked(activity)
    _require(actor, access.CHANGE, activity.unit)
    clean = [n.strip()[:60] for n in names if n and n.strip()]
    if not clean:
        raise DomainError("请填写来宾姓名（每行一位）", field="guests")
    rows = Attendance.objects.bulk_create([
        Attendance(activity=activity, guest_name=n, on_roster=False, status=AttendanceStatus.PRESENT,
                   source="guest", marked_at=timezone.now(), is_sample=activity.is_sample) for n in clean
    ])
    aggregates.apply([Change(activity, None, None, (False, AttendanceStatus.PRESENT)) for _ in rows])
    audit.record_many(actor=actor, action="登记来宾", items=[(r, None, audit.snapshot(r)) for r in rows])
    return rows


@transaction.atomic
def remove_guest(*, actor, attendance: Attendance) -> None:
    activity = _locked(attendance.activity)
    _require(actor, access.CHANGE, activity.unit)
    if attendance.person_id is not None:
        raise DomainError("只能删除来宾记录；团员请改为“未记录”", field="guests")
    before = audit.snapshot(attendance)
    Attendance.objects.filter(pk=attendance.pk).delete()
    aggregates.apply([Change(activity, None, (False, attendance.status), None)])
    audit.record(actor=actor, action="删除来宾", obj=attendance, before=before)


@transaction.atomic
def check_in(*, activity_id: int, nonce: str, name: str, last4: str) -> str:
    """A public QR check-in. Returns ``done``, ``already``, ``no_match`` or ``expired``.

    A roster row matches when the name and the keyed index of the phone's last 4 digits both
    match; a wrong name and a right name with a wrong phone both give ``no_match``.
    """
    activity = Activity.objects.select_for_update().select_related("unit").filter(pk=activity_id).first()
    if activity is None or activity.checkin_nonce != nonce or not activity.checkin_nonce:
        return "expired"
    name = "".join((name or "").split())
    digits = (last4 or "").strip()
    if not name or len(digits) != 4 or not digits.isdigit():
        return "no_match"
    row = (Attendance.objects.select_for_update()
           .filter(activity=activity, on_roster=True, person__name=name,
                   person__phone_last4_index=phone_last4_index(digits))
           .select_related("person").first())
    if row is None:
        return "no_match"
    if row.status == AttendanceStatus.PRESENT:
        return "already"
    before_state, before = _attendance_state(row), audit.snapshot(row)
    row.status = AttendanceStatus.PRESENT
    row.source = "qr"
    row.marked_at = timezone.now()
    row.save(update_fields=["status", "source", "marked_at"])
    aggregates.apply([Change(activity, row.person_id, before_state, _attendance_state(row))])
    audit.record(actor=None, action="扫码签到", obj=row, before=before, after=audit.snapshot(row))
    return "done"


@transaction.atomic
def renew_checkin(*, actor, activity: Activity) -> Activity:
    """Invalidate every QR code shown so far (a photo of it was shared, say)."""
    activity = _locked(activity)
    _require(actor, access.CHANGE, activity.unit)
    before = audit.snapshot(activity)
    activity.checkin_nonce = secrets.token_hex(8)
    activity.save(update_fields=["checkin_nonce"])
    audit.record(actor=actor, action="更换签到二维码", obj=activity, before=before, after=audit.snapshot(activity))
    return activity


@transaction.atomic
def update_summary(*, actor, activity: Activity, summary: str) -> Activity:
    activity = _locked(activity)
    _require(actor, access.CHANGE, activity.unit)
    before = audit.snapshot(activity)
    activity.summary = (summary or "").strip()
    activity.save(update_fields=["summary"])
    audit.record(actor=actor, action="填写活动总结", obj=activity, before=before, after=audit.snapshot(activity))
    return activity


@transaction.atomic
def add_photo(*, actor, activity: Activity, data: bytes, caption: str = "") -> ActivityPhoto:
    """Store a photo after checking its type and size and stripping its metadata (location)."""
    activity = _locked(activity)
    _require(actor, access.CHANGE, activity.unit)
    if activity.photos.count() >= 20:
        raise DomainError("每次活动最多上传 20 张照片", field="photo")
    clean, content_type, width, height = photos.clean_image(data)
    name = photos.store(clean, content_type)
    photo = ActivityPhoto.objects.create(activity=activity, stored_name=name, content_type=content_type,
                                         size=len(clean), width=width, height=height,
                                         caption=(caption or "").strip()[:200],
                                         uploaded_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="上传活动照片", obj=photo, after=audit.snapshot(photo))
    return photo


# ---------------------------------------------------------------------------------------------
# Weekly study (R10.1–R10.3)


def _check_county(unit: Unit) -> None:
    if unit.kind not in LEAGUE_LEADING_KINDS:
        raise DomainError("学习季、学校假期和月度主题由团县委（或更高层级团委）发布", field="county")


@transaction.atomic
def add_school_holiday(*, actor, county: Unit, name: str, starts_on: datetime.date,
                       ends_on: datetime.date, is_sample: bool = False) -> SchoolHoliday:
    _require(actor, access.CHANGE, county)
    _check_county(county)
    if ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期", field="ends_on")
    holiday = SchoolHoliday.objects.create(county=county, name=name.strip() or "假期", starts_on=starts_on,
                                           ends_on=ends_on, is_sample=is_sample)
    audit.record(actor=actor, action="登记学校假期", obj=holiday, after=audit.snapshot(holiday))
    return holiday


def holidays_of(county: Unit) -> list[tuple[datetime.date, datetime.date]]:
    prefixes = [county.path[:i] for i in range(county.steplen, len(county.path) + 1, county.steplen)]
    return list(SchoolHoliday.objects.filter(county__path__in=prefixes).values_list("starts_on", "ends_on"))


@transaction.atomic
def create_season(*, actor, county: Unit, programme: str, title: str, first_day: datetime.date, count: int,
                  episode_titles: list[str] | None = None, is_sample: bool = False) -> StudySeason:
    """A season of ``count`` weekly episodes from ``first_day``, skipping school holidays (R10.1)."""
    _require(actor, access.CHANGE, county)
    _check_county(county)
    if programme not in STUDY_KINDS:
        raise DomainError("学习类别取值无效", field="programme")
    if not 1 <= count <= 60:
        raise DomainError("期数应在 1 到 60 之间", field="count")
    if StudySeason.objects.filter(county=county, programme=programme, title=title.strip()).exists():
        raise DomainError("已有同名的学习季", field="title")
    season = StudySeason.objects.create(county=county, programme=programme, title=title.strip(), is_sample=is_sample)
    days = rules.weekly_schedule(first_day, count, holidays_of(county))
    titles = episode_titles or []
    episodes = StudyEpisode.objects.bulk_create([
        StudyEpisode(season=season, number=i, published_on=day, is_sample=is_sample,
                     title=titles[i - 1] if i - 1 < len(titles) else f"{season.title}第{i}期")
        for i, day in enumerate(days, 1)
    ])
    for e in episodes:
        e.season = season
    audit.record(actor=actor, action="新建学习季", obj=season, after=audit.snapshot(season))
    audit.record_many(actor=actor, action="生成学习期次", items=[(e, None, audit.snapshot(e)) for e in episodes])
    return season


@transaction.atomic
def publish_episode(*, actor, episode: StudyEpisode, at: datetime.datetime | None = None) -> list[Activity]:
    """Give every open branch (青年大学习) or squadron (红领巾爱学习) under the season's county a
    study activity for this episode, with the roster of that day. Each member starts 未记录:
    with no study record they count as not studied (R10.2)."""
    episode = StudyEpisode.objects.select_for_update().select_related("season__county").get(pk=episode.pk)
    county = episode.season.county
    _require(actor, access.CHANGE, county)
    if episode.is_published:
        raise DomainError("该期已下发", field="episode")
    if episode.published_on > timezone.localdate():
        raise DomainError("未到发布日期，不能下发", field="episode")
    if rules.in_holiday(episode.published_on, holidays_of(county)):
        raise DomainError("学校假期内暂停学习，该期不能在假期中下发", field="episode")
    pioneers = episode.season.programme == ActivityKind.PIONEER_STUDY
    targets = target_units(county, pioneers=pioneers)
    audience = [Audience.PIONEERS] if pioneers else [Audience.LEAGUE_MEMBERS]
    starts_at = at or timezone.make_aware(datetime.datetime.combine(episode.published_on, datetime.time(9, 0)))
    made = Activity.objects.bulk_create([
        _new_activity(actor=actor, unit=t, kind=episode.season.programme, title=episode.title, starts_at=starts_at,
                      ends_at=starts_at + datetime.timedelta(days=6, hours=14), audience=audience, episode=episode,
                      is_sample=episode.is_sample)
        for t in targets
    ])
    for a, t in zip(made, targets, strict=True):
        a.unit = t
    roster_of = rosters.rosters_by_unit(targets, audience, episode.published_on)
    by_unit = {a.unit_id: a.pk for a in made}
    _attach_rosters(actor, made, {by_unit[u]: p for u, p in roster_of.items()}, is_sample=episode.is_sample)
    before = audit.snapshot(episode)
    episode.is_published = True
    episode.save(update_fields=["is_published"])
    audit.record(actor=actor, action="下发学习期次", obj=episode, before=before, after=audit.snapshot(episode))
    return made


@transaction.atomic
def record_study(*, actor, episode: StudyEpisode, person_ids: Iterable[int], source: str = "import") -> int:
    """Mark people as having studied an episode (from the national platform's list). People on a
    roster of that episode are marked present there; returns how many records changed."""
    ids = set(person_ids)
    pending = (Attendance.objects.filter(activity__episode=episode, person_id__in=ids, on_roster=True)
               .exclude(status=AttendanceStatus.PRESENT).values_list("pk", flat=True))
    return mark_many(actor=actor, marks={pk: AttendanceStatus.PRESENT for pk in pending}, source=source)


# ---------------------------------------------------------------------------------------------
# Monthly theme days (R10.6)


@transaction.atomic
def publish_theme(*, actor, county: Unit, month: datetime.date, theme: str, window_start: datetime.date,
                  window_end: datetime.date, content: str, for_pioneers: bool = False,
                  is_sample: bool = False) -> MonthlyTheme:
    """The county's "三统一" for one month: one theme, one time window, one content requirement."""
    _require(actor, access.CHANGE, county)
    _check_county(county)
    month = month.replace(day=1)
    if not theme.strip():
        raise DomainError("请填写统一主题", field="theme")
    if not content.strip():
        raise DomainError("请填写统一内容要求", field="content")
    if window_end < window_start:
        raise DomainError("开展时间的结束日期不能早于开始日期", field="window_end")
    if window_start.replace(day=1) != month:
        raise DomainError("开展时间应从当月开始", field="window_start")
    if MonthlyTheme.objects.filter(county=county, month=month, for_pioneers=for_pioneers).exists():
        raise DomainError("该月已发布主题", field="month")
    row = MonthlyTheme.objects.create(county=county, month=month, theme=theme.strip(), window_start=window_start,
                                      window_end=window_end, content=content.strip(), for_pioneers=for_pioneers,
                                      is_sample=is_sample)
    audit.record(actor=actor, action="发布月度主题", obj=row, after=audit.snapshot(row))
    return row
