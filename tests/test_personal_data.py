"""A full name or a BSN typed by staff is spotted and replaced before anything is stored.
All names here are made up."""
import pytest

from actions.personal_data import find_personal_data, is_bsn, redact


@pytest.mark.parametrize("text, expected", [
    ("Emma Jansen had een blauwe plek.", "[naam] had een blauwe plek."),
    ("Gisteren vertelde Noah de Vries dat hij bang is.", "Gisteren vertelde [naam] dat hij bang is."),
    ("In de klas zat Anna van der Berg naast hem.", "In de klas zat [naam] naast hem."),
    ("Hij zei tegen juf Fatima El Amrani dat", "Hij zei tegen juf [naam] dat"),
    ("Op het plein zag ik Sem De Jong huilen", "Op het plein zag ik [naam] huilen"),
    ("bsn is 123456782", "bsn is [BSN]"),
    ("BSN: 1234.56.782 en verder niets", "BSN: [BSN] en verder niets"),
    ("Lucas Bakker, bsn 111222333.", "[naam], bsn [BSN]."),
])
def test_names_and_bsns_are_replaced(text, expected):
    assert redact(text)[0] == expected


@pytest.mark.parametrize("text", [
    "Vandaag zag ik een blauwe plek bij de leerling.",
    "Ik heb Veilig Thuis gebeld en de IB'er ingelicht.",
    "Op Maandag Ochtend huilde hij in de klas.",
    "Jan, Piet en Klaas speelden buiten.",  # first names only, apart: not a full name
    "Daarna ging hij met zijn jas naar huis.",
    "Bel 0612345678 of 0800-2000.",  # a phone number is not a BSN
    "Het gebeurde op 12-11-2026 om 10:15 in groep 5.",
    "123456789",  # nine digits that fail the 11-check
    "",
])
def test_ordinary_text_is_left_alone(text):
    assert find_personal_data(text) == [] and redact(text) == (text, [])


def test_the_kinds_found_are_reported():
    assert redact("Emma Jansen, BSN 123456782")[1] == ["bsn", "name"]


@pytest.mark.parametrize("number, valid", [
    ("123456782", True), ("111222333", True), ("12345678", False), ("123456789", False),
    ("000000000", False), ("abcdefghi", False),
])
def test_the_eleven_check(number, valid):
    assert is_bsn(number) is valid
