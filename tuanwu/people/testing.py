"""Test helpers for the registry: valid ID numbers, people in the test world, and the inside /
outside objects the route matrix (tests/test_route_matrix.py) needs for this app's models."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from .idcard import check_digit

_sequence = itertools.count(11)


def make_id_number(birth: datetime.date, *, region: str = "650121", gender: str = "male", seq: int | None = None) -> str:
    """A valid 18-character ID number (GB 11643 check digit) for ``birth`` and ``gender``."""
    n = next(_sequence) if seq is None else seq
    third = (n % 5) * 2 + (1 if gender == "male" else 0)  # the 17th digit: odd = male
    body = f"{region}{birth:%Y%m%d}{(n // 5) % 100:02d}{third}"
    return body + check_digit(body)


def adult_birth(years: int = 20, today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return datetime.date(today.year - years, 3, 15)


def make_person(world, unit, name: str = "王小明", *, birth: datetime.date | None = None, gender: str = "male",
                phone: str = "", actor=None, **fields):
    from .actions import create_person

    birth = birth or adult_birth()
    id_number = fields.pop("id_number", None)
    if id_number is None and not fields.get("student_number"):
        id_number = make_id_number(birth, gender=gender)
    return create_person(actor=actor or world.superuser, unit=unit, name=name, id_number=id_number or "",
                         phone=phone, birth_date=birth if not id_number else None, gender=gender, **fields)


def make_member(world, branch, name: str = "李团员", *, birth: datetime.date | None = None,
                joined_on: datetime.date | None = None, actor=None, **fields):
    from tuanwu.membership.actions import open_membership

    person = make_person(world, branch, name, birth=birth, actor=actor, **fields)
    joined_on = joined_on or person.birth_date.replace(year=person.birth_date.year + 16)
    # R2.14: joins from 2016 in Xinjiang (the test county is 650121) carry a development number.
    number = f"{joined_on.year}{next(_sequence):08d}"
    return open_membership(actor=actor or world.superuser, person=person, branch=branch, status="member",
                           on=joined_on, joined_on=joined_on, development_number=number)


def route_cases(world, model, permission):
    """(inside, outside, user with permission, user without) for this app's models, else None."""
    from tuanwu.membership.models import Membership
    from tuanwu.organisations import access, actions

    from .actions import add_post_holding
    from .models import Person, PostHolding

    if model is Person and permission == access.REVEAL_PII:
        other_county = actions.create_unit(actor=world.superuser, parent=world.city, name="团另一县委",
                                           kind="league_county")
        other_branch = actions.create_unit(actor=world.superuser, parent=other_county, name="另一县团支部", kind="branch")
        return (make_person(world, world.branch_a2, "赵内"), make_person(world, other_branch, "钱外"),
                world.county_admin, world.inspector)
    if model is Person:
        return (make_person(world, world.branch_a2, "赵内"), make_person(world, world.branch_b1, "钱外"),
                world.town_secretary, world.inspector)
    if model is Membership:
        return (make_member(world, world.branch_a2, "孙内"), make_member(world, world.branch_b1, "李外"),
                world.town_secretary, world.inspector)
    if model is PostHolding:
        today = timezone.localdate()

        def holding(unit, name):
            person = make_person(world, unit, name)
            return add_post_holding(actor=world.superuser, person=person, unit=unit, position="secretary",
                                    started_on=today, how_obtained="elected")

        return holding(world.branch_a2, "周内"), holding(world.branch_b1, "吴外"), world.town_secretary, world.inspector
    return None
