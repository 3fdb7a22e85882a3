"""Rate limits on authentication and money endpoints: the sliding window, the 429, and one limit across nodes."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from stagedoor.accounts import ratelimit
from stagedoor.accounts.ratelimit import CacheLimiter, RedisLimiter, parse_overrides
from stagedoor.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: Any, **kw: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json", **kw)


# --- the window --------------------------------------------------------------------------


def test_sliding_window_allows_the_limit_then_refuses_with_the_wait() -> None:
    limiter = CacheLimiter()
    start = 6000.0  # the start of a 60 s window
    assert [limiter.hit("k", limit=3, window_s=60, now=start + i).allowed for i in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    refused = limiter.hit("k", limit=3, window_s=60, now=start + 10)
    # three hits in this window: a fourth fits only once they are the previous window and have faded by a third
    assert refused.allowed is False and refused.retry_after == 50 + 20
    # refused hits do not count: in the next window 3 × (1 − 20/60) = 2 hits are still felt, so one more fits
    assert limiter.hit("k", limit=3, window_s=60, now=start + 80).allowed is True
    assert limiter.hit("k", limit=3, window_s=60, now=start + 80).allowed is False
    assert limiter.hit("other", limit=3, window_s=60, now=start + 10).allowed is True  # keys are separate


def test_overrides_change_or_switch_off_a_rule_and_refuse_nonsense() -> None:
    rules = {r.name: r for r in parse_overrides("tip=600/30, login=off", ratelimit.DEFAULT_RULES)}
    assert (rules["tip"].limit, rules["tip"].window_s) == (600, 30) and "login" not in rules
    with pytest.raises(ValueError, match="unknown rule 'tips'"):
        parse_overrides("tips=1/1", ratelimit.DEFAULT_RULES)
    with pytest.raises(ValueError, match="expected login=<limit>/<seconds>"):
        parse_overrides("login=fast", ratelimit.DEFAULT_RULES)


@pytest.mark.parametrize(
    ("method", "path", "rule"),
    [
        ("POST", "/api/v1/auth/login", "login"),
        ("POST", "/login", "login"),
        ("POST", "/login/2fa", "mfa"),
        ("POST", "/api/v1/me/mfa/disable", "mfa"),
        ("POST", "/api/v1/auth/signup", "signup"),
        ("POST", "/password/reset/MQ/abc-123", "password_reset"),
        ("POST", "/api/v1/me/tokens", "api_token"),
        ("POST", "/api/v1/tips", "tip"),
        ("POST", "/tip/ivy", "tip"),
        ("POST", "/api/v1/purchases", "purchase"),
        ("POST", "/wallet/buy", "purchase"),
        ("PUT", "/api/v1/me/payout-method", "payout_method"),
        ("POST", "/studio/payout-method", "payout_method"),
        ("POST", "/api/v1/shows/01AAAAAAAAAAAAAAAAAAAAAAAA/join", "show_join"),
        ("POST", "/api/v1/fans/clubs/01AAAAAAAAAAAAAAAAAAAAAAAA/join", "club_join"),
        ("GET", "/login", None),
        ("GET", "/api/v1/me/payout-method", None),
        ("POST", "/api/v1/tips/extra", None),
    ],
)
def test_every_auth_and_money_route_has_a_rule(method: str, path: str, rule: str | None) -> None:
    found = ratelimit.rule_for(method, path)
    assert (found.name if found else None) == rule


# --- through the middleware -------------------------------------------------------------


def test_login_over_the_limit_gets_a_429_with_retry_after(settings: Any, make_user: Callable[..., Any]) -> None:
    settings.STAGEDOOR_RATE_LIMITS = "login=3/60"
    user = make_user()
    client = Client(REMOTE_ADDR="198.51.100.20")
    codes = [
        post(client, "/api/v1/auth/login", {"login": user.login, "password": "wrong"}).status_code for _ in range(3)
    ]
    assert codes == [401, 401, 401]
    response = post(client, "/api/v1/auth/login", {"login": user.login, "password": TEST_PASSWORD})
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "rate_limited" and body["extra"]["limit"] == "login"
    assert 1 <= int(response["Retry-After"]) <= 120 and body["extra"]["retry_after"] == int(response["Retry-After"])
    assert "_auth_user_id" not in client.session  # not signed in
    user.refresh_from_db()
    assert user.failed_logins == 3  # the refused attempt never reached the password check
    other = Client(REMOTE_ADDR="198.51.100.21")  # another address is not limited
    assert post(other, "/api/v1/auth/login", {"login": user.login, "password": TEST_PASSWORD}).status_code == 200


def test_login_page_over_the_limit_shows_a_page_with_retry_after(settings: Any) -> None:
    settings.STAGEDOOR_RATE_LIMITS = "login=1/60"
    client = Client(REMOTE_ADDR="198.51.100.30")
    client.post("/login", {"login": "nobody", "password": "x"})
    response = client.post("/login", {"login": "nobody", "password": "x"})
    assert response.status_code == 429 and "Too many requests; try again in" in response.content.decode()
    assert int(response["Retry-After"]) >= 1


def test_tips_are_limited_per_user_and_a_refused_tip_moves_nothing(
    settings: Any, make_user: Callable[..., Any], api_client: Callable[..., Client]
) -> None:
    from stagedoor.wallet.models import Tip

    settings.STAGEDOOR_RATE_LIMITS = "tip=2/60"
    fan, other = make_user(), make_user()
    client = api_client(fan)
    body = {"performer_id": "01AAAAAAAAAAAAAAAAAAAAAAAA", "amount": 5}
    first = [post(client, "/api/v1/tips", body).status_code for _ in range(2)]
    assert 429 not in first
    refused = post(client, "/api/v1/tips", body)
    assert refused.status_code == 429 and refused.json()["extra"]["limit"] == "tip"
    assert Tip.objects.count() == 0
    assert post(api_client(other), "/api/v1/tips", body).status_code != 429  # per user, not global


def test_api_tokens_are_counted_per_token(settings: Any, make_user: Callable[..., Any]) -> None:
    from stagedoor.accounts.services import api_token_create

    settings.STAGEDOOR_RATE_LIMITS = "api_token=2/3600"
    user = make_user()
    _, token = api_token_create(user=user, name="ci")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    statuses = [post(Client(), "/api/v1/me/tokens", {"name": f"t{i}"}, **headers).status_code for i in range(3)]
    assert statuses == [201, 201, 429]
    assert user.api_tokens.count() == 3  # the first one and two more, not a fourth


# --- across nodes (Redis) -------------------------------------------------------------------


@pytest.mark.redis
def test_two_limiters_sharing_redis_hold_one_limit(redis_url: str) -> None:
    import redis

    prefix = f"test-rl-{secrets.token_hex(4)}:"
    a = RedisLimiter(redis.Redis.from_url(redis_url), prefix=prefix)
    b = RedisLimiter(redis.Redis.from_url(redis_url), prefix=prefix)
    try:
        now = 12000.0
        results = [(a if i % 2 else b).hit("login:ip:x", limit=5, window_s=60, now=now + i).allowed for i in range(8)]
        assert results == [True] * 5 + [False] * 3
        refused = a.hit("login:ip:x", limit=5, window_s=60, now=now + 10)
        assert refused.allowed is False and refused.retry_after == 50 + 12
    finally:
        a.client.delete(*a.client.keys(prefix + "*"))


NODE = """
import json, sys, time
import redis
from stagedoor.accounts.ratelimit import RedisLimiter
url, prefix, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
limiter = RedisLimiter(redis.Redis.from_url(url), prefix=prefix)
while time.time() < start_at:
    time.sleep(0.001)
allowed = sum(limiter.hit("tip:u:fan", limit=25, window_s=3600).allowed for _ in range(40))
print(json.dumps({"allowed": allowed}))
"""


@pytest.mark.redis
def test_two_processes_hitting_at_once_share_one_limit(redis_url: str) -> None:
    """Two separate processes (two nodes), 40 hits each at the same moment: 25 allowed in all."""
    import time

    import redis

    prefix = f"test-rl-{secrets.token_hex(4)}:"
    src = str(Path(ratelimit.__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, *filter(None, [os.environ.get("PYTHONPATH")])])}
    start_at = str(time.time() + 1.5)
    nodes = [
        subprocess.Popen(
            [sys.executable, "-c", NODE, redis_url, prefix, start_at], stdout=subprocess.PIPE, env=env, text=True
        )
        for _ in range(2)
    ]
    try:
        outputs = [json.loads(node.communicate(timeout=60)[0].strip().splitlines()[-1]) for node in nodes]
        assert all(node.returncode == 0 for node in nodes)
        per_node = [o["allowed"] for o in outputs]
        assert sum(per_node) == 25, per_node
    finally:
        client = redis.Redis.from_url(redis_url)
        keys = client.keys(prefix + "*")
        if keys:
            client.delete(*keys)


def test_an_unreachable_redis_fails_open() -> None:
    """The limiter must not take sign-ins and tips down with it: nothing listens on port 1."""
    import redis

    limiter = RedisLimiter(redis.Redis.from_url("redis://127.0.0.1:1/15", socket_connect_timeout=0.5))
    assert limiter.hit("login:ip:x", limit=1, window_s=60).allowed is True
