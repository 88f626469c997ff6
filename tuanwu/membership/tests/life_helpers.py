"""Building people at each stage of development through the actions, with dates in the past."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tuanwu.core.rule_settings import set_rule
from tuanwu.membership import development as dev
from tuanwu.people.testing import make_id_number, make_member

TODAY = timezone.localdate()
D = datetime.timedelta


def set_quota(world, value: int = 20):
    set_rule(actor=world.superuser, key="development.yearly_quota", raw_value=value, county=world.county,
             effective_from=datetime.date(TODAY.year - 2, 1, 1), allow_past=True)


def members(world, branch=None, n=3):
    branch = branch or world.branch_a1
    names = ["赵团员", "钱团员", "孙团员", "李团员", "周团员"]
    return [make_member(world, branch, names[i]) for i in range(n)]


class Timeline:
    """Dates of one development, counted from an application ``start_days`` ago."""

    def __init__(self, start_days: int = 240):
        self.applied = TODAY - D(days=start_days)
        self.talk = self.applied + D(days=10)
        self.activist = self.applied + D(days=20)
        self.filed = self.activist + D(days=2)
        self.contact = self.activist + D(days=5)
        self.lessons = [self.activist + D(days=10 * i) for i in range(1, 5)]
        self.candidate = self.activist + D(days=100)
        self.candidate_notice = self.candidate + D(days=1)
        self.prereview = self.candidate + D(days=15)
        self.form = self.prereview + D(days=1)
        self.introducers = self.form + D(days=3)
        self.vote = self.introducers + D(days=5)
        self.admission_notice = self.vote + D(days=1)
        self.approve = self.vote + D(days=20)


def applicant(world, name="新申请", branch=None, t: Timeline | None = None, actor=None):
    t = t or Timeline()
    branch = branch or world.branch_a1
    birth = datetime.date(TODAY.year - 17, 5, 1)
    return dev.apply(actor=actor or world.branch_secretary, branch=branch, applied_on=t.applied,
                     person_fields={"name": name, "id_number": make_id_number(birth)})


def develop(world, until: str, *, name="新申请", t: Timeline | None = None, contacts=None):
    """Walk one applicant up to and including step ``until`` with the branch secretary (branch
    steps) and the township secretary (steps of the committee above)."""
    t = t or Timeline()
    sec, town = world.branch_secretary, world.town_secretary
    contacts = contacts or members(world)
    d = applicant(world, name, t=t)
    steps = [
        ("talk", lambda: dev.record_talk(actor=sec, development=d, talk_on=t.talk, talk_by="张书记")),
        ("activist", lambda: dev.make_activist(actor=sec, development=d, on=t.activist, channel="member_recommendation",
                                               recommenders=contacts[0].person.name)),
        ("file_activist", lambda: dev.file_activist(actor=town, development=d, on=t.filed)),
        ("contact", lambda: dev.assign_contact(actor=sec, development=d, contact=contacts[0], on=t.contact)),
        ("lessons", lambda: [dev.add_lesson(actor=sec, development=d, on=day, topic=f"团课{i}", hours=2, minutes=100)
                             for i, day in enumerate(t.lessons, start=1)]),
        ("candidate", lambda: dev.make_candidate(actor=sec, development=d, on=t.candidate)),
        ("notice_candidate", lambda: dev.post_notice(actor=sec, development=d, stage="candidate",
                                                     starts_on=t.candidate_notice)),
        ("prereview", lambda: dev.prereview(actor=town, development=d, on=t.prereview)),
        ("issue_form", lambda: dev.issue_form(actor=town, development=d, on=t.form)),
        ("introducers", lambda: dev.set_introducers(actor=sec, development=d, introducer_1=contacts[1],
                                                    introducer_2=contacts[2], on=t.introducers)),
        ("vote", lambda: dev.record_vote(actor=sec, development=d, meeting_on=t.vote, voting_members=10, present=8,
                                         yes=7, no=1, abstain=0)),
        ("notice_admission", lambda: dev.post_notice(actor=sec, development=d, stage="admission",
                                                     starts_on=t.admission_notice)),
        ("approve", lambda: dev.approve_admission(actor=town, development=d, on=t.approve)),
    ]
    for key, run in steps:
        run()
        if key == until:
            break
    d.refresh_from_db()
    return d, contacts, t
