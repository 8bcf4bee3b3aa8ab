"""What the session workflow tells other apps, so they follow it without treatment importing them."""
from django.dispatch import Signal

# Sent inside the signing transaction, after the session is stored signed (`session=`): an app that
# keeps something about the visit (the appointment that becomes "done") updates it in the same
# transaction, or the signing rolls back with it.
session_signed = Signal()
