"""D1 (基层执委轮训覆盖率) of the default checklist becomes automatic: filled from the training figure
executives_trained_rate (registered by the executives app)."""

from django.db import migrations

NAME = "破难行动督导目标清单"


def forward(apps, schema_editor):
    apps.get_model("reform", "TemplateItem").objects.filter(
        template__name=NAME, number="D1", coverage_key=""
    ).update(coverage_key="executives_trained_rate")


def backward(apps, schema_editor):
    apps.get_model("reform", "TemplateItem").objects.filter(
        template__name=NAME, number="D1", coverage_key="executives_trained_rate"
    ).update(coverage_key="")


class Migration(migrations.Migration):
    dependencies = [("reform", "0004_version_not_editable")]

    operations = [migrations.RunPython(forward, backward)]
