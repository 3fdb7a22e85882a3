"""E-mail addresses encrypted at rest, with a keyed hash beside them (filled, then made unique, by 0006)."""

import stagedoor.core.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_passkeys'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='user',
            name='user_email_ci_unique',
        ),
        migrations.AddField(
            model_name='user',
            name='email_hash',
            field=stagedoor.core.fields.KeyedHashField(blank=True, default='', editable=False, kind='email', max_length=64, source='email'),
        ),
        migrations.AlterField(
            model_name='user',
            name='email',
            field=stagedoor.core.fields.EncryptedEmailField(max_length=254),
        ),
    ]
