"""The viewer age-assurance policy operators start from (editable in the staff console): the UK's Online Safety
Act asks for highly effective age assurance (age estimation qualifies); US states with age-verification laws for
adult sites ask for an ID check; everywhere else the entry page's self-declaration stands."""

from django.db import migrations

UK = "The UK Online Safety Act requires highly effective age assurance before adult content."
US_STATE = "This state's law requires age verification with an ID before adult content."
DEFAULTS = [
    ("*", "self_declaration", "Adult content: confirm you are 18 or older."),
    ("GB", "age_estimation", UK),
    *[
        (f"US-{state}", "id_check", US_STATE)
        for state in ("LA", "UT", "MS", "VA", "AR", "TX", "MT", "NC", "ID", "IN", "KY", "NE", "AL", "OK", "FL", "SC", "TN")
    ],
]


def seed(apps, schema_editor):
    AgePolicy = apps.get_model("verification", "AgePolicy")
    for region, method, reason in DEFAULTS:
        AgePolicy.objects.get_or_create(region=region, defaults={"method": method, "reason": reason})


def unseed(apps, schema_editor):
    AgePolicy = apps.get_model("verification", "AgePolicy")
    AgePolicy.objects.filter(region__in=[r for r, _, _ in DEFAULTS], updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("verification", "0002_verification_records")]

    operations = [migrations.RunPython(seed, unseed)]
