from functools import partial

from django.db import migrations, models

from stagedoor.core.db import drop_pattern_twin_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="outboxevent",
            name="outbox_pending_idx",
        ),
        migrations.AlterField(
            model_name="outboxevent",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AlterField(
            model_name="outboxevent",
            name="topic",
            field=models.CharField(max_length=100),
        ),
        migrations.AddIndex(
            model_name="outboxevent",
            index=models.Index(
                condition=models.Q(("dispatched_at__isnull", True)), fields=["created_at"], name="outbox_pending_idx"
            ),
        ),
        migrations.RunPython(
            partial(drop_pattern_twin_indexes, app_label="core", models=("outboxevent",)),
            migrations.RunPython.noop,
        ),
    ]
