"""School profile loading/validation and the after-hours rule (pure functions)."""
from __future__ import annotations

import copy
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml

from actions.office_hours import is_after_hours
from actions.school_profile import DEFAULT_PROFILE, ProfileError, load_profile, parse_profile

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(DEFAULT_PROFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def profile():
    return load_profile(DEFAULT_PROFILE)


def test_sample_profile_loads_with_the_national_numbers(profile):
    assert profile.contacts["noodnummer"].phone == "112"
    assert profile.contacts["veilig_thuis"].phone.replace("-", "") == "08002000"
    assert profile.lvs


@pytest.mark.parametrize(
    "key, bad",
    [
        ("veilig_thuis", "0800-0200"),  # swapped digits: well-formed, but wrong
        ("noodnummer", "113"),
        ("politie", "0900-88"),  # too short
        ("jgz", "088-05499"),
        ("ggz", "telefoon"),
    ],
)
def test_a_wrong_phone_number_fails_loading(raw, key, bad):
    broken = copy.deepcopy(raw)
    broken["contacts"][key]["phone"] = bad
    with pytest.raises(ProfileError, match=key):
        parse_profile(broken)


@pytest.mark.parametrize("field", ["name", "when"])
def test_a_missing_required_field_fails_loading(raw, field):
    broken = copy.deepcopy(raw)
    del broken["contacts"]["jgz"][field]
    with pytest.raises(ProfileError, match=field):
        parse_profile(broken)


def test_a_missing_required_contact_fails_loading(raw):
    broken = copy.deepcopy(raw)
    del broken["contacts"]["veilig_thuis"]
    with pytest.raises(ProfileError, match="veilig_thuis"):
        parse_profile(broken)


def test_every_contact_has_a_phone_or_a_way_to_reach_it(raw):
    broken = copy.deepcopy(raw)
    del broken["contacts"]["wijkteam"]["reach"]
    with pytest.raises(ProfileError, match="reach"):
        parse_profile(broken)


@pytest.mark.parametrize(
    "moment, after",
    [
        (dt.datetime(2026, 11, 23, 10, 0, tzinfo=AMS), False),  # Monday morning, school day
        (dt.datetime(2026, 11, 23, 7, 59, tzinfo=AMS), True),  # before school
        (dt.datetime(2026, 11, 23, 17, 0, tzinfo=AMS), True),  # end of the day
        (dt.datetime(2026, 11, 23, 22, 30, tzinfo=AMS), True),  # evening
        (dt.datetime(2026, 11, 21, 11, 0, tzinfo=AMS), True),  # Saturday
        (dt.datetime(2026, 11, 22, 11, 0, tzinfo=AMS), True),  # Sunday
        (dt.datetime(2026, 12, 21, 10, 0, tzinfo=AMS), True),  # Christmas holiday (profile)
        (dt.datetime(2027, 4, 27, 10, 0, tzinfo=AMS), True),  # Koningsdag (public holiday)
        (dt.datetime(2027, 5, 17, 10, 0, tzinfo=AMS), True),  # Pinkstermaandag 2027
        (dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.timezone.utc), False),  # 09:00 in Amsterdam
        (dt.datetime(2026, 11, 24, 16, 30, tzinfo=dt.timezone.utc), True),  # 17:30 in Amsterdam
    ],
)
def test_after_hours(profile, moment, after):
    assert is_after_hours(moment, profile) is after


def test_naive_time_is_refused(profile):
    with pytest.raises(ValueError):
        is_after_hours(dt.datetime(2026, 11, 23, 10, 0), profile)


def test_case_log_settings_come_from_the_profile(raw, profile):
    assert profile.reviewers == ("telegram:100000001",) and profile.retention_days == 730
    changed = copy.deepcopy(raw)
    changed["case_log"] = {"aandachtsfunctionarissen": ["telegram:900001"], "bewaartermijn_dagen": 365}
    parsed = parse_profile(changed)
    assert parsed.reviewers == ("telegram:900001",) and parsed.retention_days == 365
    del changed["case_log"]
    assert parse_profile(changed).reviewers == ()  # nobody but the creator sees a case


@pytest.mark.parametrize("reviewer", [
    "rest:ib-voorbeeldschool",  # any REST integration could send this sender
    "rest:tests/ib",
    "cmdline:terminal-abc123",  # the terminal proves nothing about who types
    "webchat:web-" + "a" * 32,  # a browser tab's random id, not a signed-in person
    "telegram:ib-school",  # Telegram ids are numbers
    "slack:ib",  # no such channel here
])
def test_an_aandachtsfunctionaris_on_a_channel_that_proves_nobody_is_refused(raw, reviewer, monkeypatch, caplog):
    from actions.case_log.dialogue import reviewers

    changed = copy.deepcopy(raw)
    changed["case_log"] = {"aandachtsfunctionarissen": ["telegram:900001", reviewer]}
    with pytest.raises(ProfileError, match="kan geen aandachtsfunctionaris zijn"):
        parse_profile(changed)
    # The same rule for the environment variable: that id is left out (and logged), the rest stays.
    monkeypatch.setenv("MELDWIJZER_REVIEWERS", f"telegram:900001,{reviewer}")
    assert reviewers() == ("telegram:900001",)
    assert "kan geen aandachtsfunctionaris zijn" in caplog.text


@pytest.mark.parametrize("reviewer", ["telegram:900001", "webchat:user-ib.visser@school.nl", "botframework:29:1abc"])
def test_an_aandachtsfunctionaris_on_a_proving_channel_is_accepted(raw, reviewer):
    changed = copy.deepcopy(raw)
    changed["case_log"] = {"aandachtsfunctionarissen": [reviewer]}
    assert parse_profile(changed).reviewers == (reviewer,)


@pytest.mark.parametrize("case_log", [
    {"aandachtsfunctionarissen": ["900001"]},  # no channel
    {"bewaartermijn_dagen": 0},
    {"bewaartermijn_dagen": "twee jaar"},
])
def test_wrong_case_log_settings_fail_loading(raw, case_log):
    changed = copy.deepcopy(raw)
    changed["case_log"] = case_log
    with pytest.raises(ProfileError):
        parse_profile(changed)
