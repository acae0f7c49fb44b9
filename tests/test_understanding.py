"""The independent understanding rounds (tests/understanding) as regression sets, against the
real trained model, the Rasa server and the action server (REST channel).

Each round was measured first on the commit in its header (tests/understanding/first_sight.md):
that is its result. Here it guards what was reached since: the figures below are floors a
change may not fall under, per class, as `bench.understanding` scores them.
"""
from __future__ import annotations

import pytest

from bench.understanding import SETS, Recogniser, behaviours, load_sets, run, servers, summarise

ROUNDS = sorted(SETS.glob("round*.yml"))
# Floors for the regression sets (the targets are for a fresh round's first sight), set
# with a margin under what the fourteen rounds give together after round 14's work (README, "Measured"):
# danger 775/787, worry 498/503, after hours 166/168, look-up 459/562, calm 467/483,
# conversation 372/390 (round 14 alone: 30/30).
# Look-ups stay lowest: rounds 4-14 came in near or under their first-sight level.
FLOORS = {"danger": 0.96, "worry": 0.95, "after_hours": 0.95, "lookup": 0.78, "calm": 0.94,
          "bad_input": 1.0, "conversation": 0.91}


@pytest.fixture(scope="module")
def results():
    """Every round through one Rasa server whose school is open all day (after hours can then
    only come from the text)."""
    with servers() as client:
        messages, conversations = load_sets(ROUNDS)
        yield run(client, messages, conversations, Recogniser())


def test_there_are_rounds_of_independent_sets():
    messages, conversations = load_sets(ROUNDS)
    assert len(messages) >= 150 and len(conversations) >= 20


@pytest.mark.parametrize("cls", sorted(FLOORS))
def test_each_class_stays_above_its_floor(results, cls):
    row = summarise(results)["classes"][cls]
    wrong = [(r.id, r.names) for r in results if r.cls == cls and not r.ok]
    assert row["right"] / row["of"] >= FLOORS[cls], wrong


def test_no_message_about_a_child_is_refused(results):
    refused = summarise(results)["refused_about_a_child"]
    assert refused["count"] == 0, [r.id for r in results if r.cls in ("danger", "worry", "after_hours")
                                   and "refusal" in behaviours(r.names)]


def test_false_alarms_on_calm_school_messages_stay_at_most_5_percent(results):
    alarms = summarise(results)["false_alarms_calm"]
    assert alarms["count"] <= 0.05 * alarms["of"] + 1e-9, [r.id for r in results if r.cls == "calm" and not r.ok]
