import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery

BATCH = 50_000  # records per UPDATE: each statement stays short on a table of millions


def backfill_units(apps, schema_editor):
    """Give every existing record the unit its object belongs to, along the model's scope path."""
    from django.apps import apps as live  # the scope paths are declared in code, not in the schema

    record_model = apps.get_model("federation", "ChangeRecord")
    content_types = apps.get_model("contenttypes", "ContentType").objects.filter(
        pk__in=record_model.objects.values("content_type_id").distinct())
    top = record_model.objects.aggregate(top=Max("pk"))["top"] or 0
    unit_model = live.get_model("federation", "ChangeRecord")._meta.get_field("unit").related_model
    for content_type in content_types:
        try:
            model = apps.get_model(content_type.app_label, content_type.model)
            declared = live.get_model(content_type.app_label, content_type.model)
        except LookupError:
            continue
        path = "pk" if declared is unit_model else getattr(declared, "scope_unit_path", None)
        if path is None:
            continue  # objects of no unit: their records keep none
        unit_of = Subquery(model._base_manager.filter(pk=OuterRef("object_id")).values(path)[:1])
        for start in range(0, top + 1, BATCH):
            record_model.objects.filter(content_type=content_type, unit__isnull=True, pk__gte=start,
                                        pk__lt=start + BATCH).update(unit_id=unit_of)


class Migration(migrations.Migration):
    atomic = False  # the backfill commits batch by batch

    dependencies = [
        ('federation', '0004_security_log'),
        ('orgtree', '0008_unit_figures_carry_unit_columns'),
        # The backfill reads the objects of every app that records history.
        ('reform', '0002_default_template'),
        ('funding', '0002_standards_records_projects'),
    ]

    operations = [
        migrations.AddField(
            model_name='changerecord',
            name='unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgtree.unit', verbose_name='unit'),
        ),
        migrations.RunPython(backfill_units, migrations.RunPython.noop),
    ]
