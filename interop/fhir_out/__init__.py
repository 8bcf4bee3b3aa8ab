"""The FHIR exporters, one module per area; importing this package registers them with
interop.fhir_export in the order below, which is the order of a Bundle's entries and NDJSON files."""
from interop.fhir_out import people, charting, treatment  # noqa: F401
