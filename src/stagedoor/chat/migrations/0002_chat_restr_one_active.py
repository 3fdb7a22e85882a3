from django.db import migrations, models
from django.db.models import Q


def lift_duplicates(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Before the constraint: where a race left several active restrictions, keep the newest."""
    ChatRestriction = apps.get_model("chat", "ChatRestriction")
    seen: set[tuple[str, str]] = set()
    for r in ChatRestriction.objects.filter(lifted_at__isnull=True).order_by("-created_at", "-id"):
        pair = (r.room_id, r.user_id)
        if pair in seen:
            ChatRestriction.objects.filter(pk=r.pk).update(lifted_at=r.created_at)
        seen.add(pair)


class Migration(migrations.Migration):
    dependencies = [("chat", "0001_initial")]

    operations = [
        migrations.RunPython(lift_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="chatrestriction",
            constraint=models.UniqueConstraint(
                condition=Q(lifted_at__isnull=True), fields=("room", "user"), name="chat_restr_one_active"
            ),
        ),
    ]
