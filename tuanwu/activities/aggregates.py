"""Keeping the counters exact on every write, and rebuilding them from the raw rows.

Only the actions call :func:`activity_created` and :func:`apply`, inside their transaction, so
the aggregates change in the same commit as the rows they summarise. Three levels:

- the activity's own counters (roster, present on/off roster, guests, absent, excused);
- ``SubtreeEpisodeStat``: per study episode, for the organiser unit and every ancestor;
- ``SubtreePeriodStat``: per month, quarter and year, per kind and for all kinds, for the
  organiser unit and every ancestor, with distinct people. ``PersonPeriodUnit`` remembers per
  person where they were on a roster or present, so a distinct count moves by exactly ±1.

Concurrent writers touching the same person serialise on a transaction-scoped advisory lock
per person, so the "was this person already counted here?" reads stay true until commit.

A unit moved to another parent changes its ancestors: run ``manage.py rebuild_activity_stats``
afterwards (docs/activities.md).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tuanwu.organisations.models import Unit

from . import rules
from .models import Activity

PRESENT = "present"
LOCK_SPACE = 4210  # the advisory-lock namespace of these aggregates
_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar("activities_aggregates_deferred", default=False)


@contextlib.contextmanager
def deferred():
    """Bulk loads (the demo county, a data migration): the actions run as usual (access, rows,
    audit) but leave the aggregates alone; on leaving the block they are rebuilt from the raw rows
    in a few set-based statements, which is far cheaper than tens of thousands of exact ±1 steps.
    Use inside one transaction, so no reader ever sees the aggregates behind the rows."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)
    rebuild()


@dataclass(frozen=True)
class Change:
    """One attendance row before and after a write: ``(on_roster, status)`` or None (no row)."""

    activity: Activity
    person_id: int | None
    before: tuple[bool, str] | None
    after: tuple[bool, str] | None


def _ancestor_ids(units: Iterable[Unit]) -> dict[int, list[tuple[int, str]]]:
    """For each unit id: [(ancestor id, ancestor path)], root first, the unit itself last."""
    units = {u.pk: u for u in units}
    prefixes = {u.path[:i] for u in units.values() for i in range(u.steplen, len(u.path) + 1, u.steplen)}
    by_path = dict(Unit.objects.filter(path__in=prefixes).values_list("path", "pk"))
    result = {}
    for pk, unit in units.items():
        result[pk] = [(by_path[unit.path[:i]], unit.path[:i])
                      for i in range(unit.steplen, len(unit.path) + 1, unit.steplen)]
    return result


def local_day(activity: Activity):
    return timezone.localtime(activity.starts_at).date()


def _upsert_add(table: str, keys: tuple[str, ...], values: tuple[str, ...], rows: dict[tuple, list[int]]) -> None:
    """INSERT … ON CONFLICT DO UPDATE SET v = v + excluded.v, for many rows in one statement
    (one array parameter per column, so the statement stays small whatever the row count)."""
    rows = {k: v for k, v in rows.items() if any(v)}
    if not rows:
        return
    columns = keys + values
    first = next(iter(rows))
    types = ["text[]" if isinstance(x, str) else "bigint[]" for x in first] + ["integer[]"] * len(values)
    arrays: list[list] = [[] for _ in columns]
    for key, vals in rows.items():
        for i, x in enumerate((*key, *vals)):
            arrays[i].append(x)
    unnest = ", ".join(f"%s::{t}" for t in types)
    updates = ",".join(f"{v} = {table}.{v} + excluded.{v}" for v in values)
    sql = (f"INSERT INTO {table} ({','.join(columns)}) SELECT * FROM unnest({unnest}) "
           f"ON CONFLICT ({','.join(keys)}) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)


def activity_created(activity: Activity, *, delta: int = 1) -> None:
    """Count a new session (or, with delta=-1, forget one) in every ancestor's counters."""
    activities_created([activity], delta=delta)


def activities_created(activities: list[Activity], *, delta: int = 1) -> None:
    """Count many new sessions at once (an episode or a deployment): two statements in all."""
    if not activities or _deferred.get():
        return
    ancestors = _ancestor_ids({a.unit_id: a.unit for a in activities}.values())
    period_rows: dict[tuple, list[int]] = defaultdict(lambda: [0])
    episode_rows: dict[tuple, list[int]] = defaultdict(lambda: [0])
    for activity in activities:
        periods = rules.period_keys(local_day(activity))
        for anc, _ in ancestors[activity.unit_id]:
            for kind in (activity.kind, ""):
                for period in periods:
                    period_rows[(anc, kind, period)][0] += delta
            if activity.episode_id:
                episode_rows[(anc, activity.episode_id)][0] += delta
    _upsert_add("activities_subtreeperiodstat", ("unit_id", "kind", "period"), ("sessions",), period_rows)
    _upsert_add("activities_subtreeepisodestat", ("unit_id", "episode_id"), ("sessions",), episode_rows)


def _row_counts(state: tuple[bool, str] | None, is_guest: bool) -> dict[str, int]:
    counts = dict(roster=0, present_roster=0, present_other=0, present_guests=0, absent=0, excused=0)
    if state is None:
        return counts
    on_roster, status = state
    if on_roster:
        counts["roster"] = 1
    if status == PRESENT:
        key = "present_guests" if is_guest else ("present_roster" if on_roster else "present_other")
        counts[key] = 1
    elif status == "absent" and on_roster:
        counts["absent"] = 1
    elif status == "excused" and on_roster:
        counts["excused"] = 1
    return counts


def apply(changes: list[Change]) -> None:
    """Move every counter by the effect of ``changes`` (rows created, re-marked or removed)."""
    changes = [c for c in changes if c.before != c.after]
    if not changes or _deferred.get():
        return
    activities = {c.activity.pk: c.activity for c in changes}
    ancestors = _ancestor_ids({a.unit_id: a.unit for a in activities.values()}.values())

    # 1. The activities' own counters.
    per_activity: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in changes:
        guest = c.person_id is None
        after, before = _row_counts(c.after, guest), _row_counts(c.before, guest)
        for key in after:
            per_activity[c.activity.pk][key] += after[key] - before[key]
    field_of = {"roster": "roster_count", "present_roster": "present_roster", "present_other": "present_other",
                "present_guests": "present_guests", "absent": "absent_count", "excused": "excused_count"}
    moved = [(pk, [delta[k] for k in field_of]) for pk, delta in per_activity.items() if any(delta.values())]
    if len(moved) == 1:
        pk, values = moved[0]
        Activity.objects.filter(pk=pk).update(**{field_of[k]: F(field_of[k]) + v
                                                 for k, v in zip(field_of, values, strict=True) if v})
    elif moved:
        # One statement for many activities (an episode published to every branch).
        columns = list(field_of.values())
        sets = ", ".join(f"{c} = a.{c} + d.{c}" for c in columns)
        values = ",".join(["(" + ",".join(["%s"] * (len(columns) + 1)) + ")"] * len(moved))
        params = [x for pk, vals in moved for x in (pk, *vals)]
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE activities_activity a SET {sets} FROM (VALUES {values}) "
                           f"AS d(id, {', '.join(columns)}) WHERE a.id = d.id", params)

    # 2. Per episode, for every ancestor.
    episode_rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for pk, delta in per_activity.items():
        activity = activities[pk]
        if not activity.episode_id:
            continue
        present_all = delta["present_roster"] + delta["present_other"] + delta["present_guests"]
        recorded = delta["present_roster"] + delta["absent"] + delta["excused"]
        for anc, _ in ancestors[activity.unit_id]:
            row = episode_rows[(anc, activity.episode_id)]
            row[0] += delta["roster"]
            row[1] += delta["present_roster"]
            row[2] += present_all
            row[3] += recorded
    _upsert_add("activities_subtreeepisodestat", ("unit_id", "episode_id"),
                ("roster", "present_roster", "present_all", "recorded"), episode_rows)

    # 3. Per period: person-times and roster places, then the distinct counts.
    # Columns: person_times, persons, roster_persons, covered, roster_rows, present_roster, recorded.
    period_rows: dict[tuple, list[int]] = defaultdict(lambda: [0] * 7)
    month_deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])  # (person, unit, kind, month)
    for c in changes:
        activity = c.activity
        periods = rules.period_keys(local_day(activity))
        was_present = int(c.before is not None and c.before[1] == PRESENT)
        is_present = int(c.after is not None and c.after[1] == PRESENT)
        d_times = is_present - was_present
        d_roster = int(c.after is not None and c.after[0]) - int(c.before is not None and c.before[0])
        before, after = _row_counts(c.before, c.person_id is None), _row_counts(c.after, c.person_id is None)
        d_present_roster = after["present_roster"] - before["present_roster"]
        d_recorded = d_present_roster + after["absent"] + after["excused"] - before["absent"] - before["excused"]
        for kind in (activity.kind, ""):
            for period in periods:
                if d_times or d_roster or d_recorded:
                    for anc, _ in ancestors[activity.unit_id]:
                        row = period_rows[(anc, kind, period)]
                        row[0] += d_times
                        row[4] += d_roster
                        row[5] += d_present_roster
                        row[6] += d_recorded
        if c.person_id is not None and (d_times or d_roster):
            row = month_deltas[(c.person_id, activity.unit_id, activity.kind, periods[0])]
            row[0] += d_roster
            row[1] += d_times
    month_deltas = {k: v for k, v in month_deltas.items() if any(v)}
    if month_deltas:
        _apply_distinct(month_deltas, ancestors, period_rows)
    _upsert_add("activities_subtreeperiodstat", ("unit_id", "kind", "period"),
                ("person_times", "persons", "roster_persons", "covered", "roster_rows", "present_roster", "recorded"),
                period_rows)


def periods_of_month(month: str) -> tuple[str, str, str]:
    """``M2023-04`` → (``M2023-04``, ``Q2023-2``, ``Y2023``): the periods a month counts in."""
    year, number = month[1:5], int(month[6:8])
    return month, f"Q{year}-{(number - 1) // 3 + 1}", f"Y{year}"


def _apply_distinct(month_deltas: dict[tuple, list[int]], ancestors: dict[int, list[tuple[int, str]]],
                    period_rows: dict[tuple, list[int]]) -> None:
    """Move the distinct counts (persons, roster persons, covered) by exactly ±1 where a person
    starts or stops counting in a subtree's period. ``month_deltas``: (person, unit, kind, month)
    → [Δ roster times, Δ present times]. What the person had before is read from their months of
    the years concerned (a quarter, a year and "all kinds" are sums of months)."""
    person_ids = sorted({k[0] for k in month_deltas})
    years = sorted({k[3][1:5] for k in month_deltas})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, pid::int) FROM unnest(%s::bigint[]) AS pid ORDER BY pid",
                       [LOCK_SPACE, person_ids])
        cursor.execute(
            "SELECT r.person_id, r.kind, r.period, u.path, r.roster_times, r.present_times "
            "FROM activities_personperiodunit r JOIN organisations_unit u ON u.id = r.unit_id "
            "WHERE r.person_id = ANY(%s) AND substr(r.period, 2, 4) = ANY(%s)",
            [person_ids, years],
        )
        existing: dict[int, list[tuple]] = defaultdict(list)
        for person_id, kind, month, path, roster_times, present_times in cursor.fetchall():
            existing[person_id].append((kind, month, path, roster_times, present_times))

    unit_path = {unit_id: chain[-1][1] for unit_id, chain in ancestors.items()}
    changed: dict[int, list[tuple]] = defaultdict(list)
    for (person_id, unit_id, kind, month), (d_roster, d_present) in month_deltas.items():
        changed[person_id].append((kind, month, unit_id, d_roster, d_present))

    for person_id, deltas in changed.items():
        triples = {(k, period) for kind, month, *_ in deltas for k in (kind, "") for period in periods_of_month(month)}
        for kind, period in triples:
            def counts(k, m, _kind=kind, _period=period):
                return (_kind == "" or k == _kind) and _period in periods_of_month(m)

            before: dict[str, list[int]] = {}
            for k, m, path, roster_times, present_times in existing.get(person_id, ()):
                if counts(k, m):
                    row = before.setdefault(path, [0, 0])
                    row[0] += roster_times
                    row[1] += present_times
            after = {path: list(v) for path, v in before.items()}
            touched = set()
            for k, m, unit_id, d_roster, d_present in deltas:
                if counts(k, m):
                    row = after.setdefault(unit_path[unit_id], [0, 0])
                    row[0] += d_roster
                    row[1] += d_present
                    touched.update(ancestors[unit_id])
            before_rows = [(path, v[0] > 0, v[1] > 0) for path, v in before.items()]
            after_rows = [(path, v[0] > 0, v[1] > 0) for path, v in after.items()]
            for anc_id, anc_path in touched:
                r0 = p0 = r1 = p1 = False
                for path, in_roster, present in before_rows:
                    if path.startswith(anc_path):
                        r0, p0 = r0 or in_roster, p0 or present
                for path, in_roster, present in after_rows:
                    if path.startswith(anc_path):
                        r1, p1 = r1 or in_roster, p1 or present
                if (r0, p0) == (r1, p1):
                    continue
                row = period_rows[(anc_id, kind, period)]
                row[1] += int(p1) - int(p0)
                row[2] += int(r1) - int(r0)
                row[3] += int(r1 and p1) - int(r0 and p0)

    _upsert_add("activities_personperiodunit", ("person_id", "unit_id", "kind", "period"),
                ("roster_times", "present_times"), {k: list(v) for k, v in month_deltas.items()})


# ---------------------------------------------------------------------------------------------
# Rebuild from the raw rows (after a unit move, in the benchmark's bulk build, and in tests that
# prove the incremental path exact).

_ANCESTORS_SQL = """
    SELECT u.id AS unit_id, anc.id AS ancestor_id
    FROM organisations_unit u
    CROSS JOIN LATERAL generate_series(4, length(u.path), 4) AS n
    JOIN organisations_unit anc ON anc.path = substr(u.path, 1, n)
"""

_LOCAL_DAY = "(a.starts_at AT TIME ZONE 'Asia/Shanghai')::date"
_PERIODS = f"""
    CROSS JOIN LATERAL (VALUES ('M' || to_char({_LOCAL_DAY}, 'YYYY-MM')),
                               ('Q' || to_char({_LOCAL_DAY}, 'YYYY') || '-' || extract(quarter FROM {_LOCAL_DAY})::int),
                               ('Y' || to_char({_LOCAL_DAY}, 'YYYY'))) AS p(period)
    CROSS JOIN LATERAL (VALUES (a.kind), ('')) AS k(kind)
"""
# The 17 periods of a year as (template, bit mask over its months): '#' stands for the year.
_YEAR_PERIODS = ", ".join(
    [f"('M#-{m:02d}', {1 << (m - 1)})" for m in range(1, 13)]
    + [f"('Q#-{q}', {0b111 << (3 * (q - 1))})" for q in range(1, 5)]
    + ["('Y#', 4095)"]
)
_COUNTERS = ("roster_count", "present_roster", "present_other", "present_guests", "absent_count", "excused_count")


def rebuild(progress=None) -> None:
    """Recompute every aggregate from Attendance and Activity (one transaction, set-based SQL).
    ``progress(label, seconds)``, if given, hears how long each step took (the benchmark prints it).

    Sized for a province (52 million roster rows): the aggregate tables are filled without their
    indexes, which are built once at the end; each raw row is read twice (activity counters, and
    person × month); quarters, years and "all kinds" come from the months, and distinct people
    from bit masks of months per person and year, so nothing groups the raw rows per period."""
    import time

    from tuanwu.core.bulk import drop_secondary_indexes, recreate

    with transaction.atomic(), connection.cursor() as cursor:
        def step(label: str, statement: str) -> None:
            started = time.perf_counter()
            if statement.lstrip().startswith("CREATE TEMP TABLE"):
                table = statement.split()[3]
                cursor.execute(f"DROP TABLE IF EXISTS {table}")  # a second rebuild in one transaction
            cursor.execute(statement)
            if statement.lstrip().startswith("CREATE TEMP TABLE"):
                cursor.execute(f"ANALYZE {statement.split()[3]}")
            if progress:
                progress(label, time.perf_counter() - started)

        # A rebuild is rare maintenance over every raw row: let its sorts, hashes and index
        # builds use memory instead of spilling to disk.
        cursor.execute("SET LOCAL work_mem = '512MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        # Deferred foreign-key checks of this transaction must fire before a TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

        counters = ", ".join(_COUNTERS)
        step("活动计数", """
            CREATE TEMP TABLE rebuild_counts ON COMMIT DROP AS
            SELECT activity_id,
              count(*) FILTER (WHERE on_roster) AS roster_count,
              count(*) FILTER (WHERE on_roster AND status = 'present') AS present_roster,
              count(*) FILTER (WHERE NOT on_roster AND person_id IS NOT NULL AND status = 'present') AS present_other,
              count(*) FILTER (WHERE person_id IS NULL AND status = 'present') AS present_guests,
              count(*) FILTER (WHERE on_roster AND status = 'absent') AS absent_count,
              count(*) FILTER (WHERE on_roster AND status = 'excused') AS excused_count
            FROM activities_attendance GROUP BY activity_id""")
        # Only rows whose counters are wrong are rewritten (after a unit move: very few).
        step("活动计数写回", f"""
            UPDATE activities_activity a SET {", ".join(f"{c} = s.{c}" for c in _COUNTERS)}
            FROM rebuild_counts s
            WHERE a.id = s.activity_id AND ({", ".join(f"a.{c}" for c in _COUNTERS)})
                  IS DISTINCT FROM ({", ".join(f"s.{c}" for c in _COUNTERS)})""")
        step("无名单活动清零", f"""
            UPDATE activities_activity a SET {", ".join(f"{c} = 0" for c in _COUNTERS)}
            WHERE ({counters}) <> ({", ".join("0" for _ in _COUNTERS)})
              AND NOT EXISTS (SELECT 1 FROM rebuild_counts s WHERE s.activity_id = a.id)""")

        cursor.execute("TRUNCATE activities_subtreeepisodestat, activities_subtreeperiodstat, "
                       "activities_personperiodunit")
        indexes = drop_secondary_indexes(["activities_subtreeepisodestat", "activities_subtreeperiodstat",
                                          "activities_personperiodunit"])
        step("组织树祖先", f"""
            CREATE TEMP TABLE rebuild_ancestors ON COMMIT DROP AS {_ANCESTORS_SQL}""")
        step("期次汇总", """
            INSERT INTO activities_subtreeepisodestat (unit_id, episode_id, sessions, roster, present_roster,
                                                       present_all, recorded)
            SELECT anc.ancestor_id, e.episode_id, sum(e.sessions), sum(e.roster), sum(e.present_roster),
                   sum(e.present_all), sum(e.recorded)
            FROM (SELECT a.unit_id, a.episode_id, count(*) AS sessions, sum(a.roster_count) AS roster,
                         sum(a.present_roster) AS present_roster,
                         sum(a.present_roster + a.present_other + a.present_guests) AS present_all,
                         sum(a.present_roster + a.absent_count + a.excused_count) AS recorded
                  FROM activities_activity a WHERE a.episode_id IS NOT NULL
                  GROUP BY a.unit_id, a.episode_id) e
            JOIN rebuild_ancestors anc ON anc.unit_id = e.unit_id
            GROUP BY anc.ancestor_id, e.episode_id""")
        # Each activity's month, worked out once per activity rather than once per raw row.
        step("活动月份", f"""
            CREATE TEMP TABLE rebuild_months ON COMMIT DROP AS
            SELECT a.id, a.unit_id, a.kind, 'M' || to_char({_LOCAL_DAY}, 'YYYY-MM') AS month
            FROM activities_activity a""")
        step("人员 × 月", """
            INSERT INTO activities_personperiodunit (person_id, unit_id, kind, period, roster_times, present_times)
            SELECT t.person_id, a.unit_id, a.kind, a.month,
                   count(*) FILTER (WHERE t.on_roster), count(*) FILTER (WHERE t.status = 'present')
            FROM activities_attendance t JOIN rebuild_months a ON a.id = t.activity_id
            WHERE t.person_id IS NOT NULL AND (t.on_roster OR t.status = 'present')
            GROUP BY t.person_id, a.unit_id, a.kind, a.month""")
        # Distinct people per subtree and period. A person seen in one unit only in a year
        # (nearly everyone) is counted at that unit, from bit masks of their months, and summed
        # up the tree; people seen in several units that year are de-duplicated per ancestor.
        step("多组织人员", """
            CREATE TEMP TABLE rebuild_multi ON COMMIT DROP AS
            SELECT person_id, substr(period, 2, 4) AS year FROM activities_personperiodunit
            GROUP BY 1, 2 HAVING min(unit_id) <> max(unit_id)""")
        step("人员月份掩码", """
            CREATE TEMP TABLE rebuild_masks ON COMMIT DROP AS
            SELECT x.unit_id, k.kind, substr(x.period, 2, 4) AS year,
                   bit_or(CASE WHEN x.roster_times > 0 THEN 1 << (substr(x.period, 7, 2)::int - 1) ELSE 0 END)
                     AS roster_months,
                   bit_or(CASE WHEN x.present_times > 0 THEN 1 << (substr(x.period, 7, 2)::int - 1) ELSE 0 END)
                     AS present_months
            FROM activities_personperiodunit x
            CROSS JOIN LATERAL (VALUES (x.kind), ('')) AS k(kind)
            WHERE NOT EXISTS (SELECT 1 FROM rebuild_multi m
                              WHERE m.person_id = x.person_id AND m.year = substr(x.period, 2, 4))
            GROUP BY x.person_id, x.unit_id, k.kind, substr(x.period, 2, 4)""")
        step("子树 × 时段汇总", f"""
            INSERT INTO activities_subtreeperiodstat (unit_id, kind, period, sessions, person_times, persons,
                                                      roster_persons, covered, roster_rows, present_roster, recorded)
            SELECT s.unit_id, s.kind, s.period, s.sessions, s.person_times,
                   coalesce(d.persons, 0), coalesce(d.roster_persons, 0), coalesce(d.covered, 0),
                   s.roster_rows, s.present_roster, s.recorded
            FROM (
              SELECT anc.ancestor_id AS unit_id, k.kind, p.period, count(*) AS sessions,
                     sum(a.present_roster + a.present_other + a.present_guests) AS person_times,
                     sum(a.roster_count) AS roster_rows, sum(a.present_roster) AS present_roster,
                     sum(a.present_roster + a.absent_count + a.excused_count) AS recorded
              FROM activities_activity a JOIN rebuild_ancestors anc ON anc.unit_id = a.unit_id
              {_PERIODS}
              GROUP BY anc.ancestor_id, k.kind, p.period
            ) s LEFT JOIN (
              SELECT unit_id, kind, period, sum(persons) AS persons, sum(roster_persons) AS roster_persons,
                     sum(covered) AS covered
              FROM (
                SELECT anc.ancestor_id AS unit_id, one.kind, one.period, one.persons, one.roster_persons,
                       one.covered
                FROM (
                  SELECT m.unit_id, m.kind, replace(y.template, '#', m.year) AS period,
                         count(*) FILTER (WHERE m.present_months & y.bits <> 0) AS persons,
                         count(*) FILTER (WHERE m.roster_months & y.bits <> 0) AS roster_persons,
                         count(*) FILTER (WHERE m.present_months & y.bits <> 0 AND m.roster_months & y.bits <> 0)
                           AS covered
                  FROM rebuild_masks m CROSS JOIN (VALUES {_YEAR_PERIODS}) AS y(template, bits)
                  GROUP BY m.unit_id, m.kind, m.year, y.template
                ) one JOIN rebuild_ancestors anc ON anc.unit_id = one.unit_id
                UNION ALL
                SELECT unit_id, kind, period, count(*) FILTER (WHERE p), count(*) FILTER (WHERE r),
                       count(*) FILTER (WHERE r AND p)
                FROM (
                  SELECT anc.ancestor_id AS unit_id, k.kind, p.period, x.person_id,
                         bool_or(x.roster_times > 0) AS r, bool_or(x.present_times > 0) AS p
                  FROM activities_personperiodunit x
                  JOIN rebuild_multi m ON m.person_id = x.person_id AND m.year = substr(x.period, 2, 4)
                  JOIN rebuild_ancestors anc ON anc.unit_id = x.unit_id
                  CROSS JOIN LATERAL (VALUES (x.kind), ('')) AS k(kind)
                  CROSS JOIN LATERAL (VALUES (x.period),
                                             ('Q' || substr(x.period, 2, 4) || '-'
                                              || ((substr(x.period, 7, 2)::int + 2) / 3)),
                                             ('Y' || substr(x.period, 2, 4))) AS p(period)
                  GROUP BY anc.ancestor_id, k.kind, p.period, x.person_id
                ) per_person GROUP BY unit_id, kind, period
              ) parts GROUP BY unit_id, kind, period
            ) d ON d.unit_id = s.unit_id AND d.kind = s.kind AND d.period = s.period""")
        started = time.perf_counter()
        recreate(indexes)
        if progress:
            progress("重建汇总表索引", time.perf_counter() - started)
