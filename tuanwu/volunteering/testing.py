"""Test helpers: cohorts, posts and volunteers in the test world, and the inside / outside objects
the route matrix (tests/test_route_matrix.py) needs for this app's models."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

_names = itertools.count(1)
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
GIVEN = "明华强伟芳娜静敏丽军杰涛超勇艳磊洋刚平辉"


def fresh_name() -> str:
    n = next(_names)
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)] + GIVEN[n % len(GIVEN)]


def make_cohort(world, county=None, year: int = 2024):
    from .actions import create_cohort

    return create_cohort(actor=world.superuser, unit=county or world.county, year=year)


def make_service_unit(world, county=None, name: str = "甲镇人民政府", kind: str = "township"):
    from .actions import create_service_unit

    return create_service_unit(actor=world.superuser, county=county or world.county, name=name, kind=kind,
                               place="甲镇")


def make_post(world, cohort, service_unit, title: str, *, field: str = "党建", capacity: int = 1, **kwargs):
    from .actions import create_post

    return create_post(actor=world.superuser, cohort=cohort, service_unit=service_unit, title=title, field=field,
                       capacity=capacity, **kwargs)


def make_volunteer(world, cohort, name: str | None = None, *, major: str = "汉语言文学", tags=(), degree="bachelor",
                   score=80, programme: str = "乡村教育", user=None):
    from tuanwu.people.testing import make_person

    from .actions import register_volunteer

    person = make_person(world, cohort.unit, name or fresh_name(), birth=datetime.date(2000, 5, 1))
    if user is not None:
        person.user = user
        person.save(update_fields=["user"])
    return register_volunteer(actor=world.superuser, cohort=cohort, person=person, university="新疆大学", major=major,
                              hometown="河南", programme=programme, specialty_tags=tags, degree=degree,
                              screening_score=score)


def serve_years(world, volunteer, years: int, *, ended_before: datetime.date | None = None):
    """Sign ``years`` consecutive agreements ending before ``ended_before`` (default today)."""
    from .actions import sign_agreement

    end = ended_before or timezone.localdate()
    start = datetime.date(end.year - years - 1, 8, 1)
    agreements = []
    for _ in range(years):
        agreements.append(sign_agreement(actor=world.superuser, volunteer=volunteer, starts_on=start))
        start = agreements[-1].ends_on + datetime.timedelta(days=1)
    return agreements


def make_eligible_volunteer(world, cohort, name: str | None = None):
    """A volunteer with two completed years, both assessed 优秀 (R9.6 eligible)."""
    from .actions import record_assessment

    volunteer = make_volunteer(world, cohort, name)
    agreements = serve_years(world, volunteer, 2)
    record_assessment(actor=world.superuser, volunteer=volunteer, kind="yearly", year_number=1, grade="优秀",
                      assessed_on=agreements[0].ends_on)
    record_assessment(actor=world.superuser, volunteer=volunteer, kind="end", year_number=2, grade="优秀",
                      assessed_on=agreements[1].ends_on)
    return volunteer


def other_county(world):
    from tuanwu.organisations import actions

    return actions.create_unit(actor=world.superuser, parent=world.city, name="团邻县委", kind="league_county")


def route_cases(world, model, permission):
    """(inside, outside, user with permission, user without) for this app's models, else None."""
    from .actions import issue_recommendation
    from .models import Cohort, Recommendation, Volunteer

    if model not in (Cohort, Volunteer, Recommendation):
        return None
    elsewhere = other_county(world)
    inside_cohort, outside_cohort = make_cohort(world), make_cohort(world, elsewhere)
    with_perm, without_perm = world.county_admin, world.inspector
    if model is Cohort:
        return inside_cohort, outside_cohort, with_perm, without_perm
    if model is Volunteer:
        return make_volunteer(world, inside_cohort), make_volunteer(world, outside_cohort), with_perm, without_perm

    def recommendation(cohort):
        volunteer = make_eligible_volunteer(world, cohort)
        return issue_recommendation(actor=world.superuser, county=cohort.unit, volunteer=volunteer, channel="定向招聘",
                                    addressee="县委组织部")

    return recommendation(inside_cohort), recommendation(outside_cohort), with_perm, without_perm
