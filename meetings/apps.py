from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - registers the task the import starts by name
