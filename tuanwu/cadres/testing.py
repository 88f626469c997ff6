"""Test helpers for cadres: cadre posts in the test world, and the inside / outside objects the
route matrix (tests/test_route_matrix.py) needs for this app's models."""

from __future__ import annotations

import datetime


def make_cadre(world, unit, name: str, *, position: str = "secretary", kind: str = "part_time",
               in_establishment: bool = False, started_on: datetime.date | None = None, birth=None,
               home_employer: str = "", planned_end_on: datetime.date | None = None, actor=None):
    """A person registered in ``unit`` holding ``position`` there with cadre terms; returns the terms."""
    from tuanwu.people.testing import make_person

    from .actions import appoint_cadre

    person = make_person(world, unit, name, birth=birth)
    return appoint_cadre(actor=actor or world.superuser, person=person, unit=unit, position=position,
                         started_on=started_on or datetime.date(2022, 3, 1), kind=kind,
                         in_establishment=in_establishment, home_employer=home_employer,
                         planned_end_on=planned_end_on)


def route_cases(world, model, permission):
    """(inside, outside, user with permission, user without) for this app's models, else None."""
    from tuanwu.organisations import access

    from .actions import create_training_course, second_cadre
    from .models import PostTerms, Secondment, TrainingCourse

    if model is PostTerms:
        without = world.party_reviewer if permission == access.EXPORT else world.inspector
        return (make_cadre(world, world.branch_a2, "周内"), make_cadre(world, world.branch_b1, "吴外"),
                world.town_secretary, without)
    if model is Secondment:
        def away(unit, name):
            terms = make_cadre(world, unit, name)
            return second_cadre(actor=world.superuser, holding=terms.holding, move="borrowed", destination="县委宣传部",
                                started_on=datetime.date(2023, 1, 1))
        return away(world.branch_a2, "郑内"), away(world.branch_b1, "王外"), world.town_secretary, world.inspector
    if model is TrainingCourse:
        def course(unit):
            return create_training_course(actor=world.superuser, unit=unit, title="团干部培训班",
                                          started_on=datetime.date(2023, 5, 1), ended_on=datetime.date(2023, 5, 3),
                                          hours=16)
        return course(world.town_a), course(world.town_b), world.town_secretary, world.inspector
    return None
