"""Test helpers for activities: members with phones, pioneers, a dated activity, and the inside /
outside objects the route matrix (tests/test_route_matrix.py) needs for this app's models."""

from __future__ import annotations

import datetime
import io
import itertools

from django.utils import timezone

_phones = itertools.count(1000)
JOINED = datetime.date(2020, 5, 4)


def member(world, branch, name: str, *, phone: str | None = None, joined_on: datetime.date = JOINED,
           birth: datetime.date = datetime.date(2001, 3, 15)):
    """A League member of ``branch`` since ``joined_on``, with a phone (last 4 digits unique)."""
    from tuanwu.people.testing import make_member

    phone = phone or f"1390000{next(_phones) % 10000:04d}"
    return make_member(world, branch, name, birth=birth, joined_on=joined_on, phone=phone)


def pioneer(world, squadron, name: str, *, birth: datetime.date = datetime.date(2017, 9, 1)):
    from tuanwu.people.testing import make_person

    return make_person(world, squadron, name, birth=birth, id_number="",
                       student_number=f"G{next(_phones):010d}", political_status="pioneer")


def at(day: datetime.date, hour: int = 15) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def activity(world, unit, *, kind: str = "league_day", day: datetime.date = datetime.date(2023, 3, 10),
             title: str = "学习二十大精神", actor=None, **fields):
    from .actions import create_activity

    return create_activity(actor=actor or world.superuser, unit=unit, kind=kind, title=title, starts_at=at(day),
                           **fields)


def png_bytes(size=(40, 30), exif_gps: bool = False) -> bytes:
    """A small image; with ``exif_gps`` a JPEG carrying a GPS block (to prove it is stripped)."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "TestCam"  # Make
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", (43.0, 49.0, 0.0)
        gps[3], gps[4] = "E", (87.0, 36.0, 0.0)
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def route_cases(world, model, permission):
    """(inside, outside, user with permission, user without) for this app's models, else None."""
    from tuanwu.organisations import access

    from .actions import add_photo
    from .models import Activity, ActivityPhoto

    if model is Activity:
        inside, outside = activity(world, world.branch_a2), activity(world, world.branch_b1)
        if permission == access.VIEW:
            return inside, outside, world.town_secretary, world.inspector
        return inside, outside, world.town_secretary, world.inspector
    if model is ActivityPhoto:
        inside, outside = activity(world, world.branch_a2), activity(world, world.branch_b1)
        return (add_photo(actor=world.superuser, activity=inside, data=png_bytes()),
                add_photo(actor=world.superuser, activity=outside, data=png_bytes()),
                world.town_secretary, world.inspector)
    return None
