"""Encrypt the source address and the body of every stored postback."""

from django.db import migrations

from stagedoor.core.encrypt_columns import decrypt_columns, encrypt_columns

COLUMNS = {"remote_ip": "payments.postback.remote_ip", "body": "payments.postback.body"}


def forwards(apps, schema_editor):
    encrypt_columns(schema_editor, table="payments_postback", columns=COLUMNS)


def backwards(apps, schema_editor):
    decrypt_columns(schema_editor, table="payments_postback", columns=COLUMNS)


class Migration(migrations.Migration):
    atomic = False  # each batch of rows commits on its own (core.encrypt_columns); a rerun skips rows already done

    dependencies = [
        ("payments", "0004_postback_encrypted"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
