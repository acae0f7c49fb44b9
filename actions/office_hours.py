"""Is it school time? A pure function over a moment and a school profile. No Rasa imports.

Out of school hours (evenings, weekends, public holidays, school holidays) a worry first
gets the 24/7 route: Veilig Thuis 0800-2000 and 112 for direct danger.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Optional
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


# "het is zaterdag", "vrijdagavond tien uur", "in de herfstvakantie", "'s nachts", "om 22.30":
# the message itself says it is outside school time, whatever the server's clock says (a
# message typed late and sent in the morning, a clock in another time zone). Past moments
# ("gisteravond", "afgelopen weekend", "na de vakantie") do not count. Erring towards "after
# hours" costs one extra message with the 24/7 numbers; erring the other way costs the
# 24/7 route at night.
_DAY = r"(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)"
_AFTER_HOURS = re.compile(
    r"\b(?:vanavond|vannacht|dit weekend|deze vakantie|\w*weekend|(?:zaterdag|zondag)(?:ochtend|morgen|middag)?|"
    rf"{_DAY}(?:avond|nacht)|(?:za|zat|zo|zon)\.?\s?(?:ochtend|middag|avond|nacht)|avond|nacht|'s\s*avonds|'s\s*nachts|s\s*avonds|s\s*nachts|snachts|savonds|"
    r"\w*vakantie|kerst|oud en nieuw|nieuwjaarsdag|pasen|pinksteren|(?:tweede )?(?:paas|pinkster)(?:dag|maandag)|feestdag|"
    r"na schooltijd|buiten schooltijd|school is (?:al )?uit|(?:ik )?lig (?:nog )?wakker|"
    r"(?:half |kwart (?:over |voor ))?(?:negen|tien|elf|twaalf|een|twee|drie|vier|vijf) uur '?s?\s*(?:avonds|nachts)|"
    # 20:00-23:59 and 00:00-05:59 on the clock; "om 3 uur" is the afternoon in Dutch.
    r"(?:2[0-3]|0[0-5])[:.u][0-5][0-9]|(?:2[0-3]) ?(?:uur|u))\b",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"\b(?:gister\w*|eergister\w*|afgelopen|vorige?|na de|sinds de|voor de|"
    r"elke|iedere|vaak|soms|altijd|meestal)\s*$",
    re.IGNORECASE,
)


def says_after_hours(texts: Iterable[str]) -> bool:
    """Whether any of these messages says it is now evening, night, weekend or a holiday."""
    for text in texts:
        for match in _AFTER_HOURS.finditer(text or ""):
            before = (text or "")[max(0, match.start() - 24):match.start()]
            word = match.group(0).lower()
            if word.startswith("gister") or _PAST.search(before) and not word.startswith(("vanavond", "vannacht")):
                continue
            return True
    return False
