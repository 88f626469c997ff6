"""Property-based test of the whole API against its own OpenAPI schema, through WSGI.

Schemathesis generates requests for every operation from /api/v1/openapi.json and sends them
to the Django WSGI application with a county administrator's token. The checks: no 5xx, every
status code, content type and body as the schema declares. Generated ids are mostly steered to
records of the test world (registry, activities, volunteers, elections) (otherwise nearly every request would be a 404), so successful reads
and writes are exercised too. Bounded: a few examples per operation.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tuanwu.accounts.actions import create_api_token
from tuanwu.organisations.models import RoleGrant, Unit

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def keep_test_connection():
    # Django closes "old" connections at each request's start and end; under pytest-django that
    # would close the test transaction's connection in the middle of the test.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def county_admin_token(world):
    return create_api_token(user=world.county_admin, name="schemathesis")[1]


def _load_schema():
    from config.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=15)
    return loaded


schema = _load_schema()

# Ids a request may name, filled per test from the world: its records plus whatever was generated
# (a miss is a 404, which is fine but says little).
CHOICES: dict[str, list] = {}


@pytest.fixture(autouse=True)
def steer_ids_to_the_world(world, county_admin_token):
    unit_ids = list(Unit.objects.values_list("pk", flat=True))
    own_grant = RoleGrant.objects.get(user=world.county_admin).pk  # ending it would end the run's access
    grant_ids = list(RoleGrant.objects.exclude(pk=own_grant).values_list("pk", flat=True))
    # Tokens that may be revoked: not the one the run authenticates with.
    token_ids = [create_api_token(user=world.county_admin, name="可撤销")[0].pk,
                 create_api_token(user=world.town_secretary, name="别人的")[0].pk]
    registry = {**_registry_ids(world), **_other_ids(world)}
    CHOICES.update({
        **registry,
        "unit_id": unit_ids, "grant_id": grant_ids, "token_id": token_ids, "parent_id": unit_ids,
        "new_parent_id": unit_ids, "led_by_id": unit_ids, "subtree_of": unit_ids,
        "username": ["outsider", "town_secretary", "inspector"],
    })
    yield
    CHOICES.clear()


def _registry_ids(world) -> dict[str, list]:
    """A member, a Young Pioneer, a post holding and an import job for the registry operations."""
    import datetime

    from tuanwu.core.models import ImportJob
    from tuanwu.people.actions import add_post_holding
    from tuanwu.people.testing import make_member, make_person

    member = make_member(world, world.branch_a1, "张三")
    pioneer = make_person(world, world.squadron, "小红", birth=timezone.localdate().replace(day=1, month=1) -
                          datetime.timedelta(days=9 * 365), id_number="", student_number="G650121201700001")
    holding = add_post_holding(actor=world.superuser, person=member.person, unit=world.branch_a1, position="secretary",
                               started_on=datetime.date(2024, 1, 1), how_obtained="elected")
    job = ImportJob.objects.create(kind="members", unit=world.county, created_by=world.county_admin,
                                   original_name="团员名册.xlsx")
    branches = [world.branch_a1.pk, world.branch_a2.pk, world.branch_b1.pk]
    return {"person_id": [member.person_id, pioneer.pk], "membership_id": [member.pk], "holding_id": [holding.pk],
            "job_id": [job.pk], "to_branch_id": branches}


def _other_ids(world) -> dict[str, list]:
    """An activity, a 西部计划 cohort with a volunteer, and a branch meeting with an election."""
    from tuanwu.activities.testing import activity
    from tuanwu.elections.testing import branch_election
    from tuanwu.volunteering.testing import make_cohort, make_volunteer

    act = activity(world, world.branch_a1)
    cohort = make_cohort(world)
    volunteer = make_volunteer(world, cohort)
    election, _, _ = branch_election(world, world.branch_a2, voters=6, candidates=3, seats=2)
    return {"activity_id": [act.pk], "cohort_id": [cohort.pk], "volunteer_id": [volunteer.pk],
            "election_id": [election.pk], "meeting_id": [election.meeting_id]}


def _steer(values):
    if not values:
        return st.just(values)
    return st.fixed_dictionaries({
        key: st.sampled_from([*CHOICES[key], value]) if key in CHOICES and value is not None else st.just(value)
        for key, value in values.items()
    })


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _steer(path_parameters)


@schema.hook
def flatmap_query(context, query):
    return _steer(query)


@schema.hook
def flatmap_body(context, body):
    return _steer(body) if isinstance(body, dict) else st.just(body)


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, keep_test_connection, county_admin_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {county_admin_token}"}, checks=CHECKS)
