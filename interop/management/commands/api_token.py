"""`tpclinic api_token USERNAME [--name N]`: create an API token and print it once.

Only its SHA-256 is stored, so it cannot be shown again: lose it and you issue a new one (and
revoke the old one in the admin, Interop > API tokens).
"""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import roles
from interop.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for a user and print it once (it acts with that user's role)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="API token", help="What the token is for, e.g. 'billing export'.")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}. Check the spelling, or create the user first.")
        if not user.is_active:
            raise CommandError(f"{username!r} is deactivated; a token for them would not work.")
        if roles.role_of(user) is None:
            self.stderr.write(f"Warning: {username!r} has no staff role and no patient record; "
                              "the API will refuse every request made with this token.")
        _, raw = ApiToken.issue(user, name[:80])
        self.stderr.write(f"Token {name!r} for {username} ({roles.role_of(user) or 'no role'}). "
                          "Copy it now: it is not stored and cannot be shown again.")
        self.stdout.write(raw)
