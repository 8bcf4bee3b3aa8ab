"""`tpclinic fhir_import FILE`: import a FHIR R4 Bundle (JSON) or an NDJSON export directory.

FILE is a Bundle, or a `fhir_export` directory (or its manifest.json), whose NDJSON files are
read into one collection Bundle. Everything is one transaction: if the data is not valid FHIR,
nothing changes. What was stored and what was skipped (and why) is printed as an
OperationOutcome; the exit status is 1 when the Bundle was refused.
"""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit import events
from interop import fhir_import


def read_ndjson(folder: Path) -> dict:
    manifest = folder / "manifest.json"
    if manifest.exists():
        names = [item["url"] for item in json.loads(manifest.read_text(encoding="utf-8")).get("output", [])]
    else:
        names = sorted(p.name for p in folder.glob("*.ndjson"))
    entries = []
    for name in names:
        path = (folder / name).resolve()
        if folder.resolve() not in path.parents:
            raise CommandError(f"The manifest names {name}, outside {folder}; refusing to read it.")
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        entries.append({"resource": json.loads(line)})
                    except ValueError as error:
                        raise CommandError(f"{name} line {number} is not JSON ({error}); nothing was imported.")
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


class Command(BaseCommand):
    help = "Import a FHIR R4 Bundle file, or a directory written by fhir_export."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Bundle JSON file, export directory, or its manifest.json.")
        parser.add_argument("--quiet-information", action="store_true", help="Print only warnings and errors.")

    def handle(self, *args, file, quiet_information, **options):
        path = Path(file)
        if path.is_dir() or path.name == "manifest.json":
            bundle = read_ndjson(path if path.is_dir() else path.parent)
        else:
            try:
                bundle = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise CommandError(f"There is no file {path}.") from None
            except ValueError as error:
                raise CommandError(f"{path} is not JSON ({error}); nothing was imported.") from None
        try:
            result = fhir_import.import_bundle(bundle)
        except fhir_import.BundleError as error:
            events.record(events.Action.IMPORT, object_type="fhir.bundle", username=events.command_line_user(),
                          detail=f"tpclinic fhir_import {path.name}: refused, nothing imported"[:255])
            self.stdout.write(json.dumps(error.outcome(), indent=2, ensure_ascii=False))
            raise CommandError("The Bundle is not valid FHIR R4; nothing was imported (details above).") from None
        summary = ", ".join(f"{n} {a}" for a, n in sorted(result.counts.items())) or "nothing"
        events.record(events.Action.IMPORT, object_type="fhir.bundle", username=events.command_line_user(),
                      patients=result.patients, detail=f"tpclinic fhir_import {path.name}: {summary}"[:255])
        outcome = result.outcome()
        if quiet_information:
            outcome["issue"] = [i for i in outcome["issue"] if i["severity"] != "information"] or outcome["issue"][-1:]
        self.stdout.write(json.dumps(outcome, indent=2, ensure_ascii=False))
        if result.rolled_back:  # a transaction Bundle with an entry that could not be stored
            raise CommandError(f"The transaction failed at entries {', '.join(map(str, result.failed))}; nothing was "
                               "imported (details above).")
        self.stderr.write(f"Imported: {', '.join(f'{n} {a}' for a, n in sorted(result.counts.items())) or 'nothing'}.")
