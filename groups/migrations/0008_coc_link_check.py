"""The code-of-conduct link check: its history, its state on the group, and its daily schedule."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from groups.program_team import sync_program_team
from groups.schedules import ensure_interval_task, remove_task

CHECK_NAME = "Check the code-of-conduct links of admitted groups"


def create_check_schedule(apps, schema_editor):
    ensure_interval_task(
        apps,
        name=CHECK_NAME,
        task="groups.tasks.check_code_of_conduct_links",
        every=1,
        period="days",
    )


def remove_check_schedule(apps, schema_editor):
    remove_task(apps, name=CHECK_NAME)


def update_program_team(apps, schema_editor):
    sync_program_team(apps)  # the team reads the history of the checks


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0007_outbox_attachment"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="CodeOfConductCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.TextField(verbose_name="address")),
                (
                    "checked_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="checked"),
                ),
                ("ok", models.BooleanField(verbose_name="answered")),
                (
                    "status_code",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="status"),
                ),
                ("final_url", models.TextField(blank=True, verbose_name="final address")),
                ("error", models.TextField(blank=True, verbose_name="error")),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="coc_checks",
                        to="groups.group",
                    ),
                ),
            ],
            options={
                "verbose_name": "code of conduct check",
                "verbose_name_plural": "code of conduct checks",
                "ordering": ["-checked_at", "-pk"],
                "indexes": [
                    models.Index(fields=["group", "-checked_at"], name="coc_check_group_idx")
                ],
            },
        ),
        migrations.AddField(
            model_name="group",
            name="coc_link_checked_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                null=True,
                verbose_name="code of conduct link last checked",
            ),
        ),
        migrations.AddField(
            model_name="group",
            name="coc_link_error",
            field=models.TextField(
                blank=True, editable=False, verbose_name="code of conduct link error"
            ),
        ),
        migrations.AddField(
            model_name="group",
            name="coc_link_failing_since",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                null=True,
                verbose_name="code of conduct link broken since",
            ),
        ),
        migrations.AddField(
            model_name="group",
            name="coc_link_failures",
            field=models.PositiveSmallIntegerField(
                default=0, editable=False, verbose_name="code of conduct link failures in a row"
            ),
        ),
        migrations.AddField(
            model_name="group",
            name="coc_link_status_code",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="code of conduct link status"
            ),
        ),
        migrations.AddIndex(
            model_name="group",
            index=models.Index(
                fields=["status", "coc_link_checked_at"], name="group_coc_check_idx"
            ),
        ),
        migrations.RunPython(create_check_schedule, remove_check_schedule),
        migrations.RunPython(update_program_team, migrations.RunPython.noop),
    ]
