"""Issue 12, on upgrade: prospects the old rule matched by name alone may sit on a namesake's record at another
company. Mark them once for review, with their record as the one candidate, so an admin confirms or corrects them
on the Activity page. Their writes are not held: they were written already, and the record may well be right."""

from django.db import migrations

OLD_NAME_ONLY = "contact_name"


def mark_for_review(apps, schema_editor):
    Prospect = apps.get_model("activities", "Prospect")
    MatchCandidate = apps.get_model("activities", "MatchCandidate")
    matched = Prospect.objects.filter(matched_by=OLD_NAME_ONLY).exclude(salesforce_id="").filter(review="")
    for prospect in matched.iterator():
        name = f"{prospect.first_name} {prospect.last_name}".strip()
        MatchCandidate.objects.get_or_create(
            prospect=prospect,
            remote_id=prospect.salesforce_id,
            defaults={
                "sobject": prospect.salesforce_type or "Contact",
                "rule": OLD_NAME_ONLY,
                "label": name or prospect.email,
                "account_id": prospect.salesforce_account_id,
            },
        )
    matched.update(review="name_only")


def unmark(apps, schema_editor):
    Prospect = apps.get_model("activities", "Prospect")
    MatchCandidate = apps.get_model("activities", "MatchCandidate")
    MatchCandidate.objects.filter(rule=OLD_NAME_ONLY).delete()
    Prospect.objects.filter(review="name_only").update(review="")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_prospect_match_review"),
    ]

    operations = [
        migrations.RunPython(mark_for_review, unmark),
    ]
