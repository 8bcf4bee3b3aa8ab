"""The FHIR exporters, one module per area; importing this package registers them with
interop.fhir_export in the order below, which is the order of a Bundle's entries and NDJSON files
(pain drawings before the diary entries derived from them)."""
from interop.fhir_out import people, charting, treatment, drawings, examination, safety, amendments  # noqa: F401
from interop.fhir_out import scheduling  # noqa: F401,E402  (booked appointments)
from interop.fhir_out import note  # noqa: F401,E402  (procedure notes as DocumentReference)
from interop.fhir_out import stills  # noqa: F401,E402  (ultrasound stills as Media)
