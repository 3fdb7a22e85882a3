"""The embedded inbound mail listener: aiosmtpd on asyncio, each accepted mail handed to `services.mail_receive`.

Only mail for the desk's own domain is accepted (RCPT TO checked: an open relay is never an option); a mail larger
than STAGEDOOR_SUPPORT_MAIL_MAX_MB is refused by the SMTP layer (552) before it is stored. A refused mail answers
with an SMTP error the sending server reports to its user; an accepted one answers 250 once it is in the database.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async

from stagedoor.core.errors import ApplicationError

log = logging.getLogger("stagedoor.support.smtp")


def _receive(raw: bytes, envelope_from: str, envelope_to: list[str]) -> None:
    """One mail into the database, in a worker thread; its connection is returned after (as a request's is)."""
    from django.db import close_old_connections

    from stagedoor.support.services import mail_receive

    close_old_connections()
    try:
        mail_receive(raw=raw, transport="smtp", envelope_from=envelope_from, envelope_to=envelope_to)
    finally:
        close_old_connections()


class DeskHandler:
    def __init__(self, domain: str) -> None:
        self.domain = domain.lower()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        local, _, domain = address.lower().rpartition("@")
        if domain != self.domain or not (local == "support" or local.startswith("support+")):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            await sync_to_async(_receive, thread_sensitive=False)(
                raw, str(envelope.mail_from or ""), list(envelope.rcpt_tos)
            )
        except ApplicationError as exc:
            code = "552 5.3.4" if exc.status == 413 else "554 5.6.0"
            return f"{code} {exc.message}"
        except Exception:
            log.exception("inbound mail failed")
            return "451 4.3.0 try again later"
        return "250 2.0.0 received"


async def start_listener(host: str, port: int, *, domain: str, max_bytes: int) -> asyncio.Server:
    """Listen on (host, port); port 0 picks a free one (read it from the returned server's sockets)."""
    loop = asyncio.get_running_loop()
    handler = DeskHandler(domain)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO

    def factory() -> Any:
        return SMTP(
            handler, data_size_limit=max_bytes, enable_SMTPUTF8=True, hostname=domain, ident="Stagedoor support"
        )

    return await loop.create_server(factory, host=host, port=port)
