"""Meldwijzer on Telegram: a python-telegram-bot process that relays to the Rasa server.

  make telegram         (or: python -m bot.telegram_bot)

Environment:
  TELEGRAM_BOT_TOKEN          the bot's token from @BotFather (required)
  MELDWIJZER_TELEGRAM_STAFF   allowlist YAML (default var/telegram_staff.yml; example in
                              data/schools/telegram_staff.example.yml)
  MELDWIJZER_RASA_URL         the Rasa server (default http://127.0.0.1:5005)
  MELDWIJZER_RELAY_SECRET     shared with the Rasa server (default: var/relay.secret)
  TELEGRAM_WEBHOOK_URL        set it for webhook mode (public https URL); polling otherwise
  TELEGRAM_WEBHOOK_SECRET     required in webhook mode: 32-256 of A-Z a-z 0-9 _ - (see
                              `webhook_options`); webhook mode does not start without it
  TELEGRAM_WEBHOOK_LISTEN / TELEGRAM_WEBHOOK_PORT  where the webhook server listens
                              (default 127.0.0.1:8443, behind the school's https proxy)
  TELEGRAM_API_URL            another Bot API server (tests use a fake one on 127.0.0.1)

Only staff on the allowlist reach the assistant; anyone else is refused, but always gets 112
and Veilig Thuis. If the Rasa server is unreachable, the user still gets the emergency numbers.
Logs never hold message text at INFO level.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import httpx
import yaml
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType, MessageLimit
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          ContextTypes, MessageHandler, filters)

from bot.channels import RELAY_HEADER, relay_secret

logger = logging.getLogger(__name__)

EMERGENCY = "Direct gevaar? Bel 112. Veilig Thuis: 0800-2000 (gratis, 24/7)."
REFUSAL = ("Deze chat is alleen voor medewerkers van de school die zijn aangemeld. "
           "Vraag je IB'er of ICT'er om toegang.\n" + EMERGENCY)
GROUP_REFUSAL = "Meldwijzer werkt alleen in een privégesprek, niet in een groep.\n" + EMERGENCY
UNREACHABLE = "Meldwijzer is nu niet bereikbaar. Probeer het later opnieuw.\n" + EMERGENCY
FIRST_WARNING = ("Let op: typ nooit de volledige naam van een kind. Telegram is niet het "
                 "leerlingdossier: leg het dossier vast in het systeem van je school.")
CALLBACK_LIMIT = 64  # bytes of callback_data Telegram accepts
# Telegram allows 1-256 of these characters in a webhook's secret token; we ask for at least 32.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{32,256}")
NO_WEBHOOK_SECRET = (
    "Webhook-modus start niet zonder geheim. Zonder geheim kan iedereen die het adres vindt "
    "berichten sturen alsof hij een medewerker is.\n"
    "Zet TELEGRAM_WEBHOOK_SECRET op minstens 32 tekens (letters, cijfers, _ of -). Maak er een met:\n"
    "  python3 -c \"import secrets; print(secrets.token_urlsafe(32))\"\n"
    "Of haal TELEGRAM_WEBHOOK_URL weg: dan werkt de bot met polling. Zie README, 'Telegram'.")


@dataclass(frozen=True)
class StaffMember:
    telegram_id: int
    school: str
    role: str
    display_name: str


def load_staff(path: Path) -> Dict[int, StaffMember]:
    """The allowlist: `staff:` with telegram_id, school, role, display_name per member.
    A missing or broken file allows nobody (and says so in the log)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        members = {}
        for item in data.get("staff") or []:
            member = StaffMember(int(item["telegram_id"]), str(item["school"]), str(item["role"]),
                                 str(item["display_name"]))
            members[member.telegram_id] = member
        return members
    except FileNotFoundError:
        logger.warning("telegram: no allowlist at %s; nobody is allowed", path)
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        logger.error("telegram: allowlist %s unreadable (%s); nobody is allowed", path, type(error).__name__)
    return {}


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> List[str]:
    """Pieces of at most `limit` characters, cut at a blank line, a line end or a space."""
    pieces = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


class Relay:
    """Sends one user's message to the Rasa server's Telegram relay channel."""

    def __init__(self, rasa_url: str, secret: Optional[str], timeout: float = 30.0) -> None:
        self.url = rasa_url.rstrip("/") + "/webhooks/telegram/webhook"
        self.headers = {RELAY_HEADER: secret or ""}
        self.client = httpx.AsyncClient(timeout=timeout)

    async def send(self, sender: str, text: str) -> List[Dict[str, Any]]:
        response = await self.client.post(self.url, json={"sender": sender, "message": text},
                                          headers=self.headers)
        response.raise_for_status()
        replies = response.json()
        return replies if isinstance(replies, list) else []

    async def close(self) -> None:
        await self.client.aclose()


def keyboard(buttons: List[Mapping[str, Any]], payloads: Dict[str, str]) -> InlineKeyboardMarkup:
    """Rasa's buttons as an inline keyboard; a payload too long for Telegram goes by a key."""
    rows = []
    for button in buttons:
        payload = str(button.get("payload", ""))
        data = payload
        if not payload or len(payload.encode("utf-8")) > CALLBACK_LIMIT:
            data = "k:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
            payloads[data] = payload
        rows.append([InlineKeyboardButton(str(button.get("title", payload))[:60], callback_data=data)])
    return InlineKeyboardMarkup(rows)


class MeldwijzerBot:
    """The handlers. State: the allowlist and the relay, built once with the Application."""

    def __init__(self, staff: Dict[int, StaffMember], relay: Relay) -> None:
        self.staff = staff
        self.relay = relay
        self.long_payloads: Dict[str, str] = {}

    def allowed(self, update: Update) -> Optional[StaffMember]:
        user = update.effective_user
        return self.staff.get(user.id) if user else None

    async def refuse_if_needed(self, update: Update) -> bool:
        chat = update.effective_chat
        if chat is not None and chat.type != ChatType.PRIVATE:
            await chat.send_message(GROUP_REFUSAL)
            return True
        if self.allowed(update) is None:
            logger.info("telegram: refused a user not on the allowlist")
            if chat is not None:
                await chat.send_message(REFUSAL)
            return True
        return False

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self.refuse_if_needed(update):
            return
        context.chat_data["warned"] = True
        await update.effective_chat.send_message(FIRST_WARNING)
        await self.forward(update, context, "/greet")

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self.refuse_if_needed(update):
            return
        if not context.chat_data.get("warned"):
            context.chat_data["warned"] = True
            await update.effective_chat.send_message(FIRST_WARNING)
        await self.forward(update, context, update.effective_message.text or "")

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer()
        if await self.refuse_if_needed(update):
            return
        data = query.data or ""
        payload = self.long_payloads.get(data, data) if data.startswith("k:") else data
        try:  # the question is answered: take its buttons away so it is not pressed twice
            await query.edit_message_reply_markup(reply_markup=None)
        except Exception:  # noqa: BLE001 - an old message may no longer be editable
            logger.debug("telegram: buttons not removed")
        await self.forward(update, context, payload)

    async def forward(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        chat = update.effective_chat
        await chat.send_chat_action(ChatAction.TYPING)
        try:
            replies = await self.relay.send(str(update.effective_user.id), text)
        except (httpx.HTTPError, ValueError) as error:
            logger.warning("telegram: Rasa server unreachable (%s)", type(error).__name__)
            await chat.send_message(UNREACHABLE)
            return
        if not replies:
            await chat.send_message("Ik heb geen antwoord. Typ 'menu' om verder te gaan.\n" + EMERGENCY)
            return
        for reply in replies:
            pieces = split_text(str(reply.get("text") or "")) or [""]
            buttons = reply.get("buttons") or []
            for index, piece in enumerate(pieces):
                last = index == len(pieces) - 1
                markup = keyboard(buttons, self.long_payloads) if last and buttons else None
                if not piece and markup is None:
                    continue
                await chat.send_message(piece or "Kies:", reply_markup=markup)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("telegram: handler failed (%s)", type(context.error).__name__)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await update.effective_chat.send_message(UNREACHABLE)
            except Exception:  # noqa: BLE001 - nothing more we can do for this update
                logger.error("telegram: could not tell the user")

    def install(self, application: Application) -> None:
        application.add_handler(CommandHandler("start", self.start))
        application.add_handler(CallbackQueryHandler(self.button))
        application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.text))
        application.add_handler(MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, self.not_text))
        application.add_error_handler(self.on_error)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self.refuse_if_needed(update):
            return
        await update.effective_chat.send_message(
            "Ik kan alleen tekst lezen. Stuur geen foto's of bestanden: die horen niet in deze chat.\n"
            + EMERGENCY)


def build_application(env: Mapping[str, str] = os.environ) -> Application:
    token = env.get("TELEGRAM_BOT_TOKEN")
    if not token:
        raise SystemExit("Zet TELEGRAM_BOT_TOKEN (van @BotFather). Zie README, 'Telegram'.")
    staff = load_staff(Path(env.get("MELDWIJZER_TELEGRAM_STAFF", "var/telegram_staff.yml")))
    relay = Relay(env.get("MELDWIJZER_RASA_URL", "http://127.0.0.1:5005"),
                  env.get("MELDWIJZER_RELAY_SECRET") or relay_secret())
    bot = MeldwijzerBot(staff, relay)

    async def close_relay(_: Application) -> None:
        await relay.close()

    builder: ApplicationBuilder = Application.builder().token(token).post_shutdown(close_relay)
    if env.get("TELEGRAM_API_URL"):
        builder = builder.base_url(env["TELEGRAM_API_URL"].rstrip("/") + "/bot")
    application = builder.build()
    bot.install(application)
    return application


def webhook_options(env: Mapping[str, str] = os.environ) -> Optional[Dict[str, Any]]:
    """The webhook server's settings when TELEGRAM_WEBHOOK_URL is set, else None (polling).

    Telegram sends the secret with every update (header X-Telegram-Bot-Api-Secret-Token) and
    python-telegram-bot's webhook server refuses updates without it (403). Without a secret
    anyone who finds the address could post an update as any staff member on the allowlist, so
    webhook mode refuses to start (SystemExit with a Dutch message, exit status 1)."""
    url = env.get("TELEGRAM_WEBHOOK_URL")
    if not url:
        return None
    secret = env.get("TELEGRAM_WEBHOOK_SECRET") or ""
    if not WEBHOOK_SECRET.fullmatch(secret):
        raise SystemExit(NO_WEBHOOK_SECRET)
    return {"listen": env.get("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1"),
            "port": int(env.get("TELEGRAM_WEBHOOK_PORT", "8443")),
            "webhook_url": url, "secret_token": secret, "allowed_updates": Update.ALL_TYPES}


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the bot token
    webhook = webhook_options()
    application = build_application()
    if webhook:
        application.run_webhook(**webhook)
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
