"""What every identity or age vendor adapter implements, and the shapes that cross its boundary.

A vendor runs the check on its own hosted page: we create a session (`session_create`), send the person to its
`url`, and the vendor tells us the outcome with a signed webhook (`webhook_parse`). Adapters speak HTTP through
httpx to a base URL from config, so tests point them at a fake vendor on loopback; nothing else is faked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

APPROVED = "approved"
DECLINED = "declined"
RESUBMIT = "resubmission_requested"
IGNORED = "ignored"


class VendorError(Exception):
    """The vendor is unreachable or answered with an error: retry later (nothing is lost)."""


class ForgedWebhook(Exception):
    """The webhook's signature does not match the shared secret."""


class MalformedWebhook(Exception):
    """The webhook is signed but unreadable."""


@dataclass(frozen=True)
class Person:
    legal_name: str = ""
    date_of_birth: date | None = None
    country: str = ""


@dataclass(frozen=True)
class SessionRequest:
    reference: str  # our id of the verification or age check (the vendor echoes it back)
    return_url: str  # where the vendor's page sends the person when done
    person: Person = field(default_factory=Person)


@dataclass(frozen=True)
class VendorSession:
    session_id: str
    url: str  # the vendor's hosted page


@dataclass(frozen=True)
class WebhookRequest:
    body: bytes
    headers: dict[str, str]  # lower-cased names


@dataclass(frozen=True)
class VendorDecision:
    """What a verified webhook says."""

    outcome: str  # APPROVED, DECLINED, RESUBMIT or IGNORED
    event_id: str  # dedupe key: a replay carries the same one
    session_id: str
    reference: str = ""  # our id, as the vendor echoed it ("" if it does not)
    decided_at: datetime | None = None
    reason: str = ""
    person: Person = field(default_factory=Person)
    document_type: str = ""
    document_country: str = ""
    document_expires_on: date | None = None
    age_over_18: bool | None = None  # age estimation: the vendor's verdict; ID checks: from the date of birth


class Vendor(Protocol):
    name: str
    label: str

    def session_create(self, request: SessionRequest) -> VendorSession:
        """Start a check at the vendor (VendorError when it cannot)."""
        ...

    def webhook_parse(self, request: WebhookRequest) -> VendorDecision:
        """Verify the signature (ForgedWebhook), read it (MalformedWebhook), and fetch what the webhook only points
        to if the vendor works that way (VendorError)."""
        ...


def parse_date(value: object) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise MalformedWebhook(f"not a date: {value!r}") from None


def parse_datetime(value: object) -> datetime | None:
    if not value:
        return None
    text = str(value).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise MalformedWebhook(f"not a timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        raise MalformedWebhook(f"timestamp without a time zone: {value!r}")
    return parsed


def split_name(legal_name: str) -> tuple[str, str]:
    """(given names, family name) as vendors ask for them: the last word is the family name."""
    parts = legal_name.strip().split()
    if len(parts) < 2:
        return legal_name.strip(), ""
    return " ".join(parts[:-1]), parts[-1]
