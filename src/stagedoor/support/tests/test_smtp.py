"""Real SMTP: smtplib talks to the embedded aiosmtpd listener on a free port; the mail becomes a ticket, the
agent's answer goes out with the reply address, and a reply sent to it over SMTP lands on the same ticket."""

from __future__ import annotations

import asyncio
import smtplib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail

from stagedoor.support import services
from stagedoor.support.models import Ticket
from stagedoor.support.smtp import start_listener

from .conftest import build_mail

pytestmark = pytest.mark.django_db(transaction=True)
DOMAIN = "support.stagedoor.invalid"


class Listener:
    def __init__(self, max_bytes: int) -> None:
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(max_bytes,), daemon=True)
        self.server: asyncio.Server | None = None

    def _run(self, max_bytes: int) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(start_listener("127.0.0.1", 0, domain=DOMAIN, max_bytes=max_bytes))
        self.port = self.server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    def stop(self) -> None:
        async def close() -> None:
            assert self.server is not None
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener(max_bytes=2 * 1024 * 1024)
    server.thread.start()
    assert server.ready.wait(10)
    yield server
    server.stop()


def wait_for(check: Callable[[], Any], *, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met before the deadline")


def send(port: int, raw: bytes, *, to: str, sender: str = "mia.customer@example.test") -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=15) as client:
        client.sendmail(sender, [to], raw)


def test_mail_over_smtp_becomes_a_ticket_and_the_reply_is_threaded(listener: Listener, make_user: Any) -> None:
    send(listener.port, build_mail(subject="Stream keeps dropping"), to=f"support@{DOMAIN}")
    ticket = wait_for(lambda: Ticket.objects.filter(subject="Stream keeps dropping").first())
    assert (ticket.channel, ticket.requester_email, ticket.status) == ("email", "mia.customer@example.test", "new")

    agent = make_user("support_l1")
    mail.outbox.clear()
    services.ticket_reply(actor=agent, ticket_id=ticket.pk, body="Which OBS version do you use?")
    [answer] = wait_for(lambda: list(mail.outbox))
    reply_to = answer.reply_to[0]
    assert reply_to.startswith(f"support+{ticket.pk}.")

    reply = build_mail(to=reply_to, subject=f"Re: {answer.subject}", text="OBS 30.2 on Windows.")
    send(listener.port, reply, to=reply_to)
    wait_for(lambda: "OBS 30.2 on Windows." in [m.body for m in ticket.messages.all()])  # encrypted: compare in Python
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get(pk=ticket.pk).status == "open"


def test_the_listener_is_no_relay_and_refuses_oversized_mail(listener: Listener) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(listener.port, build_mail(), to="someone@elsewhere.example.test")
    big = build_mail(attachments=[("big.bin", "application/octet-stream", b"\x01" * (3 * 1024 * 1024))])
    with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused, smtplib.SMTPServerDisconnected)):
        send(listener.port, big, to=f"support@{DOMAIN}")
    assert Ticket.objects.count() == 0
