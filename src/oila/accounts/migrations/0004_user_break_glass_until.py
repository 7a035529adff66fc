from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_programme_public_page")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="break_glass_until",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="emergency access until"
            ),
        ),
    ]
