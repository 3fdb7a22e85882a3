"""Encrypt the source address of every stored identity-vendor webhook."""

from django.db import migrations

from stagedoor.core.encrypt_columns import decrypt_columns, encrypt_columns

IP = {"remote_ip": "verification.webhookevent.remote_ip"}


def forwards(apps, schema_editor):
    encrypt_columns(schema_editor, table="verification_webhookevent", columns=IP)


def backwards(apps, schema_editor):
    decrypt_columns(schema_editor, table="verification_webhookevent", columns=IP)


class Migration(migrations.Migration):
    atomic = False  # each batch of rows commits on its own (core.encrypt_columns); a rerun skips rows already done

    dependencies = [
        ("verification", "0005_webhook_ip_encrypted"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
