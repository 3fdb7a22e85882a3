"""Performer applications move from `accounts` to `verification` without copying a row.

How: this migration adds the model to verification's *state* only, pointing at the existing table
(`accounts_performerapplication`); accounts.0002 removes it from accounts' state only; verification.0002 then
renames the table to `verification_performerapplication` (one `ALTER TABLE … RENAME`, rows, ids and foreign keys
untouched) and adds the new columns. Nothing is created and copied, so a crash halfway cannot lose applications
and the move is instant whatever the number of rows.
"""

import django.db.models.deletion
import stagedoor.core.fields
import stagedoor.core.ids
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PerformerApplication",
                    fields=[
                        (
                            "id",
                            stagedoor.core.fields.IdField(
                                default=stagedoor.core.ids.new_id,
                                editable=False,
                                max_length=26,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("stage_name", models.CharField(max_length=60)),
                        ("country", models.CharField(max_length=2)),
                        (
                            "status",
                            models.CharField(
                                choices=[("pending", "Pending"), ("approved", "Approved"), ("rejected", "Rejected")],
                                db_index=True,
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("note", models.TextField(blank=True, default="")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="performer_applications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_performerapplication",
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "pending")),
                                fields=("user",),
                                name="one_pending_application_per_user",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
