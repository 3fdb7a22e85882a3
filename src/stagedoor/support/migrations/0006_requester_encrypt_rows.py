"""Encrypt the requester's address and name on every ticket and the sender of every inbound mail; fill the keyed
hashes mail is threaded and rate-limited by."""

from django.db import migrations

from stagedoor.core.encrypt_columns import decrypt_columns, encrypt_columns

TICKET = {
    "requester_email": "support.ticket.requester_email",
    "requester_name": "support.ticket.requester_name",
}
TICKET_HASHES = {"requester_email_hash": ("requester_email", "email")}
MAIL = {"sender": "support.inboundmail.sender"}
MAIL_HASHES = {"sender_hash": ("sender", "email")}


def forwards(apps, schema_editor):
    encrypt_columns(schema_editor, table="support_ticket", columns=TICKET, hashes=TICKET_HASHES)
    encrypt_columns(schema_editor, table="support_inboundmail", columns=MAIL, hashes=MAIL_HASHES)


def backwards(apps, schema_editor):
    decrypt_columns(schema_editor, table="support_ticket", columns=TICKET)
    decrypt_columns(schema_editor, table="support_inboundmail", columns=MAIL)


class Migration(migrations.Migration):
    atomic = False  # each batch of rows commits on its own (core.encrypt_columns); a rerun skips rows already done

    dependencies = [
        ("support", "0005_requester_encrypted"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
