"""Microsoft Teams through Rasa's botframework channel, for single-tenant Azure bots.

Rasa 3.6's connector asks for its token at the multi-tenant endpoint
(login.microsoftonline.com/botframework.com/...). Azure bots made since mid-2025 are
single-tenant and must use their own tenant's endpoint. `TeamsInput` is Rasa's
BotFrameworkInput with that one difference, plus: it starts without internet (the signing
keys are fetched when the first request comes, not at start-up), and every request without a
valid Bot Framework signature is refused.

credentials.yml (off by default; see README "Microsoft Teams"):
  bot.teams.TeamsInput:
    app_id: "${MICROSOFT_APP_ID}"
    app_password: "${MICROSOFT_APP_PASSWORD}"
    tenant_id: "${MICROSOFT_TENANT_ID}"
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import httpx
from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from bot.limits import within_limit

logger = logging.getLogger(__name__)

LOGIN_URL = "https://login.microsoftonline.com"
SCOPE = "https://api.botframework.com/.default"


class TenantBotFramework(BotFramework):
    """Rasa's Bot Framework output channel, with its token from the bot's own tenant."""

    _tokens: Dict[str, tuple] = {}  # (tenant, app id) -> (headers, valid until)

    def __init__(self, app_id: Text, app_password: Text, conversation: Dict[Text, Any], bot: Text,
                 service_url: Text, tenant_id: Text, login_url: Text = LOGIN_URL) -> None:
        super().__init__(app_id, app_password, conversation, bot, service_url)
        self.tenant_id = tenant_id
        self.token_url = f"{login_url.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"

    async def _get_headers(self) -> Optional[Dict[Text, Any]]:
        key = (self.tenant_id, self.app_id)
        cached = self._tokens.get(key)
        if cached and cached[1] > dt.datetime.now():
            return cached[0]
        async with httpx.AsyncClient(timeout=20) as client:
            response = await client.post(self.token_url, data={
                "client_id": self.app_id, "client_secret": self.app_password,
                "grant_type": "client_credentials", "scope": SCOPE})
        if response.status_code != 200:
            logger.error("teams: no token from the tenant's endpoint (status %s)", response.status_code)
            return None
        token = response.json()
        headers = {"content-type": "application/json", "Authorization": f"Bearer {token['access_token']}"}
        # Renew a minute early.
        valid_until = dt.datetime.now() + dt.timedelta(seconds=int(token.get("expires_in", 0)) - 60)
        self._tokens[key] = (headers, valid_until)
        return headers


class TeamsInput(BotFrameworkInput):
    """Rasa's botframework input channel for a single-tenant bot (URL /webhooks/botframework/)."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TeamsInput":
        if not credentials or not credentials.get("tenant_id"):
            cls.raise_missing_credentials_exception()
        return cls(credentials.get("app_id"), credentials.get("app_password"),
                   credentials["tenant_id"], credentials.get("login_url") or LOGIN_URL)

    def __init__(self, app_id: Text, app_password: Text, tenant_id: Text = "",
                 login_url: Text = LOGIN_URL) -> None:
        self.tenant_id = tenant_id
        self.login_url = login_url
        super().__init__(app_id, app_password)

    def _update_cached_jwk_keys(self) -> None:
        # Rasa fetches the signing keys at start-up and fails without internet. Here a failure
        # leaves no keys (every request refused) and the next request tries again.
        try:
            super()._update_cached_jwk_keys()
        except Exception as error:  # noqa: BLE001 - network errors of any kind
            logger.warning("teams: Bot Framework signing keys not available (%s)", type(error).__name__)
            self.jwt_keys = {}
            self.jwt_update_time = dt.datetime.fromtimestamp(0)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        read = within_limit(on_new_message)  # a message over the cap is answered, not read

        async def through_tenant(message: UserMessage) -> Any:
            channel = message.output_channel
            if isinstance(channel, BotFramework) and not isinstance(channel, TenantBotFramework):
                message.output_channel = TenantBotFramework(
                    channel.app_id, channel.app_password, channel.conversation, channel.bot,
                    channel.global_uri[: -len("v3/")], self.tenant_id, self.login_url)
            return await read(message)

        return super().blueprint(through_tenant)
