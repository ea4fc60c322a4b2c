"""Optional e-mails keep their one-click unsubscribe link, sent as List-Unsubscribe."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0009_compliance_reminder_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxemail",
            name="unsubscribe_url",
            field=models.CharField(blank=True, max_length=500, verbose_name="unsubscribe link"),
        ),
    ]
