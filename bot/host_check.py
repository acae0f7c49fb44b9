"""Only requests addressed to this server by one of its own names (against DNS rebinding).

A web page in a staff member's browser can make its own host name point at 127.0.0.1 and
then talk to a Meldwijzer server on that laptop or intranet machine as if it were the same
site. Such a request still carries the page's host name in its Host header. Every channel
blueprint of Meldwijzer calls `guard(blueprint)`; the first one installs one request
middleware on the Rasa server's app that refuses (421) every request whose Host is not
127.x.x.x, localhost, [::1] or a name in MELDWIJZER_ALLOWED_HOSTS (comma-separated, e.g. the
name the school's reverse proxy serves: meldwijzer.school.example). Ports do not matter.
"""
from __future__ import annotations

import logging
import os
from typing import FrozenSet, Optional

from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

LOOPBACK = frozenset({"localhost", "::1"})  # and every 127.x.x.x
REFUSAL = ("Deze server kent dit adres niet. Direct gevaar? Bel 112. "
           "Veilig Thuis: 0800-2000 (gratis, 24/7).")


def allowed_hosts() -> FrozenSet[str]:
    configured = os.environ.get("MELDWIJZER_ALLOWED_HOSTS", "")
    return LOOPBACK | {name.strip().lower().rstrip(".") for name in configured.split(",") if name.strip()}


def host_name(header: Optional[str]) -> str:
    """'Example.org:5005' -> 'example.org'; '[::1]:5005' -> '::1'."""
    value = (header or "").strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0].rstrip(".") if value.count(":") == 1 else value.rstrip(".")


def host_allowed(header: Optional[str]) -> bool:
    name = host_name(header)
    return name in allowed_hosts() or (name.startswith("127.") and name.replace(".", "").isdigit())


async def _check_host(request: Request) -> Optional[HTTPResponse]:
    if host_allowed(request.headers.get("host")):
        return None
    logger.warning("refused a request for an unknown host name (set MELDWIJZER_ALLOWED_HOSTS)")
    return response.text(REFUSAL, status=421)


def guard(blueprint: Blueprint) -> Blueprint:
    """Install the Host check on the app that registers `blueprint` (once per app)."""

    @blueprint.listener("before_server_start")
    async def install(app: Sanic, _loop) -> None:  # type: ignore[no-untyped-def]
        if not getattr(app.ctx, "meldwijzer_host_check", False):
            app.ctx.meldwijzer_host_check = True
            app.register_middleware(_check_host, "request")

    return blueprint
