"""ChairPay now belongs to orgtree (orgtree 0011 took over its table): drop it from funding's state
and move its content type, so the history records and permissions of the rows follow them."""

from django.db import migrations


def move_content_type(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label="orgtree", model="chairpay").exists():
        content_types.objects.filter(app_label="funding", model="chairpay").update(app_label="orgtree")


def move_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label="funding", model="chairpay").exists():
        content_types.objects.filter(app_label="orgtree", model="chairpay").update(app_label="funding")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("funding", "0002_standards_records_projects"),
        ("orgtree", "0011_chairpay_from_funding"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ChairPay")],
                                            database_operations=[]),
        migrations.RunPython(move_content_type, move_back),
    ]
