"""Inside / outside objects of the membership-life models for the route matrix
(tests/test_route_matrix.py), through the same actions the pages use."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tuanwu.organisations.rules import add_months, add_years

ROUTE_KWARGS = {"step": "talk", "fmt": "pdf"}


def _today():
    return timezone.localdate()


def _applicant(world, branch, name):
    from tuanwu.membership import development
    from tuanwu.people.testing import make_id_number

    birth = datetime.date(_today().year - 18, 2, 2)
    return development.apply(actor=world.superuser, branch=branch, applied_on=_today(),
                             person_fields={"name": name, "id_number": make_id_number(birth)})


def _member(world, branch, name):
    from tuanwu.people.testing import make_member

    return make_member(world, branch, name)


def route_cases(world, model, permission):
    """(inside, outside, user with permission, user without) for the membership-life models, else None."""
    from tuanwu.membership import exits, party, pioneers, review, transfers
    from tuanwu.membership.models import (
        Development,
        ExitCase,
        PartyRecommendation,
        PioneerRecommendation,
        ReviewGrade,
        ReviewSession,
        Transfer,
    )
    from tuanwu.people.testing import make_id_number, make_person

    su, today = world.superuser, _today()
    inside_branch, outside_branch = world.branch_a2, world.branch_b1
    users = (world.town_secretary, world.inspector)
    if model is Development:
        return (_applicant(world, inside_branch, "内申请"), _applicant(world, outside_branch, "外申请"), *users)
    if model in (ReviewSession, ReviewGrade):
        def session(branch, name):
            m = _member(world, branch, name)
            return review.hold_review(actor=su, branch=branch, year=today.year, held_on=today, present=1,
                                      grades={m.pk: "failed"})
        inside, outside = session(inside_branch, "内评议"), session(outside_branch, "外评议")
        if model is ReviewGrade:
            return inside.grades.get(), outside.grades.get(), *users
        return inside, outside, *users
    if model is PartyRecommendation:
        def rec(branch, name):
            return party.propose(actor=su, membership=_member(world, branch, name), kind="to_activist",
                                 proposed_on=today)
        return rec(inside_branch, "内推优"), rec(outside_branch, "外推优"), *users
    if model is Transfer:
        def transfer(member_branch, to_unit, name):
            return transfers.request_transfer(actor=su, membership=_member(world, member_branch, name),
                                              initiated_by="sender", destination="work", to_unit=to_unit,
                                              requested_on=today)
        return (transfer(world.branch_a1, inside_branch, "内转接"), transfer(outside_branch, world.town_b, "外转接"),
                *users)
    if model is ExitCase:
        def case(branch, name):
            return exits.open_case(actor=su, membership=_member(world, branch, name), kind="withdrawal",
                                   requested_on=today, request_text="本人申请退团")
        return case(inside_branch, "内退团"), case(outside_branch, "外退团"), *users
    if model is PioneerRecommendation:
        def rec(branch, name, seq):
            birth = add_years(today, -15) - datetime.timedelta(days=seq)
            person = make_person(world, world.squadron, name, birth=birth, id_number=make_id_number(birth),
                                 political_status="pioneer")
            # Recommended by the counsellor, who cannot act for the branch: it waits for the branch.
            return pioneers.recommend(actor=world.counsellor, person=person, brigade=world.brigade, branch=branch,
                                      recommended_on=add_months(today, -1))
        return rec(inside_branch, "内队员", 1), rec(outside_branch, "外队员", 2), *users
    return None
