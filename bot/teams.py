"""Microsoft Teams through Rasa's botframework channel, for single-tenant Azure bots.

Rasa 3.6's connector asks for its token at the multi-tenant endpoint
(login.microsoftonline.com/botframework.com/...). Azure bots made since mid-2025 are
single-tenant and must use their own tenant's endpoint. `TeamsInput` is Rasa's
BotFrameworkInput with that one difference, plus: it starts without internet (the signing
keys are fetched when the first request comes, not at start-up), and every request is refused
unless it proves it came from Microsoft's Bot Connector for this school's tenant:
- the token is RS256-signed by a Bot Framework key, for this bot (audience), not expired, and
  issued by the Bot Connector (issuer); Rasa 3.6 checks signature, audience and expiry but
  takes the algorithm from the token's own header and checks no issuer;
- the token's `serviceurl` claim equals the activity's serviceUrl: the reply, with the bot's
  access token, is posted to that URL, so a replayed token with another serviceUrl would
  hand the bot's token to whoever runs that URL;
- the activity's tenant (channelData.tenant.id) is the configured tenant.
Its conversations are "botframework:<Teams user id>" (bot/channels.py conversation_id): the
case log's actor, never mixed up with another channel.

credentials.yml (off by default; see README "Microsoft Teams"):
  bot.teams.TeamsInput:
    app_id: ${MICROSOFT_APP_ID}
    app_password: ${MICROSOFT_APP_PASSWORD}
    tenant_id: ${MICROSOFT_TENANT_ID}
(Unquoted: Rasa expands ${...} only in plain YAML scalars; a quoted one stays literal, and the
channel then refuses to start.)
Optional: `openid_url` (where the signing keys are announced; default Microsoft's) and
`issuer` (default https://api.botframework.com), for another cloud or for tests.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional, Text

import httpx
import jwt
import requests
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels.botframework import (BEARER_REGEX, MICROSOFT_OPEN_ID_URI, BotFramework,
                                             BotFrameworkInput)
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import conversation_id
from bot.host_check import guard
from bot.limits import within_limit

logger = logging.getLogger(__name__)

LOGIN_URL = "https://login.microsoftonline.com"
SCOPE = "https://api.botframework.com/.default"
BOT_CONNECTOR_ISSUER = "https://api.botframework.com"
CHANNEL = BotFrameworkInput.name()  # "botframework"


class TenantBotFramework(BotFramework):
    """Rasa's Bot Framework output channel, with its token from the bot's own tenant."""

    _tokens: Dict[str, tuple] = {}  # (tenant, app id) -> (headers, valid until)

    def __init__(self, app_id: Text, app_password: Text, conversation: Dict[Text, Any], bot: Text,
                 service_url: Text, tenant_id: Text, login_url: Text = LOGIN_URL) -> None:
        super().__init__(app_id, app_password, conversation, bot, service_url)
        self.tenant_id = tenant_id
        self.token_url = f"{login_url.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"

    def prepare_message(self, recipient_id: Text, message_data: Dict[Text, Any]) -> Dict[Text, Any]:
        # Rasa answers to the conversation id ("botframework:<id>"); Teams knows the user as <id>.
        prefix = conversation_id(CHANNEL, "")
        user = recipient_id[len(prefix):] if recipient_id.startswith(prefix) else recipient_id
        return super().prepare_message(user, message_data)

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
        unexpanded = [name for name, value in credentials.items() if "${" in str(value)]
        if unexpanded:
            raise ValueError(f"Teams: {', '.join(unexpanded)} in credentials.yml bevat nog '${{...}}': "
                             "zet de omgevingsvariabele en schrijf de waarde zonder aanhalingstekens")
        return cls(credentials.get("app_id"), credentials.get("app_password"),
                   credentials["tenant_id"], credentials.get("login_url") or LOGIN_URL,
                   credentials.get("openid_url") or MICROSOFT_OPEN_ID_URI,
                   credentials.get("issuer") or BOT_CONNECTOR_ISSUER)

    def __init__(self, app_id: Text, app_password: Text, tenant_id: Text = "",
                 login_url: Text = LOGIN_URL, openid_url: Text = MICROSOFT_OPEN_ID_URI,
                 issuer: Text = BOT_CONNECTOR_ISSUER) -> None:
        self.tenant_id = tenant_id
        self.login_url = login_url
        self.openid_url = openid_url
        self.issuer = issuer
        super().__init__(app_id, app_password)  # calls _update_cached_jwk_keys

    def _update_cached_jwk_keys(self) -> None:
        # Rasa fetches the signing keys at start-up and fails without internet. Here a failure
        # leaves no keys (every request refused) and the next request tries again.
        try:
            conf = requests.get(self.openid_url, timeout=20)
            conf.raise_for_status()
            keys = requests.get(conf.json()["jwks_uri"], timeout=20)
            keys.raise_for_status()
            self.jwt_keys = {key["kid"]: key for key in keys.json()["keys"]}
            self.jwt_update_time = dt.datetime.now()
        except Exception as error:  # noqa: BLE001 - network errors of any kind
            logger.warning("teams: Bot Framework signing keys not available (%s)", type(error).__name__)
            self.jwt_keys = {}
            self.jwt_update_time = dt.datetime.fromtimestamp(0)

    def _validate_jwt_token(self, jwt_token: Text) -> None:
        """Rasa's check (called by its `_validate_auth`), with the algorithm fixed and the
        issuer checked; raises a PyJWTError when the token is not the Bot Connector's."""
        self.claims_of(jwt_token)

    def claims_of(self, jwt_token: Text) -> Dict[str, Any]:
        key_id = jwt.get_unverified_header(jwt_token).get("kid")
        if key_id not in self.jwt_keys:
            raise jwt.InvalidKeyError("unknown signing key")
        return jwt.decode(jwt_token, key=RSAAlgorithm.from_jwk(self.jwt_keys[key_id]),
                          algorithms=["RS256"], audience=self.app_id, issuer=self.issuer,
                          options={"require": ["exp", "iss", "aud"]})

    def refusal(self, auth_header: Optional[Text], activity: Any) -> Optional[str]:
        """Why this request is not a Bot Connector activity for this bot and tenant, or None."""
        refused = self._validate_auth(auth_header)  # Rasa's: key refresh, signature, expiry
        if refused is not None:
            return "token"
        claims = self.claims_of(BEARER_REGEX.match(auth_header or "").group(1))  # type: ignore[union-attr]
        if not isinstance(activity, Mapping):
            return "body"
        service_url = str(activity.get("serviceUrl") or "")
        if not service_url or _url(claims.get("serviceurl")) != _url(service_url):
            return "serviceUrl"
        tenant = ((activity.get("channelData") or {}).get("tenant") or {}).get("id")
        if not self.tenant_id or tenant != self.tenant_id:
            return "tenant"
        return None

    def own(self, message: UserMessage) -> UserMessage:
        """The message with this channel's conversation id and the tenant's output channel."""
        message.sender_id = conversation_id(CHANNEL, message.sender_id)
        channel = message.output_channel
        if isinstance(channel, BotFramework) and not isinstance(channel, TenantBotFramework):
            message.output_channel = TenantBotFramework(
                channel.app_id, channel.app_password, channel.conversation, channel.bot,
                channel.global_uri[: -len("v3/")], self.tenant_id, self.login_url)
        return message

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        read = within_limit(on_new_message)  # a message over the cap is answered, not read

        async def through_tenant(message: UserMessage) -> Any:
            return await read(self.own(message))

        teams = guard(super().blueprint(through_tenant))

        @teams.middleware("request")
        async def only_the_bot_connector(request: Request):  # type: ignore[no-untyped-def]
            # Every POST the blueprint would handle (/webhook, /webhook/, ...), before Rasa's own
            # handler reads the body or sends anything to its serviceUrl.
            if request.method == "GET":
                return None
            auth = request.headers.get("Authorization")
            try:
                if self._validate_auth(auth) is not None:  # unsigned: the body is not even parsed
                    reason: Optional[str] = "token"
                else:
                    reason = self.refusal(auth, request.json)
            except Exception as error:  # noqa: BLE001 - whatever is malformed is refused
                reason = type(error).__name__
            if reason is not None:
                logger.warning("teams: request refused (%s)", reason)
                return response.text("Unauthorized", status=401)
            return None

        return teams


def _url(value: Any) -> str:
    """A service URL as compared: without trailing slashes, scheme and host in lower case."""
    text = str(value or "").strip().rstrip("/")
    scheme, sep, rest = text.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}{sep}{host.lower()}{slash}{path}"
