"""Counting speed of the election rules (pure functions, no database): a county congress-sized
election (101 voters, 26 candidates) and a large one (2,000 ballots, 40 candidates), against a
bare loop that only adds up the yes marks (the lower bound), and 姓氏笔画 ordering of 3,000 names.
One line per figure."""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from tuanwu.elections import rules  # noqa: E402
from tuanwu.elections.rules import Ballot  # noqa: E402


def ballots(rng, n, keys, seats):
    out = []
    for _ in range(n):
        yes = rng.sample(keys, rng.randint(0, seats))
        out.append(Ballot({k: ("yes" if k in yes else rng.choice(["no", "abstain"])) for k in keys}))
    return out


def timed(func, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    rng = random.Random(7)
    for voters, candidates, seats in ((101, 26, 21), (2000, 40, 33)):
        keys = [f"c{i}" for i in range(candidates)]
        papers = ballots(rng, voters, keys, seats)

        def count(papers=papers, keys=keys, seats=seats, voters=voters):
            t = rules.tally(papers, seats=seats, candidate_keys=keys)
            rules.decide_round(yes={k: t.yes.get(k, 0) for k in keys}, seats=seats, base=voters)

        def bare(papers=papers):
            total = {}
            for b in papers:
                for k, m in b.marks.items():
                    if m == "yes":
                        total[k] = total.get(k, 0) + 1

        t_count, t_bare = timed(count), timed(bare)
        print(f"计票 {voters} 张 × {candidates} 名候选人：{t_count * 1000:.1f} ms（仅累加赞成票 {t_bare * 1000:.1f} ms，"
              f"比值 {t_count / t_bare:.1f}）")
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    names = [rng.choice(surnames) + rng.choice("明华伟芳娜敏静丽强磊") + rng.choice("军洋勇艳杰娟涛超") for _ in range(3000)]
    rules.stroke_table()
    t_sort = timed(lambda: rules.stroke_order(names))
    t_plain = timed(lambda: sorted(names))
    print(f"姓氏笔画排序 3000 个姓名：{t_sort * 1000:.1f} ms（按码位排序 {t_plain * 1000:.2f} ms，比值 {t_sort / t_plain:.0f}）")


if __name__ == "__main__":
    main()
