"""Matching rows of the national platform's participation exports to roster rows.

A row gives a name, the organisation chain as the platform prints it (``…-甲镇团委-甲村团支部``),
the time of study and, optionally, the last 4 digits of the phone. The time picks the episode
(the week from its publication day); the last segment of the chain picks the branch (or
squadron) among the importer's units; the name (and the digits, when given) picks the member on
that episode's roster. The outcome of each row is ``matched``, ``already`` (recorded before),
``ambiguous``, ``unmatched`` or ``no_episode``; nothing is written here.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from tuanwu.core.pinyin import normalise_name
from tuanwu.organisations import access
from tuanwu.organisations.models import Unit
from tuanwu.people.models import phone_last4_index

from .models import Attendance, AttendanceStatus, StudyEpisode

EPISODE_DAYS = 7  # an episode counts for a week from its publication day
SEPARATORS = re.compile(r"\s*[-/>\\|－—–、，,＞》]+\s*")


@dataclass
class Outcome:
    status: str
    message: str = ""
    attendance_id: int | None = None
    episode_id: int | None = None
    activity_id: int | None = None


def parse_time(value) -> datetime.date | None:
    """A date from a date cell, a datetime cell or text such as ``2023-03-05 20:15:33``."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    found = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", text)
    if not found:
        return None
    try:
        return datetime.date(*map(int, found.groups()))
    except ValueError:
        return None


class Matcher:
    """Loads the published episodes visible from ``root`` and their rosters in ``root``'s subtree
    (rows the user may see) once, then matches any number of rows."""

    def __init__(self, user, root: Unit):
        self.user = user
        self.root = root
        prefixes = [root.path[:i] for i in range(root.steplen, len(root.path) + 1, root.steplen)]
        self.episodes = list(
            StudyEpisode.objects.filter(is_published=True)
            .filter(Q(season__county__path__in=prefixes) | Q(season__county__path__startswith=root.path))
            .order_by("published_on")
        )
        self._rosters: dict[int, dict[str, list[tuple]]] = {}

    def episode_on(self, day: datetime.date) -> list[StudyEpisode]:
        return [e for e in self.episodes
                if e.published_on <= day < e.published_on + datetime.timedelta(days=EPISODE_DAYS)]

    def roster(self, episode: StudyEpisode) -> dict[str, list[tuple]]:
        """{unit name: [(attendance id, person name, phone-last4 index, status, activity id)]}."""
        if episode.pk not in self._rosters:
            rows = access.visible_to(
                self.user,
                Attendance.objects.filter(activity__episode=episode, on_roster=True,
                                          activity__unit__path__startswith=self.root.path),
                access.CHANGE,
            ).values_list("pk", "person__name", "person__phone_last4_index", "status", "activity_id",
                          "activity__unit__name")
            by_unit: dict[str, list[tuple]] = defaultdict(list)
            for pk, name, last4, status, activity_id, unit_name in rows:
                by_unit[unit_name].append((pk, name, last4, status, activity_id))
            self._rosters[episode.pk] = by_unit
        return self._rosters[episode.pk]

    def match(self, *, name: str, unit_path: str, studied: datetime.date | None, last4: str = "") -> Outcome:
        name = normalise_name(name or "")
        if not name:
            return Outcome("unmatched", "缺少姓名")
        if studied is None:
            return Outcome("no_episode", "学习时间无法识别，请填写如 2023-03-05 或 2023-03-05 20:15")
        episodes = self.episode_on(studied)
        if not episodes:
            return Outcome("no_episode", f"{studied:%Y-%m-%d} 没有已下发的学习期次")
        segments = [s for s in SEPARATORS.split((unit_path or "").strip()) if s]
        unit_name = segments[-1] if segments else ""
        digits = (last4 or "").strip()
        index = phone_last4_index(digits) if digits else None
        found = []
        for episode in episodes:
            roster = self.roster(episode)
            units = [unit_name] if unit_name else list(roster)
            for u in units:
                for row in roster.get(u, ()):
                    if row[1] == name and (index is None or row[2] == index):
                        found.append((episode, row))
        if not found:
            where = f"“{unit_name}”" if unit_name else "您管理的组织"
            return Outcome("unmatched", f"{where}在该期名单中没有“{name}”（请核对姓名和组织，或该同志当时尚未入团）")
        if len(found) > 1:
            return Outcome("ambiguous", f"名单中有 {len(found)} 位“{name}”，请补充“手机号后四位”以区分")
        episode, (pk, _, _, status, activity_id) = found[0]
        if status == AttendanceStatus.PRESENT:
            return Outcome("already", "已记录过", pk, episode.pk, activity_id)
        return Outcome("matched", "", pk, episode.pk, activity_id)
