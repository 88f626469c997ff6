"""Benchmark: placing a 西部计划 cohort (issue 6).

Figures, one line each:
- solver alone, 20,000 volunteers × 20,000 posts (capacity 1), 10 ranked wishes each:
  stable mode (deferred acceptance, goal ≤ 1 s) and optimal mode (sparse assignment, goal ≤ 3 s);
- the whole run on PostgreSQL (load from the database, solve, explain, save the placements and
  their audit rows through the same code as actions.apply_placement; goal ≤ 15 s), against a lower
  bound measured in the same run: a raw bulk INSERT of the same number of placement rows;
- solver alone at 100,000 × 100,000 (reported).

The database part runs in its own database (<name>_bench_volunteers), created and dropped here,
so the development data is never touched. Run: `make bench` or `.venv/bin/python bench/volunteer_placement.py`.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SEED = 6


def synthetic_options(n: int, posts: int, wishes: int = 10):
    """Options as load_problem builds them: (post, rank, fit, priority, matches)."""
    from tuanwu.volunteering import placement as solver

    rng = random.Random(SEED)
    options = []
    for _ in range(n):
        score = rng.randint(600, 950)
        mine = []
        for rank, p in enumerate(rng.sample(range(posts), wishes), 1):
            matches = rng.choice((0, 0, 1, 2))
            mine.append((p, rank, solver.fit_of(rank, matches), solver.priority_of("specialty", matches, score), matches))
        options.append(mine)
    return options, [1] * posts


def time_solvers(n: int) -> None:
    from tuanwu.volunteering import placement as solver

    options, capacities = synthetic_options(n, n)
    t = time.perf_counter()
    stable = solver.deferred_acceptance(options, capacities)
    t_stable = time.perf_counter() - t
    t = time.perf_counter()
    optimal = solver.max_fit(options, capacities)
    t_optimal = time.perf_counter() - t
    qs, qo = solver.quality(options, stable), solver.quality(options, optimal)
    print(f"solver {n:,} × {n:,}, 10 wishes: stable {t_stable:.2f} s (placed {qs.placed:,}, first wish {qs.first_wish:,}, "
          f"total fit {qs.total_fit:,}); optimal {t_optimal:.2f} s (placed {qo.placed:,}, first wish {qo.first_wish:,}, "
          f"total fit {qo.total_fit:,})")


def whole_run(n: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections, transaction

    from tuanwu.demo.management.commands.demo_check import recreate_database

    settings_dict = connections["default"].settings_dict
    name = settings_dict["NAME"] + "_bench_volunteers"
    connections["default"].close()
    recreate_database(settings_dict, name)
    settings_dict["NAME"] = name
    try:
        call_command("migrate", interactive=False, verbosity=0)
        _whole_run(n, connection, transaction)
    finally:
        connections["default"].close()
        import psycopg

        params = {k: v for k, v in {"host": settings_dict.get("HOST") or None, "port": settings_dict.get("PORT") or None,
                                    "user": settings_dict.get("USER") or None}.items() if v}
        params.update({k: v for k, v in settings_dict.get("OPTIONS", {}).items()
                       if k not in {"isolation_level", "server_side_binding", "assume_role", "pool"}})
        with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _whole_run(n: int, connection, transaction) -> None:
    from tuanwu.accounts.models import User
    from tuanwu.organisations import actions as org_actions
    from tuanwu.people.models import Person
    from tuanwu.volunteering import actions, queries
    from tuanwu.volunteering.models import Cohort, Placement, Post, ServiceUnit, Volunteer, Wish

    # Setup (not timed): the synthetic cohort, written in bulk.
    root = User.objects.create_superuser("bench", password="bench-一二三-456", must_change_password=False)
    county = org_actions.create_unit(actor=root, parent=None, name="团基准县委", kind="league_county")
    cohort = actions.create_cohort(actor=root, unit=county, year=2025)
    service_unit = ServiceUnit.objects.create(county=county, name="基准服务单位", kind="township")
    rng = random.Random(SEED)
    majors = ["汉语言文学", "法学", "农学", "社会工作", "计算机科学与技术", "小学教育", "护理学", "会计学"]
    posts = Post.objects.bulk_create(
        [Post(cohort=cohort, service_unit=service_unit, title=f"岗位{i}", field="党建", capacity=1,
              preferred_specialties=rng.sample(majors, 2)) for i in range(n)], batch_size=5000)
    people = Person.objects.bulk_create(
        [Person(name=f"志愿者{i}", gender="male", birth_date="2000-01-01", student_number=f"B{i:08d}", unit=county)
         for i in range(n)], batch_size=5000)
    volunteers = Volunteer.objects.bulk_create(
        [Volunteer(person=p, cohort=cohort, university="新疆大学", major=rng.choice(majors), hometown="河南",
                   programme="乡村教育", screening_score=rng.randint(600, 950) / 10) for p in people], batch_size=5000)
    Wish.objects.bulk_create(
        [Wish(volunteer=v, post=posts[p], rank=r) for v in volunteers
         for r, p in enumerate(rng.sample(range(n), 10), 1)], batch_size=20000)

    with transaction.atomic():
        t = time.perf_counter()
        problem = queries.load_problem(cohort)
        t_load = time.perf_counter() - t
        t = time.perf_counter()
        solution = queries.solve(problem, "stable")
        t_solve = time.perf_counter() - t
        t = time.perf_counter()
        actions.save_solution(actor=root, cohort=cohort, problem=problem, solution=solution)
        t_save = time.perf_counter() - t
        transaction.set_rollback(True)
    total = t_load + t_solve + t_save

    # Lower bound: insert the same rows with one bulk INSERT and nothing else.
    with transaction.atomic():
        rows = [Placement(volunteer_id=problem.volunteer_ids[v], post_id=problem.post_ids[p], mode="stable",
                          wish_rank=rank, fit=fit, explanation=text) for v, p, rank, fit, text in solution.rows]
        t = time.perf_counter()
        Placement.objects.bulk_create(rows, batch_size=2000)
        t_floor = time.perf_counter() - t
        transaction.set_rollback(True)
    print(f"whole run {n:,} × {n:,} (load {t_load:.2f} s, solve + explain {t_solve:.2f} s, save + audit {t_save:.2f} s): "
          f"{total:.2f} s for {len(solution.rows):,} placements; raw bulk INSERT of the rows {t_floor:.2f} s "
          f"(ratio {total / t_floor:.1f})")
    assert Cohort.objects.filter(pk=cohort.pk).exists()
    del connection


if __name__ == "__main__":
    time_solvers(20_000)
    whole_run(20_000)
    if "--quick" not in sys.argv:
        time_solvers(100_000)
