"""Test helpers for elections: a branch meeting with voters, an election with tellers, and the
inside/outside objects the route matrix (tests/test_route_matrix.py) needs for this app's models."""

from __future__ import annotations

import datetime

from tuanwu.people.testing import make_member

from . import actions
from .models import Election, Meeting, Round, Teller

VOTER_NAMES = ["王明", "李华", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "徐强", "孙悦"]


def branch_meeting(world, branch=None, *, voters: int = 10, present: int | None = None, names=None,
                   held_on: datetime.date | None = None) -> tuple[Meeting, list]:
    """A members' meeting of ``branch`` with ``voters`` members on the roll call, ``present`` of them present."""
    branch = branch or world.branch_a1
    held_on = held_on or datetime.date(2025, 3, 1)
    names = names or VOTER_NAMES
    people = [make_member(world, branch, names[i % len(names)] + ("" if i < len(names) else str(i))).person
              for i in range(voters)]
    meeting = actions.create_meeting(actor=world.superuser, unit=branch, kind="members_meeting",
                                     title=f"{branch.name}团员大会", term_number=3, held_on=held_on)
    actions.add_attendees(actor=world.superuser, meeting=meeting, people=people)
    count = voters if present is None else present
    actions.record_roll_call(actor=world.superuser, meeting=meeting, present_person_ids={p.pk for p in people[:count]})
    return meeting, people


def branch_election(world, branch=None, *, seats: int = 3, candidates: int = 4, voters: int = 10,
                    present: int | None = None, office: str = "committee_member") -> tuple[Election, list, list]:
    """An election of ``seats`` with the first ``candidates`` voters as candidates and the last two
    as tellers; returns (election, people, [(teller, code), (teller, code)])."""
    meeting, people = branch_meeting(world, branch, voters=voters, present=present)
    election = actions.create_election(actor=world.superuser, meeting=meeting, office=office, seats=seats,
                                       candidates=people[:candidates])
    tellers = [actions.add_teller(actor=world.superuser, election=election, person=people[-1], role="scrutineer"),
               actions.add_teller(actor=world.superuser, election=election, person=people[-2], role="counter")]
    return election, people, tellers


def enter_twice(tellers, rnd: Round, paper: int, marks: dict, write_ins=()):
    """Both tellers enter the same paper identically; returns the second entry's result."""
    actions.enter_ballot(teller=tellers[0][0], round=rnd, paper_number=paper, marks=marks, write_ins=list(write_ins))
    return actions.enter_ballot(teller=tellers[1][0], round=rnd, paper_number=paper, marks=marks,
                                write_ins=list(write_ins))


def route_cases(world, model, permission):
    """(inside, outside, user with permission, user without) for this app's models, else None."""
    from .models import Candidate

    if model in (Meeting, Election, Round, Candidate, Teller):
        inside, _, _ = branch_election(world, world.branch_a2, voters=6, candidates=4, seats=3)
        outside, _, _ = branch_election(world, world.branch_b1, voters=6, candidates=4, seats=3)
        pick = {
            Meeting: lambda e: e.meeting, Election: lambda e: e, Candidate: lambda e: e.candidates.first(),
            Teller: lambda e: e.tellers.first(),
            Round: lambda e: actions.start_counting(actor=world.superuser, election=e),
        }[model]
        return pick(inside), pick(outside), world.town_secretary, world.inspector
    return None
