"""Encrypt the IP address of every existing audit entry. The rows stay chain version 1: their hash covers the
address in clear, which the model still reads back, so `stagedoor audit verify` keeps passing."""

from django.db import migrations

from stagedoor.core.encrypt_columns import decrypt_columns, encrypt_columns

IP = {"ip": "core.auditentry.ip"}


def forwards(apps, schema_editor):
    encrypt_columns(schema_editor, table="core_auditentry", columns=IP, pk="seq")


def backwards(apps, schema_editor):
    decrypt_columns(schema_editor, table="core_auditentry", columns=IP, pk="seq")


class Migration(migrations.Migration):
    atomic = False  # each batch of rows commits on its own (core.encrypt_columns); a rerun skips rows already done

    dependencies = [
        ("core", "0005_audit_ip_encrypted"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
