"""The dossier note: protocol 003's fields, hypotheses marked, sources named, decisions with
their answers (on SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt

from actions.case_log.export import dossier_note
from actions.case_log.route_record import writes_for_answer
from actions.meldcode_route import walk

from .conftest import TEACHER

ROUTE = [
    ("s1_acuut", "nee"), ("s1_medewerker", "nee"),
    ("s1_signalen", "Blauwe plek op de bovenarm, gezien bij de gymles."),
    ("s1_context", "Dinsdag 17-11 in de gymzaal; de vakleerkracht was erbij."),
    ("s1_vermoeden", "Misschien wordt hij thuis hard aangepakt."),
    ("s1_derden", "Buurvrouw zegt dat er 's avonds geschreeuwd wordt."),
    ("s1_kindcheck", "nee"), ("s2_ib", "ja"), ("s2_advies", "ja"), ("s2_toestemming", "nee"),
    ("s3_eer_vgv", "nee"), ("s3_veilig", "nee"),
    ("afweging_1", "ja"), ("afweging_2", "nee"), ("afweging_3", "nee"),
]


def test_a_whole_route_exports_as_a_dossier_note(store, clock):
    code = store.open_case(TEACHER, "voorbeeldschool", casushouder="de IB'er", route_entry=1)
    answers: dict = {}
    for key, value in ROUTE:
        before = walk(answers, 1)
        answers[key] = value
        store.apply(code, TEACHER, writes_for_answer(before, walk(answers, 1), key, value, clock.now))
        clock.advance(minutes=2)
    store.apply(code, TEACHER, [{"op": "entry", "kind": "third_party", "text": "Slaapt slecht.",
                                 "source": "moeder, bij het hek"},
                                {"op": "entry", "kind": "child_words", "text": "Papa wordt snel boos."}])
    note = dossier_note(store.read_case(code, TEACHER), clock.now, "Basisschool De Vlinderboom (fictief)")

    for heading in ("Datum, plaats, situatie en overige aanwezigen:", "Signalen (gezien, gehoord, geroken):",
                    "Contacten over deze signalen:", "Stappen:", "Besluiten:", "Vervolgaantekeningen:"):
        assert heading in note
    assert f"casus {code}" in note and "Dinsdag 17-11 in de gymzaal" in note
    assert "[VERMOEDEN, geen feit]: Misschien wordt hij thuis hard aangepakt." in note
    assert "Slaapt slecht. (bron: moeder, bij het hek)" in note
    assert "\u201cPapa wordt snel boos.\u201d" in note
    assert "Heb je de signalen besproken met je IB'er? ja" in note
    assert "Gesprek met de ouders: niet gevoerd." in note and "veiligheid" in note
    assert "Melden bij Veilig Thuis (afweging 3). Antwoorden afweging 1: ja, 2: nee, 3: nee." in note
    # 23-11-2026 is a Monday; 5 working days later is Monday 30-11
    assert "uiterlijk 30-11-2026: Veilig Thuis beslist binnen 5 werkdagen" in note
    assert max(len(line) for line in note.splitlines()) < 400


def test_an_empty_case_exports_without_gaps(store, clock):
    code = store.open_case(TEACHER, "voorbeeldschool")
    note = dossier_note(store.read_case(code, TEACHER), clock.now + dt.timedelta(hours=1))
    assert note.count("(niet ingevuld)") == 2 and note.count("(nog geen)") == 3
    assert "Gesprek met de ouders: nog niet besproken." in note
