"""The pages: a branch secretary takes an applicant from application to member entirely through
the forms (the township secretary takes the committee's steps); each refusal is shown next to
the form, says what is missing, and changes nothing."""

import datetime

import pytest
from django.urls import reverse

from tuanwu.core.models import AuditEvent
from tuanwu.membership.models import Development, Membership, Status, Transfer
from tuanwu.membership.tests.life_helpers import TODAY, Timeline, members, set_quota
from tuanwu.organisations.rules import add_months
from tuanwu.people.testing import make_id_number, make_member

D = datetime.timedelta


def _d(day):
    return day.isoformat()


def _post(client, url, data, *, follow_ok=True):
    response = client.post(url, data)
    if follow_ok:
        assert response.status_code == 302, response.content.decode()[:3000]
    return response


def _step(client, d, step, data):
    return _post(client, reverse("membership:development_step", args=[d.pk, step]), data)


@pytest.mark.django_db
def test_secretary_develops_an_applicant_to_member_through_the_pages(world, as_user):
    set_quota(world)
    t = Timeline()
    contacts = members(world)
    branch, town = as_user(world.branch_secretary), as_user(world.town_secretary)
    birth = datetime.date(TODAY.year - 16, 8, 8)
    response = _post(branch, reverse("membership:apply", args=[world.branch_a1.pk]), {
        "name": "王申请", "id_number": make_id_number(birth), "ethnicity": "汉族", "occupation": "student",
        "applied_on": _d(t.applied), "note": "热爱共青团",
    })
    d = Development.objects.get(membership__person__name="王申请")
    assert response["Location"] == reverse("membership:development", args=[d.pk])
    page = branch.get(response["Location"]).content.decode()
    assert f"与申请人谈话（应于 {add_months(t.applied, 1):%Y-%m-%d} 前）" in page

    _step(branch, d, "talk", {"talk_on": _d(t.talk), "talk_by": "张书记"})
    _step(branch, d, "activist", {"on": _d(t.activist), "channel": "member_recommendation",
                                  "recommenders": contacts[0].person.name})
    _step(town, d, "file_activist", {"on": _d(t.filed)})
    _step(branch, d, "contact", {"contact": contacts[0].pk, "on": _d(t.contact)})
    for i, day in enumerate(t.lessons, start=1):
        _step(branch, d, "lesson", {"on": _d(day), "topic": f"团课{i}", "hours": 2, "minutes": 100, "in_person": "on"})

    # A refusal on the page: too early for 发展对象; nothing changes.
    audits, before = AuditEvent.objects.count(), Development.objects.get(pk=d.pk).stage
    early = t.activist + D(days=30)
    response = branch.post(reverse("membership:development_step", args=[d.pk, "candidate"]), {"on": _d(early)})
    assert response.status_code == 200
    assert f"培养期满 3 个月后（{add_months(t.activist, 3):%Y-%m-%d} 起）可确定为发展对象" in response.content.decode()
    assert (AuditEvent.objects.count(), Development.objects.get(pk=d.pk).stage) == (audits, before)

    _step(branch, d, "candidate", {"on": _d(t.candidate)})
    _step(branch, d, "notice_candidate", {"starts_on": _d(t.candidate_notice), "place": "村委会公示栏"})
    _step(town, d, "prereview", {"on": _d(t.prereview)})
    _step(town, d, "issue_form", {"on": _d(t.form)})
    _step(branch, d, "introducers", {"introducer_1": contacts[1].pk, "introducer_2": contacts[2].pk,
                                     "on": _d(t.introducers)})
    _step(branch, d, "vote", {"meeting_on": _d(t.vote), "voting_members": 10, "present": 8, "yes": 7, "no": 1,
                              "abstain": 0})
    _step(branch, d, "notice_admission", {"starts_on": _d(t.admission_notice)})
    # The branch secretary cannot approve: the page offers the step only to the committee above.
    assert branch.get(reverse("membership:development", args=[d.pk])).content.decode().count("您没有办理此步骤的权限") == 1
    assert branch.post(reverse("membership:development_step", args=[d.pk, "approve"]),
                       {"on": _d(t.approve)}).status_code == 403
    _step(town, d, "approve", {"on": _d(t.approve)})
    m = Membership.objects.get(pk=d.membership_id)
    assert (m.status, m.joined_on, m.development_number) == (Status.MEMBER, t.vote, f"{t.vote.year}01210001")
    page = branch.get(reverse("membership:development", args=[d.pk])).content.decode()
    assert f"入团时间 {t.vote:%Y-%m-%d}" in page
    _step(branch, d, "ceremony", {"on": _d(t.approve + D(days=1))})


@pytest.mark.django_db
def test_pipeline_page_lists_people_with_what_blocks_them(world, as_user):
    from tuanwu.membership.tests.life_helpers import develop

    t = Timeline(start_days=40)
    develop(world, "contact", t=t, name="赵积极")
    page = as_user(world.town_secretary).get(reverse("membership:pipeline", args=[world.town_a.pk])).content.decode()
    assert "赵积极" in page
    assert f"培养期满 3 个月后（{add_months(t.activist, 3):%Y-%m-%d} 起）可确定为发展对象" in page
    assert "还差 8 学时" in page
    # A sibling township sees nothing of it.
    assert as_user(world.outsider).get(reverse("membership:pipeline", args=[world.town_a.pk])).status_code == 404


@pytest.mark.django_db
def test_receiver_approves_a_transfer_on_its_page(world, as_user):
    m = make_member(world, world.branch_b1, "丙村转出")
    t = Transfer.objects.create(membership=m, from_branch=world.branch_b1, to_unit=world.town_a,
                                initiated_by="sender", destination="work", requested_on=TODAY)
    client = as_user(world.town_secretary)
    page = client.get(reverse("membership:transfer_decide", args=[t.pk])).content.decode()
    assert "丙村转出" in page and "转入方审批" in page
    response = client.post(reverse("membership:transfer_decide", args=[t.pk]),
                           {"decision": "approve", "to_branch": world.branch_a2.pk, "on": _d(TODAY), "note": ""})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.branch_id == world.branch_a2.pk


@pytest.mark.django_db
def test_dues_funnel_reviews_and_party_pages_render(world, as_user):
    make_member(world, world.branch_a1, "页面团员", occupation="farmer")
    client = as_user(world.town_secretary)
    for name in ("dues", "funnel", "reviews", "transfers", "pipeline"):
        response = client.get(reverse(f"membership:{name}", args=[world.town_a.pk]))
        assert response.status_code == 200, name
    assert "0.20" in client.get(reverse("membership:dues", args=[world.town_a.pk])).content.decode()
    assert client.get(reverse("membership:home")).status_code == 200


@pytest.mark.django_db
def test_unit_page_shows_the_membership_life_panel_with_stage_counts(world, as_user):
    from tuanwu.membership.tests.life_helpers import applicant

    applicant(world, "面板申请人")
    page = as_user(world.town_secretary).get(reverse("organisations:unit_detail", args=[world.town_a.pk])).content.decode()
    assert "团员发展与团籍管理" in page
    assert reverse("membership:pipeline", args=[world.town_a.pk]) in page
    panel = page[page.index('id="panel-membership_life"'):]
    assert '<div class="value">1</div><div class="label">入团申请人</div>' in panel


@pytest.mark.django_db
def test_member_hub_party_and_review_pages_show_their_records(world, as_user):
    from tuanwu.membership import dues, party, review

    m = make_member(world, world.branch_a1, "事务团员", occupation="farmer", joined_on=add_months(TODAY, -3))
    dues.pay(actor=world.branch_secretary, membership=m, months=[add_months(TODAY.replace(day=1), -1)], paid_on=TODAY)
    rec = party.propose(actor=world.branch_secretary, membership=m, kind="to_activist",
                        proposed_on=add_months(TODAY, -2))
    party.record_meeting(actor=world.branch_secretary, recommendation=rec, meeting_on=add_months(TODAY, -2) + D(days=2),
                         due=4, present=4, yes=3, no=1, abstain=0)
    party.post_notice(actor=world.branch_secretary, recommendation=rec, starts_on=add_months(TODAY, -2) + D(days=3))
    party.review(actor=world.town_secretary, recommendation=rec, on=TODAY)
    session = review.hold_review(actor=world.branch_secretary, branch=world.branch_a1, year=TODAY.year, held_on=TODAY,
                                 present=1, grades={m.pk: "failed"})
    client = as_user(world.town_secretary)
    hub = client.get(reverse("membership:life", args=[m.pk])).content.decode()
    assert "0.20 元" in hub and "欠交</dt><dd>3 个月" in hub and "推荐优秀团员作为入党积极分子人选" in hub
    page = client.get(reverse("membership:party", args=[rec.pk])).content.decode()
    assert "下载推荐意见（Word）" in page and "应到 4，实到 4；赞成 3，反对 1，弃权 0" in page
    docx = client.get(reverse("membership:party_letter", args=[rec.pk, "docx"]))
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    page = client.get(reverse("membership:review_session", args=[session.pk])).content.decode()
    start, end = add_months(TODAY, 3), add_months(TODAY, 6)
    assert f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d} 复评" in page and "审定评议结果" in page


@pytest.mark.django_db
def test_member_forms_save_say_so_and_refuse_on_the_form(world, as_user):
    # The one-action member forms (dues, deferral, exit) share one POST path: success flashes and
    # redirects; a refusal stays on the form with its message and writes nothing.
    from tuanwu.membership.life_models import DuesPayment, ExitCase

    branch = as_user(world.branch_secretary)
    m = make_member(world, world.branch_a1, "表单团员", joined_on=datetime.date(2020, 5, 4))
    life = reverse("membership:life", args=[m.pk])

    response = _post(branch, reverse("membership:dues_account", args=[m.pk]), {"category": "student"})
    assert response["Location"] == life
    month = TODAY.replace(day=1)
    response = _post(branch, reverse("membership:dues_pay", args=[m.pk]), {
        "first_month": _d(month), "last_month": _d(month), "paid_on": _d(TODAY)})
    assert response["Location"] == life
    assert "已登记 1 个月团费，共 0.20 元" in branch.get(life).content.decode()
    assert DuesPayment.objects.filter(membership=m).count() == 1

    # Paying the same month again is refused on the form; nothing is written.
    audits = AuditEvent.objects.count()
    response = _post(branch, reverse("membership:dues_pay", args=[m.pk]), {
        "first_month": _d(month), "last_month": _d(month), "paid_on": _d(TODAY)}, follow_ok=False)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode() or "alert" in response.content.decode()
    assert (DuesPayment.objects.filter(membership=m).count(), AuditEvent.objects.count()) == (1, audits)

    response = _post(branch, reverse("membership:exit_open", args=[m.pk]), {
        "kind": "withdrawal", "requested_on": _d(TODAY), "request_text": "本人申请退团"})
    case = ExitCase.objects.get(membership=m)
    assert response["Location"] == reverse("membership:exit_case", args=[case.pk])
    assert "已提出退团" in branch.get(response["Location"]).content.decode()
