"""The per-woman standard measures 妇女儿童民生项目经费 (the livelihood project funds), not the work
funds: the labels follow, and the stored results, measured the old way, are flagged stale so that
reads measure in the request until the nightly refresh_compliance (or `manage.py refresh_compliance`)
rewrites them. No recorded line changes category: what users entered stays as entered."""

from django.db import migrations, models


def flag_stored_results_stale(apps, schema_editor):
    if apps.get_model("funding", "UnitCompliance").objects.exists():
        apps.get_model("funding", "StaleCompliance").objects.create(unit=None, year=0)


class Migration(migrations.Migration):

    dependencies = [
        ('funding', '0005_unit_compliance'),
    ]

    operations = [
        migrations.AlterField(
            model_name='fundingrecord',
            name='category',
            field=models.CharField(choices=[('work_funds', 'Work funds'), ('women_children', "Women's and children's livelihood project funds"), ('project', 'Project funds'), ('award', 'Awards in lieu of subsidies'), ('other', 'Other')], max_length=20, verbose_name='category'),
        ),
        migrations.AlterField(
            model_name='fundingstandard',
            name='per_woman',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=8, null=True, verbose_name='livelihood project funds per woman (yuan/year)'),
        ),
        migrations.RunPython(flag_stored_results_stale, migrations.RunPython.noop),
    ]
