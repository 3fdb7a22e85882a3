import django.db.models.deletion
import stagedoor.core.fields
from django.conf import settings
from functools import partial

from django.db import migrations, models

from stagedoor.core.db import drop_pattern_twin_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("wallet", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="ledgertransfer",
            name="idempotency_key",
            field=stagedoor.core.fields.OpaqueKeyField(max_length=200, unique=True),
        ),
        migrations.AlterField(
            model_name="tip",
            name="menu_item",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="wallet.tipmenuitem",
            ),
        ),
        migrations.AddIndex(
            model_name="tip",
            index=models.Index(
                condition=models.Q(("menu_item__isnull", False)), fields=["menu_item"], name="tip_menu_item"
            ),
        ),
        migrations.RunPython(
            partial(
                drop_pattern_twin_indexes,
                app_label="wallet",
                models=("ledgertransfer", "ledgerentry", "pendingdelta", "tip"),
            ),
            migrations.RunPython.noop,
        ),
    ]
