"""Audit entries: the IP address encrypted at rest (rows encrypted by 0006) and the chain version column."""

import stagedoor.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_encryption_keys'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='chain_version',
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='ip',
            field=stagedoor.core.fields.EncryptedTextField(blank=True, default=''),
        ),
    ]
