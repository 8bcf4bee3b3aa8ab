"""`tpclinic fhir_export --out DIR`: the whole clinic as FHIR R4 NDJSON, Bulk Data style.

Writes one `<ResourceType>.ndjson` per type and a `manifest.json` shaped like a FHIR Bulk Data
export's completion response. Records are streamed in chunks, so memory stays flat however big
the clinic; progress goes to stderr. Draft sessions are included (Procedure status
"preparation") unless --signed-only, so the export is a complete copy of what tpclinic holds.
"""
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit import events
from interop import fhir_export
from interop.models import Installation
from patients.models import Patient

PROGRESS_EVERY = 1000


class Command(BaseCommand):
    help = "Export every patient's record as FHIR R4 NDJSON files plus manifest.json."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Directory to write into (created if needed).")
        parser.add_argument("--signed-only", action="store_true", help="Leave draft sessions out.")

    def handle(self, *args, out, signed_only, **options):
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot create {folder}: {error}") from None
        stale = sorted(p.name for p in folder.glob("*.ndjson"))
        if stale:
            raise CommandError(f"{folder} already holds {', '.join(stale)}; choose an empty directory.")
        started = timezone.now()
        scope = fhir_export.Scope(Patient.objects.all(), include_drafts=not signed_only, whole_clinic=True,
                                  source=Installation.source_uri())
        counts, files, clock = {}, {}, time.monotonic()
        try:
            for resource_type, line in fhir_export.iter_lines(scope):
                if resource_type not in files:
                    files[resource_type] = open(folder / f"{resource_type}.ndjson", "wb")
                    self.stderr.write(f"{resource_type}: writing")
                files[resource_type].write(line)
                counts[resource_type] = counts.get(resource_type, 0) + 1
                if counts[resource_type] % PROGRESS_EVERY == 0:
                    self.stderr.write(f"{resource_type}: {counts[resource_type]} written")
        finally:
            for handle in files.values():
                handle.close()
        manifest = {
            "transactionTime": started.isoformat(),
            "request": "tpclinic fhir_export" + (" --signed-only" if signed_only else ""),
            "requiresAccessToken": False,
            "output": [{"type": t, "url": f"{t}.ndjson", "count": n} for t, n in counts.items()],
            "error": [],
            "extension": {"source": scope.source, "fhirVersion": "4.0.1"},
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        total = sum(counts.values())
        events.record(events.Action.EXPORT, object_type="fhir.bulk", username=events.command_line_user(),
                      patients=scope.patients.values_list("pk", flat=True),
                      detail=f"tpclinic fhir_export: {total} resources to {folder.name}"[:255])
        self.stderr.write(f"Done: {total} resources in {len(counts)} files, {time.monotonic() - clock:.1f} s.")
        self.stdout.write(str(folder / "manifest.json"))

