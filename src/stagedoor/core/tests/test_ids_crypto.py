from __future__ import annotations

import os

import pytest

from stagedoor.core.crypto import DecryptionError, Keyring
from stagedoor.core.ids import ID_LENGTH, id_timestamp_ms, is_valid_id, new_id


def test_ids_are_unique_sortable_and_valid() -> None:
    ids = [new_id() for _ in range(5000)]
    assert len(set(ids)) == 5000
    assert ids == sorted(ids)
    assert all(len(i) == ID_LENGTH and is_valid_id(i) for i in ids)
    assert id_timestamp_ms(ids[-1]) >= id_timestamp_ms(ids[0])
    assert not is_valid_id("not-an-id")
    assert not is_valid_id("U" * 25)


def _ring(*kids: str) -> Keyring:
    return Keyring({k: os.urandom(32) for k in kids}, kids[0])


def test_envelope_round_trip_and_unique_ciphertexts() -> None:
    ring = _ring("k1")
    a = ring.encrypt("1990-02-03", context="verification.dob")
    b = ring.encrypt("1990-02-03", context="verification.dob")
    assert a != b  # fresh data key and nonce each time
    assert "1990" not in a
    assert ring.decrypt(a, context="verification.dob") == "1990-02-03"


def test_ciphertext_is_bound_to_its_field() -> None:
    ring = _ring("k1")
    token = ring.encrypt("secret", context="accounts.user.totp_secret")
    with pytest.raises(DecryptionError, match="another record"):
        ring.decrypt(token, context="payments.payout.iban")


def test_tampered_ciphertext_is_refused() -> None:
    ring = _ring("k1")
    token = ring.encrypt("secret")
    head, body = token.rsplit(".", 1)
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(DecryptionError):
        ring.decrypt(f"{head}.{flipped}")
    with pytest.raises(DecryptionError, match="malformed"):
        ring.decrypt("garbage")


def test_key_rotation_rewraps_without_touching_the_value() -> None:
    old = os.urandom(32)
    ring_old = Keyring({"k1": old}, "k1")
    token = ring_old.encrypt("NL91ABNA0417164300", context="iban")
    ring_new = Keyring({"k2": os.urandom(32), "k1": old}, "k2")
    assert ring_new.decrypt(token, context="iban") == "NL91ABNA0417164300"
    rewrapped = ring_new.rewrap(token)
    assert ring_new.key_id_of(rewrapped) == "k2"
    assert rewrapped.rsplit(".", 1)[1] == token.rsplit(".", 1)[1]  # value ciphertext unchanged
    only_new = Keyring({"k2": ring_new.keys["k2"]}, "k2")
    assert only_new.decrypt(rewrapped, context="iban") == "NL91ABNA0417164300"
    with pytest.raises(DecryptionError, match="not in the keyring"):
        only_new.decrypt(token, context="iban")


@pytest.mark.django_db
def test_encrypted_field_stores_ciphertext(make_user) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    user = make_user("performer")
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [user.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("v1.")
    assert user.totp_secret not in raw
    user.refresh_from_db()
    assert len(user.totp_secret) == 32
