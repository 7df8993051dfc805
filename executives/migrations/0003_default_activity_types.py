"""The default activity types (积分考评); administrators add, reorder or retire them afterwards."""

from django.db import migrations

DEFAULT_TYPES = ["宣传宣讲", "走访慰问", "维权调解", "技能培训", "家庭教育", "志愿服务", "其他"]


def add_types(apps, schema_editor):
    ActivityType = apps.get_model("executives", "ActivityType")
    for order, name in enumerate(DEFAULT_TYPES, start=1):
        ActivityType.objects.get_or_create(name=name, defaults={"order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("executives", "0002_activities")]

    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]
