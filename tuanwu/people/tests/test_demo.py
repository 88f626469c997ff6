"""The demo part “people”: loads once on top of the tree, fast, and every figure holds."""

from __future__ import annotations

import time

from django.utils import timezone

from tuanwu.core.models import AuditEvent
from tuanwu.demo import loader, registry
from tuanwu.membership.models import EXIT_STATUSES, Membership, MembershipEvent
from tuanwu.membership.rules import development_number_refusal, join_age_refusal
from tuanwu.people import demo
from tuanwu.people.models import Person, PostHolding


def test_people_demo_loads_once_quickly_and_its_figures_hold(db, monkeypatch):
    loader.load_demo()
    assert not demo.is_loaded()
    started = time.monotonic()
    summary = demo.load(today=timezone.localdate(), actor=loader.system_actor())
    seconds = time.monotonic() - started
    print(f"people demo part: {seconds:.1f} s")  # informational; no timed assertion
    assert summary.startswith("3000 名团员及入团申请人等、1500 名少先队员")
    assert demo.is_loaded()
    assert Person.objects.filter(is_sample=True).count() == 4500
    failed = [f.line() for f in demo.figures() if not f.ok]
    assert failed == []
    # The bulk data follows the rules the actions enforce.
    for m in Membership.objects.select_related("person").filter(joined_on__isnull=False):
        assert join_age_refusal(m.person.birth_date, m.joined_on, min_age=14) is None
        assert development_number_refusal(m.development_number, m.joined_on, "650121") is None
        if m.status in EXIT_STATUSES:
            assert m.exit_on and m.exit_reason
    assert MembershipEvent.objects.filter(kind="registered").count() == 3000
    assert AuditEvent.objects.filter(action="登记团内职务（示例数据）").count() == PostHolding.objects.count()
    # A second run of load_demo leaves the part alone. (Only this part is registered here: the
    # later parts test their own loads, and all of them together are `make demo-check`'s job.)
    people_only = [p for p in registry.parts() if p.key == "people"]
    monkeypatch.setattr(registry, "parts", lambda: people_only)
    max_pk = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    people, audits = Person.objects.filter(is_sample=True).count(), AuditEvent.objects.filter(
        action__endswith="（示例数据）").count()
    assert "团员名册" not in " ".join(registry.load_parts(today=timezone.localdate(), actor=loader.system_actor()))
    assert Person.objects.filter(is_sample=True, pk__lte=max_pk).count() == people
    assert AuditEvent.objects.filter(action__endswith="（示例数据）").count() >= audits
