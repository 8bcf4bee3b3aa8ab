"""The FHIR import handlers, one module per area; importing this package registers them with
interop.fhir_import (which runs them in its ORDER)."""
from interop.fhir_in import people, charting, treatment, drawings, safety, amendments  # noqa: F401
from interop.fhir_in import stills  # noqa: F401,E402  (ultrasound stills from Media)
