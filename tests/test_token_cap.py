"""The cap on the tokens the intent and answer models read (bot/token_cap.py). The safety net's
side of it, a danger told after the cap, is in test_safety_net_model.py."""
from __future__ import annotations

from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.token_cap import TokenCap


def _message(n: int) -> Message:
    message = Message({TEXT: " ".join("?" * n)})
    message.set(TOKENS_NAMES[TEXT], [Token("?", 2 * i) for i in range(n)])
    return message


def test_a_message_over_the_cap_keeps_its_first_tokens_and_its_whole_text():
    cap = TokenCap({"max_tokens": 500})
    message = cap.process([_message(4000)])[0]
    assert len(message.get(TOKENS_NAMES[TEXT])) == 500
    assert message.get(TOKENS_NAMES[TEXT])[-1].start == 2 * 499
    assert len(message.get(TEXT)) == 2 * 4000 - 1  # the text the safety net reads is untouched


def test_shorter_messages_and_training_data_are_left_as_they_are():
    cap = TokenCap(TokenCap.get_default_config())
    short = _message(120)
    assert len(cap.process([short])[0].get(TOKENS_NAMES[TEXT])) == 120
    data = cap.process_training_data(TrainingData([_message(499), _message(501)]))
    assert [len(m.get(TOKENS_NAMES[TEXT])) for m in data.training_examples] == [499, 500]
