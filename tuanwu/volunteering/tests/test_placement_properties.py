"""Placement properties on small random cases (hypothesis): the stable mode has no blocking pair
(checked by brute force), the optimal mode's total fit is maximal (brute force over all feasible
matchings) and never below the stable one, and both respect capacities and hard requirements."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from tuanwu.volunteering import placement as solver


@st.composite
def problems(draw, max_volunteers=6, max_posts=4):
    n_posts = draw(st.integers(1, max_posts))
    capacities = draw(st.lists(st.integers(0, 2), min_size=n_posts, max_size=n_posts))
    n = draw(st.integers(0, max_volunteers))
    options = []
    for _ in range(n):
        ranked = draw(st.permutations(range(n_posts)))
        k = draw(st.integers(0, n_posts))
        mine = []
        for rank, p in enumerate(ranked[:k], 1):
            # Hard requirements: some ranked posts are not acceptable and drop out, as in load_problem.
            if draw(st.booleans()) and draw(st.booleans()):
                continue
            matches = draw(st.integers(0, 2))
            mine.append((p, rank, solver.fit_of(rank, matches), draw(st.integers(0, 3)), matches))
        options.append(mine)
    return options, capacities


def brute_force_best(options, capacities):
    best = 0
    choices = [[-1] + [o[0] for o in opts] for opts in options]
    for combo in itertools.product(*choices):
        if solver.check_feasible(options, capacities, combo):
            continue
        total = sum(solver.option_for(options, v, p)[2] for v, p in enumerate(combo) if p >= 0)
        best = max(best, total)
    return best


@settings(max_examples=300, deadline=None)
@given(problems())
def test_stable_mode_has_no_blocking_pair_and_is_feasible(problem):
    options, capacities = problem
    assignment = solver.deferred_acceptance(options, capacities)
    assert solver.check_feasible(options, capacities, assignment) == []
    assert solver.blocking_pairs(options, capacities, assignment) == []


@settings(max_examples=200, deadline=None)
@given(problems(max_volunteers=5, max_posts=3))
def test_optimal_mode_maximises_total_fit_and_beats_stable(problem):
    options, capacities = problem
    optimal = solver.max_fit(options, capacities)
    stable = solver.deferred_acceptance(options, capacities)
    assert solver.check_feasible(options, capacities, optimal) == []
    q_opt, q_stable = solver.quality(options, optimal), solver.quality(options, stable)
    assert q_opt.total_fit >= q_stable.total_fit
    assert q_opt.total_fit == brute_force_best(options, capacities)


def test_blocking_pair_check_notices_an_unstable_assignment():
    # Both volunteers want post 0 (capacity 1); post 0 prefers volunteer 1 (priority 5 > 1).
    options = [[(0, 1, 10, 1, 0), (1, 2, 9, 1, 0)], [(0, 1, 10, 5, 0)]]
    capacities = [1, 1]
    assert solver.blocking_pairs(options, capacities, [0, -1]) == [(1, 0)]
    assert solver.deferred_acceptance(options, capacities) == [1, 0]


def test_requirements_and_explanations():
    assert solver.meets_requirements(frozenset({"法学"}), "bachelor", ["法学", "社会工作"], "")
    assert not solver.meets_requirements(frozenset({"农学"}), "bachelor", ["法学"], "")
    assert not solver.meets_requirements(frozenset({"法学"}), "bachelor", [], "master")
    assert solver.explain(2, ["汉语言文学"], "党建宣传", True) == "第 2 志愿；专业匹配：汉语言文学 → 党建宣传"
    assert solver.explain(1, [], "综治网格", True) == "第 1 志愿；专业不在岗位优先专业之列"
    assert solver.explain(None, [], "村务助理", False) == "非志愿岗位；岗位未设专业偏好"
