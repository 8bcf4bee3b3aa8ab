"""Register a SMART on FHIR app; prints {"client_id": ..., "client_secret": ...} (the secret only for a
confidential client, shown once: only its hash is kept). A backend service (`--backend`) registers its
public keys instead (`--jwks FILE`, or `--jwks-url URL` where it publishes them) and acts as a staff user (`--user`). Admins manage apps in the admin site."""
import json
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from oauth2_provider.models import get_application_model

from interop import backend, smart
from interop.models import BackendClient


class Command(BaseCommand):
    help = "Register a SMART on FHIR app (OAuth client) and print its client_id (and secret) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--redirect-uri", action="append", dest="redirect_uris", default=[],
                            help="Where the app receives the authorisation code (repeat for several).")
        parser.add_argument("--confidential", action="store_true", help="The app can keep a secret (a server).")
        parser.add_argument("--scope", default="", help="Documented scopes the app will ask for (checked here).")
        parser.add_argument("--backend", action="store_true",
                            help="SMART Backend Services: client credentials with a signed assertion (RS384/ES384).")
        parser.add_argument("--jwks", help="With --backend: a file holding the client's public keys (a JWK Set).")
        parser.add_argument("--jwks-url", help="With --backend, instead of --jwks: the https URL where the client "
                            "publishes its JWK Set (fetched now to check it, then when its assertions are checked).")
        parser.add_argument("--user", help="With --backend: the administrator or clinician the service acts as.")

    def handle(self, *args, name, redirect_uris, confidential, scope, backend: bool, jwks, jwks_url, user, **options):
        bad = [s for s in scope.split() if not smart.valid_scope(s)]
        if bad:
            raise CommandError(f"Not SMART scopes: {' '.join(bad)}")
        if backend:
            return self._backend(name, jwks, jwks_url, user)
        if not redirect_uris:
            raise CommandError("Give --redirect-uri (or --backend for a service without a person).")
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

    def _backend(self, name: str, jwks_file: str | None, jwks_url: str | None, username: str | None):
        if bool(jwks_file) == bool(jwks_url) or not username:
            raise CommandError("A backend client needs its public keys, --jwks FILE or --jwks-url URL (one of "
                               "them), and --user USERNAME.")
        if jwks_url:
            try:
                backend.fetch_jwks(jwks_url)  # refuse now a URL that serves no usable keys
            except backend.KeysUnavailable as error:
                raise CommandError(str(error)) from None
            jwks = {}
        else:
            try:
                jwks = json.loads(Path(jwks_file).read_text())
            except (OSError, ValueError) as error:
                raise CommandError(f"{jwks_file}: {error}") from None
            problem = backend.jwks_problem(jwks)
            if problem:
                raise CommandError(f"{jwks_file}: {problem}")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        Application = get_application_model()
        # The secret is never shown or used: a backend client authenticates only by its signed assertion.
        application = Application(name=name, user=user, redirect_uris="", client_type=Application.CLIENT_CONFIDENTIAL,
                                  authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
                                  client_secret=secrets.token_urlsafe(32))
        if backend.acting_user(application) is None:
            raise CommandError(f"{username} must be an active administrator or clinician to export for a service.")
        with transaction.atomic():
            application.save()
            BackendClient.objects.create(application=application, jwks=jwks, jwks_url=jwks_url or "")
        self.stdout.write(json.dumps({"client_id": application.client_id}))
