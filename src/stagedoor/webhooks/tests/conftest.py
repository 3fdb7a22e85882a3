"""Webhooks test fixtures: the fake subscriber endpoint on loopback, loopback allowed as a destination, short
timeouts, and a performer with an endpoint there."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from stagedoor.webhooks import services
from stagedoor.webhooks.models import Endpoint
from stagedoor.webhooks.tests.receiver import Receiver, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from running_receiver()


@pytest.fixture(autouse=True)
def _webhook_settings(settings: Any) -> None:
    settings.STAGEDOOR_WEBHOOKS_ALLOWED_NETWORKS = "127.0.0.1/32"
    settings.STAGEDOOR_WEBHOOKS_TIMEOUT_S = "1"
    settings.STAGEDOOR_WEBHOOKS_BACKOFF_BASE_S = "30"
    settings.STAGEDOOR_WEBHOOKS_MAX_ATTEMPTS = "4"
    settings.STAGEDOOR_WEBHOOKS_DISABLE_AFTER_FAILURES = "3"
    settings.STAGEDOOR_WEBHOOKS_DISABLE_AFTER_HOURS = "1"


@pytest.fixture
def endpoint_for(receiver: Receiver) -> Callable[..., tuple[Endpoint, str]]:
    """`endpoint_for(owner, path, types, scope=…)`: an endpoint at the receiver's `path`, its secret given to it."""

    def make(owner: Any, path: str, types: list[str], *, scope: str = "performer") -> tuple[Endpoint, str]:
        endpoint, secret = services.endpoint_create(actor=owner, scope=scope, url=receiver.url(path), event_types=types)
        receiver.secrets[path] = secret
        return endpoint, secret

    return make
