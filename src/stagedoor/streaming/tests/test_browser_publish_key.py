"""The short-lived key a browser broadcast's ffmpeg publishes with: signed, expiring, a performer's, never stored."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.streaming import selectors
from stagedoor.streaming.models import StreamKey

pytestmark = pytest.mark.django_db


def test_a_fresh_key_names_its_performer_and_is_not_stored(make_user: Callable[..., Any]) -> None:
    nova = make_user("performer")
    before = StreamKey.objects.count()
    key = selectors.browser_publish_key(nova, now=time.time())
    assert selectors.stream_key_owner(key) == nova
    assert StreamKey.objects.count() == before


def test_expired_forged_and_foreign_keys_are_refused(make_user: Callable[..., Any]) -> None:
    nova, viewer = make_user("performer"), make_user("viewer")
    expired = selectors.browser_publish_key(nova, now=time.time() - 3600, ttl_s=60)
    assert selectors.stream_key_owner(expired) is None
    good = selectors.browser_publish_key(nova, now=time.time())
    forged = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert selectors.stream_key_owner(forged) is None
    # A key signed for one user cannot be re-pointed at another (the MAC covers the user id).
    other = make_user("performer")
    assert selectors.stream_key_owner(good.replace(str(nova.pk), str(other.pk), 1)) is None
    # A viewer's signed key publishes nothing: only performers own stream keys.
    assert selectors.stream_key_owner(selectors.browser_publish_key(viewer, now=time.time())) is None
    assert selectors.stream_key_owner("browser_garbage") is None
