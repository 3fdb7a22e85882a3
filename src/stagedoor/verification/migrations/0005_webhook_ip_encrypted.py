"""Encrypted at rest (the existing rows are encrypted by the next migration)."""

import stagedoor.core.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('verification', '0004_document_wrapped_key_field'),
    ]

    operations = [
        migrations.AlterField(
            model_name='webhookevent',
            name='remote_ip',
            field=stagedoor.core.fields.EncryptedTextField(blank=True, default=''),
        ),
    ]
