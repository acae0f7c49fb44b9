"""The sentences of a long message that the answer model reads (bot/sentence_focus.py): the
selection on hand-made tokens, and what it does in the trained model."""
from __future__ import annotations

from typing import Dict, List, Tuple

from rasa.nlu.tokenizers.tokenizer import Token

import pytest
import spacy

from bot.sentence_focus import asks_meldcode_question, buried_question, focus
from conftest import ROOT


def _tokens(sentences: List[str]) -> Tuple[List[Token], List[int]]:
    """Tokens with character offsets, and where each sentence starts."""
    tokens, starts, offset = [], [], 0
    for sentence in sentences:
        starts.append(offset)
        for word in sentence.split():
            tokens.append(Token(word, offset, lemma=word))
            offset += len(word) + 1
    return tokens, starts


def _words(tokens: List[Token]) -> str:
    return " ".join(t.text for t in tokens)


TRIP = ["de bus vertrekt om negen uur vanaf het plein", "het kamp is in juni en de ouders rijden mee",
        "mag ik de ib'er vragen of ik veilig thuis moet bellen", "de koffie staat klaar in de hal"]


def test_a_long_message_keeps_only_the_sentences_that_name_the_meldcode():
    tokens, starts = _tokens(TRIP)
    kept = focus(tokens, starts, min_sentences=4, min_tokens=10)
    assert _words(kept) == "mag ik de ib'er vragen of ik veilig thuis moet bellen"


def test_short_messages_and_messages_all_of_one_kind_are_read_whole():
    tokens, starts = _tokens(TRIP)
    assert focus(tokens, starts, min_sentences=5, min_tokens=10) == tokens  # too few sentences
    assert focus(tokens, starts, min_sentences=4, min_tokens=100) == tokens  # too few tokens
    calm, starts = _tokens([TRIP[0], TRIP[1], TRIP[3], "de kinderen nemen een lunchpakket mee"])
    assert focus(calm, starts, 4, 10) == calm  # nothing names the meldcode: all of it
    worry, starts = _tokens(["ik maak me zorgen om een leerling", "de ib'er weet het", "ze heeft een vermoeden",
                             "we vragen advies aan veilig thuis"])
    assert focus(worry, starts, 4, 10) == worry


def test_a_question_of_the_meldcode_in_a_long_message_is_found_with_spacy_sentences():
    nlp = spacy.load(ROOT / ".build" / "spacy_nl")
    trip = ("De bus voor het schoolreisje vertrekt om half negen vanaf het plein. Neem allemaal een "
            "lunchpakket en een regenjas mee, want het wordt een natte dag volgens het weerbericht. "
            "De ouders die rijden krijgen morgen een briefje met de route en de parkeerplaats. ")
    assert buried_question(nlp(trip + "Mag ik eigenlijk Veilig Thuis anoniem om advies vragen? "
                                      "Laat even weten wie de EHBO-doos meeneemt."))
    assert not buried_question(nlp(trip + "Wie neemt de EHBO-doos mee? Graag voor vrijdag."))
    assert not buried_question(nlp(trip + "Ik heb de IB'er al gesproken. Graag voor vrijdag."))
    assert not buried_question(nlp("Mag ik Veilig Thuis anoniem om advies vragen? De bus is om negen uur."))
    assert asks_meldcode_question(nlp("Mag ik Veilig Thuis anoniem om advies vragen? De bus is om negen uur."))
    assert asks_meldcode_question(nlp("Je hoort veel op het plein. Zet ik in het dossier van wie het komt?"))
    assert not asks_meldcode_question(nlp("Ik heb de IB'er gesproken. Wie neemt de EHBO-doos mee?"))


BURIED = (
    "Hoi allemaal, de sportdag is dit jaar op het grasveld achter de sporthal. We beginnen om half "
    "negen met een warming-up en daarna rouleren de groepen langs twaalf onderdelen. Elke groep "
    "krijgt een begeleider met een stopwatch en een scorelijst. Tussendoor iets anders: mag ik als "
    "leerkracht zelf Veilig Thuis bellen om advies zonder dat ik de naam van het kind noem? De "
    "limonade en de fruitbakjes staan vanaf tien uur klaar bij de tribune. Wie kan er nog helpen "
    "met het opruimen van de pionnen en de hockeysticks na afloop?"
)


def _answer(parse: Dict) -> str:
    return (parse.get("response_selector", {}).get("default", {}).get("response", {})
            .get("intent_response_key") or "")


def test_a_question_buried_in_a_long_message_gets_its_answer(nlu):
    parse = nlu(BURIED)
    assert parse["intent"]["name"] == "faq"
    assert _answer(parse) == "faq/anoniem_advies"


# A message the intent model reads whole as a school matter: the safety net makes the question in it
# a look-up, because the answer model reads that sentence and is sure of its answer.
AGENDA = (
    "Agenda voor de teamvergadering van dinsdag: eerst de evaluatie van de rapportavonden, daarna "
    "het nieuwe rooster voor het buitenspelen en de verdeling van de pleinwachten. De conciërge vraagt "
    "of iedereen zijn lokaal opgeruimd achterlaat voor de schoonmakers. De kopieermachine is weer "
    "gerepareerd, de code blijft hetzelfde. Onder de rondvraag wil ik iets kwijt: {} Verder nog de "
    "kerstlunch: lijsten hangen in de personeelskamer."
)


@pytest.mark.parametrize("question, answer", [
    ("wie is bij ons op school eigenlijk de aandachtsfunctionaris voor de meldcode?", "faq/aandachtsfunctionaris"),
    ("mag je Veilig Thuis ook bellen zonder de naam van het kind te noemen?", "faq/anoniem_advies"),
])
def test_a_question_in_a_meeting_agenda_gets_its_answer_not_the_school_matter_reply(nlu, question, answer):
    parse = nlu(AGENDA.format(question))
    assert parse["intent"]["name"] == "faq", parse["intent"]
    assert _answer(parse) == answer


def test_a_short_question_of_the_meldcode_taken_for_a_school_matter_gets_its_answer(nlu):
    # The intent model reads the pause and the BSO as a school matter; the question names the file.
    parse = nlu("In de pauze hoor je veel van de overblijf en de BSO. Schrijf ik in het dossier op wie "
                "het mij vertelde?")
    assert parse["intent"]["name"] == "faq", parse["intent"]
    assert _answer(parse) == "faq/bron_derden"


def test_a_question_buried_in_a_long_message_full_of_case_words_gets_its_answer_not_a_command(nlu):
    # The intent model reads "overzicht van mijn lopende zaken … exporteren … afsluiten" as a command
    # (mijn casussen); the one sentence that asks a question of the meldcode is what the writer wants.
    parse = nlu("Overzicht van mijn lopende zaken voor de zomer: drie overdrachten, twee dossiers naar de "
                "administratie, en de lijst van vertrekkers. Ik wil alles netjes afsluiten en exporteren voor "
                "het archief. Er zijn nog wat losse eindjes. Wat hoort de nieuwe school te weten als een "
                "leerling met een lopend meldcodetraject verhuist? Daarna sluit ik mijn map.")
    assert parse["intent"]["name"] == "faq", parse["intent"]
    assert _answer(parse) == "faq/verhuizing"
