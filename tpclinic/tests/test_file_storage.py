"""Files go through Django's storage API, so where they live is a setting."""
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tpclinic.settings import BASE_DIR


def test_files_written_through_the_storage_api_land_under_the_media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("exports/sample.ndjson", ContentFile(b'{"resourceType":"Patient"}\n'))
    assert (tmp_path / name).read_bytes() == b'{"resourceType":"Patient"}\n'
    default_storage.delete(name)
    assert not default_storage.exists(name)


def settings_value(env: dict, expression: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    done = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True,
                          env={**env, "DJANGO_SETTINGS_MODULE": "tpclinic.settings", "SECRET_KEY": "x" * 50,
                               "TPCLINIC_DATA_DIR": env["TPCLINIC_DATA_DIR"], "PATH": "/usr/bin:/bin"})
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("choice, backend", [
    ({}, "django.core.files.storage.FileSystemStorage"),
    ({"FILE_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "clinic-files"}, "storages.backends.s3.S3Storage"),
])
def test_the_object_store_is_a_setting(tmp_path, choice, backend):
    env = {"TPCLINIC_DATA_DIR": str(tmp_path), **choice}
    assert settings_value(env, 'settings.STORAGES["default"]["BACKEND"]') == backend
    # the backend is built (its package is installed); building it makes no network call
    built = "type(__import__('django.core.files.storage').core.files.storage.storages['default']).__name__"
    assert settings_value(env, built) == backend.rsplit(".", 1)[1]


def test_an_unknown_storage_is_refused_at_start(tmp_path):
    out = settings_value({"TPCLINIC_DATA_DIR": str(tmp_path), "FILE_STORAGE": "ftp"}, "1")
    assert "FILE_STORAGE must be one of local, s3" in out
