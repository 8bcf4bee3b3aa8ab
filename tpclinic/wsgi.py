import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tpclinic.settings")
application = get_wsgi_application()

# Slow tables load before the first request, not inside it (safety.coding.preload).
from safety import coding  # noqa: E402  (needs the app registry that get_wsgi_application set up)

coding.preload()
