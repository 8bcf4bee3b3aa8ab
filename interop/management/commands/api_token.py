"""`tpclinic api_token USERNAME [--name N] [--days D] [--rotate]`: create an API token and print it once.

Only its SHA-256 is stored, so it cannot be shown again: lose it and you issue a new one. Tokens
expire after API_TOKEN_DAYS (90) unless --days says otherwise; `--rotate` issues the new token and
revokes the user's working tokens of the same name in one step (revoke others in the admin,
Interop > API tokens).
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import roles
from interop.models import ApiToken


class Command(BaseCommand):
    help = "Create (or rotate) an API token for a user and print it once (it acts with that user's role)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="API token", help="What the token is for, e.g. 'billing export'.")
        parser.add_argument("--days", type=int, default=None,
                            help=f"Days the token works (default API_TOKEN_DAYS, now {settings.API_TOKEN_DAYS}).")
        parser.add_argument("--rotate", action="store_true",
                            help="Revoke the user's working tokens of this name once the new one is made.")

    def handle(self, *args, username, name, days=None, rotate=False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}. Check the spelling, or create the user first.")
        if not user.is_active:
            raise CommandError(f"{username!r} is deactivated; a token for them would not work.")
        if days is not None and not 1 <= days <= 3660:
            raise CommandError("--days must be between 1 and 3660.")
        if roles.role_of(user) is None:
            self.stderr.write(f"Warning: {username!r} has no staff role and no patient record; "
                              "the API will refuse every request made with this token.")
        name = name[:80]
        if rotate:
            token, raw, revoked = ApiToken.rotate(user, name, days)
            self.stderr.write(f"Rotated {name!r} for {username}: revoked {revoked} old token(s).")
        else:
            token, raw = ApiToken.issue(user, name, days)
        self.stderr.write(f"Token {name!r} for {username} ({roles.role_of(user) or 'no role'}), valid until "
                          f"{token.expires:%Y-%m-%d %H:%M %Z}. Copy it now: it is not stored and cannot be shown again.")
        self.stdout.write(raw)
