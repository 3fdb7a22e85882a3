"""The pure parts: Standard Webhooks signatures, the backoff, and which addresses an endpoint may point to."""

from __future__ import annotations

import ipaddress

import pytest

from stagedoor.webhooks import addresses, signing
from stagedoor.webhooks.services import backoff_seconds

# The example of the Standard Webhooks specification (and its reference libraries' tests).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signature_matches_the_specifications_example() -> None:
    assert signing.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE
    headers = signing.headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, [SPEC_SECRET])
    assert headers["webhook-id"] == SPEC_ID
    assert headers["webhook-timestamp"] == "1614265330"
    assert headers["webhook-signature"] == SPEC_SIGNATURE
    assert signing.verify(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP + 10) is True


def test_verify_refuses_a_changed_body_an_old_timestamp_and_another_secret() -> None:
    headers = signing.headers(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, [SPEC_SECRET])
    assert signing.verify(SPEC_SECRET, headers, b'{"test": 2432232315}', now=SPEC_TIMESTAMP) is False
    assert signing.verify(SPEC_SECRET, headers, SPEC_BODY, now=SPEC_TIMESTAMP + 301) is False
    assert signing.verify(signing.new_secret(), headers, SPEC_BODY, now=SPEC_TIMESTAMP) is False


def test_during_a_rotation_both_secrets_sign() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    headers = signing.headers("evt_1", 1700000000, b"{}", [new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert signing.verify(old, headers, b"{}", now=1700000000) is True
    assert signing.verify(new, headers, b"{}", now=1700000000) is True
    assert new.startswith("whsec_") and len(signing._key(new)) == 32


def test_backoff_doubles_up_to_the_cap_with_the_upper_half_random() -> None:
    assert [backoff_seconds(n, base=30, cap=600, rand=lambda: 0.0) for n in (1, 2, 3, 4, 5, 6)] == [
        15.0,
        30.0,
        60.0,
        120.0,
        240.0,
        300.0,
    ]
    assert [backoff_seconds(n, base=30, cap=600, rand=lambda: 1.0) for n in (1, 2, 6)] == [30.0, 60.0, 600.0]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.1.2.3/",
        "https://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://localhost:9000/",
        "http://224.0.0.1/",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(url: str) -> None:
    with pytest.raises(addresses.AddressProblem) as problem:
        addresses.check(url, ())
    assert problem.value.kind == "private"


def test_an_allowed_network_lets_its_addresses_through_and_no_other() -> None:
    allowed = (ipaddress.ip_network("127.0.0.1/32"),)
    target = addresses.check("http://127.0.0.1:8123/in?x=1", allowed)
    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "http",
        "127.0.0.1",
        8123,
        "/in?x=1",
        "127.0.0.1",
    )
    with pytest.raises(addresses.AddressProblem):
        addresses.check("http://127.0.0.2/", allowed)


def test_a_public_address_passes() -> None:
    target = addresses.check("https://93.184.215.14/hooks", ())
    assert (target.port, target.address) == (443, "93.184.215.14")


@pytest.mark.parametrize(
    "url",
    ["ftp://93.184.215.14/", "93.184.215.14/x", "https://user:pw@93.184.215.14/", "https:///x", "http://a b/", ""],
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(addresses.AddressProblem) as problem:
        addresses.check(url, ())
    assert problem.value.kind == "invalid_url"
