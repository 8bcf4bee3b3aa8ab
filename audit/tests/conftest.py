"""Fixtures for the audit app's tests: a small clinic with a signed and a draft session."""
import pytest


@pytest.fixture
def admin_client(administrator):
    """A client of its own, so a test can act as the administrator and as someone else."""
    from django.test import Client

    admin = Client()
    admin.force_login(administrator)
    return admin


@pytest.fixture
def small_clinic(clinician, patient):
    from audit.tests.builders import course_with_sessions

    records = course_with_sessions(patient, clinician, notes="Tolerated well.")
    del records["injection"]
    return records
