"""ChairPay moves from funding to orgtree (it is part of the 会改联 record). Only the state moves:
the table keeps its name (db_table) and its rows; funding's 0003 drops it from funding's state
and moves its content type, so its history records and permissions follow."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("orgtree", "0010_date_ranges"),
        ("funding", "0002_standards_records_projects"),  # the table exists (funding 0001 created it)
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChairPay",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        ("chair_annual", models.DecimalField(decimal_places=2, max_digits=10,
                                                             verbose_name="chair's annual pay (yuan)")),
                        ("party_secretary_annual", models.DecimalField(
                            blank=True, decimal_places=2, max_digits=10, null=True,
                            verbose_name="party secretary's annual pay (yuan)")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("recorded_by", models.ForeignKey(blank=True, null=True,
                                                          on_delete=django.db.models.deletion.PROTECT,
                                                          related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                   related_name="chair_pay", to="orgtree.unit",
                                                   verbose_name="unit")),
                    ],
                    options={
                        "verbose_name": "chair's pay",
                        "verbose_name_plural": "chairs' pay",
                        "db_table": "funding_chairpay",
                        "constraints": [models.UniqueConstraint(fields=("unit", "year"), name="chairpay_unit_year")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
