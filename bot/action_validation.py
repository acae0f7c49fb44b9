"""Rasa's check of an action server's answer, with the schema checked once instead of per call.

After every custom action, Rasa 3.6 (`RemoteAction._validate_action_result`) checks the
action server's JSON with `jsonschema.validate(result, schema)`. That function first checks
the schema itself against the JSON Schema 2020-12 meta-schema, on every call, and with
jsonschema 4.17 that meta-check is slow: a py-spy profile of the Rasa server walking the
guided route (bench/load.py) spent 36 % of all its time in it, more than NLU and dialogue
prediction together. A form turn calls two or three custom actions.

`install()` replaces that method with one that does the same validation (same schema, same
validator class, same error and message) with a validator built once. Installed when the
Rasa server loads a Meldwijzer model (bot/safety_net.py, part of every model's pipeline).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate does on every call
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
