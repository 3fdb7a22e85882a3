"""Performer applications now belong to `verification` (see verification.0001): leave accounts' state only;
the table stays where it is until verification.0002 renames it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("verification", "0001_performerapplication_from_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PerformerApplication")],
            database_operations=[],
        ),
    ]
