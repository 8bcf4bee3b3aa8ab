"""The audit trail is tamper-evident: a forged, deleted or edited row is named by audit_verify."""
import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from audit import chain, events
from audit import db as audit_db
from audit.events import Action
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def verify_output() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def broken_at() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify", stdout=io.StringIO(), stderr=io.StringIO())
    return str(failure.value)


@pytest.fixture
def trail(patient):
    written = [events.record(Action.READ, obj=patient, detail=f"read {n}") for n in range(5)]
    written.append(events.record(Action.LIST, patients=[patient.pk], object_type="patients.patient"))
    return written


@pytest.fixture
def attacker():
    """Someone with write access to the database: lifts the append-only triggers (inside the test's
    transaction, so they come back afterwards)."""
    audit_db.uninstall(connection, ["audit_auditevent", "audit_auditdisclosure"])
    return connection.cursor()


def test_an_untouched_chain_verifies(trail):
    assert chain.verify() == []
    assert "events verified" in verify_output()
    assert [e.seq for e in trail] == list(range(trail[0].seq, trail[0].seq + 6))
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(trail, trail[1:]))


def test_a_forged_insert_is_caught(trail):
    # raw INSERT, allowed by the triggers: with no place in the chain ...
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_auditevent (at, username, role, remote_addr, action, object_type, object_id,"
                       " path, method, detail, prev_hash, hash) VALUES (%s, 'ghost', '', '', 'read', '', '', '', '',"
                       " '', '', '')", [trail[0].at])
    assert "not part of the chain" in broken_at()


def test_a_forged_insert_at_the_end_of_the_chain_is_caught(trail):
    last = trail[-1]
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_auditevent (at, username, role, remote_addr, action, object_type, object_id,"
                       " path, method, detail, seq, prev_hash, hash) VALUES (%s, 'ghost', '', '', 'read', '', '', '',"
                       " '', '', %s, %s, %s)", [last.at, last.seq + 1, last.hash, "0" * 64])
    message = broken_at()
    assert f"seq {last.seq + 1}" in message and "changed or forged" in message


def test_an_edited_row_is_named(trail, attacker):
    victim = trail[2]
    attacker.execute("UPDATE audit_auditevent SET username = 'someone-else' WHERE id = %s", [victim.pk])
    message = broken_at()
    assert f"audit event id {victim.pk} (seq {victim.seq})" in message and "changed or forged" in message


def test_a_deleted_row_is_caught(trail, attacker):
    victim = trail[3]
    attacker.execute("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    message = broken_at()
    assert f"audit event id {trail[4].pk}" in message and f"seq {victim.seq} deleted" in message


def test_deleting_the_newest_rows_is_caught(trail, attacker):
    attacker.execute("DELETE FROM audit_auditevent WHERE seq >= %s", [trail[-2].seq])
    assert f"should end at seq {trail[-1].seq}" in broken_at()


def test_a_removed_disclosure_is_caught(trail, attacker):
    attacker.execute("DELETE FROM audit_auditdisclosure WHERE event_id = %s", [trail[-1].pk])
    assert f"audit event id {trail[-1].pk}" in broken_at()


def test_a_rechained_forgery_without_the_key_is_caught(trail, attacker, settings):
    """Recomputing the hashes needs the chain key: with another key the forger's rows do not verify."""
    victim = trail[1]
    attacker.execute("UPDATE audit_auditevent SET detail = 'nothing to see' WHERE id = %s", [victim.pk])
    settings.AUDIT_CHAIN_KEY = "the attacker's guess"
    prev = trail[0].hash
    for event in AuditEvent.objects.filter(seq__gte=victim.seq).order_by("seq"):
        forged = chain.digest(event, event.disclosures.values_list("patient_id", flat=True), prev)
        attacker.execute("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, forged, event.pk])
        prev = forged
    attacker.execute("UPDATE audit_chainhead SET hash = %s", [prev])
    del settings.AUDIT_CHAIN_KEY
    assert f"audit event id {victim.pk}" in broken_at()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(patient):
    """Several threads write at once (on PostgreSQL each has its own connection and transaction)."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(("file:memorydb", ":memory:")):
        pytest.skip("an in-memory SQLite database is one connection; the PostgreSQL run tests this")
    errors = []

    def writer(n):
        try:
            for i in range(10):
                events.record(Action.READ, obj=patient, detail=f"thread {n} read {i}")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEvent.objects.filter(detail__startswith="thread").count() == 40
    assert chain.verify() == []
