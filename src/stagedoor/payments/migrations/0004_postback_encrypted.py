"""Encrypted at rest (the existing rows are encrypted by the next migration)."""

import stagedoor.core.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0003_card_fingerprint'),
    ]

    operations = [
        migrations.AlterField(
            model_name='postback',
            name='body',
            field=stagedoor.core.fields.EncryptedTextField(blank=True, default=''),
        ),
        migrations.AlterField(
            model_name='postback',
            name='remote_ip',
            field=stagedoor.core.fields.EncryptedTextField(blank=True, default=''),
        ),
    ]
