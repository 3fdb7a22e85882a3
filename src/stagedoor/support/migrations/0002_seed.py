from django.db import migrations


def seed(apps, schema_editor):
    from stagedoor.support.seed import ARTICLES, MACROS

    HelpArticle = apps.get_model("support", "HelpArticle")
    Macro = apps.get_model("support", "Macro")
    from stagedoor.core.ids import new_id

    for article in ARTICLES:
        HelpArticle.objects.get_or_create(slug=article["slug"], defaults={**article, "id": new_id()})
    for macro in MACROS:
        Macro.objects.get_or_create(title=macro["title"], defaults={**macro, "id": new_id()})


def unseed(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
