"""The migrations that encrypt the last plaintext personal columns (accounts 0005–0006, support 0005–0006, core
0005–0006, payments 0004–0005, verification 0005–0006): existing rows become tokens with their keyed hash filled in,
the models read them back, login by e-mail works, the audit chain still verifies, and the reverse decrypts."""

from __future__ import annotations

import types
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from stagedoor.core.encrypt_columns import encrypt_columns, is_token
from stagedoor.core.hashing import email_hash

BEFORE = [
    ("accounts", "0004_passkeys"),
    ("core", "0004_encryption_keys"),
    ("payments", "0003_card_fingerprint"),
    ("support", "0004_stream_incidents"),
    ("verification", "0004_document_wrapped_key_field"),
]
AFTER = [
    ("accounts", "0006_email_encrypt_rows"),
    ("core", "0006_audit_ip_encrypt_rows"),
    ("payments", "0005_postback_encrypt_rows"),
    ("support", "0006_requester_encrypt_rows"),
    ("verification", "0006_webhook_ip_encrypt_rows"),
]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _raw(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def _old_rows(old: Any) -> None:
    """Rows as the previous schema kept them: addresses and names in clear, audit entries chained over them."""
    from stagedoor.core.audit import GENESIS, entry_hash

    User = old.get_model("accounts", "User")
    ada = User.objects.create(id="u-ada", login="ada", email="ada.lindqvist@fjord.example", password="!")
    User.objects.create(id="u-bo", login="bo", email="bo@fjord.example", password="!")
    Ticket = old.get_model("support", "Ticket")
    now = timezone.now()
    Ticket.objects.create(
        id="t-1",
        requester_id=ada.pk,
        requester_email="ada.lindqvist@fjord.example",
        requester_name="Ada Lindqvist",
        subject="Refund",
        created_at=now,
        first_response_due=now,
        resolution_due=now,
    )
    old.get_model("support", "InboundMail").objects.create(
        id="m-1",
        transport="smtp",
        sender="ada.lindqvist@fjord.example",
        recipient="desk",
        outcome="new_ticket",
        created_at=now,
    )
    old.get_model("payments", "Postback").objects.create(
        id="p-1", provider="sandbox", outcome="applied", remote_ip="203.0.113.5", body='{"email": "ada@x.example"}'
    )
    old.get_model("verification", "WebhookEvent").objects.create(
        id="w-1", vendor="veriff", outcome="applied", remote_ip="192.0.2.9"
    )
    Entry = old.get_model("core", "AuditEntry")
    prev = GENESIS
    for seq, ip in [(1, "198.51.100.1"), (2, ""), (3, "2001:db8::5")]:
        fields = dict(
            seq=seq,
            created_at=now,
            actor_id="u-ada",
            actor_label="ada",
            action="auth.login",
            target_type="",
            target_id="",
            ip=ip,
            data={"method": "password"},
        )
        digest = entry_hash(prev, types.SimpleNamespace(**fields, chain_version=1))  # type: ignore[arg-type]
        Entry.objects.create(**fields, prev_hash=prev, hash=digest)
        prev = digest
    old.get_model("core", "AuditHead").objects.update_or_create(pk=1, defaults={"last_seq": 3, "last_hash": prev})


@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_encrypted_with_their_keyed_hashes_and_the_reverse_decrypts() -> None:
    from stagedoor.accounts.models import User
    from stagedoor.accounts.selectors import user_by_email
    from stagedoor.core.audit import audit_record, audit_verify_report
    from stagedoor.core.models import AuditEntry
    from stagedoor.payments.models import Postback
    from stagedoor.support.models import InboundMail, Ticket
    from stagedoor.verification.models import WebhookEvent

    old = _migrate(BEFORE)
    try:
        _old_rows(old)
    finally:
        _migrate(AFTER)

    users = dict(_raw("SELECT login, email FROM accounts_user"))
    assert set(users) == {"ada", "bo"} and all(is_token(v) for v in users.values())
    assert "fjord" not in " ".join(users.values())
    assert dict(_raw("SELECT login, email_hash FROM accounts_user")) == {
        "ada": email_hash("ada.lindqvist@fjord.example"),
        "bo": email_hash("bo@fjord.example"),
    }
    [(t_email, t_name, t_hash)] = _raw(
        "SELECT requester_email, requester_name, requester_email_hash FROM support_ticket"
    )
    assert is_token(t_email) and is_token(t_name) and t_hash == email_hash("ada.lindqvist@fjord.example")
    [(sender, sender_hash)] = _raw("SELECT sender, sender_hash FROM support_inboundmail")
    assert is_token(sender) and sender_hash == email_hash("ada.lindqvist@fjord.example")
    [(p_ip, p_body)] = _raw("SELECT remote_ip, body FROM payments_postback")
    assert is_token(p_ip) and is_token(p_body)
    [(w_ip,)] = _raw("SELECT remote_ip FROM verification_webhookevent")
    assert is_token(w_ip)
    audit_ips = dict(_raw("SELECT seq, ip FROM core_auditentry"))
    assert is_token(audit_ips[1]) and audit_ips[2] == "" and is_token(audit_ips[3])

    # the models read every value back; the lookups go by the hash; the chain verifies (and goes on, as version 2)
    found = user_by_email("  ADA.Lindqvist@FJORD.example")
    assert found is not None and (found.login, found.email) == ("ada", "ada.lindqvist@fjord.example")
    ticket = Ticket.objects.get(requester_email_hash=email_hash("Ada.Lindqvist@fjord.example"))
    assert (ticket.requester_email, ticket.requester_name) == ("ada.lindqvist@fjord.example", "Ada Lindqvist")
    assert InboundMail.objects.get().sender == "ada.lindqvist@fjord.example"
    assert (Postback.objects.get().remote_ip, Postback.objects.get().body) == (
        "203.0.113.5",
        '{"email": "ada@x.example"}',
    )
    assert WebhookEvent.objects.get().remote_ip == "192.0.2.9"
    assert list(AuditEntry.objects.values_list("ip", "chain_version")) == [
        ("198.51.100.1", 1),
        ("", 1),
        ("2001:db8::5", 1),
    ]
    audit_record(actor=found, action="auth.login", target=found, ip="198.51.100.1", data={"method": "password"})
    report = audit_verify_report()
    assert (report.ok, report.checked) == (True, 4)
    assert AuditEntry.objects.get(seq=4).chain_version == 2

    # the unique hash keeps addresses unique, whatever their case
    with pytest.raises(IntegrityError):
        User.objects.create_user("ada2", "ADA.LINDQVIST@fjord.example", "x")

    AuditEntry.objects.filter(seq=4)._raw_delete(AuditEntry.objects.db)  # back to the rows the old schema knows
    _migrate(BEFORE)  # the reverse decrypts
    try:
        assert dict(_raw("SELECT login, email FROM accounts_user")) == {
            "ada": "ada.lindqvist@fjord.example",
            "bo": "bo@fjord.example",
        }
        assert _raw("SELECT requester_email, requester_name FROM support_ticket") == [
            ("ada.lindqvist@fjord.example", "Ada Lindqvist")
        ]
        assert _raw("SELECT remote_ip FROM payments_postback") == [("203.0.113.5",)]
        assert dict(_raw("SELECT seq, ip FROM core_auditentry")) == {1: "198.51.100.1", 2: "", 3: "2001:db8::5"}
    finally:
        _migrate(AFTER)


@pytest.mark.django_db
def test_encrypting_in_batches_resumes_and_skips_values_already_encrypted(make_user: Any) -> None:
    """An interrupted run (some rows done) run again: the rest is done, the done rows are left as they are."""
    users = [make_user("viewer", login=f"batchfan{i}") for i in range(5)]
    with connection.cursor() as cursor:
        for u in users[2:]:  # three rows "from before": plaintext, no hash yet
            cursor.execute("UPDATE accounts_user SET email = %s, email_hash = %s WHERE id = %s", [u.email, u.pk, u.pk])
    before = dict(_raw("SELECT id, email FROM accounts_user"))

    class Editor:
        connection = connection

    changed = encrypt_columns(
        Editor,
        table="accounts_user",
        columns={"email": "accounts.user.email"},
        hashes={"email_hash": ("email", "email")},
        batch=2,
    )
    assert changed == 3
    after = dict(_raw("SELECT id, email FROM accounts_user"))
    assert {pk: after[pk] for pk in (users[0].pk, users[1].pk)} == {pk: before[pk] for pk in (users[0].pk, users[1].pk)}
    assert all(is_token(v) for v in after.values())
    from stagedoor.accounts.selectors import user_by_email

    assert [user_by_email(u.email).pk for u in users] == [u.pk for u in users]  # type: ignore[union-attr]
    assert encrypt_columns(Editor, table="accounts_user", columns={"email": "accounts.user.email"}, batch=2) == 0
