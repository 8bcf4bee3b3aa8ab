from django.apps import AppConfig


class TpclinicConfig(AppConfig):
    name = "tpclinic"
    verbose_name = "tpclinic"

    def ready(self):
        # Signal receivers: the database file kept 0600, and the login hook that applies the
        # language on the person's record.
        from tpclinic import files, signals  # noqa: F401
