"""The cadres demo part: loads through the actions, once, and its figures hold through the staffing queries."""

from tuanwu.cadres import demo
from tuanwu.cadres.models import PostTerms
from tuanwu.core.models import AuditEvent
from tuanwu.demo import loader
from tuanwu.demo.registry import parts


def test_cadres_demo_part_loads_once_and_its_figures_hold(db):
    loader.load_demo()
    part = next(p for p in parts() if p.key == "cadres")
    assert part.order == 60 and not part.is_loaded()
    # Only the tree and this part: the other parts are checked by `make demo-check`; without the
    # elections part, this part registers the county committee's people itself.
    summary = part.load(today=loader.timezone.localdate(), actor=loader.system_actor())
    assert summary.startswith("团干部 ")
    assert part.is_loaded()
    results = demo.figures()
    assert [f.line() for f in results if not f.ok] == []
    assert len(results) == 12
    # Everything is sample data, and every cadre record was audited by the actions.
    assert not PostTerms.objects.filter(is_sample=False).exists()
    assert AuditEvent.objects.filter(action="登记团干部任职信息").count() == PostTerms.objects.count()
