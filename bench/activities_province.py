"""Benchmark (issue 5): a province-sized weekly-study set, exact aggregates, fast coverage.

One command builds, in a scratch database (<name>_actbench, dropped at the end unless --keep):
a province tree (≥ 50,000 units at the default 1,000,000 members: province → cities → counties →
townships → branches of ~20 members), one member per person, 52 weekly 青年大学习 episodes
published to every branch with the roster of that day (one roster row per member and episode),
and ~40 % of roster rows marked present. The bulk load is set-based SQL (INSERT … SELECT) with
the secondary indexes dropped and rebuilt, then the aggregates are built from the raw rows
(aggregates.rebuild). It then

1. applies 10,000 random writes through the actions (actions.mark_attendance: audited, and the
   aggregates move by the exact effect of each write);
2. checks the aggregates against raw queries for 100 random (subtree, episode) pairs;
3. times coverage (参学率) for any subtree and episode (queries.episode_rate: one aggregate row)
   and any subtree's 52-week trend (queries.episode_trend), against the baseline: one SQL query
   over raw rows (join to units, ``path LIKE prefix``, one episode, present only) using the
   indexes the write path already needs; both EXPLAIN plans are printed.

Prints one line per figure. Goal: ≤ 20 ms each, and ≥ 100× faster than the baseline at the
province root; the whole run ≤ 20 minutes at 1,000,000 members.

    .venv/bin/python bench/activities_province.py [members] [--keep]
"""

from __future__ import annotations

import datetime
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
MEMBERS = int(ARGS[0]) if ARGS else 1_000_000
KEEP = "--keep" in sys.argv
EPISODES = 52
PARTICIPATION = 0.40
WRITES = 10_000
CHECKS = 100
MEMBERS_PER_BRANCH = 20
BRANCHES_PER_TOWNSHIP = 35
TOWNSHIPS_PER_COUNTY = 14
COUNTIES_PER_CITY = 8
FIRST_EPISODE = datetime.date(2023, 1, 2)
STARTED = time.perf_counter()


def line(label: str, value) -> None:
    print(f"{label}: {value}", flush=True)


def scratch_database() -> str:
    from tuanwu.demo.management.commands.demo_check import recreate_database

    db = connections["default"]
    name = db.settings_dict["NAME"] + "_actbench"
    db.close()
    recreate_database(db.settings_dict, name)
    db.settings_dict["NAME"] = name
    call_command("migrate", interactive=False, verbosity=0)
    return name


def drop_database(name: str) -> None:
    import psycopg

    db = connections["default"]
    db.close()
    params = {k: v for k, v in db.settings_dict.get("OPTIONS", {}).items()
              if k not in {"isolation_level", "server_side_binding", "assume_role", "pool"}}
    for key, arg in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if db.settings_dict.get(key):
            params[arg] = db.settings_dict[key]
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sql(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def scalar(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


def insert_select(model, values: dict[str, str], source: str, params=None) -> None:
    """INSERT INTO <model> (every column) SELECT …: given expressions for some columns, the
    field's Python default (as a parameter) for the others, so new columns with defaults keep
    the benchmark working."""
    columns, expressions, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        given = values.get(field.name, values.get(field.attname))
        if given is not None:
            expressions.append(given)
        else:
            default = field.get_default()
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                expressions.append("now()")
                continue
            expressions.append("%s")
            defaults.append(field.get_db_prep_save(default, connection))
    statement = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(expressions)} {source}"
    sql(statement, defaults + list(params or []))


def shape(members: int) -> dict[str, int]:
    branches = max(1, math.ceil(members / MEMBERS_PER_BRANCH))
    townships = max(1, math.ceil(branches / BRANCHES_PER_TOWNSHIP))
    counties = max(1, math.ceil(townships / TOWNSHIPS_PER_COUNTY))
    cities = max(1, math.ceil(counties / COUNTIES_PER_CITY))
    return {"cities": cities, "counties": counties, "townships": townships, "branches": branches}


def build_tree(counts: dict[str, int]) -> None:
    from tuanwu.organisations.models import Unit

    sql("""CREATE OR REPLACE FUNCTION pg_temp.b36(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
           SELECT lpad(string_agg(substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                                         ((n / (36 ^ k)::bigint) % 36)::int + 1, 1), '' ORDER BY k DESC), 4, '0')
           FROM generate_series(0, 3) k $$""")
    insert_select(Unit, {"path": "'0001'", "depth": "1", "numchild": "0", "name": "'团省委（基准）'",
                         "kind": "'league_province'"}, "")
    levels = [("cities", "league_city", "团市委", 2), ("counties", "league_county", "团县委", 3),
              ("townships", "committee", "乡镇团委", 4), ("branches", "branch", "团支部", 5)]
    parents = 1
    for key, kind, label, depth in levels:
        # The parent count is a constant in the join condition, so PostgreSQL can hash-join: a
        # condition on the window's count(*) makes it a nested loop over every pair.
        insert_select(Unit, {
            "path": f"p.path || pg_temp.b36(((g - 1) / {parents}) + 1)", "depth": str(depth), "numchild": "0",
            "name": f"'{label}' || g", "kind": f"'{kind}'", "sector": "'rural'" if depth >= 4 else "''",
        }, f"""FROM generate_series(1, %s) g
               JOIN (SELECT path, row_number() OVER (ORDER BY path) AS rn
                     FROM organisations_unit WHERE depth = {depth - 1}) p ON p.rn = mod(g - 1, {parents}) + 1""",
            [counts[key]])
        parents = counts[key]
    sql("""UPDATE organisations_unit u SET numchild = c.n FROM (
             SELECT substr(path, 1, length(path) - 4) AS parent, count(*) AS n FROM organisations_unit
             WHERE depth > 1 GROUP BY 1) c WHERE u.path = c.parent""")


def build_people() -> None:
    from tuanwu.membership.models import Membership
    from tuanwu.organisations.models import Unit
    from tuanwu.people.models import Person

    insert_select(Person, {
        "name": "'团员' || g", "gender": "'male'", "birth_date": "date '2001-01-01' + mod(g, 3000)",
        "student_number": "'B' || g", "political_status": "'league_member'", "unit_id": "b.id",
    }, """FROM generate_series(1, %s) g
          JOIN (SELECT id, row_number() OVER (ORDER BY path) AS rn
                FROM organisations_unit WHERE kind = 'branch') b ON b.rn = mod(g - 1, %s) + 1""",
        [MEMBERS, Unit.objects.filter(kind="branch").count()])
    insert_select(Membership, {
        "person_id": "p.id", "status": "'member'", "status_since": "date '2020-05-04'", "branch_id": "p.unit_id",
        "joined_on": "date '2020-05-04'",
    }, "FROM people_person p")


SECONDARY = ("activities_activity", "activities_attendance")


def build_study(season_county) -> list:
    from tuanwu.activities.models import Activity, Attendance, StudyEpisode, StudySeason

    season = StudySeason.objects.create(county=season_county, programme="youth_study", title="基准季")
    episodes = StudyEpisode.objects.bulk_create([
        StudyEpisode(season=season, number=i + 1, title=f"第{i + 1}期", is_published=True,
                     published_on=FIRST_EPISODE + datetime.timedelta(days=7 * i)) for i in range(EPISODES)])
    from tuanwu.core.bulk import drop_secondary_indexes, recreate

    definitions = drop_secondary_indexes(SECONDARY)
    sql("SET session_replication_role = replica")  # foreign keys are true by construction here
    insert_select(Activity, {
        "unit_id": "u.id", "kind": "'youth_study'", "title": "e.title",
        "starts_at": "(e.published_on + time '09:00') AT TIME ZONE 'Asia/Shanghai'",
        "audience": "ARRAY['league_members']::varchar[]", "episode_id": "e.id", "roster_on": "e.published_on",
        "checkin_nonce": "substr(md5(u.id::text || e.id::text), 1, 16)",
    }, "FROM activities_studyepisode e CROSS JOIN organisations_unit u WHERE u.kind = 'branch'")
    sql("SELECT setseed(0.42)")
    insert_select(Attendance, {
        "activity_id": "a.id", "person_id": "m.person_id", "on_roster": "true",
        "status": f"CASE WHEN random() < {PARTICIPATION} THEN 'present' ELSE 'not_recorded' END",
        "source": "'import'",
    }, "FROM activities_activity a JOIN membership_membership m ON m.branch_id = a.unit_id")
    sql("SET session_replication_role = DEFAULT")
    started = time.perf_counter()
    sql("SET maintenance_work_mem = '1GB'")
    recreate(definitions)
    line("重建索引", f"{time.perf_counter() - started:.1f} s")
    sql("ANALYZE")
    return episodes


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed_ms(func, repeat: int = 1):
    results = []
    value = None
    for _ in range(repeat):
        started = time.perf_counter()
        value = func()
        results.append((time.perf_counter() - started) * 1000)
    return value, results


BASELINE = """
SELECT count(*) FILTER (WHERE t.on_roster), count(*) FILTER (WHERE t.on_roster AND t.status = 'present')
FROM activities_attendance t
JOIN activities_activity a ON a.id = t.activity_id
JOIN organisations_unit u ON u.id = a.unit_id
WHERE u.path LIKE %s AND a.episode_id = %s
"""
BASELINE_PRESENT = """
SELECT count(*) FROM activities_attendance t
JOIN activities_activity a ON a.id = t.activity_id
JOIN organisations_unit u ON u.id = a.unit_id
WHERE u.path LIKE %s AND a.episode_id = %s AND t.status = 'present' AND t.on_roster
"""


def explain(statement: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, params)
        return "\n".join("    " + r[0] for r in cursor.fetchall())


def main() -> None:
    from tuanwu.accounts.models import User
    from tuanwu.activities import actions, aggregates, queries
    from tuanwu.activities.models import Attendance, SubtreeEpisodeStat
    from tuanwu.organisations.models import Unit

    counts = shape(MEMBERS)
    name = scratch_database()
    line("规模", f"团员 {MEMBERS:,}，期次 {EPISODES}，参学约 {PARTICIPATION:.0%}，数据库 {name}")
    try:
        started = time.perf_counter()
        with transaction.atomic():
            build_tree(counts)
            build_people()
        line("组织与团员", f"{Unit.objects.count():,} 个组织（团支部 {counts['branches']:,}），"
                      f"{time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        root = Unit.objects.get(depth=1)
        with transaction.atomic():
            episodes = build_study(root)
        line("活动与名单", f"{scalar('SELECT count(*) FROM activities_activity'):,} 次学习活动，"
                      f"{scalar('SELECT count(*) FROM activities_attendance'):,} 条名单记录，"
                      f"{time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        with transaction.atomic():
            aggregates.rebuild(progress=lambda label, s: line(f"  重建步骤 {label}", f"{s:.1f} s"))
        sql("ANALYZE")
        line("汇总表（由原始记录重建）", f"{time.perf_counter() - started:.1f} s")
        line("建库合计", f"{time.perf_counter() - STARTED:.1f} s")
        line("数据库大小", scalar("SELECT pg_size_pretty(pg_database_size(current_database()))"))

        # 1. Random writes through the actions.
        actor = User.objects.create_superuser("bench", password=None)
        rng = random.Random(7)
        low, high = scalar("SELECT min(id) FROM activities_attendance"), scalar(
            "SELECT max(id) FROM activities_attendance")
        started = time.perf_counter()
        statuses = ["present", "absent", "excused", "not_recorded"]
        for _ in range(WRITES):
            row = Attendance.objects.select_related("activity__unit").get(pk=rng.randint(low, high))
            actions.mark_attendance(actor=actor, activity=row.activity, marks={row.pk: rng.choice(statuses)})
        elapsed = time.perf_counter() - started
        line("随机写入（经 actions，含审计与汇总）", f"{WRITES:,} 次，{elapsed:.1f} s，平均 {elapsed / WRITES * 1000:.1f} ms/次")

        # 2. Aggregates against raw queries.
        unit_ids = list(Unit.objects.values_list("pk", flat=True))
        mismatches = 0
        pairs = [(root.pk, episodes[0].pk)] + [(rng.choice(unit_ids), rng.choice(episodes).pk) for _ in range(CHECKS - 1)]
        for unit_id, episode_id in pairs:
            unit = Unit.objects.get(pk=unit_id)
            stat = SubtreeEpisodeStat.objects.filter(unit_id=unit_id, episode_id=episode_id).values_list(
                "roster", "present_roster").first() or (0, 0)
            with connection.cursor() as cursor:
                cursor.execute(BASELINE, [unit.path + "%", episode_id])
                raw = tuple(cursor.fetchone())
            mismatches += stat != raw
        line("汇总表与原始记录核对", f"{CHECKS} 对（组织子树 × 期次），不一致 {mismatches} 对")

        # 3. Timings.
        episode_objs = {e.pk: e for e in episodes}
        samples = []
        for _ in range(200):
            unit = Unit.objects.get(pk=rng.choice(unit_ids))
            episode = episode_objs[rng.choice(list(episode_objs))]
            _, ms = timed_ms(lambda u=unit, e=episode: queries.episode_rate(u, e))
            samples.append(ms[0])
        line("覆盖率（任一子树 × 期次，汇总表）", f"p50 {statistics.median(samples):.2f} ms，p95 {percentile(samples, 95):.2f} ms")
        rate, root_ms = timed_ms(lambda: queries.episode_rate(root, episodes[-1]), repeat=20)
        line("覆盖率（省级根 × 第 52 期，汇总表）", f"{statistics.median(root_ms):.2f} ms（{rate}）")
        trend_samples = []
        for _ in range(50):
            unit = Unit.objects.get(pk=rng.choice(unit_ids))
            _, ms = timed_ms(lambda u=unit: queries.episode_trend(u, "youth_study"))
            trend_samples.append(ms[0])
        line("52 周趋势（任一子树，汇总表）", f"p50 {statistics.median(trend_samples):.2f} ms，"
                                       f"p95 {percentile(trend_samples, 95):.2f} ms")
        _, root_trend = timed_ms(lambda: queries.episode_trend(root, "youth_study"), repeat=10)
        line("52 周趋势（省级根，汇总表）", f"{statistics.median(root_trend):.2f} ms")

        def baseline():
            with connection.cursor() as cursor:
                cursor.execute(BASELINE_PRESENT, [root.path + "%", episodes[-1].pk])
                return cursor.fetchone()[0]

        present, base_ms = timed_ms(baseline, repeat=3)
        base = statistics.median(base_ms)
        line("基线：原始记录一条 SQL（省级根，一期，仅出席）", f"{base:.1f} ms（出席 {present:,}）")
        line("汇总表相对基线（省级根）", f"{base / max(statistics.median(root_ms), 1e-6):.0f} 倍")
        print("EXPLAIN 汇总表：", flush=True)
        print(explain("SELECT present_roster, roster FROM activities_subtreeepisodestat WHERE unit_id = %s "
                      "AND episode_id = %s", [root.pk, episodes[-1].pk]), flush=True)
        print("EXPLAIN 基线：", flush=True)
        print(explain(BASELINE_PRESENT, [root.path + "%", episodes[-1].pk]), flush=True)
        line("总耗时", f"{time.perf_counter() - STARTED:.1f} s")
    finally:
        if not KEEP:
            drop_database(name)


if __name__ == "__main__":
    main()
