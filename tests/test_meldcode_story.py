"""Reading a story into route answers (actions/meldcode_story.py): a table of texts and the
answers they state. Pure functions: no model, no servers."""
from __future__ import annotations

import pytest

from actions.meldcode_logic import Decision
from actions.meldcode_route import Status, walk
from actions.meldcode_story import RECORDED_TEXT, merge, reaches_weighing, read_story, understood

# text -> the answers it must give (a subset of what read_story returns), and keys it must not set.
TABLE = [
    ("signalen zijn vastgelegd, besproken met de IB",
     {"s1_signalen": RECORDED_TEXT, "s2_ib": "ja"}, []),
    ("ik heb alles in parnassys gezet en de intern begeleider weet ervan",
     {"s1_signalen": RECORDED_TEXT, "s2_ib": "ja"}, []),
    ("de ib'er weet het nog niet, die is ziek", {"s2_ib": "nee"}, []),
    ("ik ben zelf de IB'er van deze school", {"s2_ib": "ja"}, []),
    ("oudergesprek gehad, moeder werd boos",
     {"s3_gevoerd": "ja", "s3_veilig": "ja", "s3_vertrek": "nee"}, []),
    ("we hebben de ouders nog niet gesproken", {"s3_gevoerd": "nee"}, ["s3_veilig"]),
    ("ja, we hebben een vermoeden", {"afweging_1": "ja"}, []),
    ("we hebben geen vermoeden meer, er bleek een goede verklaring", {"afweging_1": "nee"}, []),
    ("ik twijfel of er echt iets aan de hand is", {"afweging_1": "twijfel"}, []),
    ("ik twijfel of het acuut is", {"afweging_2": "twijfel", "s1_acuut": "twijfel"}, ["afweging_1"]),
    ("niet acuut en niet structureel", {"afweging_2": "nee", "s1_acuut": "nee"}, []),
    ("niet acuut, wel structureel: het blijft zich herhalen", {"afweging_2": "ja"}, []),
    ("acuut of structureel onveilig schatten we het niet in", {"afweging_2": "nee"}, []),
    ("het wijkteam kan een gezinscoach inzetten en de ouders staan open voor hulp",
     {"afweging_3": "ja", "afweging_4": "ja"}, []),
    ("er is geen passende hulp mogelijk in hun gemeente", {"afweging_3": "nee"}, []),
    ("de hulp heeft een wachtlijst van maanden, ik twijfel of dat op tijd komt", {"afweging_3": "twijfel"}, []),
    ("vader weigert elke vorm van hulp, hij zegt dat we ons er niet mee moeten bemoeien",
     {"afweging_4": "nee", "afweging_3": "ja"}, []),
    ("de termijn is om en de hulp heeft niet geholpen, er is niets veranderd",
     {"afweging_5": "nee", "afweging_4": "ja"}, []),
    ("bij de evaluatie bleek dat de doelen zijn gehaald, het gaat een stuk beter",
     {"afweging_5": "ja"}, []),
    ("ze werken ni mee met de gezinscoach", {"afweging_4": "nee"}, []),
    # A question the writer answers, and the "X: ja" form.
    ("vermoeden van mishandeling? nee, niet meer eigenlijk", {"afweging_1": "nee"}, []),
    ("Vermoeden: ja. Acuut of structureel: nee, vinden we niet.", {"afweging_1": "ja", "afweging_2": "nee"}, []),
    ("als we twijfelen of het acuut is, moeten we dan melden?", {}, ["afweging_2"]),
    # Not facts: a question about the protocol, calm school talk, and help mentioned in passing.
    ("wat is het afwegingskader?", {}, ["afweging_1", "afweging_2"]),
    ("twee ouders hebben afgezegd als begeleider voor de schoolreis", {}, ["afweging_4"]),
    ("het gaat goed met haar op school, ze heeft veel vriendjes", {}, ["afweging_5"]),
]


@pytest.mark.parametrize("text, expected, absent", TABLE)
def test_a_story_states_these_answers(text, expected, absent):
    facts = read_story(text)
    assert {k: facts.get(k) for k in expected} == expected, facts
    assert not set(absent) & set(facts), facts


def test_a_story_told_in_turns_reaches_the_outcome_of_the_afwegingskader():
    turns = ["een leerling komt al weken zonder eten en in vieze kleren",
             "alles is vastgelegd en met de IB besproken",
             "oudergesprek gehad, moeder erkent dat het thuis niet lukt",
             "we hebben een vermoeden van verwaarlozing, niet acuut en niet structureel",
             "de smw kan het wijkteam inschakelen en moeder wil dat graag"]
    answers: dict = {}
    for turn in turns:
        answers = merge(answers, read_story(turn))
    assert reaches_weighing(answers)
    state = walk(answers, 4)
    # Afweging 4 ja: help is organised, afweging 5 follows after the agreed term.
    assert state.outcome.decision is Decision.ORGANISE_HELP and state.status is Status.ASK


def test_doubt_is_never_read_as_no():
    for text in ["ik weet niet of het acuut is", "twijfel of ouders de hulp aanvaarden",
                 "weet ik eigenlijk niet of er een vermoeden is"]:
        answers = {k: v for k, v in read_story(text).items() if k.startswith("afweging") or k == "s1_acuut"}
        assert answers and "nee" not in answers.values(), text


def test_what_was_understood_is_said_in_short_dutch_lines():
    lines = understood(read_story("met de ib besproken, oudergesprek gehad, we hebben een vermoeden"))
    assert lines == ["je hebt het besproken met je IB'er (of je bent zelf de IB'er)",
                     "het gesprek met de ouders is gevoerd", "er is een vermoeden"]


def test_a_later_statement_corrects_an_earlier_one_but_a_text_answer_stays():
    answers = merge({"s1_signalen": "blauwe plek op de arm", "afweging_1": "twijfel"},
                    {"s1_signalen": RECORDED_TEXT, "afweging_1": "ja"})
    assert answers == {"s1_signalen": "blauwe plek op de arm", "afweging_1": "ja"}
