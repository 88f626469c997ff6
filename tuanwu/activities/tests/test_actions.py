"""Actions and queries on the real database: rosters as of the activity's day, the definitions
through the same queries the pages use, R10.2–R10.6, aggregates kept exact, access refusals."""

import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tuanwu.activities import actions, aggregates, queries
from tuanwu.activities.models import (
    Activity,
    ActivityPhoto,
    Attendance,
    PersonPeriodUnit,
    SubtreeEpisodeStat,
    SubtreePeriodStat,
)
from tuanwu.activities.rules import Rate
from tuanwu.activities.testing import activity, at, member, pioneer, png_bytes
from tuanwu.core.errors import DomainError
from tuanwu.core.models import AuditEvent
from tuanwu.membership import actions as membership_actions

D = datetime.date
MARCH = (D(2023, 3, 1), D(2023, 3, 31))


def _marks(act, by_name: dict[str, str]) -> dict[int, str]:
    rows = Attendance.objects.filter(activity=act, person__name__in=list(by_name)).select_related("person")
    return {r.pk: by_name[r.person.name] for r in rows}


def _roster_names(act) -> list[str]:
    return sorted(Attendance.objects.filter(activity=act, on_roster=True).values_list("person__name", flat=True))


def test_roster_is_the_membership_on_the_activity_day_never_today(world):
    member(world, world.branch_a1, "早入团", joined_on=D(2020, 1, 1))
    member(world, world.branch_a1, "后入团", joined_on=D(2023, 5, 1))
    moved = member(world, world.branch_a1, "后转出", joined_on=D(2020, 1, 1))
    membership_actions.move_branch(actor=world.superuser, membership=moved, to_branch=world.branch_a2,
                                   on=D(2023, 6, 1))
    left = member(world, world.branch_a1, "已离团", joined_on=D(2015, 1, 1), birth=D(1990, 1, 1))
    membership_actions.change_status(actor=world.superuser, membership=left, to_status="withdrawn",
                                     on=D(2023, 2, 1), reason="本人申请")

    march = activity(world, world.branch_a1, day=D(2023, 3, 10))
    assert _roster_names(march) == ["后转出", "早入团"]
    # The branch the mover went to had them on its roster only from the move on.
    assert _roster_names(activity(world, world.branch_a2, day=D(2023, 3, 10))) == []
    assert _roster_names(activity(world, world.branch_a2, day=D(2023, 7, 1))) == ["后转出"]
    assert march.roster_count == 2
    assert march.roster_on == D(2023, 3, 10)


def test_definitions_through_the_database_absent_versus_not_recorded(world):
    for name in ("甲一", "甲二", "甲三", "甲四"):
        member(world, world.branch_a1, name)
    for name in ("乙一", "乙二", "乙三", "乙四"):
        member(world, world.branch_a2, name)
    one = activity(world, world.branch_a1)
    two = activity(world, world.branch_a2)
    actions.mark_attendance(actor=world.superuser, activity=one,
                            marks=_marks(one, {"甲一": "present", "甲二": "present", "甲三": "present", "甲四": "absent"}))
    actions.mark_attendance(actor=world.superuser, activity=two,
                            marks=_marks(two, {"乙一": "present", "乙二": "present", "乙三": "present"}))

    a1 = queries.stats(world.branch_a1, *MARCH)
    a2 = queries.stats(world.branch_a2, *MARCH)
    assert (a1.attendance, a1.completeness, a1.coverage) == (Rate(3, 4), Rate(4, 4), Rate(3, 4))
    assert (a2.attendance, a2.completeness, a2.coverage) == (Rate(3, 3), Rate(3, 4), Rate(3, 4))
    # The same figures from the raw rows (the path a non-calendar period takes).
    assert queries.raw_stats(world.branch_a1, *MARCH) == a1.__class__(**{**a1.__dict__, "source": "raw"})
    town = queries.stats(world.town_a, *MARCH)
    assert (town.sessions, town.person_times, town.persons, town.coverage) == (2, 6, 6, Rate(6, 8))
    assert (town.attendance, town.completeness) == (Rate(6, 7), Rate(7, 8))


def test_guests_count_for_person_times_only(world):
    member(world, world.branch_a1, "团员甲")
    act = activity(world, world.branch_a1)
    actions.mark_attendance(actor=world.superuser, activity=act, marks=_marks(act, {"团员甲": "present"}))
    actions.add_guests(actor=world.superuser, activity=act, names=["村民赵", "村民钱", " "])
    result = queries.stats(world.branch_a1, *MARCH)
    assert (result.person_times, result.persons, result.coverage) == (3, 1, Rate(1, 1))
    act.refresh_from_db()
    assert (act.person_times, act.present_guests) == (3, 2)


def test_a_member_off_the_roster_counts_in_person_times_and_people_not_coverage(world):
    member(world, world.branch_a1, "本支部")
    visitor = member(world, world.branch_b1, "外支部")
    act = activity(world, world.branch_a1)
    actions.add_attendee(actor=world.superuser, activity=act, person=visitor.person)
    result = queries.stats(world.branch_a1, *MARCH)
    assert (result.person_times, result.persons, result.coverage) == (1, 1, Rate(0, 1))


def test_person_times_and_people_over_several_sessions(world):
    member(world, world.branch_a1, "常来")
    member(world, world.branch_a1, "不来")
    for day in (D(2023, 3, 3), D(2023, 3, 10), D(2023, 3, 17)):
        act = activity(world, world.branch_a1, kind="league_lesson", day=day)
        actions.mark_attendance(actor=world.superuser, activity=act, marks=_marks(act, {"常来": "present"}))
    result = queries.stats(world.branch_a1, *MARCH, kind="league_lesson")
    assert (result.sessions, result.person_times, result.persons, result.coverage) == (3, 3, 1, Rate(1, 2))
    assert queries.stats(world.branch_a1, *MARCH, kind="lecture").sessions == 0


def _season(world, count=3, first=D(2023, 2, 20), programme="youth_study"):
    return actions.create_season(actor=world.superuser, county=world.county, programme=programme,
                                 title="2023年春季", first_day=first, count=count)


def test_R10_1_season_skips_school_holidays_and_refuses_publishing_inside_one(world):
    actions.add_school_holiday(actor=world.superuser, county=world.county, name="寒假", starts_on=D(2023, 1, 14),
                               ends_on=D(2023, 2, 12))
    season = _season(world, count=3, first=D(2023, 1, 9))
    assert [e.published_on for e in season.episodes.order_by("number")] == [D(2023, 1, 9), D(2023, 2, 13),
                                                                            D(2023, 2, 20)]
    actions.add_school_holiday(actor=world.superuser, county=world.county, name="补假", starts_on=D(2023, 2, 13),
                               ends_on=D(2023, 2, 14))
    episode = season.episodes.get(number=2)
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="假期"):
        actions.publish_episode(actor=world.superuser, episode=episode)
    assert AuditEvent.objects.count() == audits
    assert Activity.objects.filter(episode=episode).count() == 0


def test_R10_2_branch_rate_is_over_the_members_at_that_time_rolled_up(world):
    for name in ("甲一", "甲二", "甲三", "甲四"):
        member(world, world.branch_a1, name)
    member(world, world.branch_a2, "乙一")
    member(world, world.branch_b1, "丙一")
    season = _season(world)
    first = season.episodes.get(number=1)
    actions.publish_episode(actor=world.superuser, episode=first)
    late = member(world, world.branch_a1, "后入团", joined_on=D(2023, 3, 1))
    people = {m.person.name: m.person_id for m in
              __import__("tuanwu.membership.models", fromlist=["Membership"]).Membership.objects.select_related("person")}
    changed = actions.record_study(actor=world.superuser, episode=first,
                                   person_ids=[people["甲一"], people["甲二"], people["乙一"], late.person_id])
    assert changed == 3  # the late joiner was not on any roster that week
    assert queries.episode_rate(world.branch_a1, first) == Rate(2, 4)  # 甲三, 甲四: no record = not studied
    assert queries.episode_rate(world.town_a, first) == Rate(3, 5)
    assert queries.episode_rate(world.county, first) == Rate(3, 6)
    ranking = queries.episode_ranking(world.county_admin, world.town_a, first)
    assert [(u.name, r) for u, r, _ in ranking] == [("乙村团支部", Rate(1, 1)), ("甲村团支部", Rate(2, 4))]


def test_R10_3_individual_rates_of_a_branch(world):
    early = member(world, world.branch_a1, "早", joined_on=D(2020, 1, 1))
    season = _season(world, count=3, first=D(2023, 2, 20))
    e1, e2, e3 = season.episodes.order_by("number")
    actions.publish_episode(actor=world.superuser, episode=e1)
    late = member(world, world.branch_a1, "晚", joined_on=D(2023, 2, 25))
    actions.publish_episode(actor=world.superuser, episode=e2)
    actions.publish_episode(actor=world.superuser, episode=e3)
    actions.record_study(actor=world.superuser, episode=e1, person_ids=[early.person_id])
    actions.record_study(actor=world.superuser, episode=e3, person_ids=[early.person_id, late.person_id])
    rates = {r.membership.person.name: r.rate for r in queries.individual_rates(world.town_secretary, world.branch_a1)}
    assert rates == {"早": Rate(2, 3), "晚": Rate(1, 2)}


def test_R10_4_pioneer_study_is_the_same_model_per_squadron(world):
    for name in ("小红", "小明", "小刚"):
        pioneer(world, world.squadron, name)
    season = _season(world, count=1, programme="pioneer_study")
    episode = season.episodes.get()
    made = actions.publish_episode(actor=world.superuser, episode=episode)
    assert [a.unit_id for a in made] == [world.squadron.pk]
    ids = list(Attendance.objects.filter(activity__episode=episode, person__name__in=["小红", "小明"])
               .values_list("person_id", flat=True))
    actions.record_study(actor=world.superuser, episode=episode, person_ids=ids)
    assert queries.episode_rate(world.school, episode) == Rate(2, 3)
    month = queries.stats(world.school, D(2023, 2, 1), D(2023, 2, 28), kind="pioneer_study")
    assert (month.person_times, month.coverage) == (2, Rate(2, 3))


def test_R10_5_compliance_counts_windows_and_branch_meeting_quorum(world):
    for name in ("一", "二", "三"):
        member(world, world.branch_a1, name)
    meeting = activity(world, world.branch_a1, kind="branch_meeting", day=D(2023, 2, 10))
    actions.mark_attendance(actor=world.superuser, activity=meeting,
                            marks=_marks(meeting, {"一": "present", "二": "present"}))
    weak = activity(world, world.branch_a1, kind="branch_meeting", day=D(2023, 5, 10))
    actions.mark_attendance(actor=world.superuser, activity=weak, marks=_marks(weak, {"一": "present"}))
    activity(world, world.branch_a1, kind="league_lesson", day=D(2023, 11, 1))
    rows = queries.compliance(world.town_secretary, world.town_a, 2023, today=D(2024, 1, 2))
    a1 = next(r for r in rows if r.unit == world.branch_a1)
    cells = {label: (due, ok, count) for label, due, ok, count, _ in a1.cells}
    assert cells == {"支部大会": (4, 1, 1), "支委会": (12, 0, 0), "团小组会": (12, 0, 0), "团课": (4, 1, 1)}
    assert a1.quorum_failures == 1
    assert a1.missing == 3 + 12 + 12 + 3


def test_R10_6_board_shows_held_late_missing(world):
    theme = actions.publish_theme(actor=world.county_admin, county=world.county, month=D(2023, 3, 1),
                                  theme="学习二十大", window_start=D(2023, 3, 5), window_end=D(2023, 3, 15),
                                  content="集中学习、交流发言、报送照片")
    activity(world, world.branch_a1, day=D(2023, 3, 10), theme=theme)
    activity(world, world.branch_a2, day=D(2023, 3, 25), theme=theme)
    board = queries.theme_board(world.county_admin, world.county, theme, today=D(2023, 4, 1))
    assert [(r.unit.name, r.status_label) for r in board] == [
        ("甲村团支部", "按时开展"), ("乙村团支部", "逾期开展"), ("丙村团支部", "未开展"), ("高一(1)班团支部", "未开展"),
    ]
    # A branch secretary sees only their own branch.
    assert [r.unit.name for r in queries.theme_board(world.branch_secretary, world.county, theme)] == ["甲村团支部"]


def test_push_activity_gives_each_branch_its_own_roster(world):
    member(world, world.branch_a1, "甲")
    member(world, world.branch_b1, "丙")
    deployment = actions.push_activity(actor=world.county_admin, unit=world.county, kind="lecture",
                                       title="二十大精神宣讲", starts_at=at(D(2023, 3, 8)), audience_layer="members")
    rows = sorted((a.unit.name, a.roster_count) for a in deployment.activities.select_related("unit"))
    assert rows == [("丙村团支部", 1), ("乙村团支部", 0), ("甲村团支部", 1), ("高一(1)班团支部", 0)]
    assert queries.stats(world.county, *MARCH, kind="lecture").sessions == 4


def test_lecture_needs_an_audience_layer(world):
    with pytest.raises(DomainError, match="对象层级"):
        actions.create_activity(actor=world.superuser, unit=world.branch_a1, kind="lecture", title="宣讲",
                                starts_at=at(D(2023, 3, 1)))


def test_marking_attendance_outside_the_subtree_is_hidden_and_without_permission_forbidden(world):
    member(world, world.branch_b1, "丙")
    act = activity(world, world.branch_b1)
    marks = _marks(act, {"丙": "present"})
    audits = AuditEvent.objects.count()
    with pytest.raises(Http404):
        actions.mark_attendance(actor=world.branch_secretary, activity=act, marks=marks)
    with pytest.raises(PermissionDenied):
        actions.mark_attendance(actor=world.inspector, activity=act, marks=marks)
    assert AuditEvent.objects.count() == audits
    assert list(Attendance.objects.filter(activity=act).values_list("status", flat=True)) == ["not_recorded"]
    act.refresh_from_db()
    assert act.present_roster == 0


def test_check_in_matches_name_and_phone_last4_and_answers_a_wrong_name_like_a_wrong_phone(world):
    member(world, world.branch_a1, "张签到", phone="13912345678")
    act = activity(world, world.branch_a1)
    nonce = act.checkin_nonce
    assert actions.check_in(activity_id=act.pk, nonce=nonce, name="张签到", last4="0000") == "no_match"
    assert actions.check_in(activity_id=act.pk, nonce=nonce, name="李不在", last4="5678") == "no_match"
    assert actions.check_in(activity_id=act.pk, nonce="stale", name="张签到", last4="5678") == "expired"
    assert actions.check_in(activity_id=act.pk, nonce=nonce, name="张 签到", last4="5678") == "done"
    assert actions.check_in(activity_id=act.pk, nonce=nonce, name="张签到", last4="5678") == "already"
    act.refresh_from_db()
    assert act.present_roster == 1
    assert AuditEvent.objects.filter(action="扫码签到").count() == 1


def test_photo_is_reencoded_without_exif_location(world):
    act = activity(world, world.branch_a1)
    data = png_bytes(exif_gps=True)
    assert b"TestCam" in data
    photo = actions.add_photo(actor=world.superuser, activity=act, data=data, caption="合影")
    from tuanwu.activities.photos import path_of

    stored = path_of(photo.stored_name).read_bytes()
    assert b"TestCam" not in stored and b"Exif" not in stored
    assert (photo.content_type, photo.width, photo.height) == ("image/jpeg", 40, 30)


def test_photo_of_the_wrong_type_is_refused_and_nothing_stored(world):
    act = activity(world, world.branch_a1)
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="JPEG"):
        actions.add_photo(actor=world.superuser, activity=act, data=b"GIF89a" + b"\x00" * 50)
    assert ActivityPhoto.objects.count() == 0
    assert AuditEvent.objects.count() == audits


def _aggregate_state():
    def rows(model, keys, values):
        return sorted(tuple(r[k] for k in keys + values) for r in model.objects.values(*keys, *values)
                      if any(r[v] for v in values))

    return (
        rows(SubtreePeriodStat, ["unit_id", "kind", "period"],
             ["sessions", "person_times", "persons", "roster_persons", "covered", "roster_rows", "present_roster",
              "recorded"]),
        rows(SubtreeEpisodeStat, ["unit_id", "episode_id"], ["sessions", "roster", "present_roster", "present_all",
                                                             "recorded"]),
        rows(PersonPeriodUnit, ["person_id", "unit_id", "kind", "period"], ["roster_times", "present_times"]),
        sorted(Activity.objects.values_list("pk", "roster_count", "present_roster", "present_other",
                                            "present_guests", "absent_count", "excused_count")),
    )


def test_aggregates_kept_on_every_write_equal_a_rebuild_from_raw_rows(world):
    rng = random.Random(7)
    people = [member(world, rng.choice([world.branch_a1, world.branch_a2, world.branch_b1]), f"人{i}").person
              for i in range(12)]
    season = _season(world, count=2)
    for episode in season.episodes.all():
        actions.publish_episode(actor=world.superuser, episode=episode)
    for day in (D(2023, 3, 30), D(2023, 4, 2), D(2023, 6, 30)):
        for unit in (world.branch_a1, world.town_a, world.branch_b1):
            activity(world, unit, kind=rng.choice(["league_day", "league_lesson"]), day=day)
    rows = list(Attendance.objects.select_related("activity__unit"))
    for _ in range(150):
        row = rng.choice(rows)
        row.refresh_from_db()
        if row.person_id is None:
            continue
        choices = ["present", "absent", "excused", "not_recorded"] if row.on_roster else ["present"]
        actions.mark_attendance(actor=world.superuser, activity=row.activity, marks={row.pk: rng.choice(choices)})
    for act in Activity.objects.order_by("pk")[:4]:
        actions.add_guests(actor=world.superuser, activity=act, names=["来宾"])
        outsider = rng.choice(people)
        if not Attendance.objects.filter(activity=act, person=outsider).exists():
            actions.add_attendee(actor=world.superuser, activity=act, person=outsider)
    guest = Attendance.objects.filter(person__isnull=True).first()
    actions.remove_guest(actor=world.superuser, attendance=guest)

    incremental = _aggregate_state()
    aggregates.rebuild()
    assert _aggregate_state() == incremental
    # And the aggregate path agrees with the raw path for every whole month and quarter.
    for unit in (world.county, world.town_a, world.branch_a1):
        for start, end in ((D(2023, 3, 1), D(2023, 3, 31)), (D(2023, 4, 1), D(2023, 6, 30)),
                           (D(2023, 1, 1), D(2023, 12, 31))):
            for kind in ("", "league_day", "youth_study"):
                aggregated = queries.stats(unit, start, end, kind)
                assert aggregated.source == "aggregate"
                raw = queries.raw_stats(unit, start, end, kind)
                assert {**aggregated.__dict__, "source": "raw"} == raw.__dict__, (unit, start, kind)


def test_deferred_aggregates_are_rebuilt_on_leaving_the_block(world):
    member(world, world.branch_a1, "甲")
    with aggregates.deferred():
        act = activity(world, world.branch_a1)
        assert not SubtreePeriodStat.objects.exists()
        actions.mark_attendance(actor=world.superuser, activity=act, marks=_marks(act, {"甲": "present"}))
    result = queries.stats(world.town_a, *MARCH)
    assert (result.sessions, result.person_times, result.coverage) == (1, 1, Rate(1, 1))
    act.refresh_from_db()
    assert (act.roster_count, act.present_roster) == (1, 1)


def test_rebuild_command_reports_its_steps_and_keeps_the_aggregates(world):
    from io import StringIO

    from django.core.management import call_command

    member(world, world.branch_a1, "甲")
    act = activity(world, world.branch_a1)
    actions.mark_attendance(actor=world.superuser, activity=act, marks=_marks(act, {"甲": "present"}))
    before = _aggregate_state()
    SubtreePeriodStat.objects.all().delete()  # stale aggregates: the command must bring them back
    PersonPeriodUnit.objects.all().delete()
    assert _aggregate_state() != before
    out = StringIO()
    call_command("rebuild_activity_stats", stdout=out)
    assert "人员 × 月" in out.getvalue() and "活动汇总表已重建" in out.getvalue()
    assert _aggregate_state() == before
