"""The navigation's to-do badge is fetched after the page, so pages don't pay for every provider."""

import datetime

from django.utils import timezone

from tuanwu.core import todos
from tuanwu.organisations import actions


def test_badge_counts_the_users_items(world, as_user):
    today = timezone.localdate()
    actions.start_term(actor=world.county_admin, unit=world.branch_a1, started_on=today - datetime.timedelta(days=400),
                       planned_end_on=today + datetime.timedelta(days=30), how_elected="members_meeting")
    expected = len(todos.alerts_for(world.town_secretary))
    assert expected >= 1
    response = as_user(world.town_secretary).get("/todos/badge/")
    assert response.status_code == 200
    assert response.content.decode() == f'<span class="count">{expected}</span>'


def test_badge_is_empty_without_items_and_pages_defer_it(world, as_user):
    client = as_user(world.outsider)
    assert client.get("/todos/badge/").content == b""
    page = client.get("/accounts/password/").content.decode()
    assert 'hx-get="/todos/badge/"' in page


def test_badge_needs_a_login(client):
    response = client.get("/todos/badge/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
