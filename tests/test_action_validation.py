"""Rasa's check of the action server's answer, with the schema checked once (bot/action_validation.py):
the same verdicts as jsonschema.validate, the same error, no meta-schema check per answer."""
from __future__ import annotations

import jsonschema
import pytest
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

import bot.safety_net  # noqa: F401  (installs the check, as loading a model does)
from bot import action_validation

RESULTS = [
    ({}, True),
    ({"events": [], "responses": []}, True),
    ({"events": [{"event": "slot", "name": "s1_signalen", "value": "blauwe plek"}],
      "responses": [{"text": "Wanneer en waar?"}]}, True),
    ({"events": [{"event": "active_loop", "name": None}]}, True),
    ({"events": [{"event": "followup", "name": "action_listen"}]}, True),
    ({"events": "geen lijst"}, False),
    ({"events": [{"name": "s1_signalen"}]}, False),  # an event without its type
    ({"events": [{"event": "slot", "name": "s1_signalen", "value": "x", "timestamp": "gisteren"}]}, False),
    ({"responses": ["tekst in plaats van een object"]}, False),
    ({"responses": {"text": "geen lijst"}}, False),
]


def jsonschema_says(result) -> bool:
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        return True
    except jsonschema.ValidationError:
        return False


def test_loading_meldwijzer_code_installs_the_check():
    assert RemoteAction._validate_action_result is action_validation._validate_action_result


@pytest.mark.parametrize("result, valid", RESULTS)
def test_same_verdict_as_jsonschema_validate(result, valid):
    assert jsonschema_says(result) is valid  # the table itself is right
    action = RemoteAction("validate_meldcode_form", None)
    if valid:
        assert action._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            action._validate_action_result(result)
        assert "Failed to validate Action server response" in raised.value.message


def test_the_meta_schema_is_not_checked_per_answer(monkeypatch):
    action = RemoteAction("action_ask_route_answer", None)
    action._validate_action_result({})  # builds the validator once
    cls = validator_for(RemoteAction.action_response_format_spec())
    calls = []
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, schema, **kw: calls.append(schema)))
    for result, valid in RESULTS:
        if valid:
            action._validate_action_result(result)
    assert calls == []
