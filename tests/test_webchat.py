"""The web chat page in a real browser (Debian's Chromium, headless, driven by Playwright
without any browser of its own), served by the real Rasa server with the trained model and
the action server. The screenshot is kept at .build/results/webchat.png.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Iterator, List
from urllib.parse import urlsplit

import pytest
import requests

from actions.case_log.dialogue import get_store
from actions.case_log.store import Actor

from conftest import RESULTS

CHROMIUM = Path(os.environ.get("MELDWIJZER_CHROMIUM", "/usr/bin/chromium"))
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def page_url(rasa_server) -> str:
    return rasa_server + "/webhooks/webchat/"


@pytest.fixture(scope="module")
def browser() -> Iterator:
    # `make test` installs Debian's chromium; without it this test fails, it never skips.
    assert CHROMIUM.exists() or shutil.which("chromium"), "chromium missing: run `make browser`"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-default-apps"])
        yield chromium
        chromium.close()


class Visit:
    """One tab: the page, and every request it made."""

    def __init__(self, browser, url: str) -> None:
        self.context = browser.new_context(viewport=PHONE, locale="nl-NL")
        self.page = self.context.new_page()
        self.requests: List[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(url)
        self.page.wait_for_selector("#log .msg.bot")

    def bot_texts(self) -> List[str]:
        return self.page.locator("#log .msg.bot p").all_inner_texts()

    def type_and_send(self, text: str) -> str:
        before = len(self.bot_texts())
        self.page.fill("#message", text)
        self.page.press("#message", "Enter")
        return self.wait_for_reply(before)

    def wait_for_reply(self, before: int) -> str:
        self.page.wait_for_function(
            "n => document.querySelectorAll('#log .msg.bot').length > n", arg=before)
        self.page.wait_for_function("() => !document.getElementById('send').disabled")
        return "\n".join(self.bot_texts()[before:])

    def close(self) -> None:
        self.context.close()


def test_the_page_forbids_other_hosts_and_caching(page_url):
    response = requests.get(page_url, timeout=10)
    assert response.status_code == 200 and "Meldwijzer" in response.text
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert "script-src 'self'" in policy and "http" not in policy.split("frame-ancestors")[0]
    assert response.headers["Cache-Control"] == "no-store"
    assert requests.get(page_url + "static/../../../credentials.yml", timeout=10).status_code == 404
    assert requests.get(page_url + "static/secret.txt", timeout=10).status_code == 404


def test_a_message_without_a_valid_conversation_id_is_refused_in_dutch_with_the_numbers(page_url):
    response = requests.post(page_url + "webhook", json={"sender": "anyone", "message": "hoi"}, timeout=10)
    assert response.status_code == 403
    text = response.json()[0]["text"]
    assert "112" in text and "0800-2000" in text


def test_a_conversation_in_the_browser(browser, page_url):
    visit = Visit(browser, page_url)
    page = visit.page
    try:
        # The emergency numbers are on screen from the start, and stay there.
        assert page.locator("#emergency").is_visible()
        assert "112" in page.inner_text("#emergency") and "0800-2000" in page.inner_text("#emergency")
        assert "automatische assistent" in "\n".join(visit.bot_texts()).lower()
        # Phone-sized: nothing sticks out sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # Screen reader: the conversation is a live log, the text field has a label.
        assert page.get_attribute("#log", "role") == "log"
        assert page.get_attribute("#log", "aria-live") == "polite"
        assert page.locator("label[for=message]").count() == 1

        # A look-up, typed.
        reply = visit.type_and_send("wat houdt die kindcheck eigenlijk in")
        assert "kindcheck" in reply.lower()

        # A button, by keyboard: focus it and press Enter.
        menu = visit.type_and_send("menu")
        assert "Waar kan ik je mee helpen" in menu
        contacts = page.get_by_role("button", name="Contacten (sociale kaart)").last
        contacts.focus()
        before = len(visit.bot_texts())
        page.keyboard.press("Enter")
        reply = visit.wait_for_reply(before)
        assert "Contacten (sociale kaart)" in page.locator("#log .msg.user p").last.inner_text()
        assert "0800-2000" in reply or "contact" in reply.lower()

        # Markup is shown as text, never run.
        visit.type_and_send('<img src=x onerror="document.title=\'gehackt\'"><b>vet</b>')
        assert page.locator("#log img, #log b").count() == 0
        assert page.title() == "Meldwijzer"

        # The safety net.
        reply = visit.type_and_send("ze zei net dat haar vader haar vanavond gaat vermoorden")
        assert "112" in reply and "0800-2000" in reply

        page.screenshot(path=str(RESULTS / "webchat.png"))  # what a phone shows

        # An empty message is not sent; the user is told what to do.
        sent_before = len(visit.requests)
        page.fill("#message", "   ")
        page.click("#send")
        assert page.inner_text("#status") == "Typ eerst een bericht."
        assert len(visit.requests) == sent_before

        # The server cannot be reached: never silence, always the numbers.
        page.route("**/webhook", lambda route: route.abort())
        reply = visit.type_and_send("is er nog iemand")
        assert "later opnieuw" in reply and "112" in reply and "0800-2000" in reply
        page.unroute("**/webhook")

        # The browser keeps no message text: only the tab's random id, in sessionStorage.
        stored = page.evaluate("JSON.stringify([Object.assign({}, sessionStorage), Object.assign({}, localStorage)])")
        assert "vermoorden" not in stored and "kindcheck" not in stored
        assert page.evaluate("localStorage.length") == 0 and page.evaluate("sessionStorage.length") == 1
        assert visit.context.cookies() == []

        # Quick exit: the conversation leaves the screen and the browser storage.
        page.click("#quick-exit")
        page.wait_for_url("**/exit.html")
        assert page.locator("#log").count() == 0
        assert page.evaluate("sessionStorage.length") == 0
        assert "vermoorden" not in page.content()

        own = urlsplit(page_url).netloc
        assert visit.requests, "the page made no requests"
        foreign = [url for url in visit.requests if urlsplit(url).netloc != own]
        assert foreign == [], f"requests to other hosts: {foreign}"
    finally:
        visit.close()


def test_due_reminders_appear_in_the_web_chat_once(browser, page_url):
    visit = Visit(browser, page_url)
    try:
        tab_id = visit.page.evaluate("sessionStorage.getItem('meldwijzer-id')")
        teacher = Actor("webchat", tab_id)
        store = get_store()
        code = store.open_case(teacher, "voorbeeldschool")
        due = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
        store.apply(code, teacher, [{"op": "follow_up", "kind": "vt_response", "due_at": due.isoformat()}])

        visit.page.reload()  # the page looks for reminders when it opens (and every minute)
        visit.page.wait_for_selector("#log .msg.reminder")
        reminder = visit.page.locator("#log .msg.reminder p").inner_text()
        assert code in reminder and "Veilig Thuis" in reminder

        again = requests.post(page_url + "reminders", json={"sender": tab_id}, timeout=10)
        assert again.status_code == 200 and again.json() == []  # shown once
        assert all(f.code != code for f in store.due_follow_ups())
    finally:
        visit.close()


class FakeRequest:
    def __init__(self, headers, ip="127.0.0.1"):
        from sanic.compat import Header

        self.headers = Header(headers)
        self.ip = ip


def test_behind_a_sign_in_proxy_the_user_comes_from_its_header_only():
    from bot.webchat import PROXY_HEADER, WebChatInput

    tab_id = "web-" + "a" * 32
    behind_proxy = WebChatInput(user_header="X-Forwarded-User", proxy_secret="proxy-geheim-" + "x" * 20)
    signed_in = FakeRequest({"X-Forwarded-User": "leerkracht-17", PROXY_HEADER: "proxy-geheim-" + "x" * 20})
    assert behind_proxy.user_of(signed_in, tab_id) == "user-leerkracht-17"
    assert behind_proxy.user_of(FakeRequest({}), tab_id) is None  # no header: refused
    per_tab = WebChatInput()
    assert per_tab.user_of(signed_in, tab_id) == tab_id  # the header means nothing without the setting
    assert per_tab.user_of(FakeRequest({}), "../../etc") is None
