"""Load and faults, through real servers on loopback: 50 staff members walking the whole
guided route at the same time through the REST channel (encrypted SQL tracker store + case
log, on SQLite and on PostgreSQL), and the action server going away in the middle of the
route. The 20-turn script is `script(user)`; `Turn.entries` says which turns write to the case
log.
"""
from __future__ import annotations

import re
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Tuple

import pytest
import requests
import sqlalchemy as sa

from conftest import REST_AUTH, Chat, render, rest_id
from stacks import BACKENDS, Stack, open_stack

USERS = 50
CODE = re.compile(r"MW-\d{4}-\d{4}")
EMERGENCY = ("112", "0800-2000")
NOT_SAVED = "nog niet opgeslagen"  # utter_case_not_saved: the case log failed a write


@pytest.fixture(scope="module", params=BACKENDS)
def stack(request, model_path, tmp_path_factory) -> Iterator[Stack]:
    yield from open_stack(request.param, model_path, tmp_path_factory.mktemp(f"load-{request.param}"))


# --- the script ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Turn:
    message: str
    expect: Tuple[str, ...]  # every one of these is in the reply, in this order
    entries: int = 0  # rows this turn adds to case_entries


DAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"]
# Fictitious, no names (a full name would be replaced and change the reply).
OBSERVATIONS = [
    "Ze had {day} een blauwe plek op haar bovenarm en trok haar mouw snel naar beneden.",
    "Hij kwam {day} zonder jas en zonder ontbijt naar school en viel in de klas in slaap.",
    "Ze had {day} schrammen op beide onderarmen en wilde niet zeggen hoe dat kwam.",
    "Hij schrok {day} erg toen ik mijn hand opstak en kroop weg onder zijn tafel.",
    "Ze was {day} erg stil, at haar lunch niet op en had steeds dezelfde vieze kleren aan.",
]
CONTEXTS = [
    "{Day} om {hour} uur in de klas tijdens gym, de vakleerkracht was erbij.",
    "{Day} om {hour} uur op het schoolplein in de pauze, twee collega's hadden pleinwacht.",
    "{Day} bij het ophalen om {hour} uur bij de klassendeur, er waren meer ouders bij.",
]
LOOKUPS = ["wat is de kindcheck?", "wat houdt de kindcheck in?"]
WHYS = ["waarom vraag je dit?", "waarom wil je dat weten?"]
DANGER = [
    "o ja, ze vertelde vandaag dat haar stiefvader haar slaat met een riem",
    "trouwens, hij vertelde me vanochtend dat zijn vader hem met een riem slaat",
    "ze zei dat haar moeder haar gisteren met een stok heeft geslagen",
    "hij vertelde dat zijn moeder hem schopt en opsluit in de kast",
]

Q_SEEN = "Wat heb je gezien, gehoord of geroken"
Q_ADVICE = "Twijfelen jij of je IB'er"
Q_HONOUR = "Is er (nu) een vermoeden van eergerelateerd geweld"


def script(user: int) -> List[Turn]:
    """The whole route from a worry to a decision (as test_from_a_worry_to_a_decision_step_by_step),
    with a look-up at an open question, 'why?' at a closed one and a danger message at another:
    20 turns. Every answered question writes one entry; the deciding answer writes a second
    (the decision, with one row in case_decisions). Opening the case, the look-up, 'why?' and the
    danger message at a closed question write no entry."""
    day = DAYS[user % len(DAYS)]
    return [
        Turn("ik heb een niet-pluisgevoel over een leerling", ("Ik heb casus MW-", "Is er acuut gevaar")),
        Turn("/deny", ("Gaat je vermoeden over een medewerker",), 1),
        Turn("/deny", (Q_SEEN,), 1),
        # A look-up at the open question: answered, and the same question again.
        Turn(LOOKUPS[user % len(LOOKUPS)], ("kindcheck", Q_SEEN)),
        Turn(OBSERVATIONS[user % len(OBSERVATIONS)].format(day=day), ("Wanneer en waar",), 1),
        Turn(CONTEXTS[user % len(CONTEXTS)].format(Day=day.capitalize(), hour=8 + user % 7),
             ("vermoeden of een verklaring",), 1),
        Turn("nee", ("informatie van anderen",), 1),
        Turn("nee", ("Speelt er bij een ouder iets",), 1),
        Turn("/deny", ("Stap 2: collegiale consultatie", "Heb je de signalen besproken met je IB'er"), 1),
        Turn("/affirm", (Q_ADVICE,), 1),
        Turn(WHYS[user % len(WHYS)], ("protocol 003, stap 2", Q_ADVICE)),
        Turn("/deny", ("schriftelijk toestemming",), 1),
        Turn("/affirm", ("Stap 3: gesprek met de ouders", Q_HONOUR), 1),
        # The safety net at a closed question: the guidance, then the same question again.
        Turn(DANGER[user % len(DANGER)], (*EMERGENCY, Q_HONOUR)),
        Turn("/deny", ("veilig gevoerd",), 1),
        Turn("/affirm", ("contact verbreekt",), 1),
        Turn("/deny", ("Leg het doel uit", "Is het gesprek met de ouders gevoerd"), 1),
        Turn("/affirm", ("Stap 4: wegen", "Afweging 1."), 1),
        Turn("/affirm", ("Afweging 2.",), 1),
        Turn("/affirm", ("Volgens afweging 2: meld direct", "Stap 5: beslissen en vervolg",
                         "Jij, je school en Veilig Thuis beslissen"), 2),
    ]


def expected_entries() -> int:
    return sum(turn.entries for turn in script(0))


def well_formed(body) -> Optional[str]:
    """Why `body` is not a list of Rasa replies (None: it is)."""
    if not isinstance(body, list) or not body:
        return f"not a non-empty list: {body!r}"[:300]
    for reply in body:
        if not isinstance(reply, dict) or not isinstance(reply.get("recipient_id"), str):
            return f"bad reply {reply!r}"[:300]
        if not (isinstance(reply.get("text"), str) and reply["text"]) and not reply.get("buttons"):
            return f"reply without text or buttons {reply!r}"[:300]
    return None


@dataclass
class Outcome:
    sender: str
    code: Optional[str] = None
    messages: int = 0
    problems: List[str] = field(default_factory=list)
    not_saved: int = 0
    decided: bool = False
    slowest: float = 0.0


def converse(base_url: str, sender: str, user: int, barrier: Optional[threading.Barrier] = None) -> Outcome:
    """One user's 20 turns with its own HTTP session; never raises, records what went wrong."""
    out = Outcome(sender)
    url = base_url + "/webhooks/rest/webhook"
    with requests.Session() as session:
        if barrier is not None:
            barrier.wait(timeout=120)
        for number, turn in enumerate(script(user), 1):
            started = time.monotonic()
            try:
                response = session.post(url, json={"sender": sender, "message": turn.message},
                                        headers=REST_AUTH, timeout=600)
            except requests.RequestException as error:
                out.problems.append(f"turn {number}: {type(error).__name__}: {error}")
                return out
            out.slowest = max(out.slowest, time.monotonic() - started)
            out.messages += 1
            if response.status_code != 200:
                out.problems.append(f"turn {number}: HTTP {response.status_code}: {response.text[:300]}")
                return out
            try:
                body = response.json()
            except ValueError:
                out.problems.append(f"turn {number}: not JSON: {response.text[:300]}")
                return out
            problem = well_formed(body)
            if problem:
                out.problems.append(f"turn {number} ({turn.message!r}): {problem}")
                return out
            text = render(body)
            out.not_saved += text.count(NOT_SAVED)
            if number == 1:
                match = CODE.search(text)
                out.code = match.group() if match else None
            position = 0
            for part in turn.expect:
                found = text.find(part, position)
                if found < 0:
                    out.problems.append(f"turn {number} ({turn.message!r}): {part!r} missing in:\n{text}")
                    return out
                position = found + len(part)
        out.decided = True
    return out


def case_rows(stack: Stack, after_id: int) -> Dict[str, Dict]:
    """opened_by -> code, entries, decisions of the cases with an id above `after_id`."""
    engine = stack.case_engine()
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT c.code, c.opened_by,"
                " (SELECT COUNT(*) FROM case_entries e WHERE e.case_id = c.id),"
                " (SELECT COUNT(*) FROM case_decisions d WHERE d.case_id = c.id)"
                " FROM cases c WHERE c.id > :after"), {"after": after_id}).all()
    finally:
        engine.dispose()
    out: Dict[str, Dict] = {}
    for code, opened_by, entries, decisions in rows:
        assert opened_by not in out, f"two cases for {opened_by}"
        out[opened_by] = {"code": code, "entries": entries, "decisions": decisions}
    return out


def last_case_id(stack: Stack) -> int:
    engine = stack.case_engine()
    try:
        if not sa.inspect(engine).has_table("cases"):
            return 0  # the action server creates the tables at its first write
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM cases")).scalar_one()
    finally:
        engine.dispose()


# --- 1a: 50 users at once --------------------------------------------------------------------
@pytest.mark.timeout(1500)
def test_fifty_staff_walk_the_whole_route_at_the_same_time(stack):
    # One reference conversation alone first: what one run of the script writes.
    before = last_case_id(stack)
    reference = converse(stack.base_url, f"load-ref-{stack.kind}-{time.monotonic_ns()}", 0)
    assert reference.decided and not reference.problems, reference.problems
    assert reference.not_saved == 0
    cases = case_rows(stack, before)
    assert list(cases) == [rest_id(reference.sender)]
    one = cases[rest_id(reference.sender)]
    assert one["code"] == reference.code
    assert one["entries"] == expected_entries() == 17 and one["decisions"] == 1

    before = last_case_id(stack)
    run = time.monotonic_ns()
    senders = [f"load-{stack.kind}-{run}-{user:02d}" for user in range(USERS)]
    barrier = threading.Barrier(USERS)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=USERS) as pool:
        outcomes = list(pool.map(lambda user: converse(stack.base_url, senders[user], user, barrier),
                                 range(USERS)))
    wall = time.monotonic() - started
    messages = sum(o.messages for o in outcomes)
    slowest = max(o.slowest for o in outcomes)
    print(f"\n[{stack.kind}] {USERS} users x {len(script(0))} turns: {messages} messages in {wall:.1f} s "
          f"({messages / wall:.1f} msg/s, slowest reply {slowest:.1f} s)")

    problems = [f"{o.sender}: {p}" for o in outcomes for p in o.problems]
    assert not problems, "\n".join(problems[:10])
    assert all(o.decided for o in outcomes)
    assert messages == USERS * len(script(0))
    assert sum(o.not_saved for o in outcomes) == 0, "the case log failed writes under load"
    assert requests.get(stack.base_url + "/", timeout=10).status_code == 200

    cases = case_rows(stack, before)
    print(f"[{stack.kind}] case log: {len(cases)} new cases, "
          f"{len({c['code'] for c in cases.values()})} distinct codes, entries per case "
          f"{sorted({c['entries'] for c in cases.values()})} (reference {one['entries']}), "
          f"decisions per case {sorted({c['decisions'] for c in cases.values()})}")
    assert sorted(cases) == sorted(rest_id(s) for s in senders)
    assert len({c["code"] for c in cases.values()}) == USERS
    assert {cases[rest_id(o.sender)]["code"] for o in outcomes} == {o.code for o in outcomes}
    assert [c["entries"] for c in cases.values()] == [one["entries"]] * USERS
    assert [c["decisions"] for c in cases.values()] == [1] * USERS


# --- 1b: the action server goes away in the middle of the route ------------------------------
def port_closed(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except OSError:
        return True


@pytest.mark.timeout(300)
@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
def test_the_action_server_goes_away_in_the_middle_of_the_route(stack, how):
    chat = Chat(stack.base_url, f"actions-down-{how.name}-{time.monotonic_ns()}")
    before = last_case_id(stack)
    turns = script(1)
    for turn in turns[:3] + turns[4:8]:  # step 1 up to the kindcheck, a closed question
        text = chat.say(turn.message)
        assert all(part in text for part in turn.expect), (turn.message, text)
    assert "Speelt er bij een ouder iets" in text

    stack.stop_actions(how)
    try:
        assert port_closed(stack.actions.port)
        text = chat.say("ze vertelde net dat haar vader haar gisteren met een riem heeft geslagen")
        assert "112" in text and "0800-2000" in text and "Een kind heeft je iets verteld" in text
    finally:
        stack.start_actions_again()  # same port: Rasa's action endpoint is unchanged

    text = chat.say("/deny")  # the kindcheck: answered, and the route goes on
    assert "Stap 2: collegiale consultatie" in text and "Heb je de signalen besproken met je IB'er" in text
    assert NOT_SAVED not in text
    cases = case_rows(stack, before)
    assert [c["entries"] for c in cases.values()] == [sum(t.entries for t in turns[:8]) + 1] == [7]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)
def test_the_action_server_waits_for_a_slow_rasa_server(stack):
    """Under load Rasa can connect to the action server and write its request seconds later;
    Sanic's default (5 s) closed such a connection and the action was lost (see actions/__init__.py)."""
    with socket.create_connection(("127.0.0.1", stack.actions.port), timeout=10) as conn:
        time.sleep(7)  # the slow client itself, not a wait for something else
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert conn.recv(100).startswith(b"HTTP/1.1 200")
