"""The sentences of a long message that the answer model reads (bot/sentence_focus.py): the
selection on hand-made tokens, and what it does in the trained model."""
from __future__ import annotations

from typing import Dict, List, Tuple

from rasa.nlu.tokenizers.tokenizer import Token

from bot.sentence_focus import focus


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
