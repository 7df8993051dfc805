from django.db import migrations


def install(apps, schema_editor):
    from reform import defaults

    defaults.install(apps.get_model("reform", "ChecklistTemplate"), apps.get_model("reform", "TemplateItem"))


class Migration(migrations.Migration):
    dependencies = [("reform", "0001_checklists_problems_campaigns")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
