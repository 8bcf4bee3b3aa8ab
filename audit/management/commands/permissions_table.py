"""`tpclinic permissions_table [--write]`: the permission matrix as Markdown (for docs/permissions.md)."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from audit.permissions import markdown_table

DOC = Path(settings.BASE_DIR) / "docs" / "permissions.md"


class Command(BaseCommand):
    help = "Print the permission matrix of audit/permissions.py as Markdown, or --write it into docs/permissions.md."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Replace the table in docs/permissions.md.")

    def handle(self, *args, write=False, **options):
        table = markdown_table()
        if not write:
            self.stdout.write(table)
            return
        lines = DOC.read_text(encoding="utf-8").split("\n")
        start = next(i for i, line in enumerate(lines) if line.startswith("| area | "))
        end = start
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        lines[start:end] = table.split("\n")
        DOC.write_text("\n".join(lines), encoding="utf-8")
        self.stdout.write(f"Updated the table in {DOC}.")
