"""Demo county, part 40: 西部计划 cohorts 2021–2023 (≥ 50 volunteers a year), service units and
posts (党建, 乡村振兴, 基层社会治理 …), wishes and placements through the solvers, mentors and
their logs, yearly and end-of-service assessments, monthly safety reports, recommendations and the
7 volunteers who stayed in Xinjiang.

Volunteers come from other provinces and are not county residents or members: they are created
here as Person records (through people.actions) registered at the 团县委, then enrolled.
Everything goes through this app's actions with the demo actor, deterministically.
"""

from __future__ import annotations

import datetime
import random

from tuanwu.core.rule_settings import set_rule
from tuanwu.demo import data
from tuanwu.demo.figures import Figure, _at_least, _exactly
from tuanwu.demo.registry import register
from tuanwu.organisations.models import Unit
from tuanwu.organisations.rules import Kind
from tuanwu.people import actions as people_actions
from tuanwu.people.idcard import check_digit

from . import actions, queries
from .models import Cohort, Outcome, Placement, Recommendation, Volunteer

SEED = 20230427 + 40
YEARS = (2021, 2022, 2023)
PER_YEAR = {2021: 52, 2022: 55, 2023: 58}
STAYED = 7
DOCUMENT_PREFIX = "乌县团发"

HOMETOWNS = (("河南", "410102"), ("陕西", "610102"), ("甘肃", "620102"), ("四川", "510104"), ("山东", "370102"),
             ("河北", "130102"), ("新疆", "650102"), ("湖北", "420102"), ("安徽", "340102"))
UNIVERSITIES = ("新疆大学", "新疆师范大学", "新疆农业大学", "石河子大学", "西北师范大学", "郑州大学", "陕西师范大学",
                "兰州大学", "四川农业大学", "山东农业大学")
# (major, specialty tags, programme as registered: some in the older names, R9.3)
MAJORS = (
    ("汉语言文学", ("公文写作", "新闻宣传"), "基层青年工作"),
    ("思想政治教育", ("党建宣传", "公文写作"), "基层社会管理"),
    ("马克思主义理论", ("党建宣传",), "乡村社会治理"),
    ("法学", ("法律援助", "矛盾调解"), "基层社会管理"),
    ("社会工作", ("矛盾调解", "社区服务"), "乡村社会治理"),
    ("农学", ("种植技术", "农村电商"), "服务三农"),
    ("动物科学", ("畜牧养殖",), "服务乡村建设"),
    ("农林经济管理", ("农村电商", "统计分析"), "服务乡村建设"),
    ("计算机科学与技术", ("信息化", "统计分析"), "服务乡村建设"),
    ("小学教育", ("支教", "文艺"), "基础教育"),
    ("护理学", ("卫生服务",), "医疗卫生"),
    ("会计学", ("统计分析", "财务管理"), "服务乡村建设"),
)

SERVICE_UNITS = (
    ("团乌鲁木齐县委", "county_committee", "县城"),
    ("县委组织部", "county_organ", "县城"), ("县委宣传部", "county_organ", "县城"),
    ("县委政法委员会", "county_organ", "县城"), ("县农业农村局", "county_organ", "县城"),
    ("县教育局", "county_organ", "县城"), ("县卫生健康委员会", "county_organ", "县城"),
    ("水西沟镇人民政府", "township", "水西沟镇"), ("板房沟镇人民政府", "township", "板房沟镇"),
    ("永丰镇人民政府", "township", "永丰镇"), ("萨尔达坂乡人民政府", "township", "萨尔达坂乡"),
    ("甘沟乡人民政府", "township", "甘沟乡"), ("托里乡人民政府", "township", "托里乡"),
    ("水西沟镇平西梁村", "village", "水西沟镇"), ("板房沟镇八家户村", "village", "板房沟镇"),
)

# (service unit, title, field, capacity, required, preferred, priority basis)
POSTS = (
    ("团乌鲁木齐县委", "青年工作干事", "基层青年工作", 3, (), ("新闻宣传", "公文写作", "汉语言文学"), "specialty"),
    ("县委组织部", "党建宣传", "党建", 4, (), ("汉语言文学", "党建宣传", "思想政治教育"), "specialty"),
    ("县委宣传部", "新闻宣传", "党建", 3, (), ("新闻宣传", "汉语言文学"), "score"),
    ("县委政法委员会", "综治网格", "基层社会治理", 4, (), ("法学", "矛盾调解"), "specialty"),
    ("县农业农村局", "农技推广", "乡村振兴", 4, ("农学", "动物科学", "农林经济管理", "种植技术", "畜牧养殖"),
     ("种植技术", "畜牧养殖"), "specialty"),
    ("县教育局", "乡村支教", "乡村教育", 4, ("小学教育", "支教"), ("支教",), "score"),
    ("县卫生健康委员会", "乡村卫生服务", "健康乡村", 3, ("护理学", "卫生服务"), ("卫生服务",), "specialty"),
    ("水西沟镇人民政府", "党建办干事", "党建", 3, (), ("党建宣传", "思想政治教育"), "specialty"),
    ("水西沟镇人民政府", "乡村振兴专干", "乡村振兴", 3, (), ("农村电商", "农林经济管理"), "specialty"),
    ("板房沟镇人民政府", "党建办干事", "党建", 3, (), ("公文写作", "马克思主义理论"), "specialty"),
    ("板房沟镇人民政府", "综治中心", "基层社会治理", 3, (), ("社会工作", "矛盾调解"), "score"),
    ("永丰镇人民政府", "乡村振兴专干", "乡村振兴", 3, (), ("农学", "统计分析"), "specialty"),
    ("永丰镇人民政府", "综治中心", "基层社会治理", 3, (), ("法学", "社区服务"), "specialty"),
    ("萨尔达坂乡人民政府", "党建办干事", "党建", 3, (), ("汉语言文学", "公文写作"), "score"),
    ("萨尔达坂乡人民政府", "信息化专干", "乡村振兴", 2, ("计算机科学与技术", "信息化"), ("信息化",), "specialty"),
    ("甘沟乡人民政府", "乡村振兴专干", "乡村振兴", 3, (), ("畜牧养殖", "农村电商"), "specialty"),
    ("甘沟乡人民政府", "便民服务中心", "基层社会治理", 3, (), ("社会工作", "会计学"), "score"),
    ("托里乡人民政府", "党建办干事", "党建", 3, (), ("思想政治教育", "党建宣传"), "specialty"),
    ("托里乡人民政府", "财务统计", "乡村振兴", 2, (), ("会计学", "财务管理", "统计分析"), "specialty"),
    ("水西沟镇平西梁村", "村务助理", "基层社会治理", 2, (), ("社区服务",), "score"),
    ("板房沟镇八家户村", "村务助理", "乡村振兴", 2, (), ("农村电商",), "score"),
)

MENTOR_CADRES = ("马建军", "王丽娟", "阿依古丽·吐尔逊", "刘国华", "张晓燕", "赵志刚")


def is_loaded() -> bool:
    return Cohort.objects.filter(is_sample=True).exists()


class VolunteerBuilder:
    def __init__(self, *, today: datetime.date, actor):
        self.today, self.actor = today, actor
        self.rng = random.Random(SEED)
        self.sequence = 0
        self.county = Unit.objects.get(name=data.COUNTY_NAME, kind=Kind.LEAGUE_COUNTY, is_sample=True)

    def person(self, name: str, *, birth_year: int, region: str, political: str):
        gender = self.rng.choice(("male", "female"))
        birth = datetime.date(birth_year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        self.sequence += 1
        third = (self.sequence % 5) * 2 + (1 if gender == "male" else 0)
        body = f"{region}{birth:%Y%m%d}{(self.sequence // 5) % 100:02d}{third}"
        return people_actions.create_person(
            actor=self.actor, unit=self.county, name=name, id_number=body + check_digit(body),
            education="bachelor", political_status=political, is_sample=True,
        )

    def name(self) -> str:
        return self.rng.choice(data.SURNAMES) + self.rng.choice(data.GIVEN)

    def load(self) -> str:
        set_rule(actor=self.actor, key="volunteers.document_prefix", raw_value=DOCUMENT_PREFIX, county=self.county,
                 effective_from=datetime.date(2021, 1, 1), allow_past=True, note="示例数据")
        units = {name: actions.create_service_unit(actor=self.actor, county=self.county, name=name, kind=kind,
                                                   place=place, is_sample=True)
                 for name, kind, place in SERVICE_UNITS}
        cadres = [self.person(n, birth_year=1985 + i, region="650102", political="party_member")
                  for i, n in enumerate(MENTOR_CADRES)]
        seniors: list[Volunteer] = []
        all_volunteers: list[Volunteer] = []
        for year in YEARS:
            cohort = actions.create_cohort(actor=self.actor, unit=self.county, year=year, is_sample=True)
            posts = [actions.create_post(
                actor=self.actor, cohort=cohort, service_unit=units[su], title=title, field=field, capacity=cap,
                required_specialties=req, preferred_specialties=pref, priority_basis=basis,
                place=units[su].place, is_sample=True) for su, title, field, cap, req, pref, basis in POSTS]
            volunteers = [self.volunteer(cohort, posts) for _ in range(PER_YEAR[year])]
            actions.apply_placement(actor=self.actor, cohort=cohort, mode="optimal" if year == 2022 else "stable")
            self.mentors(volunteers, cadres, seniors)
            self.serve(cohort, volunteers)
            seniors = [v for v in volunteers if v.agreements.count() >= 2]
            all_volunteers += volunteers
        self.outcomes(all_volunteers)
        issued = self.recommendations(all_volunteers)
        return f"{len(YEARS)} 届志愿者 {len(all_volunteers)} 人，留疆 {STAYED} 人，推荐意见 {issued} 份"

    def volunteer(self, cohort: Cohort, posts) -> Volunteer:
        town, region = self.rng.choice(HOMETOWNS)
        major, tags, programme = self.rng.choice(MAJORS)
        person = self.person(self.name(), birth_year=cohort.year - self.rng.randint(22, 25), region=region,
                             political=self.rng.choice(("league_member", "league_member", "party_member")))
        volunteer = actions.register_volunteer(
            actor=self.actor, cohort=cohort, person=person, university=self.rng.choice(UNIVERSITIES), major=major,
            hometown=town, programme=programme, specialty_tags=list(tags),
            degree="master" if self.rng.random() < 0.15 else "bachelor",
            screening_score=round(self.rng.uniform(65, 95), 1), is_sample=True,
        )
        # Wishes lean towards posts that prefer the volunteer's specialties, then anything.
        mine = {major, *tags}
        liked = [p for p in posts if mine & set(p.preferred_specialties) or mine & set(p.required_specialties)]
        others = [p for p in posts if p not in liked]
        self.rng.shuffle(liked)
        self.rng.shuffle(others)
        count = self.rng.randint(4, 8)
        actions.set_wishes(actor=self.actor, volunteer=volunteer, posts=(liked[:3] + others)[:count])
        return volunteer

    def mentors(self, volunteers, cadres, seniors) -> None:
        for i, volunteer in enumerate(volunteers):
            if seniors and i % 3 == 2:
                actions.assign_mentor(actor=self.actor, volunteer=volunteer, mentor=seniors[i % len(seniors)].person,
                                      kind="senior")
            else:
                actions.assign_mentor(actor=self.actor, volunteer=volunteer, mentor=cadres[i % len(cadres)],
                                      kind="cadre")
            volunteer.refresh_from_db()
            for month in (9, 12):
                actions.log_mentoring(actor=self.actor, volunteer=volunteer,
                                      on=datetime.date(volunteer.cohort.year, month, 15),
                                      content=self.rng.choice(("岗位业务带教：公文写作与信息报送", "入户走访示范与群众工作方法",
                                                               "谈心谈话，了解思想和生活情况", "指导参与村级事务和矛盾调解")),
                                      is_sample=True)

    def serve(self, cohort: Cohort, volunteers) -> None:
        start = datetime.date(cohort.year, 8, 1)
        for i, volunteer in enumerate(volunteers):
            years = 3 if i % 4 == 0 else (2 if i % 4 in (1, 2) else 1)
            early = i % 25 == 24
            agreements = []
            begin = start
            for _ in range(years):
                agreements.append(actions.sign_agreement(actor=self.actor, volunteer=volunteer, starts_on=begin,
                                                         signed_on=begin - datetime.timedelta(days=5)))
                begin = agreements[-1].ends_on + datetime.timedelta(days=1)
            for a in agreements:
                last = a is agreements[-1]
                roll = self.rng.random()
                grade = "优秀" if roll < 0.3 else ("合格" if roll < 0.95 else "基本合格")
                actions.record_assessment(actor=self.actor, volunteer=volunteer, kind="yearly",
                                          year_number=a.year_number, grade=grade, assessed_on=a.ends_on,
                                          is_sample=True)
                if last and not early:
                    actions.record_assessment(actor=self.actor, volunteer=volunteer, kind="end",
                                              year_number=a.year_number, grade=grade, assessed_on=a.ends_on,
                                              comment="服务期间表现良好，圆满完成服务任务。", is_sample=True)
            if early:
                actions.end_service(actor=self.actor, volunteer=volunteer, early=True,
                                    on=agreements[-1].starts_on + datetime.timedelta(days=120), outcome="left")
            else:
                actions.end_service(actor=self.actor, volunteer=volunteer, on=agreements[-1].ends_on)
        end = datetime.date(cohort.year + 3, 7, 1)
        month = start
        while month <= min(end, self.today):
            incidents = 1 if (cohort.year, month.month) == (2022, 3) else 0
            actions.submit_safety_report(actor=self.actor, cohort=cohort, month=month, incidents=incidents,
                                         note="一名志愿者下乡途中轻微车辆剐蹭，无人员伤亡，已妥善处理。" if incidents else "",
                                         reported_on=(month + datetime.timedelta(days=33)).replace(day=3),
                                         is_sample=True)
            month = (month + datetime.timedelta(days=32)).replace(day=1)

    def outcomes(self, volunteers) -> None:
        completed = list(Volunteer.objects.filter(pk__in=[v.pk for v in volunteers], status="completed").order_by("pk"))
        stayed = set(self.rng.sample(range(len(completed)), STAYED))
        employers = ("水西沟镇人民政府", "县农业农村局", "乌鲁木齐县城市建设投资（集团）有限公司", "县委组织部")
        for i, volunteer in enumerate(completed):
            if i in stayed:
                outcome = Outcome.STAYED_EMPLOYER if i % 2 == 0 else Outcome.STAYED_OTHER
                actions.record_outcome(actor=self.actor, volunteer=volunteer, outcome=outcome,
                                       employer=employers[i % len(employers)])
            else:
                actions.record_outcome(actor=self.actor, volunteer=volunteer, outcome=Outcome.LEFT)

    def recommendations(self, volunteers) -> int:
        issued = 0
        channels = ("考核纳编", "定向招聘", "招聘加分")
        for volunteer in volunteers:
            volunteer = Volunteer.objects.select_related("cohort__unit", "person").get(pk=volunteer.pk)
            if volunteer.agreements.count() < 2:
                continue
            on = volunteer.left_on + datetime.timedelta(days=20)
            if not queries.eligibility(volunteer, on).recommend:
                continue
            rec = actions.issue_recommendation(actor=self.actor, county=self.county, volunteer=volunteer,
                                               channel=channels[issued % 3], addressee="中共乌鲁木齐县委组织部",
                                               on=on, is_sample=True)
            actions.record_recommendation_outcome(actor=self.actor, recommendation=rec,
                                                  outcome="accepted" if issued % 2 == 0 else "pending")
            issued += 1
            if issued >= 6:
                break
        return issued


def load(*, today: datetime.date, actor, **_) -> str:
    return VolunteerBuilder(today=today, actor=actor).load()


def figures() -> list[Figure]:
    from tuanwu.accounts.models import User

    admin = User.objects.filter(username="admin", is_sample=True).first()
    office = User.objects.filter(username="volunteer", is_sample=True).first() or admin
    if admin is None:
        return [Figure("西部计划：示例管理员账号", "存在", "不存在", False)]
    results = []
    cohorts = {c.year: c for c in queries.cohorts_for(office)}
    results.append(_exactly("西部计划届次（项目办可见）", list(YEARS), sorted(cohorts)))
    for year in YEARS:
        cohort = cohorts.get(year)
        results.append(_at_least(f"{year}年西部计划志愿者", 50, cohort.volunteer_count if cohort else 0))
        fields = queries.posts_by_field(cohort) if cohort else {}
        results.append(_exactly(f"{year}年岗位含党建、乡村振兴、基层社会治理", True,
                                all(fields.get(f, 0) > 0 for f in ("党建", "乡村振兴", "基层社会治理"))))
        # Everyone placed that year, including those who later left early: the article's
        # "每年 50 名以上" counts placements, not who is still serving today.
        placed = Placement.objects.filter(volunteer__cohort=cohort).count() if cohort else 0
        results.append(_at_least(f"{year}年已安排岗位的志愿者", 50, placed))
    results.append(_exactly("服务期满留疆人数（R9.8）", STAYED, queries.stayed_total(office)))
    mentored = sum(1 for c in cohorts.values() for _ in queries.mentor_load(c))
    results.append(_at_least("传帮带导师（人·届）", 6, mentored))
    results.append(_at_least("推荐意见", 1, queries.recommendations_for(office).count()))
    numbered = queries.recommendations_for(office).filter(document_number__startswith=DOCUMENT_PREFIX + "〔").count()
    results.append(_exactly("推荐意见发文字号均以“乌县团发〔”开头", Recommendation.objects.filter(is_sample=True).count(),
                            numbered))
    return results


register(key="volunteers", title="西部计划", order=40, is_loaded=is_loaded, load=load, figures=figures)
