"""The afwegingskader decision function: a table of answers and outcomes, then every
combination of answers (5^5 = 3,125) checked against the protocol's rules."""
from __future__ import annotations

from itertools import product

import pytest

from actions.meldcode_logic import Answer, Decision, decide

J, N, T, W = "ja", "nee", "twijfel", "weet_niet"

TABLE = [
    # answers to 1-5                   decision                       at  next
    ({},                                Decision.ASK,                  None, 1),
    ({1: N},                            Decision.CLOSE_NO_SUSPICION,   1, None),
    ({1: J},                            Decision.ASK,                  None, 2),
    ({1: J, 2: J},                      Decision.MELDEN,               2, None),
    ({1: J, 2: T},                      Decision.MELDEN,               2, None),
    ({1: J, 2: W},                      Decision.MELDEN,               2, None),
    ({1: J, 2: N},                      Decision.ASK,                  None, 3),
    ({1: J, 2: N, 3: N},                Decision.MELDEN,               3, None),
    ({1: J, 2: N, 3: T},                Decision.CONSULT_VT,           3, None),
    ({1: J, 2: N, 3: J},                Decision.ASK,                  None, 4),
    ({1: J, 2: N, 3: J, 4: N},          Decision.MELDEN,               4, None),
    ({1: J, 2: N, 3: J, 4: W},          Decision.CONSULT_VT,           4, None),
    ({1: J, 2: N, 3: J, 4: J},          Decision.ORGANISE_HELP,        4, 5),
    ({1: J, 2: N, 3: J, 4: J, 5: N},    Decision.MELDEN,               5, None),
    ({1: J, 2: N, 3: J, 4: J, 5: T},    Decision.CONSULT_VT,           5, None),
    ({1: J, 2: N, 3: J, 4: J, 5: J},    Decision.CLOSE_HELP_MONITOR,   5, None),
    # doubt at 1 is not "nee": the route goes on, with advice from Veilig Thuis first
    ({1: T},                            Decision.ASK,                  None, 2),
    ({1: W, 2: N, 3: J, 4: J, 5: J},    Decision.CLOSE_HELP_MONITOR,   5, None),
    # later answers do not matter once a decision is reached
    ({1: N, 2: J, 3: N},                Decision.CLOSE_NO_SUSPICION,   1, None),
    ({1: J, 2: J, 3: J, 4: J, 5: J},    Decision.MELDEN,               2, None),
]


@pytest.mark.parametrize("answers, decision, decided_at, next_question", TABLE)
def test_protocol_table(answers, decision, decided_at, next_question):
    outcome = decide(answers)
    assert outcome.decision is decision
    assert outcome.decided_at == decided_at
    assert outcome.next_question == next_question


def test_melden_at_2_means_3_to_5_with_veilig_thuis():
    assert decide({1: J, 2: J}).with_vt
    assert not decide({1: J, 2: N, 3: N}).with_vt


def test_doubt_at_1_asks_for_advice_first():
    assert decide({1: T}).advice_first and decide({1: W, 2: J}).advice_first
    assert not decide({1: J, 2: J}).advice_first


def test_answers_may_be_strings_or_enums_and_are_normalised():
    assert decide({1: "Ja", 2: "weet ik niet"}).decision is Decision.MELDEN
    assert decide({1: Answer.JA, 2: Answer.NEE}).next_question == 3


ALL = [None, J, N, T, W]


@pytest.mark.parametrize("combo", list(product(ALL, repeat=5)))
def test_every_combination_follows_the_rules(combo):
    answers = {q: a for q, a in zip(range(1, 6), combo) if a is not None}
    outcome = decide(answers)
    a = dict(zip(range(1, 6), combo))
    # Doubt is never read as "nee": nothing closes while a doubtful answer is on the path.
    closing = {Decision.CLOSE_NO_SUSPICION, Decision.CLOSE_HELP_MONITOR}
    if outcome.decision in closing:
        assert all(ans in (J, N) for _, ans in outcome.path[1:]), outcome
    # Only "nee" at 1 closes without further questions.
    if outcome.decision is Decision.CLOSE_NO_SUSPICION:
        assert a[1] == N
    # Acute/structural unsafety or doubt about it (2) always leads to melden.
    if a[1] not in (None, N) and a[2] in (J, T, W):
        assert outcome.decision is Decision.MELDEN and outcome.decided_at == 2
    # Help is closed only after ja at 3, 4 and 5 with no unsafety at 2.
    if outcome.decision is Decision.CLOSE_HELP_MONITOR:
        assert (a[2], a[3], a[4], a[5]) == (N, J, J, J)
    # An answer missing on the path means that question is asked next.
    if outcome.decision is Decision.ASK:
        assert a[outcome.next_question] is None
    # The path is exactly the answers read, in order, up to the decision.
    assert [q for q, _ in outcome.path] == list(range(1, len(outcome.path) + 1))


def test_every_outcome_and_question_has_a_protocol_text_with_its_source():
    from actions.meldcode_logic import load_afwegingskader, outcome_key

    texts = load_afwegingskader()
    assert set(texts["questions"]) == {1, 2, 3, 4, 5}
    reached = set()
    for combo in product(ALL, repeat=5):
        outcome = decide({q: a for q, a in zip(range(1, 6), combo) if a is not None})
        key = outcome_key(outcome)
        if key:
            reached.add(key)
            assert key in texts["outcomes"], key
    assert reached | {"advice_first"} == set(texts["outcomes"])  # no unused texts
    for item in list(texts["questions"].values()) + list(texts["outcomes"].values()):
        assert item.source.startswith("protocol 00"), item
        assert len(item.text) <= 400
    assert all(q.why for q in texts["questions"].values())
