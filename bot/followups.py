"""Follow-ups and notices that come back to staff by themselves.

Due follow-ups (check within 1-2 weeks whether the family sought help; Veilig Thuis's
5 working days) and 'a case was opened' notices for the IB are kept in the case log's
database, so they survive a restart of every process. This sender delivers what is due and
marks it sent only after the channel accepted it; a failed send stays due and is tried again.

  python -m bot.followups            keep running: look every minute (a service)
  python -m bot.followups --once     deliver what is due now and stop (e.g. from cron)
  python -m bot.followups --show-for cmdline:<id>   print the due reminders of one terminal user

Channels: Telegram is pushed through the Bot API (python-telegram-bot; token in
TELEGRAM_BOT_TOKEN). The terminal chat shows a user's due reminders when `make chat` starts;
the web chat page asks for them when it opens and every minute (bot/webchat).
Messages carry the case code and what to do, never case content.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from typing import Awaitable, Callable, Dict, List, Optional

from actions.case_log.crypto import KeyMissing
from actions.case_log.dialogue import get_store
from actions.case_log.export import local
from actions.case_log.store import Actor, CaseLogUnavailable, CaseStore, FollowUpView, NotificationView

logger = logging.getLogger(__name__)

Send = Callable[[str, str], Awaitable[None]]  # (recipient, text)

REMINDERS = {
    "check_help": "ga na of het gezin hulp heeft gezocht (1-2 weken na de doorverwijzing). "
                  "Niet gelukt? Dan weeg je opnieuw (afweging 4-5).",
    "vt_response": "Veilig Thuis beslist binnen 5 werkdagen wat er gebeurt. Nog niets gehoord? Bel Veilig Thuis: 0800-2000.",
    "help_term": "de afgesproken termijn is om. Tijd voor afweging 5: heeft de hulp gewerkt?",
}


def reminder_text(follow_up: FollowUpView) -> str:
    what = REMINDERS.get(follow_up.kind, "er staat een vervolgafspraak open.")
    return (f"Herinnering casus {follow_up.code} (gepland {local(follow_up.due_at, False)}): {what}\n"
            f"Typ 'verder met {follow_up.code}' of 'notitie toevoegen'.")


def notice_text(notice: NotificationView) -> str:
    # Telegram is not end-to-end encrypted, so no export there (actions/case_actions.py).
    where = ("in de webchat of op de server (make export)" if notice.channel == "telegram"
             else f"met 'exporteer {notice.case_code}'")
    return (f"Er is een meldcode-casus geopend: {notice.case_code}, door {notice.about}. "
            f"Inzien kan {where}.")


def telegram_sender(token: str, base_url: Optional[str] = None) -> Send:
    from telegram import Bot

    async def send(recipient: str, text: str) -> None:
        bot = Bot(token, base_url=base_url) if base_url else Bot(token)
        async with bot:
            await bot.send_message(chat_id=int(recipient), text=text)

    return send


def senders_from_environment() -> Dict[str, Send]:
    senders: Dict[str, Send] = {}
    token = os.environ.get("TELEGRAM_BOT_TOKEN")
    if token:
        senders["telegram"] = telegram_sender(token, os.environ.get("TELEGRAM_API_URL"))
    return senders


async def deliver_due(store: CaseStore, senders: Dict[str, Send]) -> Dict[str, int]:
    """Send what is due through the channels we can push to. Returns counts."""
    counts = {"sent": 0, "failed": 0, "waiting": 0}
    work: List = [(f, f.channel, f.recipient, reminder_text(f), store.mark_follow_up)
                  for f in store.due_follow_ups()]
    work += [(n, n.channel, n.recipient, notice_text(n), store.mark_notification)
             for n in store.pending_notifications()]
    for item, channel, recipient, text, mark in work:
        send = senders.get(channel)
        if send is None:
            counts["waiting"] += 1  # the terminal or web chat picks it up (take_due_for)
            continue
        try:
            await send(recipient, text)
        except Exception as error:  # noqa: BLE001 - any channel failure: keep it due, try later
            logger.warning("follow-up %s via %s not sent: %s", item.id, channel, type(error).__name__)
            mark(item.id, error=type(error).__name__)
            counts["failed"] += 1
            continue
        mark(item.id)
        counts["sent"] += 1
    return counts


def take_due_for(store: CaseStore, actor: Actor) -> List[str]:
    """The due reminders and notices of one user of a channel we cannot push to (the
    terminal at chat start, the web chat page when it looks): returned once, then marked."""
    texts: List[str] = []
    for follow_up in store.due_follow_ups():
        if (follow_up.channel, follow_up.recipient) == (actor.channel, actor.user):
            texts.append(reminder_text(follow_up))
            store.mark_follow_up(follow_up.id)
    for notice in store.pending_notifications():
        if (notice.channel, notice.recipient) == (actor.channel, actor.user):
            texts.append(notice_text(notice))
            store.mark_notification(notice.id)
    return texts


def show_for(store: CaseStore, actor: Actor) -> int:
    """Print (and mark) the due reminders and notices of one terminal user."""
    texts = take_due_for(store, actor)
    for text in texts:
        print(text)
    return len(texts)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.followups")
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between looks")
    parser.add_argument("--show-for", dest="show_for", default=None)
    args = parser.parse_args(argv)
    # At chat start only the reminders may reach the screen; the service logs what it does.
    logging.basicConfig(level=logging.WARNING if args.show_for else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        store = get_store()
        if args.show_for:
            show_for(store, Actor.parse(args.show_for))
            return 0
        senders = senders_from_environment()
        while True:
            try:
                counts = asyncio.run(deliver_due(store, senders))
                logger.info("follow-ups: %(sent)d sent, %(failed)d failed, %(waiting)d waiting", counts)
            except CaseLogUnavailable:
                logger.warning("follow-ups: case log unreachable; trying again later")
                if args.once:
                    return 3
            if args.once:
                return 0
            time.sleep(args.every)
    except KeyMissing:
        print("Geen sleutel voor het casuslogboek (MELDWIJZER_CASE_KEY of var/case.key).", file=sys.stderr)
        return 4
    except CaseLogUnavailable:
        print("Het casuslogboek is niet bereikbaar; herinneringen komen later.", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
