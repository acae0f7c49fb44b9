"""Hostile and strange input, property-based (hypothesis), through real servers on loopback:
the REST channel with the trained model and the action server, and the web chat page in
Chromium. Whatever a user types, the answer is HTTP 200 with well-formed replies, never
silence, and nothing typed becomes markup in the web chat.

Found with these tests and fixed (see bot/channels.py, bot/safety_net.py, actions/lookups.py):
a lone surrogate ("a\\ud800b", valid JSON) crashed spaCy and the reply was empty; '/restart',
'/session_start', '/back', '/faq{"x":' and '/ask_contact{"contact": {"a": 1}}' got an empty
reply; one long "word" of random letters made the safety net's fuzzy look-up take O(n^3)
time and memory (5,000 letters: minutes and tens of GB).
"""
from __future__ import annotations

import json
import re
import time
import uuid
from typing import Dict, List

import pytest
import requests
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from bot.limits import MAX_BODY_BYTES, MAX_MESSAGE_CHARS, TOO_LONG
from conftest import REST_AUTH, render
from test_webchat import Visit, browser, page_url  # noqa: F401 - fixtures for the web chat tests

EMERGENCY = ("112", "0800-2000")
DUTCH_WORDS = {"je", "de", "het", "een", "ik", "van", "en", "niet", "bel", "typ", "dat", "wat", "naar", "is",
               "in", "of", "voor", "met", "op", "er", "kan", "bij", "dit", "zijn", "geen", "om", "als", "nog",
               "iets", "wilt", "daar", "hier", "mee", "kies", "heb", "nu", "ook", "graag", "welke", "jouw"}

# --- strategies --------------------------------------------------------------------------------
ZERO_WIDTH_AND_BIDI = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u061c",
                       "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
EMOJI = st.one_of(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
                  st.sampled_from(["👨‍👩‍👧", "🏳️‍🌈", "👍🏽", "❤️", "🇳🇱", "🙈🙉🙊"]))
DUTCH = st.sampled_from([
    "ik maak me zorgen", "wat is de kindcheck", "een leerling uit groep 5", "ja", "nee", "menu", "pauze",
    "verder", "Veilig Thuis", "de ouders", "mijn casussen", "waarom?", "hoi", "afwegingskader",
    "ze kwam zonder jas naar school", "mag ik anoniem advies vragen",
])
# Every Unicode category, surrogates ("Cs") included: JSON can carry a lone one.
ANY_CHAR = st.characters(exclude_categories=())
UNICODE_TEXT = st.lists(
    st.one_of(st.text(ANY_CHAR, max_size=30), st.sampled_from(ZERO_WIDTH_AND_BIDI), EMOJI, DUTCH,
              st.text(st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp", "Mn"]), min_size=1, max_size=5)),
    min_size=1, max_size=8,
).map(" ".join)

LONG_TEXT = st.builds(
    lambda piece, size: (piece * (size // len(piece) + 1))[:size],
    st.one_of(DUTCH.map(lambda s: s + " "), st.text(ANY_CHAR, min_size=3, max_size=40),
              st.text(st.characters(categories=["Ll", "Lo"]), min_size=20, max_size=40)),  # one long "word"
    st.integers(5000, 20000),
)

JS = st.sampled_from(["window.__pwned=1", "alert(1)", "alert(document.domain)", "document.title='gehackt'"])
MARKUP_PIECE = st.one_of(
    st.sampled_from([
        "<script>window.__pwned=1</script>", "<b>vet</b>", "<i>schuin", "</p></div>", "<!--", "-->", "]]>",
        "&lt;script&gt;alert(1)&lt;/script&gt;", "&#60;img src=x onerror=alert(1)&#62;", "&amp;", "&nbsp;",
        "<style>body{display:none}</style>", "<template><script>alert(1)</script></template>",
        "{{constructor.constructor('alert(1)')()}}", "${alert(1)}", "javascript:alert(1)",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>", "\"><svg/onload=alert(1)>",
        "'><img src=x onerror=alert(1)>", "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    ]),
    st.builds(lambda tag, attr, quote, js: f"<{tag} {attr}={quote}{js}{quote}>",
              st.sampled_from(["img src=x", "svg", "body", "iframe", "details open", "input autofocus",
                               "video src=x", "a href=#", "div", "marquee"]),
              st.sampled_from(["onerror", "onload", "ontoggle", "onfocus", "onmouseover", "onstart", "src",
                               "href", "srcdoc"]),
              st.sampled_from(["", "\"", "'"]), JS),
    DUTCH,
    st.text(st.sampled_from("<>&\"'/=;#!-[]{}()"), min_size=1, max_size=6),
)
MARKUP = st.lists(MARKUP_PIECE, min_size=1, max_size=5).map(" ".join)

JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
JSON_LOOKING = st.one_of(
    st.builds(lambda intent, conf, ents, text: json.dumps({"intent": {"name": intent, "confidence": conf},
                                                           "entities": ents, "text": text}),
              st.sampled_from(["affirm", "acute_danger", "restart", "faq", "report_worry", "x"]),
              st.floats(-1, 2, allow_nan=False), st.lists(st.dictionaries(st.text(max_size=8), JSON_SCALARS),
                                                          max_size=2), DUTCH),
    st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                            max_size=3)).map(json.dumps),
    st.sampled_from(['{"intent": "affirm"}', '{"intent":', '[{"text": "/restart"}]', '{"sender": "iemand anders"}']),
)

INTENTS = ["affirm", "deny", "doubt", "dont_know", "restart", "session_start", "back", "faq", "faq/kindcheck",
           "acute_danger", "report_worry", "start_afweging", "ask_contact", "close_case", "export_case",
           "add_note", "change_answer", "nlu_fallback", "out_of_scope", "action_listen", "EXTERNAL_x",
           "greet", "my_cases", "pause", "resume", "ask_why", "bestaat_niet", ""]
ENTITY_PART = st.one_of(
    st.just(""), st.sampled_from(["{}", '{"x":', "{", "}", "{{}}", '{"danger_kind": "<b>x</b>"}',
                                  '{"contact": {"a": 1}}', '{"contact": [1, 2]}', '{"contact": null}',
                                  '{"case_code": "MW-2026-9999"}', '{"route_answer": "ja"}', "[1]", '"x"']),
    st.dictionaries(st.sampled_from(["contact", "danger_kind", "case_code", "x"]), JSON_SCALARS, max_size=2).map(json.dumps),
)
PAYLOAD = st.builds(
    lambda slashes, intent, confidence, entities, tail: f"{slashes}{intent}{confidence}{entities}{tail}",
    st.sampled_from(["/", "//", " /", "/ "]),
    st.one_of(st.sampled_from(INTENTS), st.from_regex(r"[A-Za-z_]{1,12}", fullmatch=True)),
    st.sampled_from(["", "@0.5", "@2", "@-1", "@x", "@"]),
    ENTITY_PART,
    st.one_of(st.just(""), DUTCH.map(lambda s: " " + s), st.sampled_from(["/affirm", "\n/deny", "?"])),
)

DANGER = st.sampled_from([
    "een leerling vertelde net dat haar stiefvader haar slaat met een riem",
    "ze zei net dat haar vader haar vanavond gaat vermoorden",
    "hij vertelde dat zijn moeder hem schopt en opsluit in de kast",
    "haar vader heeft haar gewurgd zegt ze",
])
NOISE = st.lists(st.one_of(MARKUP_PIECE, st.sampled_from(ZERO_WIDTH_AND_BIDI), EMOJI,
                           st.text(ANY_CHAR, max_size=15)), max_size=4).map(" ".join)


# --- helpers -----------------------------------------------------------------------------------
def post(base_url: str, message: str, sender: str = "") -> requests.Response:
    return requests.post(base_url + "/webhooks/rest/webhook", headers=REST_AUTH,
                         json={"sender": sender or f"hostile-{uuid.uuid4().hex}", "message": message}, timeout=120)


def assert_well_formed(response: requests.Response, message: str) -> List[Dict]:
    """HTTP 200, a non-empty JSON list of replies with a string recipient_id and a non-empty
    text and/or buttons (string title and payload), in Dutch."""
    assert response.status_code == 200, (message, response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, list) and body, ("silent reply", message, body)
    for reply in body:
        assert isinstance(reply, dict) and isinstance(reply.get("recipient_id"), str), reply
        text, buttons = reply.get("text"), reply.get("buttons")
        assert (isinstance(text, str) and text.strip()) or buttons, reply
        if text is not None:
            assert isinstance(text, str) and text.strip(), reply
        if buttons is not None:
            assert isinstance(buttons, list) and buttons, reply
            for button in buttons:
                assert isinstance(button, dict), button
                assert isinstance(button.get("title"), str) and isinstance(button.get("payload"), str), button
    words = set(re.findall(r"[a-zà-ÿ]+", render(body).lower()))
    assert len(words & DUTCH_WORDS) >= 3, ("not a Dutch reply", message, render(body))
    return body


def assert_healthy(base_url: str) -> None:
    assert requests.get(base_url + "/", timeout=10).status_code == 200


def hostile(examples: int) -> settings:
    """Real servers: no deadline per example, a fixed number of examples, and no shrinking (each
    try costs a server round trip; a failure is reported as generated) keep the time bounded."""
    return settings(max_examples=examples, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


# --- REST --------------------------------------------------------------------------------------
@pytest.mark.timeout(300)
@hostile(60)
@given(message=UNICODE_TEXT)
@example(message="a\ud800b")  # a lone surrogate: spaCy crashed, the reply was empty
def test_any_unicode_gets_a_dutch_reply(rasa_server, message):
    assert_well_formed(post(rasa_server, message), message)
    assert_healthy(rasa_server)


@pytest.mark.timeout(300)
@hostile(4)
@given(message=LONG_TEXT)
def test_very_long_text_gets_a_dutch_reply(rasa_server, message):
    started = time.monotonic()
    response = post(rasa_server, message)
    # Over the caps of bot/limits.py: answered without being read (20,000 one-character tokens
    # took ~20 s before; one long word of letters took hours: tests/test_long_messages.py).
    if len(response.request.body) > MAX_BODY_BYTES:  # refused before the body is read
        assert response.status_code == 413 and render(response.json()) == TOO_LONG, response.text[:300]
    else:
        replies = render(assert_well_formed(response, message[:80]))
        assert replies == TOO_LONG or len(message.strip()) <= MAX_MESSAGE_CHARS, replies
    assert time.monotonic() - started < 5, "a long message took too long"
    assert_healthy(rasa_server)


@pytest.mark.timeout(300)
@hostile(50)
@given(message=st.one_of(MARKUP, JSON_LOOKING))
def test_markup_and_json_are_just_text(rasa_server, message):
    body = assert_well_formed(post(rasa_server, message), message)
    # Replies are the assistant's own words: a user's markup is never echoed back.
    for piece in re.findall(r"<[a-z!/][^>]*>?", message, flags=re.IGNORECASE):
        assert piece not in render(body), (piece, render(body))


@pytest.mark.timeout(300)
@hostile(60)
@given(message=PAYLOAD)
@example(message="/restart")  # these got an empty reply (see the module docstring)
@example(message="/session_start")
@example(message='/faq{"x":')
@example(message='/ask_contact{"contact": {"a": 1}}')
def test_typed_intent_payloads_get_a_reply(rasa_server, message):
    """Rasa reads '/intent{...}' typed by a user as an intent: any of them, well-formed or not,
    gets an answer (also '/restart' and '/session_start', which say nothing themselves)."""
    assert_well_formed(post(rasa_server, message), message)


@pytest.mark.timeout(300)
@hostile(25)
@given(before=NOISE, danger=DANGER, after=NOISE, glue=st.sampled_from(["", " ", "\n"]))
def test_danger_inside_hostile_noise_still_gets_the_numbers(rasa_server, before, danger, after, glue):
    """Noise around an intact danger phrase, even glued to its first and last word. (Noise inside
    the phrase is another matter: '&nbsp;' for every space, or a Cyrillic 'о' for each 'o',
    gets a reply without the guidance; see the report.)"""
    message = f"{before}{glue}{danger}{glue}{after}"
    text = render(assert_well_formed(post(rasa_server, message), message))
    assert all(number in text for number in EMERGENCY), (message, text)


@pytest.mark.timeout(60)
def test_one_long_word_is_looked_up_at_once():
    """The safety net's fuzzy look-up of one 1,200-letter word took ~7 s and ~1 GB before the fix
    (O(n^3)); a 20,000-letter word never finished. In-process: no server to bring down."""
    from bot.safety_net import default_detector

    detector = default_detector()
    word = "".join("abcdefghijklmnopqrstuvwxyz"[(i * i + 7 * i) % 26] for i in range(1200))
    started = time.monotonic()
    assert detector.key_for(word, word) == word
    assert time.monotonic() - started < 0.5


@pytest.mark.timeout(120)
def test_the_server_is_still_healthy_afterwards(rasa_server):
    assert_healthy(rasa_server)
    sender = f"after-hostile-{uuid.uuid4().hex}"
    text = render(assert_well_formed(post(rasa_server, "hoi", sender), "hoi"))
    assert "automatische assistent" in text
    assert "kindcheck" in render(post(rasa_server, "wat is de kindcheck?", sender).json()).lower()


# --- web chat ----------------------------------------------------------------------------------
PAGE_ELEMENTS = {"DIV", "SPAN", "P", "BUTTON"}  # what chat.js creates inside #log
PAGE_ATTRIBUTES = {"class", "role", "aria-label", "type"}
LOG_SHAPE = """() => Array.from(document.querySelectorAll('#log *')).map(e => [e.tagName, e.getAttributeNames()])"""


@pytest.fixture(scope="module")
def visit(browser, page_url):  # noqa: F811 - the fixtures imported from test_webchat
    visit = Visit(browser, page_url)
    dialogs: List[str] = []
    visit.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    visit.dialogs = dialogs  # type: ignore[attr-defined]
    try:
        yield visit
    finally:
        visit.close()


@pytest.mark.timeout(300)
@hostile(20)
@given(message=MARKUP.filter(lambda m: m.strip() and not m.strip().startswith("/")))
def test_nothing_typed_becomes_markup_in_the_web_chat(visit, message):
    page = visit.page
    reply = visit.type_and_send(message)
    assert reply.strip(), "no reply in the page"
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert visit.dialogs == [], visit.dialogs
    assert page.title() == "Meldwijzer"
    for tag, attributes in page.evaluate(LOG_SHAPE):
        assert tag in PAGE_ELEMENTS, (tag, message)
        assert set(attributes) <= PAGE_ATTRIBUTES, (tag, attributes, message)
    own = page.locator("#log .msg.user p").last
    assert own.text_content() == message.strip()  # the user's text, as text
    assert own.evaluate("p => p.childElementCount") == 0


def test_the_web_chat_answers_json_with_a_safe_content_type(page_url):  # noqa: F811
    tab = "web-" + uuid.uuid4().hex
    for message in ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "/restart", "a\ud800b"]:
        response = requests.post(page_url + "webhook", json={"sender": tab, "message": message}, timeout=60)
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0].strip() == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        body = response.json()
        assert isinstance(body, list) and body and all(isinstance(r.get("text"), str) for r in body if "text" in r)
        assert "<script" not in response.text and "onerror" not in response.text
    refused = requests.post(page_url + "webhook", json={"sender": "<b>", "message": "<b>hoi</b>"}, timeout=60)
    assert refused.status_code == 403
    assert refused.headers["Content-Type"].split(";")[0].strip() == "application/json"
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
