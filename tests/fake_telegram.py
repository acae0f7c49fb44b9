"""A local stand-in for the Telegram Bot API on 127.0.0.1, enough for python-telegram-bot:
getMe, setWebhook, deleteWebhook, getUpdates (long polling), sendMessage, sendChatAction,
answerCallbackQuery, editMessageReplyMarkup. Tests put updates in and read what was sent."""
from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qsl

BOT = {"id": 1, "is_bot": True, "first_name": "Meldwijzer", "username": "mw_test_bot"}


def send_json(handler: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
    """Answer a request of a fake server with `payload` as JSON."""
    data = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def _params(body: str) -> Dict[str, Any]:
    if body.startswith("{"):
        return json.loads(body)
    params: Dict[str, Any] = dict(parse_qsl(body, keep_blank_values=True))
    for key in ("reply_markup", "offset", "timeout", "chat_id", "message_id"):
        if key in params:
            try:
                params[key] = json.loads(params[key])
            except (TypeError, ValueError):
                pass
    return params


class FakeTelegram:
    def __init__(self) -> None:
        self.updates: List[Dict[str, Any]] = []
        self.sent: List[Dict[str, Any]] = []  # every call but getUpdates/getMe/*Webhook, with its time
        self.webhooks: List[Dict[str, Any]] = []  # setWebhook/deleteWebhook calls
        self.failing = False
        self._next_update = 1
        self._next_message = 1000
        self._changed = threading.Condition()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                params = _params(self.rfile.read(length).decode())
                method = self.path.rsplit("/", 1)[-1]
                status, result = api.handle(method, params)
                if status != 200:
                    payload = {"ok": False, "error_code": status, "description": str(result)}
                else:
                    payload = {"ok": True, "result": result}
                send_json(self, status, payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.base_url = self.url + "/bot"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    # --- the API -------------------------------------------------------------------------
    def handle(self, method: str, params: Dict[str, Any]):
        if method == "getMe":
            return 200, BOT
        if method in ("deleteWebhook", "setWebhook"):
            self.webhooks.append({"method": method, **params})
            return 200, True
        if method == "getUpdates":
            return 200, self._get_updates(int(params.get("offset") or 0), float(params.get("timeout") or 0))
        if method == "sendMessage" and self.failing:
            return 500, "Internal"
        with self._changed:
            self.sent.append({"method": method, "at": time.monotonic(), **params})
            self._changed.notify_all()
        if method == "sendMessage":
            self._next_message += 1
            chat_id = int(params["chat_id"])
            return 200, {"message_id": self._next_message, "date": int(time.time()), "from": BOT,
                         "chat": {"id": chat_id, "type": "private"}, "text": params.get("text")}
        if method in ("sendChatAction", "answerCallbackQuery", "editMessageReplyMarkup"):
            return 200, True
        return 404, "Not Found"

    def _get_updates(self, offset: int, timeout: float) -> List[Dict[str, Any]]:
        deadline = time.monotonic() + min(timeout, 0.5)
        with self._changed:
            while True:
                ready = [u for u in self.updates if u["update_id"] >= offset]
                if ready or time.monotonic() >= deadline:
                    return ready
                self._changed.wait(max(0.0, deadline - time.monotonic()))

    # --- what a test does ----------------------------------------------------------------
    def _add(self, update: Dict[str, Any]) -> float:
        with self._changed:
            update["update_id"] = self._next_update
            self._next_update += 1
            self.updates.append(update)
            self._changed.notify_all()
        return time.monotonic()

    def message(self, user_id: int, text: str, chat_type: str = "private") -> float:
        """A user sends `text`. Returns the moment the update became available."""
        self._next_message += 1
        chat_id = user_id if chat_type == "private" else -100 - user_id
        message: Dict[str, Any] = {
            "message_id": self._next_message, "date": int(time.time()), "text": text,
            "chat": {"id": chat_id, "type": chat_type},
            "from": {"id": user_id, "is_bot": False, "first_name": "Leerkracht"}}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._add({"message": message})

    def press(self, user_id: int, data: str, message_id: int) -> float:
        """A user presses the inline button with callback data `data` under `message_id`."""
        return self._add({"callback_query": {
            "id": f"cb{self._next_update}", "chat_instance": "ci", "data": data,
            "from": {"id": user_id, "is_bot": False, "first_name": "Leerkracht"},
            "message": {"message_id": message_id, "date": int(time.time()), "from": BOT,
                        "chat": {"id": user_id, "type": "private"}, "text": "..."}}})

    def wait_until(self, done: Callable[[List[Dict[str, Any]]], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done(self.sent):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; sent so far: {self.texts()}")
                self._changed.wait(left)

    def messages(self, since: int = 0) -> List[Dict[str, Any]]:
        return [s for s in self.sent[since:] if s["method"] == "sendMessage"]

    def texts(self, since: int = 0) -> List[str]:
        return [m.get("text") or "" for m in self.messages(since)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def buttons_of(message: Dict[str, Any]) -> List[Dict[str, str]]:
    markup: Optional[Dict[str, Any]] = message.get("reply_markup")
    if not markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]


class RunningBot:
    """The Application in a thread of its own, as `make telegram` runs it: polling the fake API,
    or in webhook mode when `env` has TELEGRAM_WEBHOOK_URL (bot.telegram_bot.webhook_options)."""

    def __init__(self, env: Dict[str, str]) -> None:
        from bot.telegram_bot import build_application, webhook_options

        self.webhook = webhook_options(env)
        self.application = build_application(env)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.ready.wait(30), "the bot did not start"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self.ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        await self.application.initialize()
        await self.application.start()
        if self.webhook:
            await self.application.updater.start_webhook(**self.webhook)
        else:
            await self.application.updater.start_polling(poll_interval=0.0, timeout=1)

    async def _stop(self) -> None:
        await self.application.updater.stop()
        await self.application.stop()
        await self.application.shutdown()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
