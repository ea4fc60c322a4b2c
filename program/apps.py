from django.apps import AppConfig


class ProgramConfig(AppConfig):
    verbose_name = "Program: calls, content and news"
    name = "program"
