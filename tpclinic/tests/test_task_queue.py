"""The task queue: work queued in the database waits until a worker runs it, and runs once."""
from django.contrib.auth import get_user_model
from django_tasks import task, task_backends
from django_tasks_db.backend import DatabaseBackend


@task(queue_name="tests")
def rename_user(user_id: int, first_name: str) -> str:
    get_user_model().objects.filter(pk=user_id).update(first_name=first_name)
    return first_name


def test_the_default_backend_keeps_tasks_in_the_database():
    assert isinstance(task_backends["default"], DatabaseBackend)


def test_a_queued_task_waits_for_the_worker_then_runs_once(django_user_model, task_worker):
    user = django_user_model.objects.create_user("queued", password="x-long-password")
    result = rename_user.enqueue(user.pk, "Ada")

    user.refresh_from_db()
    assert user.first_name == ""  # nothing ran in the request that queued it
    assert task_worker() == 1
    result.refresh()
    assert result.status == "SUCCESSFUL" and result.return_value == "Ada"
    user.refresh_from_db()
    assert user.first_name == "Ada"
    assert task_worker() == 0  # a second pass finds nothing left to do
