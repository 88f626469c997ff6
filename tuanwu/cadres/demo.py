"""Demo part: the county's League cadres (issue 8 item 9).

- The county committee as in the article: 书记 and one 副书记 full-time (the "一正一副"
  establishment of 2), one part-time 副书记 and one seconded 副书记 outside it. 挂职 rotate every
  two years from March 2023, so on any load date one seconded deputy is in post.
- Township committee secretaries and school League secretaries, all part-time; 托里乡团委's
  secretary left recently and the post is vacant (书记空缺).
- 县直机关团工委 has one full-time place but two full-time cadres in it (超编).
- Appraisals for last year (R9.7 reads them) and the county's training courses.

Posts already in the registry are reused: the elections part (order 50) installs the 14th
plenary's 书记 and 3 副书记, and those holdings get their cadre terms here (the third deputy is the
seconded one, renewed every two years) instead of second holdings. Where a post is not held yet
(townships, schools, or a database without the elections part) a person is registered here through
the people actions and appointed.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from tuanwu.demo import data
from tuanwu.demo.figures import Figure, _at_least, _exactly
from tuanwu.demo.registry import register
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind as UnitKind
from tuanwu.organisations.rules import add_years
from tuanwu.people import actions as people_actions
from tuanwu.people.idcard import check_digit
from tuanwu.people.models import PostHolding

from . import actions, queries
from .models import PostTerms, StaffingQuota

SEED = data.SEED + 60
REFORM_DOCUMENT = "乌县党办发〔2022〕35号"
CONGRESS_DAY = data.COUNTY_TERM_START
SECONDMENT_START = datetime.date(2023, 3, 1)
VACANT_TOWNSHIP = "托里乡团委"
OVER_QUOTA_UNIT = "县直机关团工委"
HOME_EMPLOYERS = ("乌鲁木齐县教育局", "乌鲁木齐县人民医院", "乌鲁木齐县农业农村局", "乌鲁木齐县财政局")


def is_loaded() -> bool:
    return StaffingQuota.objects.filter(is_sample=True).exists()


class CadreBuilder:
    def __init__(self, *, today: datetime.date, actor):
        self.today, self.actor = today, actor
        self.rng = random.Random(SEED)
        self.sequence = 900
        self.county = Unit.objects.get(name=data.COUNTY_NAME, kind=UnitKind.LEAGUE_COUNTY, is_sample=True)
        self.cadres = 0

    def unit(self, name: str) -> Unit:
        return Unit.objects.get(path__startswith=self.county.path, name=name)

    def person(self, unit: Unit, *, age: int, gender: str | None = None):
        gender = gender or self.rng.choice(("male", "female"))
        birth = datetime.date(self.today.year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
        if birth > add_years(self.today, -age):
            birth = birth.replace(year=birth.year - 1)
        # Sequence numbers from 900 up keep clear of the numbers other demo parts generate.
        self.sequence += 1
        third = (self.sequence % 5) * 2 + (1 if gender == "male" else 0)
        body = f"{data.COUNTY_CODE}{birth:%Y%m%d}{(self.sequence // 5) % 100:02d}{third}"
        if self.rng.random() < 0.3:
            name = f"{self.rng.choice(data.KAZAKH_GIVEN)}·{self.rng.choice(data.KAZAKH_FATHER)}"
            ethnicity = "哈萨克族"
        else:
            name = self.rng.choice(data.SURNAMES) + self.rng.choice(data.GIVEN)
            ethnicity = self.rng.choice(("汉族", "汉族", "回族"))
        return people_actions.create_person(
            actor=self.actor, unit=unit, name=name, id_number=body + check_digit(body), ethnicity=ethnicity,
            education=self.rng.choice(("bachelor", "bachelor", "master", "college")), occupation="public_sector",
            political_status=self.rng.choice(("party_member", "party_member", "league_member")), is_sample=True,
        )

    def post(self, unit: Unit, position: str, *, kind: str, started_on: datetime.date, age: int,
             in_establishment: bool = False, rank: str = "", home_employer: str = "",
             planned_end_on: datetime.date | None = None, document: str = "", how: str = "",
             ended_on: datetime.date | None = None) -> PostTerms:
        """Cadre terms on the unit's current holder of ``position``, or on a new post for a new person."""
        existing = None
        if ended_on is None:
            existing = (PostHolding.objects.filter(unit=unit, position=position, cadre_terms__isnull=True)
                        .filter(queries.current_q(self.today)).order_by("started_on", "pk").first())
        if existing is not None:
            terms = actions.set_post_terms(actor=self.actor, holding=existing, kind=kind,
                                           in_establishment=in_establishment, rank=rank, home_employer=home_employer,
                                           planned_end_on=planned_end_on, appointing_document=document, is_sample=True)
        else:
            person = self.person(unit, age=age)
            terms = actions.appoint_cadre(
                actor=self.actor, person=person, unit=unit, position=position, started_on=started_on, kind=kind,
                in_establishment=in_establishment, rank=rank, home_employer=home_employer,
                planned_end_on=planned_end_on, appointing_document=document, is_sample=True, how_obtained=how,
            )
            if ended_on is not None:
                people_actions.end_post_holding(actor=self.actor, holding=terms.holding, ended_on=ended_on,
                                                note="挂职期满")
        self.cadres += 1
        return terms

    def term_start(self, unit: Unit) -> datetime.date:
        term = unit.terms.filter(ended_on__isnull=True).first()
        return term.started_on if term else datetime.date(2022, 1, 1)

    def build(self) -> str:
        county = self.county
        quota_day = datetime.date(2023, 1, 1)
        actions.set_staffing_quota(actor=self.actor, unit=county, effective_from=quota_day, full_time_posts=2,
                                   positions={"secretary": 1, "deputy_secretary": 3}, document=REFORM_DOCUMENT,
                                   note="“一正一副”专职编制；另设兼职、挂职副书记各 1 名", is_sample=True)
        doc = "乌县委〔2023〕8号"
        secretary = self.post(county, "secretary", kind="full_time", in_establishment=True, rank="正科级",
                              started_on=CONGRESS_DAY, age=36, document=doc)
        deputy = self.post(county, "deputy_secretary", kind="full_time", in_establishment=True, rank="副科级",
                           started_on=CONGRESS_DAY, age=31, document=doc)
        part_time = self.post(county, "deputy_secretary", kind="part_time", started_on=CONGRESS_DAY, age=29,
                              document=doc)
        elected = (PostHolding.objects.filter(unit=county, position="deputy_secretary", cadre_terms__isnull=True)
                   .filter(queries.current_q(self.today)).order_by("started_on", "pk").first())
        if elected is not None:
            # The plenary elected the seconded deputy too (elections part): the 挂职 has been renewed
            # for two years at a time since, so one seconded deputy is in post on any load date.
            end = add_years(elected.started_on, 2)
            while end <= self.today:
                end = add_years(end, 2)
            self.post(county, "deputy_secretary", kind="seconded", started_on=elected.started_on, age=30,
                      home_employer=HOME_EMPLOYERS[0], planned_end_on=end, document="乌县党干〔2023〕11号（期满续任）")
        else:
            # 挂职 rotate every two years; earlier secondees have left on their planned end.
            start, i = SECONDMENT_START, 0
            while True:
                end = add_years(start, 2)
                done = end <= self.today
                self.post(county, "deputy_secretary", kind="seconded", started_on=start, age=30 + i,
                          home_employer=HOME_EMPLOYERS[i % len(HOME_EMPLOYERS)], planned_end_on=end,
                          document=f"乌县党干〔{start.year}〕{11 + i}号", ended_on=end if done else None)
                if not done:
                    break
                start, i = end, i + 1

        # Township committees: one part-time secretary each; 托里乡's left 45 days ago.
        for township in data.TOWNSHIPS:
            unit = self.unit(f"{township.name}团委")
            actions.set_staffing_quota(actor=self.actor, unit=unit, effective_from=quota_day, full_time_posts=0,
                                       positions={"secretary": 1}, document=REFORM_DOCUMENT, is_sample=True)
            started = min(self.term_start(unit), self.today - datetime.timedelta(days=400))
            left = self.today - datetime.timedelta(days=45) if unit.name == VACANT_TOWNSHIP else None
            terms = self.post(unit, "secretary", kind="part_time", started_on=started, age=self.rng.randint(26, 34),
                              how="elected", ended_on=left)
            if left is None:
                actions.record_appraisal(actor=self.actor, person=terms.holding.person, unit=unit,
                                         year=self.today.year - 1, grade=self.rng.choice(("优秀", "称职", "称职")),
                                         is_sample=True)

        # School League committees and general branches: part-time secretaries (teachers).
        schools = Unit.objects.filter(path__startswith=county.path, kind=UnitKind.SCHOOL).order_by("path")
        for school in schools:
            league = Unit.objects.filter(path__startswith=school.path, depth=school.depth + 1,
                                         kind__in=[UnitKind.COMMITTEE, UnitKind.GENERAL_BRANCH]).first()
            if league is not None:
                self.post(league, "secretary", kind="part_time", started_on=self.term_start(league),
                          age=self.rng.randint(27, 40), how="elected")

        # 县直机关团工委: one full-time place, two full-time cadres in it.
        organs = self.unit(OVER_QUOTA_UNIT)
        actions.set_staffing_quota(actor=self.actor, unit=organs, effective_from=quota_day, full_time_posts=1,
                                   positions={"secretary": 1, "deputy_secretary": 1}, document=REFORM_DOCUMENT,
                                   is_sample=True)
        organs_start = self.term_start(organs)
        self.post(organs, "secretary", kind="full_time", in_establishment=True, rank="副科级", started_on=organs_start,
                  age=33)
        self.post(organs, "deputy_secretary", kind="full_time", in_establishment=True, started_on=organs_start, age=28)

        # Appraisals (R9.7) and training.
        last_year = self.today.year - 1
        for terms, grade in ((secretary, "优秀"), (deputy, "称职"), (part_time, "优秀")):
            if terms.holding.started_on.year <= last_year:
                actions.record_appraisal(actor=self.actor, person=terms.holding.person, unit=county, year=last_year,
                                         grade=grade, is_sample=True)
        cadres = list(PostTerms.objects.filter(is_sample=True).filter(queries.current_q(datetime.date(2023, 4, 27),
                                                                                      "holding__"))
                      .select_related("holding__person"))
        course = actions.create_training_course(
            actor=self.actor, unit=county, title="全县团干部能力提升培训班", started_on=datetime.date(2023, 4, 10),
            ended_on=datetime.date(2023, 4, 12), hours=24, organiser="乌鲁木齐县委党校", is_sample=True)
        for terms in cadres:
            actions.record_attendance(actor=self.actor, course=course, person=terms.holding.person, is_sample=True)
        current = list(PostTerms.objects.filter(is_sample=True).filter(queries.current_q(self.today, "holding__"))
                       .select_related("holding__person").order_by("holding__unit__path", "pk"))
        recent_start = self.today - datetime.timedelta(days=30)
        recent = actions.create_training_course(
            actor=self.actor, unit=county, title="基层团组织书记培训班", started_on=recent_start,
            ended_on=recent_start + datetime.timedelta(days=2), hours=16, organiser="团乌鲁木齐县委", is_sample=True)
        for terms in current[::2]:
            actions.record_attendance(actor=self.actor, course=recent, person=terms.holding.person, is_sample=True)
        return f"团干部 {self.cadres} 人次，编制核定 {StaffingQuota.objects.filter(is_sample=True).count()} 条"


def load(*, today: datetime.date, actor, **_) -> str:
    return CadreBuilder(today=today, actor=actor).build()


def figures() -> list[Figure]:
    from tuanwu.accounts.models import User
    from tuanwu.core import todos

    admin = User.objects.filter(username="admin", is_sample=True).first()
    county = Unit.objects.filter(name=data.COUNTY_NAME, kind=UnitKind.LEAGUE_COUNTY, is_sample=True).first()
    if admin is None or county is None:
        return [Figure("团干部：示例县和 admin 账号", "存在", "不存在", False)]
    today = timezone.localdate()
    results: list[Figure] = []

    def committee(on: datetime.date) -> str:
        row = queries.staffing(county, on, user=admin).unit(county.pk)
        if row is None:
            return "无"
        kinds = [queries.kind_label(h) for h in row.holders]
        parts = [f"{k} {kinds.count(k)}" for k in ("专职", "挂职", "兼职")]
        return f"{'、'.join(parts)}；编制 {row.used}/{row.full_time_quota}"

    expected = "专职 2、挂职 1、兼职 1；编制 2/2"
    results.append(_exactly("团县委团干部（文章时点 2023-04-27）", expected, committee(data.ARTICLE_DATE)))
    results.append(_exactly("团县委团干部（今天）", expected, committee(today)))
    staffing = queries.staffing(county, today, user=admin)
    townships = [r for r in staffing.units if r.unit.kind == UnitKind.COMMITTEE and r.unit.depth == county.depth + 1
                 and r.unit.sector == "rural"]
    part_time = sorted({queries.kind_label(h) for r in townships for h in r.holders if h.position == "secretary"})
    results.append(_exactly("乡镇团委书记的干部类型", ["兼职"], part_time))
    results.append(_exactly("在任书记的乡镇团委", 5, sum(1 for r in townships if not r.secretary_vacant)))
    school_rows = [r for r in staffing.units if r.unit.sector == "school" and r.unit.kind in (
        UnitKind.COMMITTEE, UnitKind.GENERAL_BRANCH)]
    results.append(_exactly("学校团委、团总支书记（兼职）", 8, sum(
        1 for r in school_rows for h in r.holders if h.position == "secretary" and queries.kind_label(h) == "兼职")))
    items = todos.alerts_for(admin)
    results.append(_exactly("待办：书记空缺", [VACANT_TOWNSHIP], sorted(i.unit_name for i in items if i.kind == "书记空缺")))
    results.append(_exactly("待办：超编", [OVER_QUOTA_UNIT], sorted(i.unit_name for i in items if i.kind == "超编")))
    results.append(_exactly("待办：未经批准借调", 0, sum(1 for i in items if i.kind == "未经批准借调")))
    training = queries.training_figures(county, 2023, data.ARTICLE_DATE)
    results.append(_exactly("2023 年团干部培训班次", 1, training.courses))
    results.append(_at_least("2023-04-27 在任团干部人数", 4, training.cadres))
    results.append(_exactly("2023-04-27 在任团干部中 2023 年参训的（全部）", training.cadres, training.cadres_trained))
    eligible = queries.non_establishment_cadres_eligible(county, today, 2)
    results.append(_at_least("R9.7 可推荐的编制外团干部（≥2 年、优秀）", 1, len(eligible)))
    return results


register(key="cadres", title="团干部", order=60, is_loaded=is_loaded, load=load, figures=figures)
