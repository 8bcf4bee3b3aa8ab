from django.apps import AppConfig


class TpclinicConfig(AppConfig):
    name = "tpclinic"
    verbose_name = "tpclinic"

    def ready(self):
        from tpclinic import files  # noqa: F401  (connects the receiver that keeps the database file 0600)
