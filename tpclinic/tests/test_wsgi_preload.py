"""An app server loads the ICD-10-CM code set at start, so no request (a signing holds row locks) pays for it."""
import os
import subprocess
import sys


def test_the_wsgi_application_has_the_code_set_loaded_before_any_request():
    probe = ("import sys, tpclinic.wsgi; "
             "print('simple_icd_10_cm' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "tpclinic.test_settings"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "True"
