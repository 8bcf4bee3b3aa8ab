from django.apps import AppConfig


class ChartingConfig(AppConfig):
    name = "charting"
