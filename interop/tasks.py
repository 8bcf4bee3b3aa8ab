"""Background work of the interop app, on the Django Tasks queue (`tpclinic db_worker` runs it).

A FHIR Bulk Data export writes one NDJSON file per resource type through Django's storage API
(default_storage), streaming each type through a temporary file so memory stays flat, and checks
between chunks whether the requester cancelled it.
"""
from __future__ import annotations

import tempfile

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import task

from audit import events
from audit.models import Action
from interop import fhir_export, fhir_server
from interop import fhir_versions as versions
from interop.models import BulkExport, Installation
from patients.models import Patient
from treatment.models import Course

CHECK_EVERY = 500


def export_patients(export: BulkExport):
    if export.level == "group":
        return Patient.objects.filter(pk__in=Course.objects.filter(clinician_id=int(export.group))
                                      .values("patient_id"))
    return Patient.objects.all()


def _lines(scope: fhir_export.Scope, export: BulkExport):
    """(resource type, NDJSON line) of what the export asked for: only the exporters of its `_type`s run,
    and with `_since` each resource is versioned to compare its lastUpdated, a chunk at a time (one query
    for the kept versions of a chunk, not one per resource), each new version recorded with its patient as
    a FHIR read records it (so access to it is judged the same way once the record is deleted)."""
    if export.since is None:
        yield from fhir_export.iter_lines(scope, export.types)
        return
    for chunk in fhir_export.in_chunks(fhir_export.iter_resources(scope, export.types)):
        stamped = versions.stamp([resource for _, resource in chunk], fhir_server.patient_in)
        for (resource_type, _), resource in zip(chunk, stamped):
            if versions.datetime_of(resource) >= export.since:
                yield resource_type, fhir_export.ndjson_line(resource)


@task(queue_name="exports")
def run_bulk_export(export_id: str) -> int:
    export = BulkExport.objects.get(pk=export_id)
    if export.status != BulkExport.Status.ACCEPTED:
        return 0
    export.status, export.transaction_time = BulkExport.Status.RUNNING, timezone.now()
    export.save(update_fields=["status", "transaction_time"])
    scope = fhir_export.Scope(export_patients(export), include_drafts=True, whole_clinic=export.level == "system",
                              source=Installation.source_uri())
    files, counts, written = {}, {}, 0
    try:
        for resource_type, line in _lines(scope, export):
            handle = files.get(resource_type) or files.setdefault(resource_type, tempfile.TemporaryFile())
            handle.write(line)
            counts[resource_type] = counts.get(resource_type, 0) + 1
            written += 1
            if written % CHECK_EVERY == 0:
                export.refresh_from_db(fields=["status"])
                if export.status == BulkExport.Status.CANCELLED:
                    return written
                BulkExport.objects.filter(pk=export.pk).update(progress=f"{written} resources written")
        output = []
        for resource_type, handle in files.items():
            handle.seek(0)
            name = default_storage.save(f"{export.folder()}/{resource_type}.ndjson", File(handle))
            output.append({"type": resource_type, "name": name, "count": counts[resource_type]})
        export.refresh_from_db(fields=["status"])
        if export.status == BulkExport.Status.CANCELLED:
            for item in output:
                default_storage.delete(item["name"])
            return written
        BulkExport.objects.filter(pk=export.pk).update(status=BulkExport.Status.DONE, output=output,
                                                        progress=f"{written} resources written")
        # One event; every exported patient is a disclosure row of it (the accounting of disclosures).
        events.record(Action.EXPORT, user=export.user, object_type="fhir.$export", object_id=export.pk,
                      patients=scope.patients.values_list("pk", flat=True).iterator(), status=200,
                      detail=f"FHIR bulk export ({export.level}): {', '.join(export.types) or 'all types'}")
        return written
    except Exception as error:  # the requester is told through the status URL; the worker logs the rest
        BulkExport.objects.filter(pk=export.pk).update(status=BulkExport.Status.FAILED, error=str(error)[:2000])
        raise
    finally:
        for handle in files.values():
            handle.close()
