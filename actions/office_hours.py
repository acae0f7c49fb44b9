"""Is it school time? A pure function over a moment and a school profile. No Rasa imports.

Out of school hours (evenings, weekends, public holidays, school holidays) a worry first
gets the 24/7 route: Veilig Thuis 0800-2000 and 112 for direct danger.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional
from zoneinfo import ZoneInfo

import holidays as public_holidays

from .school_profile import SchoolProfile


def is_after_hours(moment: dt.datetime, profile: SchoolProfile) -> bool:
    """True when `moment` (timezone-aware) falls outside the school's hours."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    local = moment.astimezone(ZoneInfo(profile.timezone))
    day = local.date()
    if local.isoweekday() not in profile.school_days:
        return True
    if not (profile.school_start <= local.time() < profile.school_end):
        return True
    if day in public_holidays.country_holidays("NL", years=day.year):
        return True
    return holiday_name(day, profile) is not None


def holiday_name(day: dt.date, profile: SchoolProfile) -> Optional[str]:
    for holiday in profile.holidays:
        if holiday.start <= day <= holiday.end:
            return holiday.name
    return None
