from django.db import migrations, models


class Migration(migrations.Migration):
    """Outbox deliveries name the handler that ran (they were called consumers)."""

    dependencies = [("core", "0002_outbox_partial_pending_index")]

    operations = [
        migrations.RemoveConstraint(model_name="outboxdelivery", name="outbox_delivery_once"),
        migrations.RenameField(model_name="outboxdelivery", old_name="consumer", new_name="handler"),
        migrations.AddConstraint(
            model_name="outboxdelivery",
            constraint=models.UniqueConstraint(fields=("event", "handler"), name="outbox_delivery_once"),
        ),
    ]
