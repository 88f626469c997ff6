"""Who is on an activity's roster: the membership on the activity's date, never today's.

League members: a membership that had joined by that day and had not left (exits record their
date), in the branch it was in that day. The branch on a past day is read from the move history
(MembershipEvent ``move``): if the member moved after that day, they were in the first move's
``from_branch``. Young Pioneers have no membership history in the registry: their roster is the
pioneers registered in the squadron when the activity is recorded (docs/activities.md).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q

from tuanwu.membership.models import Membership, MembershipEvent
from tuanwu.organisations.models import Unit
from tuanwu.people.models import Person, PoliticalStatus

from .models import Audience


def league_roster(paths: list[str], on: datetime.date) -> dict[int, int]:
    """{person id: branch id} of League members in the subtrees ``paths`` on day ``on``."""
    if not paths:
        return {}
    in_subtree = Q()
    for path in paths:
        in_subtree |= Q(branch__path__startswith=path)
    moved_from = Q()
    for path in paths:
        moved_from |= Q(from_branch__path__startswith=path)
    # Members now elsewhere who were here on that day.
    moved_ids = set(
        MembershipEvent.objects.filter(moved_from, kind=MembershipEvent.Kind.MOVE, on__gt=on)
        .values_list("membership_id", flat=True)
    )
    candidates = (
        Membership.objects.filter(in_subtree | Q(pk__in=moved_ids))
        .filter(joined_on__isnull=False, joined_on__lte=on)
        .filter(Q(exit_on__isnull=True) | Q(exit_on__gt=on))
        .values_list("pk", "person_id", "branch_id")
    )
    candidates = list(candidates)
    later_moves: dict[int, tuple[datetime.date, int, int]] = {}
    for membership_id, day, pk, from_branch in (
        MembershipEvent.objects.filter(membership_id__in=[c[0] for c in candidates], kind=MembershipEvent.Kind.MOVE,
                                       on__gt=on)
        .order_by("membership_id", "on", "pk").values_list("membership_id", "on", "pk", "from_branch_id")
    ):
        later_moves.setdefault(membership_id, (day, pk, from_branch))
    branch_at = {}
    for membership_id, person_id, branch_id in candidates:
        if membership_id in later_moves:
            branch_at[person_id] = later_moves[membership_id][2]
        else:
            branch_at[person_id] = branch_id
    if not branch_at:
        return {}
    paths_of = dict(Unit.objects.filter(pk__in=set(branch_at.values())).values_list("pk", "path"))
    return {pid: bid for pid, bid in branch_at.items() if any(paths_of[bid].startswith(p) for p in paths)}


def pioneer_roster(paths: list[str]) -> dict[int, int]:
    """{person id: unit id} of Young Pioneers registered in the subtrees ``paths``."""
    if not paths:
        return {}
    in_subtree = Q()
    for path in paths:
        in_subtree |= Q(unit__path__startswith=path)
    return dict(Person.objects.filter(in_subtree, political_status=PoliticalStatus.PIONEER)
                .values_list("pk", "unit_id"))


def roster(paths: list[str], audience: list[str], on: datetime.date) -> dict[int, int]:
    """The roster of an activity aimed at ``audience`` in the subtrees ``paths`` on day ``on``."""
    result: dict[int, int] = {}
    if Audience.LEAGUE_MEMBERS in audience:
        result.update(league_roster(paths, on))
    if Audience.PIONEERS in audience:
        for pid, unit_id in pioneer_roster(paths).items():
            result.setdefault(pid, unit_id)
    return result


def rosters_by_unit(units: list[Unit], audience: list[str], on: datetime.date) -> dict[int, list[int]]:
    """For many units at once (publishing an episode): {unit id: [person ids]}; each person goes to
    the deepest listed unit that contains their branch or squadron."""
    if not units:
        return {}
    whole = roster(sorted({u.path for u in units}), audience, on)
    by_path = sorted(((u.path, u.pk) for u in units), key=lambda x: -len(x[0]))
    unit_paths = dict(Unit.objects.filter(pk__in=set(whole.values())).values_list("pk", "path"))
    result: dict[int, list[int]] = defaultdict(list)
    for pid, home in whole.items():
        home_path = unit_paths[home]
        for path, pk in by_path:
            if home_path.startswith(path):
                result[pk].append(pid)
                break
    return result
