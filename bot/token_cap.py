"""A cap on the tokens the intent and answer models read of one message.

A message at the length cap can hold thousands of one-character tokens (runs of "?", emoji,
markup). DIET and the ResponseSelector then take a third of a second on it, and under load the
1-second target for bad input was missed (bench/long_messages.py, README). Real messages are far
shorter: a long story of 300 words is about 350 tokens. This component, placed after the
tokenizer and before the featurizers (config.yml), keeps the first `max_tokens` tokens of the
text for them. The safety net still reads the whole text: its lexicon and its classifier work on
the spaCy document and the text, which are left as they are. Training examples are all shorter
than the cap, so training is unchanged.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TokenCap(GraphComponent):
    """Keeps the first `max_tokens` tokens of a message's text for the featurizers."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_tokens": 500}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.max_tokens = int(config["max_tokens"])

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TokenCap":
        return cls(config)

    def _cap(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        if tokens and len(tokens) > self.max_tokens:
            message.set(TOKENS_NAMES[TEXT], tokens[: self.max_tokens])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._cap(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._cap(message)
        return messages
