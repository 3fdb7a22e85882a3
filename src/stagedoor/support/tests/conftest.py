"""Fixtures of the support tests: people, mail builders."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest


@pytest.fixture
def support_config(settings: Any) -> Callable[..., Any]:
    """`support_config(attachment_max_mb=1, …)`: replace some support settings for one test."""

    def change(**values: Any) -> Any:
        settings.STAGEDOOR = dataclasses.replace(
            settings.STAGEDOOR, support=dataclasses.replace(settings.STAGEDOOR.support, **values)
        )
        return settings.STAGEDOOR.support

    return change


def build_mail(
    *,
    sender: str = "mia.customer@example.test",
    to: str = "support@support.stagedoor.invalid",
    subject: str = "My tokens did not arrive",
    text: str | None = "I bought 100 tokens an hour ago and my balance did not change.",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
    message_id: str | None = None,
) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Mia Customer <{sender}>"
    mail["To"] = to
    mail["Subject"] = subject
    if message_id:
        mail["Message-ID"] = message_id
    if text is not None:
        mail.set_content(text)
    if html is not None:
        if text is not None:
            mail.add_alternative(html, subtype="html")
        else:
            mail.set_content(html, subtype="html")
    for filename, ctype, data in attachments:
        main, sub = ctype.split("/")
        mail.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    for key, value in (headers or {}).items():  # after the content: set_content drops Content-* headers
        mail[key] = value
    return bytes(mail)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[Callable[[], Any]], Any]:
    """`committed(lambda: service(...))`: run it and then its after-commit work (mail, outbox dispatch)."""

    def run(fn: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return fn()

    return run


@pytest.fixture
def seeded(db: None) -> None:
    """The migration's help articles and macros, made again if a transactional test flushed them."""
    from stagedoor.support.services import defaults_seed

    defaults_seed()
