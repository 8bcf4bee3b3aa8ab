from django.apps import AppConfig


class TpclinicConfig(AppConfig):
    name = "tpclinic"

    def ready(self):
        from tpclinic import signals  # noqa: F401  (connects the login hook that applies the record's language)
