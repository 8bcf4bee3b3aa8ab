"""Read-heavy work reads from a replica when one is configured; every write stays on the primary."""
import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from tpclinic.dbrouter import reading_from_replica

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_reads_go_to_the_replica_only_inside_the_block_and_only_when_enabled(settings):
    User = get_user_model()
    User.objects.create_user("replicated", password="x-long-password")

    settings.REPLICA_READS = True
    assert User.objects.all().db == "default"
    with reading_from_replica():
        query = User.objects.filter(username="replicated")
        assert query.db == "replica"
        assert query.count() == 1  # the second connection sees the primary's committed row
        User.objects.create_user("written-inside", password="x-long-password")
    assert User.objects.get(username="written-inside")._state.db == "default"

    settings.REPLICA_READS = False
    with reading_from_replica():
        assert User.objects.all().db == "default"


def test_the_replica_is_a_separate_connection_to_the_same_database(settings):
    assert connections["replica"] is not connections["default"]
    assert connections["replica"].settings_dict["NAME"] == connections["default"].settings_dict["NAME"]


def test_the_outcomes_page_reads_its_summary_from_the_replica(settings, client, django_user_model):
    from conftest import make_staff
    from accounts.models import Role

    settings.REPLICA_READS = True
    clinician = make_staff(django_user_model, "reader", Role.CLINICIAN)
    client.force_login(clinician)
    executed = []

    def spy(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connections["replica"].execute_wrapper(spy):
        response = client.get("/analytics/")
    assert response.status_code == 200
    assert any("analytics_" in sql for sql in executed)
