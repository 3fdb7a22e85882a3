"""Encrypted at rest (the existing rows are encrypted by the next migration)."""

import stagedoor.core.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('support', '0004_stream_incidents'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='inboundmail',
            name='support_inbound_sender',
        ),
        migrations.RemoveIndex(
            model_name='ticket',
            name='support_requester_email',
        ),
        migrations.AddField(
            model_name='inboundmail',
            name='sender_hash',
            field=stagedoor.core.fields.KeyedHashField(blank=True, default='', editable=False, kind='email', max_length=64, source='sender'),
        ),
        migrations.AddField(
            model_name='ticket',
            name='requester_email_hash',
            field=stagedoor.core.fields.KeyedHashField(blank=True, default='', editable=False, kind='email', max_length=64, source='requester_email'),
        ),
        migrations.AlterField(
            model_name='inboundmail',
            name='sender',
            field=stagedoor.core.fields.EncryptedEmailField(max_length=254),
        ),
        migrations.AlterField(
            model_name='ticket',
            name='requester_email',
            field=stagedoor.core.fields.EncryptedEmailField(max_length=254),
        ),
        migrations.AlterField(
            model_name='ticket',
            name='requester_name',
            field=stagedoor.core.fields.EncryptedTextField(blank=True, default=''),
        ),
        migrations.AddIndex(
            model_name='inboundmail',
            index=models.Index(fields=['sender_hash', 'created_at'], name='support_inbound_sender'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['requester_email_hash', '-created_at'], name='support_requester_email'),
        ),
    ]
