"""API tokens expire (API_TOKEN_DAYS, 90 by default). Tokens issued before this version get a
full lifetime from the upgrade, so no integration stops without warning on the day of the upgrade."""
from django.db import migrations, models

import interop.models


def give_existing_tokens_a_lifetime(apps, schema_editor):
    ApiToken = apps.get_model("interop", "ApiToken")
    ApiToken.objects.filter(expires__isnull=True).update(expires=interop.models.default_expiry())


class Migration(migrations.Migration):
    dependencies = [
        ("interop", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.RunPython(give_existing_tokens_a_lifetime, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires",
            field=models.DateTimeField(default=interop.models.default_expiry,
                                       help_text="The token stops working at this time; rotate it before then.",
                                       verbose_name="expires"),
        ),
    ]
