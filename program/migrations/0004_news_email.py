"""News by e-mail: when each item was e-mailed, and the beat schedules of the news jobs.

Items published before this migration are marked as e-mailed when they were published, so
that deploying it does not mail the leaders every old item at once.
"""

from django.db import migrations, models
from django.db.models import F

from groups.schedules import ensure_interval_task, remove_task

NEWS_SCHEDULE = "Send program news"
DIGEST_SCHEDULE = "Send weekly digests"


def mark_published_as_emailed(apps, schema_editor):
    NewsItem = apps.get_model("program", "NewsItem")
    NewsItem.objects.filter(published_at__isnull=False).update(emailed_at=F("published_at"))


def create_schedules(apps, schema_editor):
    ensure_interval_task(
        apps, name=NEWS_SCHEDULE, task="program.tasks.send_news_emails", every=1, period="hours"
    )
    # Daily, although each leader gets one digest a week: the first run of a week sends it,
    # so a tick that comes late or twice neither skips a week nor sends two.
    ensure_interval_task(
        apps, name=DIGEST_SCHEDULE, task="program.tasks.send_digest_emails", every=1, period="days"
    )


def remove_schedules(apps, schema_editor):
    remove_task(apps, name=NEWS_SCHEDULE)
    remove_task(apps, name=DIGEST_SCHEDULE)


class Migration(migrations.Migration):
    dependencies = [
        ("program", "0003_email_templates"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="newsitem",
            name="emailed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="e-mailed"
            ),
        ),
        migrations.AlterField(
            model_name="newsitem",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                help_text=(
                    "Leaders see the item from this time on and get it by e-mail then, "
                    "unless the time is more than a week past. Leave it empty for a draft."
                ),
                null=True,
                verbose_name="published",
            ),
        ),
        migrations.RunPython(mark_published_as_emailed, migrations.RunPython.noop),
        migrations.RunPython(create_schedules, remove_schedules),
    ]
