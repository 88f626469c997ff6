"""Placing a cohort into posts: the two solvers, their quality figures and the explanations.

Pure code on plain data (no database), so the properties can be checked by brute force and the
benchmark can time the solvers alone.

The problem: each volunteer ranks posts (1 = first wish). A pair (volunteer, post) is
*acceptable* when the volunteer ranked the post and meets its hard requirements (required
specialties, minimum degree); only acceptable pairs may be matched, in both modes. Each post
has a capacity and a strict priority over volunteers (its stated basis, then the lower volunteer
index). Each acceptable pair has a positive *fit*: points for the wish rank plus points for
matching the post's preferred specialties.

- :func:`deferred_acceptance` (mode ``stable``): volunteer-proposing deferred acceptance. The
  result is stable: no volunteer and post would both rather be matched to each other (the post
  having a free place or holding someone of lower priority). It is the stable matching every
  volunteer likes best.
- :func:`max_fit` (mode ``optimal``): the matching of maximum total fit, by the sparse
  Jonker–Volgenant solver in SciPy on the capacity-expanded graph (one column per place) with one
  private "unplaced" column per volunteer, so that leaving someone unplaced is always possible and
  the solver maximises total fit, not the number of pairs. Its total fit is never below the stable
  one's: the stable matching is one of the matchings it maximises over.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

# An acceptable pair, seen from the volunteer: (post index, wish rank, fit, post's priority
# for this volunteer, matched specialties count). A volunteer's options are sorted by rank.
Option = tuple[int, int, int, int, int]

MAX_WISHES = 10
SPECIALTY_POINTS = 3
MAX_COUNTED_MATCHES = 2

DEGREE_LEVELS = {"college": 1, "bachelor": 2, "master": 3, "doctor": 4}


def wish_points(rank: int) -> int:
    """First wish 10 points down to the tenth wish 1 point."""
    return max(1, MAX_WISHES + 1 - rank)


def fit_of(rank: int, matches: int) -> int:
    return wish_points(rank) + SPECIALTY_POINTS * min(matches, MAX_COUNTED_MATCHES)


def priority_of(basis: str, matches: int, score_tenths: int) -> int:
    """A post's priority for a volunteer (higher first). ``specialty``: matched preferred
    specialties, then the screening score; ``score``: the screening score, then specialties."""
    score_tenths = max(0, min(int(score_tenths), 9999))
    matches = max(0, min(int(matches), 99))
    if basis == "score":
        return score_tenths * 100 + matches
    return matches * 10_000 + score_tenths


def meets_requirements(specialties: frozenset[str], degree: str, required: Sequence[str], min_degree: str) -> bool:
    """Hard requirements: at least one required specialty (when the post names any) and the
    minimum degree (when set)."""
    if required and not specialties.intersection(required):
        return False
    if min_degree and DEGREE_LEVELS.get(degree, 0) < DEGREE_LEVELS.get(min_degree, 0):
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Solvers


def deferred_acceptance(options: Sequence[Sequence[Option]], capacities: Sequence[int]) -> list[int]:
    """Stable assignment (post index per volunteer, -1 unplaced) by volunteer-proposing deferred
    acceptance. O(total options · log capacity)."""
    n = len(options)
    assignment = [-1] * n
    next_choice = [0] * n
    held: list[list[tuple[int, int, int]]] = [[] for _ in capacities]
    free = list(range(n - 1, -1, -1))
    push, replace = heapq.heappush, heapq.heapreplace
    while free:
        v = free.pop()
        opts = options[v]
        i = next_choice[v]
        count = len(opts)
        while i < count:
            p, _rank, _fit, prio, _m = opts[i]
            i += 1
            cap = capacities[p]
            if cap <= 0:
                continue
            heap = held[p]
            # Heap entries (priority, -index, index): the root is the post's least preferred holder.
            if len(heap) < cap:
                push(heap, (prio, -v, v))
                assignment[v] = p
                break
            worst = heap[0]
            if (prio, -v) > (worst[0], worst[1]):
                loser = replace(heap, (prio, -v, v))[2]
                assignment[v] = p
                assignment[loser] = -1
                free.append(loser)
                break
        next_choice[v] = i
    return assignment


def max_fit(options: Sequence[Sequence[Option]], capacities: Sequence[int]) -> list[int]:
    """Maximum-total-fit assignment respecting capacities (post index per volunteer, -1 unplaced)."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    n = len(options)
    if n == 0:
        return []
    slot_start = [0] * (len(capacities) + 1)
    for p, cap in enumerate(capacities):
        slot_start[p + 1] = slot_start[p] + max(0, cap)
    n_slots = slot_start[-1]
    # Every full matching has n edges, so minimising the sum of (top - weight) maximises the sum
    # of weights; SciPy's solver runs measurably faster in this minimising form. Weights are
    # fit + 1 against 1 for "unplaced", so the total weight is n + total fit: maximising it
    # maximises total fit. All costs stay positive (an explicit zero would still be an edge, but
    # this keeps the intent obvious).
    top = float(max((o[2] for opts in options for o in opts), default=0) + 2)
    indptr = [0]
    indices: list[int] = []
    costs: list[float] = []
    for v, opts in enumerate(options):
        for p, _rank, fit, _prio, _m in opts:
            cost = top - (fit + 1)
            for slot in range(slot_start[p], slot_start[p + 1]):
                indices.append(slot)
                costs.append(cost)
        indices.append(n_slots + v)
        costs.append(top - 1)
        indptr.append(len(indices))
    matrix = csr_matrix(
        (np.asarray(costs, dtype=np.float64), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(n, n_slots + n),
    )
    _, columns = min_weight_full_bipartite_matching(matrix)
    slot_post = np.repeat(np.arange(len(capacities)), [max(0, c) for c in capacities])
    result = [-1] * n
    for v, col in enumerate(columns.tolist()):
        if col < n_slots:
            result[v] = int(slot_post[col])
    return result


SOLVERS = {"stable": deferred_acceptance, "optimal": max_fit}


# ---------------------------------------------------------------------------------------------
# Checks and figures


def option_for(options: Sequence[Sequence[Option]], v: int, p: int) -> Option | None:
    for option in options[v]:
        if option[0] == p:
            return option
    return None


def check_feasible(options: Sequence[Sequence[Option]], capacities: Sequence[int], assignment: Sequence[int]) -> list[str]:
    """Violations of capacities or acceptability (empty when the assignment is feasible)."""
    problems = []
    load = [0] * len(capacities)
    for v, p in enumerate(assignment):
        if p < 0:
            continue
        load[p] += 1
        if option_for(options, v, p) is None:
            problems.append(f"volunteer {v} placed in unacceptable post {p}")
    problems += [f"post {p} over capacity {load[p]}>{c}" for p, c in enumerate(capacities) if load[p] > c]
    return problems


def blocking_pairs(options: Sequence[Sequence[Option]], capacities: Sequence[int],
                   assignment: Sequence[int]) -> list[tuple[int, int]]:
    """Every (volunteer, post) pair that would both rather be matched to each other (brute force)."""
    holders: dict[int, list[tuple[int, int]]] = {}
    for v, p in enumerate(assignment):
        if p >= 0:
            option = option_for(options, v, p)
            holders.setdefault(p, []).append((option[3], -v))
    result = []
    for v, opts in enumerate(options):
        current = option_for(options, v, assignment[v]) if assignment[v] >= 0 else None
        current_rank = current[1] if current else None
        for p, rank, _fit, prio, _m in opts:
            if current_rank is not None and rank >= current_rank:
                continue
            held = holders.get(p, [])
            if len(held) < capacities[p] or (held and min(held) < (prio, -v)):
                result.append((v, p))
    return result


@dataclass(frozen=True)
class Quality:
    volunteers: int
    placed: int
    first_wish: int
    top3: int
    specialty_fit: int
    total_fit: int

    @property
    def unplaced(self) -> int:
        return self.volunteers - self.placed

    def share(self, count: int) -> str:
        return "—" if not self.volunteers else f"{count * 100 / self.volunteers:.1f}%"

    @property
    def first_wish_share(self) -> str:
        return self.share(self.first_wish)

    @property
    def top3_share(self) -> str:
        return self.share(self.top3)

    @property
    def specialty_fit_share(self) -> str:
        return "—" if not self.placed else f"{self.specialty_fit * 100 / self.placed:.1f}%"


def quality(options: Sequence[Sequence[Option]], assignment: Sequence[int]) -> Quality:
    """Share placed in the first and top-3 wishes, unplaced, specialty fit, total fit."""
    placed = first = top3 = fitted = total = 0
    for v, p in enumerate(assignment):
        if p < 0:
            continue
        _p, rank, fit, _prio, matches = option_for(options, v, p)
        placed += 1
        first += rank == 1
        top3 += rank <= 3
        fitted += matches > 0
        total += fit
    return Quality(volunteers=len(assignment), placed=placed, first_wish=first, top3=top3, specialty_fit=fitted,
                   total_fit=total)


def explain(rank: int | None, matched: Sequence[str], post_title: str, post_has_preferences: bool) -> str:
    """The line shown beside a placement: '第 2 志愿；专业匹配：汉语言文学 → 党建宣传'."""
    head = f"第 {rank} 志愿" if rank else "非志愿岗位"
    if matched:
        return f"{head}；专业匹配：{'、'.join(matched)} → {post_title}"
    if post_has_preferences:
        return f"{head}；专业不在岗位优先专业之列"
    return f"{head}；岗位未设专业偏好"
