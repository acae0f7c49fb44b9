"""The safety net's trained classifier (bot/safety_net_classifier.py) and how the Rasa
component uses it (bot/safety_net.py), with the real trained model."""
from __future__ import annotations

import numpy as np
import pytest

from bot.safety_net_classifier import (
    CONCERN,
    DANGER,
    MAX_FALSE_ALARM,
    TARGET_RECALL,
    choose_threshold,
    parts,
)


def test_a_message_is_judged_whole_and_sentence_by_sentence():
    text = ("De schoolreis is op 12 juni. De bus vertrekt om half negen.\n"
            "Een meisje zei dat haar vader haar slaat. Graag de lijst voor vrijdag.")
    units = parts(text)
    assert units[0] == " ".join(text.split())
    assert "Een meisje zei dat haar vader haar slaat." in units
    assert len(units) == 5


def test_very_long_messages_are_judged_in_bounded_parts():
    assert len(parts("Dit is een zin van school. " * 500)) <= 41


def test_the_threshold_keeps_the_recall_target():
    rng = np.random.default_rng(0)
    positives, negatives = rng.uniform(0.2, 1.0, 200), rng.uniform(0.0, 0.6, 800)
    scores = np.concatenate([positives, negatives])
    y = np.array([True] * 200 + [False] * 800)
    threshold, report = choose_threshold(scores, y, DANGER)
    assert report["recall"] >= TARGET_RECALL[DANGER]
    assert (positives >= threshold).mean() == report["recall"]


def test_a_lower_threshold_is_taken_when_the_false_alarm_budget_allows_it():
    # Positives and negatives far apart: every positive is caught and no negative fires.
    scores = np.array([0.9] * 50 + [0.05] * 500)
    y = np.array([True] * 50 + [False] * 500)
    threshold, report = choose_threshold(scores, y, CONCERN)
    assert report["recall"] == 1.0 and report["false_alarm"] <= MAX_FALSE_ALARM[CONCERN]
    assert threshold <= 0.9


@pytest.fixture(scope="module")
def safety_net(model_path):
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))
    nodes = [node for node in agent.processor.graph_runner._instantiated_nodes.values()  # type: ignore[attr-defined]
             if type(node._component).__name__ == "SafetyNet"]  # type: ignore[attr-defined]
    assert len(nodes) == 1
    return nodes[0]._component  # type: ignore[attr-defined]


def test_the_trained_model_carries_its_classifier_and_its_recall_on_held_out_folds(safety_net):
    classifier = safety_net.classifier
    assert classifier is not None, "the model was trained without the safety net's classifier"
    report = classifier.report
    # Out-of-fold figures on the training data, chosen at training time (recall first).
    assert report[DANGER]["recall"] >= TARGET_RECALL[DANGER] - 0.01, report
    assert report[CONCERN]["recall"] >= TARGET_RECALL[CONCERN] - 0.01, report
    assert report[DANGER]["positives"] >= 400, "too few danger examples to train on"


def test_one_sentence_among_many_is_enough(nlu):
    calm = ("De kerstviering is donderdag om vijf uur in de aula. Ouders mogen een hapje meenemen "
            "en de kinderen zingen drie liedjes. Wie maakt de flyer voor de nieuwsbrief? ")
    parse = nlu(calm * 3 + "Een jongen uit groep 5 zei dat zijn stiefvader hem opsluit in het schuurtje "
                "als hij niet luistert. " + calm)
    assert parse["intent"]["name"] in ("acute_danger", "possible_danger"), parse["intent"]


@pytest.mark.parametrize("text", [
    "thuis bij die jongen is het allemaal een beetje raar de laatste tijd",
    "de moeder van een meisje uit mijn klas deed vanochtend bij het hek heel vreemd",
])
def test_a_message_about_home_is_never_placed_as_off_topic(nlu, text):
    """Such a message gets the route, its offer or the question "Gaat dit over de veiligheid van
    een kind?", never the refusal that school_matter and out_of_scope answer with."""
    parse = nlu(text)
    assert parse["intent"]["name"] not in ("school_matter", "out_of_scope"), parse["intent"]
