"""Encrypt the e-mail address of every existing account and fill its keyed hash; then the hash is unique (as the
address was, case-insensitively, under the constraint 0005 removed)."""

from django.db import migrations

import stagedoor.core.fields

from stagedoor.core.encrypt_columns import decrypt_columns, encrypt_columns

EMAIL = {"email": "accounts.user.email"}  # column: the context EncryptedTextField binds it to
HASHES = {"email_hash": ("email", "email")}


def forwards(apps, schema_editor):
    encrypt_columns(schema_editor, table="accounts_user", columns=EMAIL, hashes=HASHES)


def backwards(apps, schema_editor):
    decrypt_columns(schema_editor, table="accounts_user", columns=EMAIL)


class Migration(migrations.Migration):
    atomic = False  # each batch of rows commits on its own (core.encrypt_columns); a rerun skips rows already done

    dependencies = [
        ("accounts", "0005_email_encrypted"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="user",
            name="email_hash",
            field=stagedoor.core.fields.KeyedHashField(
                blank=True, default="", editable=False, kind="email", max_length=64, source="email", unique=True
            ),
        ),
    ]
