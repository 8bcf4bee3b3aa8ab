"""SMART apps registered before OpenID Connect sign their id_tokens with the server's RSA key (RS256)."""
from django.db import migrations


def sign_with_rs256(apps, schema_editor):
    apps.get_model("oauth2_provider", "Application").objects.filter(algorithm="").update(algorithm="RS256")


class Migration(migrations.Migration):
    dependencies = [
        ("interop", "0006_patient_demographics"),
        ("oauth2_provider", "0020_cimd_application_fields"),
    ]

    operations = [migrations.RunPython(sign_with_rs256, migrations.RunPython.noop)]
