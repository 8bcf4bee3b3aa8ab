"""Register a SMART on FHIR app; prints {"client_id": ..., "client_secret": ...} (the secret only for a
confidential client, shown once: only its hash is kept). Admins manage apps in the admin site."""
import json
import secrets

from django.core.management.base import BaseCommand, CommandError
from oauth2_provider.models import get_application_model

from interop import smart


class Command(BaseCommand):
    help = "Register a SMART on FHIR app (OAuth client) and print its client_id (and secret) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--redirect-uri", required=True, action="append", dest="redirect_uris",
                            help="Where the app receives the authorisation code (repeat for several).")
        parser.add_argument("--confidential", action="store_true", help="The app can keep a secret (a server).")
        parser.add_argument("--scope", default="", help="Documented scopes the app will ask for (checked here).")

    def handle(self, *args, name, redirect_uris, confidential, scope, **options):
        bad = [s for s in scope.split() if not smart.valid_scope(s)]
        if bad:
            raise CommandError(f"Not SMART scopes: {' '.join(bad)}")
        refused = [problem for uri in redirect_uris if (problem := smart.redirect_uri_problem(uri))]
        if refused:
            raise CommandError("; ".join(refused))
        Application = get_application_model()
        secret = secrets.token_urlsafe(32) if confidential else ""
        application = Application(
            name=name, redirect_uris=" ".join(redirect_uris),
            client_type=Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE, client_secret=secret,
            algorithm=Application.RS256_ALGORITHM,  # id_tokens (openid fhirUser) signed with the server's key
        )
        try:
            application.full_clean(exclude=["user", "client_secret"])
        except Exception as error:
            raise CommandError(str(error)) from None
        application.save()
        out = {"client_id": application.client_id}
        if confidential:
            out["client_secret"] = secret
        self.stdout.write(json.dumps(out))
