"""Loading and checking a school profile (data/schools/*.yml). No Rasa imports.

A typo in a phone number must fail loudly here (and in the tests), never reach a teacher.
Numbers are checked with `phonenumbers` (Google's libphonenumber); the national numbers
every school shares are also pinned, because a wrong but well-formed number such as
0800-0200 is still a valid-looking Dutch number.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import phonenumbers
import yaml
from phonenumbers import shortnumberinfo

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PROFILE = PROJECT_ROOT / "data" / "schools" / "voorbeeldschool.yml"

# Numbers that are the same for every school in the Netherlands.
NATIONAL_NUMBERS = {"noodnummer": "112", "veilig_thuis": "08002000"}
REQUIRED_CONTACTS = ("noodnummer", "veilig_thuis", "ib", "directie")
STEP_PLANS = ("vijf_stappen", "zes_stappen")
# An aandachtsfunctionaris sees every case, so only an id that its channel proves can be one:
# Telegram (the relay's secret), the web chat behind the sign-in proxy, Teams (signed by
# Microsoft). Never REST (an integration's own namespace) or the terminal (`rasa shell`).
PROVEN_REVIEWER = {
    "telegram": re.compile(r"^[0-9]{1,20}$"),
    "webchat": re.compile(r"^user-\S+$"),
    "botframework": re.compile(r"^\S+$"),
}


class ProfileError(ValueError):
    """The school profile is incomplete or wrong."""


@dataclass(frozen=True)
class Contact:
    key: str
    name: str
    when: str
    phone: Optional[str] = None
    person: Optional[str] = None
    reach: Optional[str] = None
    hours: Optional[str] = None
    internal: bool = False


@dataclass(frozen=True)
class Holiday:
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class SchoolProfile:
    id: str
    name: str
    lvs: str
    timezone: str
    school_days: Tuple[int, ...]
    school_start: dt.time
    school_end: dt.time
    holidays: Tuple[Holiday, ...]
    contacts: Dict[str, Contact] = field(default_factory=dict)
    # The school's variant of the meldcode (protocol 001/003: five steps; 004: six, with nazorg).
    step_plan: str = "vijf_stappen"
    casushouder: str = "de IB'er"  # who becomes casushouder by default (protocol 004)
    verwijsindex: Optional[str] = None  # "Verwijsindex", "SISA", or None if not used
    # Case log: who may see every case ("channel:user" ids of the aandachtsfunctionaris/IB),
    # and how long a closed case is kept (days; the student file's two years by default).
    reviewers: Tuple[str, ...] = ()
    retention_days: int = 730


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def check_phone(key: str, phone: str) -> None:
    digits = _digits(phone)
    if not digits:
        raise ProfileError(f"contact {key}: {phone!r} is geen telefoonnummer")
    if key in NATIONAL_NUMBERS and digits != NATIONAL_NUMBERS[key]:
        raise ProfileError(
            f"contact {key}: nummer {phone!r} klopt niet (landelijk nummer is "
            f"{NATIONAL_NUMBERS[key]})"
        )
    if len(digits) <= 4:
        if not shortnumberinfo.is_valid_short_number_for_region(phonenumbers.parse(digits, "NL"), "NL"):
            raise ProfileError(f"contact {key}: {phone!r} is geen geldig kort nummer")
        return
    try:
        parsed = phonenumbers.parse(phone, "NL")
    except phonenumbers.NumberParseException as exc:
        raise ProfileError(f"contact {key}: {phone!r} is geen telefoonnummer ({exc})") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ProfileError(f"contact {key}: {phone!r} is geen geldig Nederlands nummer")


def check_reviewer(reviewer: str, where: str = "case_log.aandachtsfunctionarissen") -> str:
    """`reviewer` ("kanaal:gebruiker") if its channel proves who that is, else ProfileError."""
    channel, _, user = reviewer.partition(":")
    if not channel or not user:
        raise ProfileError(f"{where}: {reviewer!r} is geen kanaal:gebruiker")
    pattern = PROVEN_REVIEWER.get(channel)
    if pattern is None or not pattern.match(user):
        raise ProfileError(
            f"{where}: {reviewer!r} kan geen aandachtsfunctionaris zijn. Dat kanaal bewijst niet wie "
            "iemand is. Gebruik telegram:<Telegram-id>, webchat:user-<inlognaam> (webchat achter "
            "de aanmeld-proxy) of botframework:<Teams-id>.")
    return reviewer


def _time(value: str, what: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError as exc:
        raise ProfileError(f"{what}: {value!r} is geen tijd (UU:MM)") from exc


def _require(mapping: dict, key: str, where: str):
    if not isinstance(mapping, dict) or mapping.get(key) in (None, ""):
        raise ProfileError(f"{where}: veld '{key}' ontbreekt")
    return mapping[key]


def parse_profile(raw: dict) -> SchoolProfile:
    school = _require(raw, "school", "profiel")
    hours = _require(school, "school_hours", "school")
    days = tuple(int(d) for d in _require(hours, "days", "school_hours"))
    if not days or any(d < 1 or d > 7 for d in days):
        raise ProfileError("school_hours.days: gebruik 1 (maandag) t/m 7 (zondag)")
    holidays: List[Holiday] = []
    for item in school.get("holidays") or []:
        start, end = _require(item, "start", "holiday"), _require(item, "end", "holiday")
        if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
            raise ProfileError(f"vakantie {item.get('name')!r}: start/einde kloppen niet")
        holidays.append(Holiday(str(item.get("name", "vakantie")), start, end))

    contacts: Dict[str, Contact] = {}
    for key, item in (_require(raw, "contacts", "profiel") or {}).items():
        where = f"contact {key}"
        name = _require(item, "name", where)
        when = _require(item, "when", where)
        phone = item.get("phone")
        if phone is None and not item.get("reach"):
            raise ProfileError(f"{where}: geef 'phone' of 'reach'")
        if phone is not None:
            check_phone(key, str(phone))
        contacts[key] = Contact(
            key=key, name=str(name), when=str(when),
            phone=str(phone) if phone is not None else None,
            person=item.get("person"), reach=item.get("reach"), hours=item.get("hours"),
            internal=bool(item.get("internal", False)),
        )
    missing = [k for k in REQUIRED_CONTACTS if k not in contacts]
    if missing:
        raise ProfileError(f"sociale kaart mist verplichte contacten: {', '.join(missing)}")

    meldcode = raw.get("meldcode") or {}
    if not isinstance(meldcode, dict):
        raise ProfileError("meldcode: verwacht step_plan, casushouder en verwijsindex")
    step_plan = str(meldcode.get("step_plan", "vijf_stappen"))
    if step_plan not in STEP_PLANS:
        raise ProfileError(f"meldcode.step_plan: kies {' of '.join(STEP_PLANS)}, niet {step_plan!r}")

    case_log = raw.get("case_log") or {}
    if not isinstance(case_log, dict):
        raise ProfileError("case_log: verwacht aandachtsfunctionarissen en bewaartermijn_dagen")
    reviewers = tuple(check_reviewer(str(r)) for r in case_log.get("aandachtsfunctionarissen") or ())
    retention = case_log.get("bewaartermijn_dagen", 730)
    if not isinstance(retention, int) or retention < 1:
        raise ProfileError("case_log.bewaartermijn_dagen: geef een aantal dagen (bijv. 730)")

    return SchoolProfile(
        id=str(_require(school, "id", "school")),
        name=str(_require(school, "name", "school")),
        lvs=str(_require(school, "lvs", "school")),
        timezone=str(school.get("timezone", "Europe/Amsterdam")),
        school_days=days,
        school_start=_time(_require(hours, "start", "school_hours"), "school_hours.start"),
        school_end=_time(_require(hours, "end", "school_hours"), "school_hours.end"),
        holidays=tuple(holidays),
        contacts=contacts,
        step_plan=step_plan,
        casushouder=str(meldcode.get("casushouder") or "de IB'er"),
        verwijsindex=str(meldcode["verwijsindex"]) if meldcode.get("verwijsindex") else None,
        reviewers=reviewers,
        retention_days=retention,
    )


def profile_path() -> Path:
    configured = os.environ.get("MELDWIJZER_SCHOOL")
    if not configured:
        return DEFAULT_PROFILE
    path = Path(configured)
    return path if path.is_absolute() else PROJECT_ROOT / path


def load_profile(path: Optional[Path] = None) -> SchoolProfile:
    """The school profile, parsed and checked once per version of the file."""
    path = Path(path or profile_path())
    return _load_profile(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_profile(path: Path, _mtime_ns: int) -> SchoolProfile:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return parse_profile(raw)


def load_profile_or_none() -> Optional[SchoolProfile]:
    """The profile, or None (logged) when it is missing or wrong: callers then give a safe,
    general answer instead of failing in front of a teacher."""
    try:
        return load_profile()
    except (OSError, ProfileError, ValueError) as exc:
        logger.error("school profile could not be loaded: %s", exc)
        return None
