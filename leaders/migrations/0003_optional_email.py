"""How a person gets the optional e-mails (news, non-urgent reminders): each, weekly, none."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leaders", "0002_invitation_verbose_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="optional_email",
            field=models.CharField(
                choices=[
                    ("each", "Each one as it comes"),
                    ("digest", "A weekly digest: one e-mail a week"),
                    ("off", "Off: none of them"),
                ],
                default="each",
                help_text=(
                    "Program news and non-urgent reminders. E-mails about the group's "
                    "requirements and reviews always arrive."
                ),
                max_length=10,
                verbose_name="optional e-mails",
            ),
        ),
    ]
